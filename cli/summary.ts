/*
 * The summary table printed at the end of a run, and its rows for the report.
 */
import type { SummaryRow } from '../traces/report.ts';
import { groupDigits } from './progress.ts';
import type { RunResult } from './run.ts';

/**
 * Why a run without a violation shows nothing, or null when it shows what it
 * claims: it explored nothing, or an exhaustive search stopped before its end
 * (time budget, max executions, interrupted). pct and random sample: their
 * execution count is their end, and they are never complete.
 */
export function stoppedEarly(r: Pick<RunResult, 'executions' | 'stopReason' | 'strategy' | 'complete'>): { readonly why: string; readonly nothing: boolean } | null {
  const why = r.stopReason === 'aborted' ? 'interrupted' : r.stopReason === 'time-budget' ? 'time budget' : r.stopReason === 'max-executions' ? 'max executions' : null;
  if (r.executions === 0) return { why: why ?? 'no execution', nothing: true };
  if (r.complete || why === null) return null;
  const sampling = /^(pct|random)\(/.test(r.strategy);
  return sampling && why === 'max executions' ? null : { why, nothing: false };
}

export function resultText(r: RunResult): string {
  if (r.error !== undefined) return `ERROR ${r.error.split('\n')[0]}`;
  if (r.violations.length === 0) {
    const early = stoppedEarly(r);
    if (early === null) return 'ok';
    return `${early.nothing ? 'NOTHING EXPLORED' : 'ok so far'} (${early.why})`;
  }
  const note = r.unexpected.length === 0 ? 'expected' : r.unexpected.length === r.violated.length ? 'UNEXPECTED' : `UNEXPECTED: ${r.unexpected.join(', ')}`;
  return `VIOLATED ${r.violated.join(', ')} (${r.violations.length} counterexample${r.violations.length === 1 ? '' : 's'}; ${note})`;
}

export function exploredText(r: RunResult): string {
  if (r.complete) return 'complete';
  switch (r.stopReason) {
    case 'exhausted':
      return 'done';
    case 'violation':
      return 'first found';
    case 'max-executions':
      return 'max executions';
    case 'time-budget':
      return 'time budget';
    case 'aborted':
      return 'interrupted';
    default:
      return r.stopReason;
  }
}

export function summaryRows(results: readonly RunResult[]): SummaryRow[] {
  return results.map((r) => ({
    scenario: r.scenario,
    variant: r.variant,
    strategy: r.strategy,
    executions: r.executions,
    complete: r.complete,
    stopReason: exploredText(r),
    ms: r.ms,
    result: resultText(r),
  }));
}

/** A fixed-width table, one row per run. */
export function summaryTable(results: readonly RunResult[]): string {
  const head = ['scenario', 'variant', 'strategy', 'executions', 'explored', 'time', 'result'];
  const rows = results.map((r) => [r.scenario, r.variant, r.strategy, groupDigits(r.executions), exploredText(r), `${(r.ms / 1000).toFixed(1)} s`, resultText(r)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = new Set([3, 5]);
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w, i) => (i === widths.length - 1 ? '-'.repeat(Math.max(6, head[i]!.length)) : '-'.repeat(w))).join('  '), ...rows.map(line)].join('\n') + '\n';
}
