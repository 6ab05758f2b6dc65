/*
 * Progress of a long exploration on stderr. explore() reports once a second
 * from the first second on, so a run shorter than a second shows nothing.
 * On a terminal: a cli-progress bar (the bar itself only when the strategy
 * estimates how much of its space it has explored); otherwise one plain line
 * per report.
 */
import cliProgress from 'cli-progress';
import type { Progress } from '../checker/explore.ts';
import type { Io } from './io.ts';

export interface ProgressSink {
  /** A run starts. */
  begin(label: string): void;
  update(p: Progress): void;
  /** The run ended: remove the bar. */
  end(): void;
}

/** 1234567 -> "1,234,567" (fixed, not locale-dependent). */
export function groupDigits(n: number): string {
  const s = String(Math.round(n));
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(Math.round(s - m * 60)).padStart(2, '0')} s`;
}

/** "~40% explored, ~18,000 executions (~15.0 s) to go", or "" when the strategy gives no estimate. */
export function estimateText(p: Progress): string {
  if (p.fractionDone === undefined) return '';
  const pct = `~${Math.floor(p.fractionDone * 100)}% explored`;
  if (p.estimatedRemaining === undefined) return pct;
  const t = p.executionsPerSec > 0 ? ` (~${seconds((p.estimatedRemaining / p.executionsPerSec) * 1000)})` : '';
  return `${pct}, ~${groupDigits(p.estimatedRemaining)} executions${t} to go`;
}

export function progressLine(label: string, p: Progress): string {
  const est = estimateText(p);
  return `${label}: ${groupDigits(p.executions)} executions, ${groupDigits(p.executionsPerSec)}/s, ${seconds(p.elapsedMs)} elapsed${p.violations ? `, ${p.violations} violation${p.violations === 1 ? '' : 's'} so far` : ''}${est ? `, ${est}` : ''}`;
}

export function makeProgress(io: Io): ProgressSink {
  if (!io.errIsTTY) {
    let label = '';
    return {
      begin(l) {
        label = l;
      },
      update(p) {
        io.err(`pagercheck: ${progressLine(label, p)}\n`);
      },
      end() {},
    };
  }
  let bar: cliProgress.SingleBar | null = null;
  let label = '';
  return {
    begin(l) {
      label = l;
    },
    update(p) {
      const payload = {
        label,
        execs: groupDigits(p.executions),
        rate: groupDigits(p.executionsPerSec),
        elapsed: seconds(p.elapsedMs),
        est: estimateText(p) || 'no estimate (not exhaustive)',
        found: p.violations ? ` | ${p.violations} found` : '',
      };
      const pct = Math.floor((p.fractionDone ?? 0) * 100);
      if (bar === null) {
        const withBar = p.fractionDone !== undefined;
        bar = new cliProgress.SingleBar(
          {
            format: withBar ? '{label} [{bar}] {est} | {execs} executions | {rate}/s | {elapsed}{found}' : '{label} | {execs} executions | {rate}/s | {elapsed}{found}',
            stream: process.stderr,
            hideCursor: false,
            clearOnComplete: true,
            barsize: 20,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(100, pct, payload);
      } else bar.update(pct, payload);
    },
    end() {
      if (bar !== null) {
        bar.stop();
        bar = null;
      }
    },
  };
}
