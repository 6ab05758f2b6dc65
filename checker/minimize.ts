/*
 * Minimization of a counterexample. Order of preference, lexicographic:
 *   1. fewest preemptions: a preemption-bounded search (bound 0, 1, ...
 *      below the counterexample's) for a violation with the same key
 *      (violationKey); the first one found has the fewest;
 *   2. fewest threads: with the caller's `withoutThreads` hook, each thread
 *      of the program in turn is dropped and the violation looked for again
 *      (first along the current schedule, then by a bounded search); a drop
 *      is kept when the schedule is no worse;
 *   3. fewest steps, and among equals the shortest schedule: a local search
 *      that deletes a thread's steps, a run of one thread's steps, or single
 *      steps, and replays the rest leniently (a step whose thread cannot run
 *      is skipped; when the wish list runs out, the current thread keeps
 *      running), keeping any change that stays a violation of the same key
 *      and is better by (preemptions, threads, steps).
 * The result is replayed strictly before it is returned, so it reproduces.
 * Each search has a budget; minimization is best effort within it and never
 * returns something worse than it was given.
 */
import { runExecution, ScheduleInterrupt, type ExecutionResult, type ExecutionView, type Program, type RunOptions, type Scheduler, type ThreadView } from './runtime.ts';
import { withRaces } from './races.ts';
import { explore } from './explore.ts';
import { runSchedule, scheduleOf, violationKey, type Counterexample, type ScheduleStep } from './counterexample.ts';

export interface MinimizeOptions<W> {
  /** Executions each search may run (default 20,000). */
  readonly maxExecutions?: number;
  /** Wall time for the whole minimization (default 60 s). */
  readonly timeBudgetMs?: number;
  /** The per-step check the counterexample was found with. */
  readonly stepCheck?: RunOptions['stepCheck'];
  /** The program without the named threads, or null when it cannot drop them. Names are as in the schedule. */
  readonly withoutThreads?: (names: readonly string[]) => Program<W> | null;
}

export interface Measure {
  readonly preemptions: number;
  readonly threads: number;
  readonly steps: number;
}

export interface Minimized<W> {
  readonly counterexample: Counterexample;
  /** The program the counterexample runs on (fewer threads when some were dropped). */
  readonly program: Program<W>;
  readonly before: Measure;
  readonly after: Measure;
  /** Executions run while minimizing. */
  readonly executions: number;
}

interface Candidate<W> {
  readonly program: Program<W>;
  readonly dropped: readonly string[];
  readonly schedule: readonly ScheduleStep[];
  readonly setupChoices: readonly number[];
  readonly measure: Measure;
}

function measureOf(schedule: readonly ScheduleStep[], preemptions: number): Measure {
  return { preemptions, threads: new Set(schedule.map((s) => s.thread)).size, steps: schedule.length };
}

/** Negative when a is better (smaller) than b. */
export function compareMeasure(a: Measure, b: Measure): number {
  return a.preemptions - b.preemptions || a.threads - b.threads || a.steps - b.steps;
}

export function minimize<W>(program: Program<W>, cex: Counterexample, opts: MinimizeOptions<W> = {}): Minimized<W> {
  const key = violationKey(cex.violation);
  const budget = opts.maxExecutions ?? 20_000;
  const deadline = performance.now() + (opts.timeBudgetMs ?? 60_000);
  const maxSteps = cex.bounds['maxSteps'] ?? 10_000;
  let executions = 0;
  let base = program;
  if (cex.dropped !== undefined && cex.dropped.length > 0) {
    const p = opts.withoutThreads?.(cex.dropped) ?? null;
    if (p === null) throw new RangeError(`counterexample drops threads ${cex.dropped.join(', ')}: pass withoutThreads to rebuild that program`);
    base = p;
  }
  const before = measureOf(cex.schedule, cex.preemptions);
  let best: Candidate<W> = { program: base, dropped: cex.dropped ?? [], schedule: cex.schedule, setupChoices: cex.setupChoices ?? [], measure: before };
  const timeLeft = () => deadline - performance.now();

  const lenient = (prog: Program<W>, wish: readonly ScheduleStep[], setupChoices: readonly number[]): { schedule: ScheduleStep[]; preemptions: number } | null => {
    executions++;
    const r = runLenient(prog, wish, setupChoices, { maxSteps, races: cex.races, stepCheck: opts.stepCheck });
    const st = r.result.result;
    if (st.status !== 'violation' || violationKey(st.violation) !== key) return null;
    return { schedule: scheduleOf(r.result), preemptions: r.preemptions };
  };

  const search = (prog: Program<W>, maxPreemptions: number): { schedule: readonly ScheduleStep[]; setupChoices: readonly number[]; preemptions: number } | null => {
    if (timeLeft() <= 0) return null;
    const o = explore(prog, {
      strategy: { kind: 'bounded', maxPreemptions },
      target: (v) => violationKey(v) === key,
      maxExecutions: budget,
      timeBudgetMs: Math.max(0, timeLeft()),
      maxSteps,
      races: cex.races,
      ...(opts.stepCheck ? { stepCheck: opts.stepCheck } : {}),
    });
    executions += o.stats.executions + o.stats.repeated + o.stats.cut;
    if (o.status !== 'violation') return null;
    const found = o.violations[0]!;
    return { schedule: found.schedule, setupChoices: found.setupChoices ?? [], preemptions: found.preemptions };
  };

  // 1. Fewest preemptions.
  if (best.measure.preemptions > 0) {
    const f = search(best.program, best.measure.preemptions - 1);
    if (f !== null) {
      const m = measureOf(f.schedule, f.preemptions);
      best = { ...best, schedule: f.schedule, setupChoices: f.setupChoices, measure: m };
    }
  }

  // 2. Fewest threads, through the caller's hook: every thread of the program, whether it took part or not.
  if (opts.withoutThreads) {
    const probe = runSchedule(best.program, best.schedule, best.setupChoices, { maxSteps, races: cex.races, stepCheck: opts.stepCheck });
    executions++;
    const names = probe.status === 'replayed' ? [...new Set(probe.result.threadNames)] : [...new Set(best.schedule.map((s) => s.thread))];
    for (const name of names) {
      if (timeLeft() <= 0) break;
      const dropped = [...best.dropped, name];
      const prog = opts.withoutThreads(dropped);
      if (prog === null) continue;
      let got = lenient(
        prog,
        best.schedule.filter((s) => s.thread !== name),
        best.setupChoices,
      );
      let setupChoices = best.setupChoices;
      if (got === null) {
        const f = search(prog, best.measure.preemptions);
        if (f !== null) {
          got = { schedule: [...f.schedule], preemptions: f.preemptions };
          setupChoices = f.setupChoices;
        }
      }
      if (got === null) continue;
      const m = measureOf(got.schedule, got.preemptions);
      // The program has one thread fewer; keep the drop unless the schedule got worse.
      if (compareMeasure(m, best.measure) <= 0) best = { program: prog, dropped, schedule: got.schedule, setupChoices, measure: m };
    }
  }

  // 3. Fewer steps: delete a thread's steps, a run of one thread's steps, or one step.
  let improved = true;
  while (improved && timeLeft() > 0 && executions < budget * 4) {
    improved = false;
    for (const wish of deletions(best.schedule)) {
      if (timeLeft() <= 0) break;
      const got = lenient(best.program, wish, best.setupChoices);
      if (got === null) continue;
      const m = measureOf(got.schedule, got.preemptions);
      if (compareMeasure(m, best.measure) < 0) {
        best = { ...best, schedule: got.schedule, measure: m };
        improved = true;
        break;
      }
    }
  }

  // Strict replay of the result: it must reproduce.
  const r = runSchedule(best.program, best.schedule, best.setupChoices, { maxSteps, races: cex.races, stepCheck: opts.stepCheck });
  executions++;
  if (r.status !== 'replayed' || r.result.result.status !== 'violation' || violationKey(r.result.result.violation) !== key)
    throw new Error(`pagercheck internal error (a bug of the harness, please report): the minimized schedule does not replay to "${key}"`);
  const after = measureOf(best.schedule, r.preemptions);
  const out: Counterexample = {
    ...cex,
    program: best.program.name,
    strategy: cex.strategy.endsWith('+minimized') ? cex.strategy : `${cex.strategy}+minimized`,
    ...(best.dropped.length > 0 ? { dropped: best.dropped } : {}),
    ...(best.setupChoices.length > 0 ? { setupChoices: best.setupChoices } : {}),
    schedule: best.schedule,
    preemptions: r.preemptions,
    violation: r.result.result.violation,
  };
  if (best.dropped.length === 0) delete (out as { dropped?: readonly string[] }).dropped;
  if (best.setupChoices.length === 0) delete (out as { setupChoices?: readonly number[] }).setupChoices;
  return { counterexample: out, program: best.program, before, after, executions };
}

/* Candidate wish lists, most aggressive first: without a whole thread, without a run of one thread, without one step. */
function* deletions(schedule: readonly ScheduleStep[]): Generator<ScheduleStep[]> {
  const names = [...new Set(schedule.map((s) => s.thread))];
  for (const n of names) yield schedule.filter((s) => s.thread !== n);
  for (let i = 0; i < schedule.length; ) {
    let j = i + 1;
    while (j < schedule.length && schedule[j]!.thread === schedule[i]!.thread) j++;
    if (j - i > 1) yield [...schedule.slice(0, i), ...schedule.slice(j)];
    i = j;
  }
  for (let i = schedule.length - 1; i >= 0; i--) yield [...schedule.slice(0, i), ...schedule.slice(i + 1)];
}

/**
 * Follows a wish list of (thread name, choices) as far as it can: at each
 * step the first unused wish whose thread is ready; when none is, the thread
 * that ran last keeps running (else the lowest tid). Counts preemptions.
 */
class LenientScheduler implements Scheduler {
  preemptions = 0;
  private readonly used: boolean[];
  private head = 0;
  private choices: readonly number[] = [];
  private choiceIndex = 0;
  private setupIndex = 0;
  private inStep = false;

  constructor(
    private readonly wish: readonly ScheduleStep[],
    private readonly setupChoices: readonly number[],
  ) {
    this.used = wish.map(() => false);
  }

  pickThread(ready: readonly ThreadView[], exec: ExecutionView): number {
    let pick: ThreadView | undefined;
    for (let i = this.head; i < this.wish.length && pick === undefined; i++) {
      if (this.used[i]) continue;
      const w = this.wish[i]!;
      const t = ready.find((r) => r.name === w.thread);
      if (t !== undefined) {
        pick = t;
        this.used[i] = true;
        this.choices = w.choices ?? [];
      }
    }
    while (this.head < this.wish.length && this.used[this.head]) this.head++;
    if (pick === undefined) {
      pick = ready.find((r) => r.tid === exec.lastTid) ?? ready[0]!;
      this.choices = [];
    }
    const last = exec.lastTid;
    if (last >= 0 && last !== pick.tid && ready.some((r) => r.tid === last)) this.preemptions++;
    this.choiceIndex = 0;
    this.inStep = true;
    return pick.tid;
  }

  pickChoice(n: number): number {
    const v = this.inStep ? this.choices[this.choiceIndex++] : this.setupChoices[this.setupIndex++];
    return v !== undefined && v < n ? v : 0;
  }
}

function runLenient<W>(
  program: Program<W>,
  wish: readonly ScheduleStep[],
  setupChoices: readonly number[],
  opts: { readonly maxSteps: number; readonly races: boolean; readonly stepCheck?: RunOptions['stepCheck'] | undefined },
): { result: ExecutionResult<W>; preemptions: number } {
  const sched = new LenientScheduler(wish, setupChoices);
  const prog = withRaces(program, opts.races);
  const runOptions = { maxSteps: opts.maxSteps, stepCheck: opts.stepCheck };
  try {
    const result = runExecution(prog, sched, runOptions);
    return { result, preemptions: sched.preemptions };
  } catch (e) {
    if (e instanceof ScheduleInterrupt) throw new Error(`pagercheck internal error (a bug of the harness, please report): ${e.message}`);
    throw e;
  }
}
