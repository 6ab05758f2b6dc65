/*
 * What the mutation kill runs (properties/mutation.ts) take from this layer:
 * the spec machines in lock-step (checked.ts) and an end-state fingerprint
 * built on the kernel snapshot (kstate.ts). Kept here because properties/
 * may not import the spec or the traces.
 */
import type { KillEnv } from '../properties/mutation.ts';
import type { ProgramSource } from '../properties/run.ts';
import type { Observed } from '../properties/observed.ts';
import { DEV_BSIZE } from '../impl/kernel/data.ts';
import { checkedProgram } from './checked.ts';
import { snapshot } from './kstate.ts';

const checkedSource: ProgramSource = (scenario, variant, checks, monitors) => checkedProgram(scenario, variant, checks, {}, monitors).program;

/**
 * The end of an execution as data: the kernel snapshot, the page contents,
 * the file's blocks as the filesystem holds them, and what each operation
 * returned. Equal for two executions exactly when nothing a property could
 * look at tells them apart.
 */
export function endState(o: Observed): string {
  const parts: string[] = [];
  for (const [key, v] of snapshot(o.k)) parts.push(`${key}=${v}`);
  for (const obj of o.k.objects) for (const pg of obj.memq) parts.push(`${obj.name}.p${pg.pindex}.data=${pg.data.join(',')}`);
  const size = o.fsSize();
  for (let off = 0; off < size; off += DEV_BSIZE) parts.push(`file@${off}=${o.fileBlock(off) ?? 'none'}`);
  for (const r of o.outcomes) parts.push(`${r.thread}#${r.index}=${r.result}${r.detail ? ` ${JSON.stringify(r.detail)}` : ''}`);
  // Sorted: list orders (a page queue, the objects) follow the interleaving without being state a property reads.
  return parts.sort().join("\n");
}

export const KILL_ENV: KillEnv = { programs: checkedSource, spec: true, endState };
