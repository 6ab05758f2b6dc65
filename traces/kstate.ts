/*
 * The kernel state of a trace, step by step, in the kernel's own field names:
 * a compact snapshot of the simulated kernel (objects, their resident pages,
 * vnodes, the pbuf and runningbufspace counters) and the diff of consecutive
 * snapshots.
 *
 * Derived, never stored: kernelStates() replays the trace's counterexample
 * and snapshots the world after every step. Traces stay plain data (their
 * format does not change, pinned files replay byte for byte), and nothing here
 * runs during a search.
 */
import { replay } from '../checker/counterexample.ts';
import type { Kernel } from '../impl/kernel/kernel.ts';
import { DEV_BSIZE, PAGE_SIZE } from '../impl/kernel/data.ts';
import { OBJ_COLORED, OBJ_DEAD, OBJ_DISCONNECTWNT, OBJ_MIGHTBEDIRTY, OBJ_ONEMAPPING, OBJ_PIPWNT, objtype_name } from '../impl/kernel/vm_object.ts';
import { VI_ACTIVE, VI_DOINGINACT, VI_DOOMED, VI_FREE, VI_OWEINACT } from '../impl/kernel/vnode.ts';
import { VPB_BIT_EXCLUSIVE, VPB_BIT_SHARED, VPB_BIT_WAITERS, VPB_SHARERS_SHIFT } from '../impl/kernel/vm_page.ts';
import { withoutThreads } from '../properties/findings.ts';
import type { Observed } from '../properties/observed.ts';
import { checkedProgram } from './checked.ts';
import type { Trace } from './trace.ts';

/** "obj1.ref_count" -> "1", in a fixed order (objects, their pages, vnodes, counters). */
export type KSnapshot = ReadonlyMap<string, string>;

/** One field a step changed: its key ("obj1.p2.valid"), before and after (null: absent). */
export interface KChange {
  readonly key: string;
  readonly from: string | null;
  readonly to: string | null;
}

export interface KStates {
  /** After setup, before the first step. */
  readonly setup: KSnapshot;
  /** After each step (steps[i] after trace step i). */
  readonly steps: readonly KSnapshot[];
}

function flagNames(v: number, names: readonly (readonly [number, string])[]): string {
  if (v === 0) return '0';
  const out: string[] = [];
  let rest = v;
  for (const [bit, name] of names)
    if ((v & bit) !== 0) {
      out.push(name);
      rest &= ~bit;
    }
  if (rest !== 0) out.push(`0x${rest.toString(16)}`);
  return out.join('|');
}

const OBJ_FLAGS = [
  [OBJ_DEAD, 'OBJ_DEAD'],
  [OBJ_PIPWNT, 'OBJ_PIPWNT'],
  [OBJ_MIGHTBEDIRTY, 'OBJ_MIGHTBEDIRTY'],
  [OBJ_COLORED, 'OBJ_COLORED'],
  [OBJ_ONEMAPPING, 'OBJ_ONEMAPPING'],
  [OBJ_DISCONNECTWNT, 'OBJ_DISCONNECTWNT'],
] as const;
const VI_FLAGS = [
  [VI_DOOMED, 'VI_DOOMED'],
  [VI_FREE, 'VI_FREE'],
  [VI_ACTIVE, 'VI_ACTIVE'],
  [VI_DOINGINACT, 'VI_DOINGINACT'],
  [VI_OWEINACT, 'VI_OWEINACT'],
] as const;

/** The decoded object flags: "OBJ_DEAD|OBJ_DISCONNECTWNT", "0" for none. */
export function objFlagsText(flags: number): string {
  return flagNames(flags, OBJ_FLAGS);
}

/** Page valid or dirty bits, one character per DEV_BSIZE block, block 0 first: "0x0f [****....]". */
export function blockBitsText(bits: number): string {
  const n = PAGE_SIZE / DEV_BSIZE;
  let s = '';
  for (let b = 0; b < n; b++) s += (bits >> b) & 1 ? '*' : '.';
  return `0x${bits.toString(16).padStart(2, '0')} [${s}]`;
}

/** The busy state of a page from its busy_lock: "unbusied", "xbusy", "sbusy 2", with "+waiters". */
export function busyText(busy_lock: number): string {
  const w = (busy_lock & VPB_BIT_WAITERS) !== 0 ? '+waiters' : '';
  if ((busy_lock & VPB_BIT_EXCLUSIVE) !== 0) return `xbusy${w}`;
  const sharers = (busy_lock & VPB_BIT_SHARED) !== 0 ? busy_lock >>> VPB_SHARERS_SHIFT : 0;
  return sharers > 0 ? `sbusy ${sharers}${w}` : `unbusied${w}`;
}

/** A snapshot of the kernel: what the seed reads and writes, named as the kernel names it. */
export function snapshot(k: Kernel): KSnapshot {
  const m = new Map<string, string>();
  for (const o of k.objects) {
    const p = o.name;
    m.set(`${p}.type`, objtype_name(o.type));
    m.set(`${p}.flags`, objFlagsText(o.flags));
    m.set(`${p}.ref_count`, String(o.ref_count));
    m.set(`${p}.size`, String(o.size));
    m.set(`${p}.paging_in_progress`, String(o.paging_in_progress));
    m.set(`${p}.handle`, o.handle?.name ?? 'NULL');
    m.set(`${p}.vnp_size`, String(o.un_pager.vnp.vnp_size));
    m.set(`${p}.writemappings`, String(o.un_pager.vnp.writemappings));
    if (o.destroyed) m.set(`${p}.freed`, 'yes');
    for (const pg of o.memq) {
      const q = `${p}.p${pg.pindex}`;
      m.set(`${q}.busy`, busyText(pg.busy_lock));
      m.set(`${q}.valid`, blockBitsText(pg.valid));
      m.set(`${q}.dirty`, blockBitsText(pg.dirty));
      if (pg.mapped > 0) m.set(`${q}.mapped`, String(pg.mapped));
      if (pg.wire_count > 0) m.set(`${q}.wire_count`, String(pg.wire_count));
    }
  }
  for (const v of k.vnodes) {
    const p = v.name;
    m.set(`${p}.v_usecount`, String(v.v_usecount));
    m.set(`${p}.v_holdcnt`, String(v.v_holdcnt));
    m.set(`${p}.v_writecount`, String(v.v_writecount));
    m.set(`${p}.v_iflag`, flagNames(v.v_iflag, VI_FLAGS));
    m.set(`${p}.v_object`, v.v_object?.name ?? 'NULL');
    if (v.va_size !== undefined) m.set(`${p}.va_size`, String(v.va_size));
  }
  m.set('vnode_pbuf_freecnt', String(k.vnode_pbuf_freecnt));
  m.set('vnode_async_pbuf_freecnt', String(k.vnode_async_pbuf_freecnt));
  m.set('runningbufspace', String(k.runningbufspace));
  return m;
}

/** What changed from `a` to `b`, in b's key order, then keys only in a. */
export function diffSnapshots(a: KSnapshot, b: KSnapshot): KChange[] {
  const out: KChange[] = [];
  for (const [key, to] of b) {
    const from = a.get(key) ?? null;
    if (from !== to) out.push({ key, from, to });
  }
  for (const [key, from] of a) if (!b.has(key)) out.push({ key, from, to: null });
  return out;
}

/** "obj1.ref_count 1 -> 2", "obj1.p2.busy = xbusy" (a new field), "obj1.p2.valid 0x00 [........] -> 0xff [********]". */
export function changeText(c: KChange): string {
  if (c.from === null) return `${c.key} = ${c.to}`;
  if (c.to === null) return `${c.key} gone (was ${c.from})`;
  return `${c.key} ${c.from} -> ${c.to}`;
}

/**
 * Replays the trace's counterexample and snapshots the kernel after setup and
 * after every step. Throws when the schedule no longer fits the code (the
 * trace's own replay says why).
 */
export function kernelStates(t: Trace): KStates {
  const cex = t.counterexample;
  let run = t.scenario;
  if (cex.dropped !== undefined && cex.dropped.length > 0) {
    const reduced = withoutThreads(t.scenario, cex.dropped);
    if (reduced === null) throw new Error(`the counterexample drops threads ${cex.dropped.join(', ')}, which ${t.scenario.name} cannot do without`);
    run = reduced;
  }
  const cp = checkedProgram(run, cex.variant ?? 'seed', t.checks);
  let world: Observed | undefined;
  let setup: KSnapshot = new Map();
  const steps: KSnapshot[] = [];
  const program = {
    ...cp.program,
    setup(ctx: Parameters<typeof cp.program.setup>[0]) {
      world = cp.program.setup(ctx);
      setup = snapshot(world.k);
      return world;
    },
  };
  // The spec and properties run as the program's monitors; this check only takes the snapshot after each step.
  const out = replay(program, cex, {
    stepCheck: (_rec, i) => {
      steps[i] = snapshot(world!.k);
      return null;
    },
    withoutThreads: () => program,
  });
  if (out.status === 'diverged') throw new Error(`the schedule no longer fits the code: at step ${out.step}: ${out.message}`);
  // A step that failed an assertion is not checked: snapshot it from the world as the execution left it.
  const n = out.result.steps.length;
  for (let i = 0; i < n; i++) if (steps[i] === undefined) steps[i] = snapshot(world!.k);
  return { setup, steps };
}

/** Per step of the trace, what it changed in the kernel. */
export function kernelDiffs(t: Trace): KChange[][] {
  const s = kernelStates(t);
  return s.steps.map((snap, i) => diffSnapshots(i === 0 ? s.setup : s.steps[i - 1]!, snap));
}
