/*
 * `pagercheck hunt`: generated scenarios, explored one after another until
 * the time is up. Each scenario is the i-th value of properties/generate.ts's
 * arbitrary under the hunt's seed (fast-check's own seeded stream, so
 * scenario i is the same on every machine), explored by DPOR up to a cap of
 * executions. A violation is new when its key, the property and the seed
 * function:line where it shows, was not seen before in this hunt: its
 * scenario is then shrunk by fast-check (replayed from path i, the predicate
 * being "still violates this key"), the shrunk scenario re-explored with
 * its counterexample minimized, and both written: KEY.trace.json and
 * KEY.scenario.json under the output directory, as soon as found, so an
 * interrupted hunt keeps them.
 *
 * Reproducible: the same seed gives the same scenarios in the same order;
 * only how many are reached depends on the time (--scenarios N fixes that).
 */
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { propertyOfViolation } from '../properties/properties.ts';
import { scenarioArb, type GenOptions } from '../properties/generate.ts';
import type { Scenario } from '../properties/scenario.ts';
import { whereText } from '../traces/seedmap.ts';
import { saveTrace, type Trace } from '../traces/trace.ts';
import { variantByName } from '../impl/variants.ts';
import { notRunningOnC } from '../cwasm/reach.ts';
import { BadInput, resolveVariants, variantNames } from './args.ts';
import { EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_VIOLATION } from './exit.ts';
import type { Io } from './io.ts';
import { runOne, type RunResult } from './run.ts';

export interface HuntOptions {
  readonly seconds: number;
  readonly seed: number;
  readonly variant: string;
  /** 'lawful': callers keep the 2017 locking (generate.ts lawful); 'any': every lock a caller may (not) hold. */
  readonly callers: 'lawful' | 'any';
  /** Stop after this many scenarios even if time remains (reproducible hunts). */
  readonly maxScenarios?: number;
  /** Executions per scenario before its exploration is cut. */
  readonly maxExecutions: number;
  /** Random phase before each DPOR search (properties/run.ts Bounds.randomPhase); default the runner's. */
  readonly randomPhase?: number;
  readonly spec: boolean;
  readonly out: string;
  readonly signal?: AbortSignal;
  /** Called about once a second, and at every new finding. */
  readonly onProgress?: (p: HuntProgress) => void;
  /** Clock in ms (injected so tests can stop a hunt by count, not by time). */
  readonly now?: () => number;
}

export interface HuntProgress {
  readonly scenarios: number;
  readonly executions: number;
  readonly found: number;
  readonly elapsedMs: number;
  readonly remainingMs: number;
}

export interface HuntFinding {
  /** "valid-data-is-file-data@vnode_pager_generic_getpages:1010". */
  readonly key: string;
  readonly property: string;
  readonly where: string;
  /** Index of the generated scenario that first showed it. */
  readonly index: number;
  /** fast-check's path of the shrunk scenario (replay: seed + path). */
  readonly path: string;
  readonly shrinks: number;
  readonly scenario: Scenario;
  readonly trace: Trace | null;
  readonly files: readonly string[];
}

export interface HuntResult {
  readonly scenarios: number;
  readonly executions: number;
  readonly elapsedMs: number;
  readonly stoppedBy: 'time' | 'scenarios' | 'interrupted';
  readonly findings: readonly HuntFinding[];
  /** Scenarios whose run ended in a harness error (never a pager violation), with the first message. */
  readonly errors: number;
  readonly firstError?: string;
  /** On variant c: generated scenarios not explored because they reach a function that does not run there (cwasm/reach.ts). */
  readonly skipped: number;
}

/** The keys of a run's violations: property and where the violating step runs. */
export function violationKeys(r: RunResult): { key: string; property: string; where: string; trace: Trace | null }[] {
  const out: { key: string; property: string; where: string; trace: Trace | null }[] = [];
  r.violations.forEach((c, i) => {
    const v = c.violation;
    const property = propertyOfViolation(v);
    const trace = r.traces[i] ?? null;
    let where = '';
    if (v.kind === 'assertion') where = v.line !== undefined ? whereText({ line: v.line }) : `(${v.fn})`;
    // A check at the end of an execution has no step of its own: the last step's place would split one defect into many.
    else if (v.kind === 'final') where = 'end';
    else if (trace !== null && trace.steps.length > 0) {
      const at = trace.steps[Math.min(v.step, trace.steps.length - 1)]!;
      where = whereText(at);
    }
    out.push({ key: `${property}@${where || 'end'}`, property, where: where || 'end', trace });
  });
  return out;
}

/** A file and scenario name from a key: kebab-case, as scenario names are. */
function slug(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48).replace(/-$/, '');
}

export async function hunt(o: HuntOptions): Promise<HuntResult> {
  const now = o.now ?? (() => performance.now());
  const t0 = now();
  const deadline = t0 + o.seconds * 1000;
  const gen: GenOptions = { bounds: { maxExecutions: o.maxExecutions }, lawful: o.callers === 'lawful' };
  const arb = scenarioArb(gen);
  const seen = new Set<string>();
  const findings: HuntFinding[] = [];
  let scenarios = 0;
  let executions = 0;
  let errors = 0;
  let skipped = 0;
  let firstError: string | undefined;
  const compiled = variantByName(o.variant).kind === 'compiled';
  /* On c a scenario runs only when every function it reaches runs there; the others are skipped (counted), and a shrink never moves to one. */
  const runsHere = (s: Scenario) => !compiled || notRunningOnC(s) === null;
  let lastProgress = t0;
  const checks = { spec: o.spec, races: false };
  const progress = () =>
    o.onProgress?.({ scenarios, executions, found: findings.length, elapsedMs: now() - t0, remainingMs: Math.max(0, deadline - now()) });
  /* A long exploration or shrink still reports about once a second (the explorer's own progress ticks). */
  const tick = () => {
    if (now() - lastProgress < 1000) return;
    lastProgress = now();
    progress();
  };
  const sink = { begin: () => {}, update: tick, end: () => {} };
  const explore = (s: Scenario, minimizeMs: number) =>
    runOne({ scenario: s, variant: o.variant, bounds: { strategy: 'dpor', maxExecutions: o.maxExecutions, ...(o.randomPhase !== undefined ? { randomPhase: o.randomPhase } : {}) }, checks, first: minimizeMs === 0, minimizeMs }, { progress: sink, ...(o.signal ? { signal: o.signal } : {}) });

  let stoppedBy: HuntResult['stoppedBy'] = 'time';
  for (let i = 0; ; i++) {
    if (o.signal?.aborted) {
      stoppedBy = 'interrupted';
      break;
    }
    if (o.maxScenarios !== undefined && i >= o.maxScenarios) {
      stoppedBy = 'scenarios';
      break;
    }
    if (now() >= deadline) break;
    let s: Scenario | undefined;
    fc.check(
      fc.property(arb, (v) => {
        s = v;
        return true;
      }),
      { seed: o.seed, path: String(i), numRuns: 1 },
    );
    if (!runsHere(s!)) {
      skipped++;
      continue;
    }
    const r = await explore({ ...s!, name: `hunt-${o.seed}-${i}` }, 0);
    scenarios++;
    executions += r.executions;
    if (r.error !== undefined) {
      errors++;
      firstError ??= `scenario ${i}: ${r.error}`;
    }
    for (const v of violationKeys(r)) {
      if (seen.has(v.key) || o.signal?.aborted) continue;
      seen.add(v.key);
      findings.push(await shrinkAndWrite(i, v.key, v.property, v.where));
      progress();
    }
    tick();
  }
  return { scenarios, executions, elapsedMs: now() - t0, stoppedBy, findings, errors, skipped, ...(firstError !== undefined ? { firstError } : {}) };

  async function shrinkAndWrite(index: number, key: string, property: string, where: string): Promise<HuntFinding> {
    const hasKey = async (sc: Scenario) => runsHere(sc) && violationKeys(await explore(sc, 0)).some((v) => v.key === key);
    const shrunk = await fc.check(
      fc.asyncProperty(arb, async (sc) => !(await hasKey({ ...sc, name: `hunt-${o.seed}-${index}` }))),
      { seed: o.seed, path: String(index), numRuns: 1 },
    );
    const base = shrunk.failed ? shrunk.counterexample![0] : undefined;
    const name = `hunt-${o.seed}-${index}-${slug(key)}`;
    const scenario: Scenario = { ...(base as Scenario), name, description: `shrunk by pagercheck hunt --seed ${o.seed} from generated scenario ${index}: ${key}` };
    const final = await explore(scenario, 5_000);
    const match = violationKeys(final).find((v) => v.key === key) ?? violationKeys(final)[0];
    mkdirSync(o.out, { recursive: true });
    const stem = join(o.out, slug(key));
    const files = [`${stem}.scenario.json`];
    writeFileSync(files[0]!, `${JSON.stringify(scenario, null, 2)}\n`);
    if (match?.trace) {
      files.push(`${stem}.trace.json`);
      saveTrace(files[1]!, match.trace);
    }
    return { key, property, where, index, path: shrunk.counterexamplePath ?? String(index), shrinks: shrunk.numShrinks, scenario, trace: match?.trace ?? null, files };
  }
}

/* ---- the command ---- */

export interface HuntCmdOpts {
  readonly time: number;
  readonly seed: number;
  readonly variant: string;
  readonly callers: 'lawful' | 'any';
  readonly scenarios?: number;
  readonly maxExecutions?: number;
  readonly randomPhase?: number | false;
  readonly spec: boolean;
  readonly out: string;
}

/** `pagercheck hunt`: exit 1 when a violation was found, 130 when interrupted before one, 0 otherwise. */
export async function huntCmd(io: Io, signal: AbortSignal, o: HuntCmdOpts): Promise<number> {
  const variant = resolveVariants(o.variant);
  if (variant.length !== 1) throw new BadInput(`hunt takes one variant (got ${variant.length}); accepted: --variant ${variantNames()}`);
  const every = o.time >= 60_000 ? `${Math.round(o.time / 60_000)} min` : `${Math.round(o.time / 1000)} s`;
  io.err(`pagercheck: hunting generated scenarios on ${variant[0]} for ${every} (seed ${o.seed}, ${o.callers} callers); new violations go to ${o.out}; Ctrl-C stops and keeps them\n`);
  const r = await hunt({
    seconds: o.time / 1000,
    seed: o.seed,
    variant: variant[0]!,
    callers: o.callers,
    ...(o.scenarios !== undefined ? { maxScenarios: o.scenarios } : {}),
    maxExecutions: o.maxExecutions ?? 1000,
    ...(o.randomPhase !== undefined ? { randomPhase: o.randomPhase === false ? 0 : o.randomPhase } : {}),
    spec: o.spec,
    out: o.out,
    signal,
    onProgress: (p) => {
      const rate = p.elapsedMs > 0 ? (p.scenarios * 60_000) / p.elapsedMs : 0;
      io.err(`pagercheck: hunt: ${p.scenarios} scenarios (${rate.toFixed(0)}/min), ${p.executions} executions, ${p.found} distinct violation(s), ${Math.round(p.elapsedMs / 1000)} s elapsed, ${Math.round(p.remainingMs / 1000)} s left\n`);
    },
  });
  const rows = r.findings.map((f) => `  ${f.key}  (scenario ${f.index}, ${f.shrinks} shrinks, ${f.scenario.threads.length} threads, ${f.scenario.threads.reduce((n, t) => n + t.ops.length, 0)} ops)\n    ${f.files.join('\n    ')}`);
  const rate = r.elapsedMs > 0 ? (r.scenarios * 60_000) / r.elapsedMs : 0;
  io.out(
    `hunt on ${variant[0]}, seed ${o.seed}: ${r.scenarios} scenarios, ${r.executions} executions in ${(r.elapsedMs / 1000).toFixed(1)} s (${rate.toFixed(1)} scenarios/min), stopped by ${r.stoppedBy}\n` +
      (r.skipped > 0 ? `${r.skipped} generated scenario(s) skipped: they reach a function that does not run on c yet (cwasm/reach.ts)\n` : '') +
      (r.findings.length === 0 ? 'no violation found\n' : `${r.findings.length} distinct violation(s):\n${rows.join('\n')}\n`) +
      (r.errors > 0 ? `${r.errors} scenario(s) ended in a harness error; first: ${r.firstError}\n` : '') +
      `replay a finding: pagercheck replay FILE.trace.json; re-explore its scenario: pagercheck explore FILE.scenario.json --variant ${variant[0]}\n`,
  );
  if (r.errors > 0 && r.findings.length === 0) return EXIT_INTERNAL;
  if (r.findings.length > 0) return EXIT_VIOLATION;
  return r.stoppedBy === 'interrupted' ? EXIT_INTERRUPTED : EXIT_OK;
}
