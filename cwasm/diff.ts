/*
 * The port against the compiled seed, schedule by schedule (the seed of
 * issue 16's `pagercheck diff`): every execution a search of the port
 * explores is replayed on variant `c`; each step's Op (kind, label, seed line
 * or kernel routine, footprint), the kernel events, the end status and the
 * final kernel state must be equal. The first difference of each schedule is
 * reported with both sides' values.
 */
import { explore, runSchedule, scheduleOf, violationKey, type StrategySpec } from '../checker/index.ts';
import type { ExecutionResult, StepRecord } from '../checker/runtime.ts';
import { buildProgram } from '../properties/program.ts';
import type { Observed } from '../properties/observed.ts';
import type { Scenario } from '../properties/scenario.ts';
import type { Kernel } from '../impl/kernel/kernel.ts';

export interface Divergence {
  readonly execution: number;
  /** Step index, or 'events' / 'status' / 'state'. */
  readonly at: number | 'events' | 'status' | 'state' | 'replay';
  readonly port: string;
  readonly c: string;
}

export interface DiffResult {
  readonly scenario: string;
  /** Schedules compared. */
  readonly schedules: number;
  /** Steps compared, over all schedules. */
  readonly steps: number;
  readonly complete: boolean;
  readonly divergences: readonly Divergence[];
}

function stepText(s: StepRecord): string {
  const fp = s.fp.map((a) => `${a.res}:${a.write ? 'w' : 'r'}${a.atomic ? 'a' : ''}`).sort().join(' ');
  return `${s.kind} ${s.label} @${s.line ?? s.fn ?? '-'} [${fp}]`;
}

/** The kernel state at the end of an execution that both sides must reach. */
export function kernelState(k: Kernel): string {
  const objs = k.objects.map((o) => ({
    n: o.name, t: o.type, f: o.flags, s: o.size, r: o.ref_count, h: o.handle?.name ?? null, vnp: o.un_pager.vnp,
    pages: o.memq.map((m) => [m.pindex, m.valid, m.dirty]),
  }));
  const vps = k.vnodes.map((v) => ({ n: v.name, i: v.v_iflag, u: v.v_usecount, h: v.v_holdcnt, w: v.v_writecount, o: v.v_object?.name ?? null }));
  return JSON.stringify({ objs, vps, pbuf: k.vnode_pbuf_freecnt, rb: k.runningbufspace });
}

function statusText(r: ExecutionResult<Observed>): string {
  const st = r.result;
  return st.status === 'violation' ? `violation ${violationKey(st.violation)}: ${st.violation.message}` : st.status;
}

function compare(execution: number, p: ExecutionResult<Observed>, c: ExecutionResult<Observed>): Divergence | null {
  const n = Math.max(p.steps.length, c.steps.length);
  for (let i = 0; i < n; i++) {
    const a = p.steps[i] ? stepText(p.steps[i]!) : '(no step)';
    const b = c.steps[i] ? stepText(c.steps[i]!) : '(no step)';
    if (a !== b) return { execution, at: i, port: a, c: b };
  }
  const pe = JSON.stringify(p.world?.events ?? []);
  const ce = JSON.stringify(c.world?.events ?? []);
  if (pe !== ce) return { execution, at: 'events', port: pe, c: ce };
  if (statusText(p) !== statusText(c)) return { execution, at: 'status', port: statusText(p), c: statusText(c) };
  const ps = p.world ? kernelState(p.world.k) : '';
  const cs = c.world ? kernelState(c.world.k) : '';
  if (ps !== cs) return { execution, at: 'state', port: ps, c: cs };
  return null;
}

/** Explores `s` on `portVariant` (default the seed) and replays every schedule on variant c. */
export function diffScenario(s: Scenario, opts: { strategy?: StrategySpec; maxExecutions?: number; portVariant?: string } = {}): DiffResult {
  const port = buildProgram(s, { variant: opts.portVariant ?? 'seed' });
  const cprog = buildProgram(s, { variant: 'c' });
  const maxSteps = s.bounds?.maxSteps ?? 10_000;
  const divergences: Divergence[] = [];
  let schedules = 0;
  let steps = 0;
  const outcome = explore(port, {
    strategy: opts.strategy ?? { kind: 'dpor' },
    maxExecutions: opts.maxExecutions,
    maxSteps,
    /*
     * No race detector (it ends an execution at the first race): the whole
     * execution is compared, and equal footprints at every step are what
     * makes the detector see the C's unprotected accesses as the port's.
     */
    races: false,
    stopOnViolation: false,
    onExecution: (r) => {
      const i = schedules++;
      steps += r.steps.length;
      const replayed = runSchedule(cprog, scheduleOf(r), r.setupChoices ?? [], { maxSteps, races: false });
      if (replayed.status === 'diverged') {
        divergences.push({ execution: i, at: 'replay', port: `schedule of ${r.steps.length} steps`, c: `diverged at step ${replayed.step}: ${replayed.message}` });
        return;
      }
      const d = compare(i, r, replayed.result);
      if (d !== null) divergences.push(d);
    },
  });
  return { scenario: s.name, schedules, steps, complete: outcome.stats.complete, divergences };
}
