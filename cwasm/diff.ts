/*
 * The port against the compiled seed, schedule by schedule (`pagercheck
 * diff`, issue 16 item 5): every execution a search of the port explores is
 * replayed on variant `c`; each step's Op (kind, label, seed line or kernel
 * routine, footprint), the kernel events, the end status and the final
 * kernel state must be equal. The first difference of each schedule is
 * reported with both sides' steps up to it.
 */
import { Explorer, runSchedule, scheduleOf, violationKey, type ExploreOptions, type Outcome, type Progress, type ScheduleStep, type StrategySpec } from '../checker/index.ts';
import { runExecution, type ExecutionResult, type ExecutionView, type Scheduler, type StepRecord, type ThreadView } from '../checker/runtime.ts';
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
  /** The port's schedule of this execution (replays it on either side). */
  readonly schedule: readonly ScheduleStep[];
  readonly setupChoices: readonly number[];
  /** Both sides' steps up to and at the divergence (every step when it is after the last one), `THREAD: step`. */
  readonly portSteps: readonly string[];
  readonly cSteps: readonly string[];
}

export interface DiffResult {
  readonly scenario: string;
  /** Schedules compared. */
  readonly schedules: number;
  /** Steps compared, over all schedules. */
  readonly steps: number;
  readonly complete: boolean;
  readonly stopReason: Outcome['stats']['stopReason'];
  /** The search of the port failed (a harness error), or null. */
  readonly error: string | null;
  readonly divergences: readonly Divergence[];
}

export interface DiffOptions {
  readonly strategy?: StrategySpec;
  readonly seed?: number;
  readonly maxExecutions?: number;
  readonly timeBudgetMs?: number;
  readonly portVariant?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
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
  if (st.status === 'violation') return `violation ${violationKey(st.violation)}: ${st.violation.message}`;
  return st.status === 'error' ? `error: ${st.error}` : st.status;
}

function stepsOf(r: ExecutionResult<Observed>, upTo: number): string[] {
  return r.steps.slice(0, upTo).map((s) => `${r.threadNames[s.tid] ?? `#${s.tid}`}: ${stepText(s)}`);
}

/**
 * Runs a program in a recorded thread order as far as it can: the recorded
 * thread where it is ready (else the first ready one), the recorded choices
 * where they are in range (else 0). Where the recorded schedule no longer
 * fits, it still shows what the program does there.
 */
class Follow implements Scheduler {
  private current = -1;
  private choice = 0;
  private setup = 0;
  constructor(
    private readonly schedule: readonly ScheduleStep[],
    private readonly setupChoices: readonly number[],
  ) {}
  pickThread(ready: readonly ThreadView[], exec: ExecutionView): number {
    this.current = exec.steps.length;
    this.choice = 0;
    const want = this.schedule[this.current];
    return (want !== undefined ? ready.find((t) => t.tid === want.tid)?.tid : undefined) ?? ready[0]!.tid;
  }
  pickChoice(n: number): number {
    const v = this.current < 0 ? this.setupChoices[this.setup++] : this.schedule[this.current]?.choices?.[this.choice++];
    return v !== undefined && v < n ? v : 0;
  }
}

type Found = Pick<Divergence, 'at' | 'port' | 'c'> & { readonly upTo: number };

function compare(p: ExecutionResult<Observed>, c: ExecutionResult<Observed>): Found | null {
  const n = Math.max(p.steps.length, c.steps.length);
  for (let i = 0; i < n; i++) {
    const a = p.steps[i] ? stepText(p.steps[i]!) : '(no step)';
    const b = c.steps[i] ? stepText(c.steps[i]!) : '(no step)';
    if (a !== b) return { at: i, port: a, c: b, upTo: i + 1 };
  }
  const pe = JSON.stringify(p.world?.events ?? []);
  const ce = JSON.stringify(c.world?.events ?? []);
  if (pe !== ce) return { at: 'events', port: pe, c: ce, upTo: n };
  if (statusText(p) !== statusText(c)) return { at: 'status', port: statusText(p), c: statusText(c), upTo: n };
  const ps = p.world ? kernelState(p.world.k) : '';
  const cs = c.world ? kernelState(c.world.k) : '';
  if (ps !== cs) return { at: 'state', port: ps, c: cs, upTo: n };
  return null;
}

/** An exploration of `s` on the port whose every execution is replayed on variant c and compared. */
function differ(s: Scenario, opts: DiffOptions): { explorer: Explorer<Observed>; result: (o: Outcome) => DiffResult } {
  const port = buildProgram(s, { variant: opts.portVariant ?? 'seed' });
  const cprog = buildProgram(s, { variant: 'c' });
  const maxSteps = s.bounds?.maxSteps ?? 10_000;
  const divergences: Divergence[] = [];
  let schedules = 0;
  let steps = 0;
  const eo: ExploreOptions<Observed> = {
    strategy: opts.strategy ?? { kind: 'dpor' },
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.maxExecutions !== undefined ? { maxExecutions: opts.maxExecutions } : {}),
    ...(opts.timeBudgetMs !== undefined ? { timeBudgetMs: opts.timeBudgetMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    maxSteps,
    /*
     * No race detector (it ends an execution at the first race): the whole
     * execution is compared, and equal footprints at every step are what
     * makes the detector see the C's unprotected accesses as the port's.
     */
    races: false,
    stopOnViolation: false,
    onExecution: (r) => {
      const execution = schedules++;
      steps += r.steps.length;
      const schedule = scheduleOf(r);
      const setupChoices = r.setupChoices ?? [];
      const replayed = runSchedule(cprog, schedule, setupChoices, { maxSteps, races: false });
      if (replayed.status === 'diverged') {
        // The C's own steps up to there: run it in the port's thread order as far as it goes.
        const followed = runExecution(cprog, new Follow(schedule, setupChoices), { maxSteps });
        // A step before the one that no longer fits may already differ (its footprint): that one is the first divergence.
        const earlier = compare(r, followed);
        if (earlier !== null && typeof earlier.at === 'number' && earlier.at < replayed.step) {
          divergences.push({ execution, at: earlier.at, port: earlier.port, c: earlier.c, schedule, setupChoices, portSteps: stepsOf(r, earlier.upTo), cSteps: stepsOf(followed, earlier.upTo) });
          return;
        }
        const upTo = replayed.step + 1;
        divergences.push({ execution, at: 'replay', port: `schedule of ${r.steps.length} steps`, c: `diverged at step ${replayed.step}: ${replayed.message}`, schedule, setupChoices, portSteps: stepsOf(r, upTo), cSteps: stepsOf(followed, upTo) });
        return;
      }
      const d = compare(r, replayed.result);
      if (d !== null) divergences.push({ execution, at: d.at, port: d.port, c: d.c, schedule, setupChoices, portSteps: stepsOf(r, d.upTo), cSteps: stepsOf(replayed.result, d.upTo) });
    },
  };
  const explorer = new Explorer(port, eo);
  return {
    explorer,
    result: (o) => ({
      scenario: s.name,
      schedules,
      steps,
      complete: o.stats.complete,
      stopReason: o.stats.stopReason,
      error: o.status === 'error' ? o.error.message : null,
      divergences,
    }),
  };
}

/** Explores `s` on `portVariant` (default the seed) and replays every schedule on variant c. */
export function diffScenario(s: Scenario, opts: DiffOptions = {}): DiffResult {
  const d = differ(s, opts);
  d.explorer.runFor(Infinity);
  return d.result(d.explorer.outcome());
}

/** diffScenario yielding to the event loop every `sliceMs`, so Ctrl-C (opts.signal) and progress timers run. */
export async function diffScenarioAsync(s: Scenario, opts: DiffOptions & { readonly sliceMs?: number } = {}): Promise<DiffResult> {
  const d = differ(s, opts);
  const slice = opts.sliceMs ?? 50;
  while (!d.explorer.runFor(performance.now() + slice)) await new Promise<void>((r) => setImmediate(r));
  return d.result(d.explorer.outcome());
}
