/*
 * Counterexamples as plain data, and their replay.
 *
 * A counterexample names the program (scenario, variant), how it was found
 * (strategy, bounds, seed) and the schedule as (thread, step label, choice
 * values) per step, so that a reader sees what ran and a replay can check
 * that the program still does the same thing. It is JSON as it stands:
 * JSON.stringify it, parseCounterexample() it back.
 */
import { z } from 'zod';
import { runExecution, type ExecStatus, type ExecutionResult, type Program, type RunOptions, type StepRecord, type Violation } from './runtime.ts';
import { ReplayStrategy } from './strategies/replay.ts';
import { ReplayDivergence, Nondeterminism } from './strategy.ts';
import { withRaces } from './races.ts';

export interface ScheduleStep {
  /** Name of the thread that ran the step. */
  readonly thread: string;
  /** Its id (creation order), to tell apart threads of the same name. */
  readonly tid: number;
  /** The step's Op label, as the model names it. */
  readonly label: string;
  /** Values the step took from ctx.choose, in order. */
  readonly choices?: readonly number[];
}

export interface Counterexample {
  readonly format: 'pagercheck-counterexample';
  readonly version: 1;
  /** Program name (Program.name). */
  readonly program: string;
  readonly scenario?: string;
  readonly variant?: string;
  /** Strategy that found it ("dpor", "pct", ...), "+minimized" when minimize() rewrote it. */
  readonly strategy: string;
  /** maxSteps, and the strategy's own bounds (maxPreemptions, depth). */
  readonly bounds: Readonly<Record<string, number>>;
  readonly seed?: number;
  /** Checks that were on: the data-race detector. */
  readonly races: boolean;
  /** Threads removed from the program by minimization (MinimizeOptions.withoutThreads). */
  readonly dropped?: readonly string[];
  /** Choices made while the program's setup ran. */
  readonly setupChoices?: readonly number[];
  readonly schedule: readonly ScheduleStep[];
  /** Switches away from a thread that could still run. */
  readonly preemptions: number;
  readonly violation: Violation;
}

/** The schedule of an execution, as data. */
export function scheduleOf(result: ExecutionResult<unknown>): ScheduleStep[] {
  return result.steps.map((s: StepRecord) => {
    const thread = result.threadNames[s.tid] ?? `#${s.tid}`;
    return s.choices !== undefined ? { thread, tid: s.tid, label: s.label, choices: s.choices.slice() } : { thread, tid: s.tid, label: s.label };
  });
}

/** A key that identifies "the same violation" across schedules: kind plus what was violated. */
export function violationKey(v: Violation): string {
  switch (v.kind) {
    case 'assertion':
      return `assertion ${v.assertion} in ${v.fn}: ${v.message}`;
    case 'invariant':
      return `invariant ${v.property}`;
    case 'final':
      return `final ${v.property}`;
    case 'deadlock':
      return `deadlock: ${[...new Set(v.blocked.map((b) => b.label))].sort().join(' | ')}`;
    case 'step-bound':
      return 'step-bound';
    case 'data-race':
      return `data-race on ${v.res}`;
    case 'spec':
      return `spec ${v.machine}: ${v.event ?? 'abstraction'}`;
    default:
      return unreachable(v);
  }
}

function unreachable(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}

/* ---- loading ---- */

/*
 * Bounds of the file form: a schedule longer than the longest execution, a
 * thread id past any program's threads or a name the size of a book is an
 * edited file, rejected before a replay allocates for it.
 */
export const CEX_LIMITS = { steps: 1_000_000, tid: 1023, choice: 2 ** 31 - 1, name: 256, text: 100_000, list: 1024 } as const;
const L = CEX_LIMITS;
const name = z.string().max(L.name);
const text = z.string().max(L.text);
const count = z.number().int().min(0).max(L.steps);
const tid = z.number().int().min(0).max(L.tid);
const blockedSchema = z.object({ tid, name, label: text, waitsFor: text });
const violationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('assertion'), assertion: z.enum(['KASSERT', 'panic', 'lock']), fn: name, message: text, line: z.number().int().min(1).max(L.steps).optional(), step: count, tid }),
  z.object({ kind: z.literal('invariant'), property: name, message: text, step: count }),
  z.object({ kind: z.literal('deadlock'), message: text, blocked: z.array(blockedSchema).max(L.list), step: count }),
  z.object({ kind: z.literal('step-bound'), message: text, step: count }),
  z.object({ kind: z.literal('data-race'), message: text, res: text, first: count, second: count, step: count }),
  z.object({ kind: z.literal('final'), property: name, message: text, step: count }),
  z.object({ kind: z.literal('spec'), machine: name, instance: name, state: text, event: text.nullable(), message: text, step: count }),
]);
const choiceList = z.array(z.number().int().min(0).max(L.choice)).max(L.steps);
/** The file form's schema (shard reports and checkpoints carry counterexamples too). */
export const counterexampleSchema = z.object({
  format: z.literal('pagercheck-counterexample'),
  version: z.literal(1),
  program: name,
  // Trace file names are made of these (traceSlug): short enough for any file system.
  scenario: name.max(64).optional(),
  variant: name.max(64).optional(),
  strategy: name,
  bounds: z.record(name, z.number().int().min(0).max(2 ** 53 - 1)).refine((b) => Object.keys(b).length <= 16, 'expected at most 16 bounds'),
  seed: z.number().int().min(0).max(2 ** 53 - 1).optional(),
  races: z.boolean(),
  dropped: z.array(name).max(L.list).optional(),
  setupChoices: choiceList.optional(),
  schedule: z.array(z.object({ thread: name, tid, label: text, choices: choiceList.optional() })).max(L.steps),
  preemptions: count,
  violation: violationSchema,
});

/** Deepest nesting accepted in a file (counterexamples, traces, shard reports, checkpoints): schemas recurse and would overflow the stack. */
export const MAX_DEPTH = 64;

/** Whether `v` nests deeper than `max`, without recursion. */
export function tooDeep(v: unknown, max = MAX_DEPTH): boolean {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [x, d] = stack.pop()!;
    if (typeof x !== 'object' || x === null) continue;
    if (d >= max) return true;
    for (const y of Array.isArray(x) ? x : Object.values(x)) stack.push([y, d + 1]);
  }
  return false;
}

/** Parses and validates a counterexample (JSON text or a parsed value); a bad one gets a one-line error naming the field. */
export function parseCounterexample(input: string | unknown): Counterexample {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new Error(`counterexample is not JSON: ${(e as Error).message}`);
    }
  }
  if (tooDeep(value)) throw new Error(`bad counterexample at (top level): nested deeper than ${MAX_DEPTH} levels`);
  const r = counterexampleSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new Error(`bad counterexample at ${where}: ${issue.message}`);
  }
  return r.data as Counterexample;
}

/* ---- replay ---- */

export interface ReplayOptions<W> {
  /** Per-step observer, as in explore (must match the run that found the counterexample). */
  readonly stepCheck?: RunOptions['stepCheck'];
  /** Rebuilds the program without the threads a minimization dropped. */
  readonly withoutThreads?: (names: readonly string[]) => Program<W> | null;
}

export type ReplayOutcome<W> =
  /** The replay ran the whole schedule; `same` tells whether it ended in a violation with the counterexample's key. */
  | { readonly status: 'replayed'; readonly result: ExecutionResult<W>; readonly same: boolean; readonly preemptions: number }
  /** The program no longer follows the schedule (or is not deterministic). */
  | { readonly status: 'diverged'; readonly step: number; readonly message: string };

/** Replays a counterexample on `program` (the program it was found on, before any thread was dropped). */
export function replay<W>(program: Program<W>, cex: Counterexample, opts: ReplayOptions<W> = {}): ReplayOutcome<W> {
  let prog = program;
  if (cex.dropped !== undefined && cex.dropped.length > 0) {
    const reduced = opts.withoutThreads?.(cex.dropped) ?? null;
    if (reduced === null) return { status: 'diverged', step: 0, message: `the counterexample drops threads ${cex.dropped.join(', ')}; pass withoutThreads to rebuild that program` };
    prog = reduced;
  }
  const r = runSchedule(prog, cex.schedule, cex.setupChoices ?? [], { maxSteps: cex.bounds['maxSteps'] ?? 10_000, races: cex.races, stepCheck: opts.stepCheck });
  if (r.status === 'diverged') return r;
  const st: ExecStatus = r.result.result;
  const same = st.status === 'violation' && violationKey(st.violation) === violationKey(cex.violation);
  return { status: 'replayed', result: r.result, same, preemptions: r.preemptions };
}

/** Runs one schedule strictly (used by replay and when building counterexamples). */
export function runSchedule<W>(
  program: Program<W>,
  schedule: readonly ScheduleStep[],
  setupChoices: readonly number[],
  opts: { readonly maxSteps: number; readonly races: boolean; readonly stepCheck?: RunOptions['stepCheck'] | undefined },
): { status: 'replayed'; result: ExecutionResult<W>; preemptions: number } | { status: 'diverged'; step: number; message: string } {
  const strat = new ReplayStrategy(schedule, setupChoices);
  const prog = withRaces(program, opts.races);
  const runOptions = { maxSteps: opts.maxSteps, stepCheck: opts.stepCheck };
  strat.beginExecution();
  let result: ExecutionResult<W>;
  try {
    result = runExecution(prog, strat, runOptions);
    strat.endExecution(result);
  } catch (e) {
    if (e instanceof ReplayDivergence) return { status: 'diverged', step: e.step, message: e.message };
    if (e instanceof Nondeterminism) return { status: 'diverged', step: e.step, message: e.message };
    throw e;
  }
  return { status: 'replayed', result, preemptions: strat.preemptions };
}
