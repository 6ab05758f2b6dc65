/*
 * Generated mutation score (issue 13 item 6): Stryker mutates
 * impl/vnode_pager.ts and runs the kill suite (traces/mutation.kill.ts) per
 * mutant. This module is what the kill suite and the report share: the kill
 * runs and what counts as a kill: a violation the unmutated port does not
 * show in the same run (same scenario, variant and bounds), or a harness
 * error (reported apart).
 *
 * A violation is told apart by its property and its place (the failed
 * assertion's function and seed line, the spec event the machine refused),
 * as `hunt` tells new violations apart: a mutant that moves a panic to
 * another assertion shows a violation the unmutated port does not have. An
 * assertion's message shape (messageShape) is part of its place, so a mutant
 * that changes what a panic prints is seen too.
 *
 * Three kinds of run, each a general check, none written for a mutant:
 *  - explore: every catalog scenario and probe on the seed and on the
 *    repaired variant, capped in executions, with the spec machines in
 *    lock-step when the environment gives them (traces/mutation-env.ts);
 *  - repair: each finding's scenario on the seed with only that finding's
 *    repair (impl/variants.ts REPAIRS): the repaired variant has every
 *    repair, so a repair the others cover is never seen doing its work there;
 *  - unreduced: every end state an unreduced search (preemption-bounded, which
 *    ignores the footprints) reaches must be reached by DPOR, which relies
 *    on the footprints the port declares (k.ctx.touch, the lock Ops).
 *
 * The baseline is measured on the unmutated port, not taken from
 * expectations.ts: a capped run may see fewer of the expected violations,
 * and another engineer's catalog work may add some; only the difference the
 * mutant makes is a kill.
 */
import { readFileSync } from 'node:fs';
import { REPAIRS, allVariants, registerVariant } from '../impl/variants.ts';
import type { ExecutionResult, Program, Violation } from '../checker/runtime.ts';
import { violationKey } from '../checker/counterexample.ts';
import { explore } from '../checker/explore.ts';
import { buildProgram } from './program.ts';
import { CATALOG, PROBES, catalogScenario } from './catalog.ts';
import { FINDINGS } from './findings.ts';
import { runScenario, type ProgramSource, type RunResult } from './run.ts';
import type { Scenario } from './scenario.ts';
import type { Observed } from './observed.ts';
import { propertyOfViolation } from './properties.ts';

/** The mutated file, as Stryker's mutate patterns name it (relative to the repository). */
export const PORT = 'impl/vnode_pager.ts';

/** Executions per explore run: a kill run costs at most seconds; alloc-race's hand-written mutant still dies within it (mutation.test.ts). */
export const KILL_MAX_EXECUTIONS = 120;

/** Unreduced runs: DPOR must finish within this (else the run checks nothing), the bounded search is capped alike. */
export const UNREDUCED_MAX_EXECUTIONS = 400;
/** Preemptions of the unreduced search. */
export const UNREDUCED_PREEMPTIONS = 1;

export const KILL_VARIANTS = ['seed', 'repaired'] as const;

/** The property an unreduced run reports: DPOR missed an end state the unreduced search reached. */
export const DPOR_END_STATES = 'dpor-reaches-every-end-state';

/** In a baseline: the unreduced run compares nothing on the unmutated port (DPOR does not finish within its cap); the kill suite skips it. */
export const UNCHECKED = '(unchecked: DPOR does not finish)';

export type KillKind = 'explore' | 'repair' | 'unreduced';

export interface KillRun {
  readonly kind: KillKind;
  readonly variant: string;
  readonly scenario: Scenario;
}

/** What a kill run needs from above properties/: the spec machines' programs and an end-state fingerprint. */
export interface KillEnv {
  /** Programs for explore and repair runs (traces/checked.ts with checks.spec); default: the properties' own. */
  readonly programs?: ProgramSource;
  /** Spec conformance on in explore and repair runs (needs `programs`). */
  readonly spec?: boolean;
  /** A string equal for two end states exactly when the kernel, the disk and the threads' outcomes agree. */
  readonly endState?: (o: Observed) => string;
}

/** The seed with only repair R: how a repair is seen doing its work when no other repair covers for it. */
export function singleRepairVariant(repair: string): string {
  const name = `seed+${repair}`;
  if (!allVariants().some((v) => v.name === name)) registerVariant({ name, kind: 'repaired', description: `the seed with the repair ${repair} alone`, patches: [repair] });
  return name;
}

/** The test name Stryker sees (one test each, so perTest coverage skips runs that never reach a mutant). */
export function killRunName(r: KillRun): string {
  return r.kind === 'unreduced' ? `unreduced ${r.variant} ${r.scenario.name}` : `${r.variant} ${r.scenario.name}`;
}

export function killRuns(): readonly KillRun[] {
  const out: KillRun[] = [];
  const all = [...CATALOG, ...PROBES];
  for (const variant of KILL_VARIANTS) for (const scenario of all) out.push({ kind: 'explore', variant, scenario });
  for (const r of REPAIRS)
    for (const name of [...new Set(FINDINGS.filter((f) => f.repair.includes(r.name)).map((f) => f.scenario))])
      out.push({ kind: 'repair', variant: singleRepairVariant(r.name), scenario: catalogScenario(name) });
  for (const variant of KILL_VARIANTS) for (const scenario of all) out.push({ kind: 'unreduced', variant, scenario });
  return out;
}

/**
 * An assertion message's shape: its text with every token of hex digits that
 * holds a digit masked ("vp vp1 obj obj2" -> "vp vp# obj obj#"), so object
 * names and counts, which follow the interleaving, do not tell two failures
 * apart, and a changed or emptied message does (it is what the panic prints).
 */
export function messageShape(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/[0-9a-f]*\d[0-9a-f]*/gi, '#');
}

/** A violation by property and place: the assertion's function, seed line and message shape, the event a spec machine refused. */
export function violationPlace(v: Violation): string {
  const p = propertyOfViolation(v);
  if (v.kind === 'assertion') return `${p}@${v.fn}:${v.line ?? '?'} "${messageShape(v.message)}"`;
  if (v.kind === 'spec') return `${p}@${v.event ?? 'abstraction'}`;
  return p;
}

export interface KillOutcome {
  /** Violations by place (violationPlace), sorted; for an unreduced run, DPOR_END_STATES or nothing. */
  readonly keys: readonly string[];
  /** A harness error (not a violation of the pager). */
  readonly error?: string;
  readonly executions: number;
  /** Unreduced runs: end states the bounded search reached and DPOR did not (first ones, for the message). */
  readonly missed?: readonly string[];
  /** Unreduced runs: false when DPOR did not finish, so nothing was compared. */
  readonly compared?: boolean;
  /** The first message of each key's violation. */
  readonly messages?: Readonly<Record<string, string>>;
}

function fromRun(r: RunResult): KillOutcome {
  const messages: Record<string, string> = {};
  for (const c of r.violations) messages[violationPlace(c.violation)] ??= c.violation.message.split('\n')[0]!;
  return {
    keys: Object.keys(messages).sort(),
    messages,
    executions: r.executions,
    ...(r.error !== undefined ? { error: r.error } : {}),
  };
}

/* An execution's end: its violation by key (the world stops wherever it fired), else the fingerprint of its end state. */
function endOf<W>(r: ExecutionResult<W>, fp: (w: W) => string): string {
  if (r.result.status === 'violation') return `violation ${violationKey(r.result.violation)}`;
  if (r.result.status === 'error') return `error ${r.result.error.split('\n')[0]}`;
  return r.world === undefined ? 'no world' : fp(r.world);
}

/** End states a preemption-bounded search reaches that DPOR does not (both capped; nothing is compared when DPOR does not finish). */
export function missedEndStates<W>(program: Program<W>, fp: (w: W) => string, opts: { readonly maxExecutions: number; readonly preemptions: number; readonly maxSteps?: number }): { complete: boolean; missed: string[]; executions: number; error?: string } {
  const common = { stopOnViolation: false, races: false, maxExecutions: opts.maxExecutions, ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}) };
  const reduced = new Set<string>();
  const d = explore(program, { ...common, strategy: { kind: 'dpor' }, onExecution: (e) => reduced.add(endOf(e, fp)) });
  if (d.status === 'error') return { complete: false, missed: [], executions: d.stats.executions, error: `${d.error.code}: ${d.error.message}` };
  // DPOR cut short covers no class of executions for sure: nothing to compare.
  if (!d.stats.complete) return { complete: false, missed: [], executions: d.stats.executions };
  const missed: string[] = [];
  const b = explore(program, {
    ...common,
    strategy: { kind: 'bounded', maxPreemptions: opts.preemptions },
    onExecution: (e) => {
      const end = endOf(e, fp);
      if (!reduced.has(end) && !missed.includes(end)) missed.push(end);
    },
  });
  const executions = d.stats.executions + b.stats.executions;
  if (b.status === 'error') return { complete: true, missed, executions, error: `${b.error.code}: ${b.error.message}` };
  return { complete: true, missed, executions };
}

export function runKill(r: KillRun, env: KillEnv = {}): KillOutcome {
  if (r.kind !== 'unreduced') {
    const checks = { spec: env.spec === true && env.programs !== undefined, races: false };
    const res = runScenario({ scenario: r.scenario, variant: r.variant, bounds: { maxExecutions: KILL_MAX_EXECUTIONS }, checks }, env.programs ? { programs: env.programs } : {});
    return fromRun(res);
  }
  const fp = env.endState;
  if (fp === undefined) throw new Error('an unreduced kill run needs KillEnv.endState');
  const program = buildProgram(r.scenario, { variant: r.variant });
  const m = missedEndStates(program, fp, { maxExecutions: UNREDUCED_MAX_EXECUTIONS, preemptions: UNREDUCED_PREEMPTIONS, ...(r.scenario.bounds.maxSteps !== undefined ? { maxSteps: r.scenario.bounds.maxSteps } : {}) });
  return {
    keys: m.missed.length > 0 ? [DPOR_END_STATES] : [],
    executions: m.executions,
    compared: m.complete,
    ...(m.error !== undefined ? { error: m.error } : {}),
    ...(m.missed.length > 0 ? { missed: m.missed.slice(0, 3) } : {}),
  };
}

/** Per run name, the violation places of the unmutated port in that run. */
export type Baseline = Readonly<Record<string, readonly string[]>>;

/** The environment variable naming the baseline file (set by mutation-report.ts for Stryker's workers). */
export const BASELINE_ENV = 'PAGERCHECK_MUTATION_BASELINE';

export function measureBaseline(env: KillEnv, onRun?: (name: string, r: KillOutcome) => void): Baseline {
  const b: Record<string, readonly string[]> = {};
  for (const run of killRuns()) {
    const r = runKill(run, env);
    if (r.error !== undefined) throw new Error(`the unmutated port has a harness error in ${killRunName(run)}: ${r.error.split('\n')[0]}`);
    b[killRunName(run)] = r.compared === false ? [UNCHECKED] : r.keys;
    onRun?.(killRunName(run), r);
  }
  return b;
}

/** The baseline file named by BASELINE_ENV (the kill suite runs on mutated code, so it cannot measure its own). */
export function loadBaseline(): Baseline {
  const file = process.env[BASELINE_ENV];
  if (file === undefined || file === '') throw new Error(`the kill suite needs ${BASELINE_ENV} naming a baseline file; run it through npm run mutation`);
  return JSON.parse(readFileSync(file, 'utf8')) as Baseline;
}

/** Why a run kills the mutant (the first line of the failure Stryker records), or null when it does not. */
export function killReason(r: KillOutcome, base: readonly string[]): string | null {
  if (r.error !== undefined) return `harness error: ${r.error.split('\n')[0]}`;
  const fresh = r.keys.filter((p) => !base.includes(p));
  if (fresh.length === 0) return null;
  const why = r.missed ? `DPOR missed: ${r.missed[0]!.slice(0, 200)}` : r.messages?.[fresh[0]!];
  return `violation: ${fresh.join(', ')}${why ? ` (${why})` : ''}`;
}
