/*
 * `pagercheck diff [SCENARIO...]`: each schedule a search of the port
 * explores runs on the port and on variant c (the compiled seed,
 * cwasm/diff.ts); steps, kernel events, end status and final kernel state
 * must be equal. The first divergence of each schedule is written under
 * --out as NAME.diff.json (the schedule and both sides' steps up to and at
 * it) plus NAME.diff.txt; a table per scenario; exit 1 on any divergence.
 * With no scenario: every catalog scenario and probe that runs on c, the
 * others listed as skipped with the function they reach (cwasm/reach.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StrategySpec } from '../checker/explore.ts';
import { diffScenarioAsync, type DiffResult, type Divergence } from '../cwasm/diff.ts';
import { cRefusal, notRunningOnC } from '../cwasm/reach.ts';
import { CATALOG, PROBES } from '../properties/catalog.ts';
import type { Scenario } from '../properties/scenario.ts';
import { variantByName } from '../impl/variants.ts';
import { BadInput, resolveScenarios, resolveVariants } from './args.ts';
import { EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_VIOLATION } from './exit.ts';
import { writeOrKeep, type Io } from './io.ts';
import { groupDigits, makeProgress, seconds } from './progress.ts';

/** Strategies whose schedules the diff replays on c: every one of the checker's. */
export const DIFF_STRATEGIES = ['dpor', 'dfs', 'bounded', 'pct', 'random'] as const;
export type DiffStrategy = (typeof DIFF_STRATEGIES)[number];

export interface DiffCmdOpts {
  readonly out: string;
  readonly strategy?: DiffStrategy;
  readonly maxExecutions?: number;
  readonly timeBudget?: number;
  readonly seed?: number;
  readonly variant?: string;
}

/** Divergences written per scenario: the first as NAME.diff.json, the next as NAME-EXECUTION.diff.json (the count is in the table). */
const MAX_WRITTEN = 20;

function strategySpec(k: DiffStrategy | undefined): StrategySpec {
  switch (k ?? 'dpor') {
    case 'bounded':
      return { kind: 'bounded', maxPreemptions: 2 };
    case 'pct':
      return { kind: 'pct', depth: 3 };
    default:
      return { kind: (k ?? 'dpor') as 'dpor' | 'dfs' | 'random' };
  }
}

/** The scenarios asked for (refusing, in one line, one that does not run on c), and the ones skipped when none was named. */
export function diffPlan(names: readonly string[]): { run: Scenario[]; skipped: { name: string; why: string }[] } {
  if (names.length === 0) {
    const run: Scenario[] = [];
    const skipped: { name: string; why: string }[] = [];
    for (const s of [...CATALOG, ...PROBES]) {
      const r = notRunningOnC(s);
      if (r === null) run.push(s);
      else skipped.push({ name: s.name, why: `${r.op} reaches ${r.fn}` });
    }
    return { run, skipped };
  }
  const run = resolveScenarios(names);
  for (const s of run) {
    const why = cRefusal(s);
    if (why !== null) throw new BadInput(`diff: ${why}`);
  }
  return { run, skipped: [] };
}

function divergenceText(r: DiffResult, d: Divergence, portVariant: string): string {
  const at = typeof d.at === 'number' ? `step ${d.at}` : d.at;
  const lines = [
    `${r.scenario}: schedule ${d.execution} diverges at ${at} between the port (${portVariant}) and the compiled seed (c)`,
    `schedule: ${d.schedule.map((s) => s.thread).join(' ')}`,
    '',
    `port (${portVariant}):`,
    ...d.portSteps.map((s, i) => `  ${String(i).padStart(4)}  ${s}`),
    'c:',
    ...d.cSteps.map((s, i) => `  ${String(i).padStart(4)}  ${s}`),
    '',
    `at ${at}:`,
    `  port: ${d.port}`,
    `  c:    ${d.c}`,
  ];
  return lines.join('\n') + '\n';
}

function resultText(r: DiffResult, interrupted: boolean): string {
  if (r.error !== null) return `ERROR ${r.error.split('\n')[0]}`;
  const d = r.divergences.length;
  const explored = r.complete ? 'complete' : r.stopReason === 'aborted' || interrupted ? 'interrupted' : r.stopReason === 'time-budget' ? 'time budget' : r.stopReason === 'max-executions' ? 'max executions' : r.stopReason;
  return `${explored}; ${d === 0 ? 'no divergence' : `${groupDigits(d)} DIVERGE`}`;
}

export function diffTable(results: readonly DiffResult[], skipped: readonly { name: string; why: string }[], interrupted = false): string {
  const rows = results.map((r) => [r.scenario, groupDigits(r.schedules), groupDigits(r.steps), groupDigits(r.divergences.length), resultText(r, interrupted)]);
  const head = ['scenario', 'schedules', 'steps', 'divergences', 'result'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i >= 1 && i <= 3 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
  const out = [fmt(head), fmt(w.map((n) => '-'.repeat(n))), ...rows.map(fmt)];
  if (skipped.length) out.push('', `skipped (they reach a function that does not run on c yet): ${skipped.length}`, ...skipped.map((s) => `  ${s.name}: ${s.why}`));
  return out.join('\n') + '\n';
}

export async function diffCmd(io: Io, signal: AbortSignal, names: readonly string[], o: DiffCmdOpts): Promise<number> {
  const portVariant = o.variant ?? 'seed';
  const known = resolveVariants(portVariant);
  if (known.length !== 1 || variantByName(known[0]!).kind === 'compiled')
    throw new BadInput(`diff compares one port variant with c; accepted: --variant seed, repaired or a mutant (the port side; got ${portVariant.slice(0, 64)})`);
  if (o.seed !== undefined && o.strategy !== 'pct' && o.strategy !== 'random')
    throw new BadInput(`--seed seeds the pct and random strategies, not ${o.strategy ?? 'dpor'} (the diff has no random phase); accepted: --strategy pct|random --seed N, or no --seed`);
  const { run, skipped } = diffPlan(names);
  const progress = makeProgress(io);
  const results: DiffResult[] = [];
  const t0 = performance.now();
  for (const s of run) {
    if (signal.aborted) break;
    progress.begin(`diff ${s.name}`);
    try {
      results.push(
        await diffScenarioAsync(s, {
          strategy: strategySpec(o.strategy),
          portVariant,
          signal,
          onProgress: (p) => progress.update(p),
          ...(o.seed !== undefined ? { seed: o.seed } : {}),
          ...(o.maxExecutions !== undefined ? { maxExecutions: o.maxExecutions } : o.strategy === 'pct' || o.strategy === 'random' ? { maxExecutions: 10_000 } : {}),
          ...(o.timeBudget !== undefined ? { timeBudgetMs: o.timeBudget } : {}),
        }),
      );
    } finally {
      progress.end();
    }
  }
  const interrupted = signal.aborted;
  io.out(diffTable(results, skipped, interrupted));
  const diverging = results.filter((r) => r.divergences.length > 0);
  const { value: files, lost } = writeOrKeep('--out', o.out, (dir) => {
    const written: string[] = [];
    for (const r of diverging) {
      mkdirSync(dir, { recursive: true });
      for (const d of r.divergences.slice(0, MAX_WRITTEN)) {
        const base = join(dir, `${r.scenario}${d === r.divergences[0] ? '' : `-${d.execution}`}.diff`);
        writeFileSync(`${base}.json`, JSON.stringify({ scenario: r.scenario, portVariant, execution: d.execution, at: d.at, port: d.port, c: d.c, setupChoices: d.setupChoices, schedule: d.schedule, portSteps: d.portSteps, cSteps: d.cSteps }, null, 1) + '\n');
        writeFileSync(`${base}.txt`, divergenceText(r, d, portVariant));
        written.push(`${base}.json`);
      }
    }
    return written;
  });
  const total = results.reduce((a, r) => a + r.schedules, 0);
  io.out(
    `\n${groupDigits(total)} schedule${total === 1 ? '' : 's'} compared over ${results.length} scenario${results.length === 1 ? '' : 's'} in ${seconds(performance.now() - t0)}${interrupted ? ' (interrupted)' : ''}; ` +
      (diverging.length === 0 ? 'no divergence between the port and the compiled seed.\n' : `divergences in ${diverging.map((r) => r.scenario).join(', ')}; written: ${files.length} file${files.length === 1 ? '' : 's'} in ${o.out}${files[0] ? ` (first: ${files[0]})` : ''}\n`),
  );
  if (lost !== null) {
    io.err(`pagercheck: ${lost}\n`);
    return EXIT_BAD_INPUT;
  }
  if (results.some((r) => r.error !== null)) return EXIT_INTERNAL;
  if (diverging.length > 0) return EXIT_VIOLATION;
  if (interrupted) return EXIT_INTERRUPTED;
  if (results.length === 0 || results.some((r) => !r.complete && (o.strategy === undefined || ['dpor', 'dfs', 'bounded'].includes(o.strategy)) && r.stopReason !== 'exhausted')) return EXIT_INCOMPLETE;
  return EXIT_OK;
}
