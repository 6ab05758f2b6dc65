/*
 * Progress of a long exploration on stderr. explore() reports once a second
 * from the first second on, so a run shorter than a second shows nothing.
 * On a terminal: one line rewritten in place (cli-progress, without a bar:
 * no strategy knows the share of its space explored, only a lower bound on
 * what is left); otherwise one plain line per report.
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

/**
 * "share explored unknown, at least 1,234 executions to go", or "" when the
 * strategy gives no bound. Never a percentage: what an exhaustive search has
 * left is known only from below (explore.ts Progress.remainingAtLeast).
 */
export function estimateText(p: Progress): string {
  if (p.remainingAtLeast === undefined) return '';
  if (p.remainingAtLeast === 0) return 'finishing';
  return `share explored unknown, at least ${groupDigits(p.remainingAtLeast)} execution${p.remainingAtLeast === 1 ? '' : 's'} to go`;
}

export function progressLine(label: string, p: Progress): string {
  const est = estimateText(p);
  return `${label}: ${groupDigits(p.executions)} executions, ${groupDigits(p.executionsPerSec)}/s, ${seconds(p.elapsedMs)} elapsed${p.violations ? `, ${p.violations} violation${p.violations === 1 ? '' : 's'} so far` : ''}${est ? `, ${est}` : ''}`;
}

/** A progress bar on stderr, removed when stopped. */
function newBar(format: string): cliProgress.SingleBar {
  return new cliProgress.SingleBar({ format, stream: process.stderr, hideCursor: false, clearOnComplete: true, barsize: 20 }, cliProgress.Presets.shades_classic);
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
        est: estimateText(p) || 'not exhaustive: no end to estimate',
        found: p.violations ? ` | ${p.violations} found` : '',
      };
      // No bar: its length would claim a share explored that nobody knows.
      if (bar === null) {
        bar = newBar('{label} | {execs} executions | {rate}/s | {elapsed} | {est}{found}');
        bar.start(0, 0, payload);
      } else bar.update(0, payload);
    },
    end() {
      if (bar !== null) {
        bar.stop();
        bar = null;
      }
    },
  };
}

/** Where a split search (explore --workers/--shard/--checkpoint) stands: tasks are its unit of progress. */
export interface TaskProgress {
  readonly tasksDone: number;
  readonly tasksTotal: number;
  readonly executions: number;
  readonly violations: number;
  readonly elapsedMs: number;
}

export function taskProgressLine(label: string, p: TaskProgress): string {
  const rate = p.elapsedMs > 0 ? (p.executions * 1000) / p.elapsedMs : 0;
  return `${label}: ${p.tasksDone}/${p.tasksTotal} tasks, ${groupDigits(p.executions)} executions, ${groupDigits(rate)}/s, ${seconds(p.elapsedMs)} elapsed${p.violations ? `, ${p.violations} violation${p.violations === 1 ? '' : 's'} so far` : ''}`;
}

/**
 * Progress of a split search on stderr, once a second from the first second
 * on (nothing for a search done sooner): a bar of finished tasks on a
 * terminal, otherwise a line. Tasks differ in size, so the bar counts tasks,
 * not an estimate of time.
 */
export function makeTaskProgress(io: Io, label: string): { update(p: Omit<TaskProgress, 'elapsedMs'>): void; end(): void } {
  const t0 = performance.now();
  let last: Omit<TaskProgress, 'elapsedMs'> | null = null;
  let bar: cliProgress.SingleBar | null = null;
  const show = () => {
    if (last === null) return;
    const p: TaskProgress = { ...last, elapsedMs: performance.now() - t0 };
    if (!io.errIsTTY) {
      io.err(`pagercheck: ${taskProgressLine(label, p)}\n`);
      return;
    }
    const rate = p.elapsedMs > 0 ? (p.executions * 1000) / p.elapsedMs : 0;
    const payload = { label, execs: groupDigits(p.executions), rate: groupDigits(rate), elapsed: seconds(p.elapsedMs), found: p.violations ? ` | ${p.violations} found` : '' };
    if (bar === null) {
      bar = newBar('{label} [{bar}] {value}/{total} tasks | {execs} executions | {rate}/s | {elapsed}{found}');
      bar.start(p.tasksTotal, p.tasksDone, payload);
    } else bar.update(p.tasksDone, payload);
  };
  const timer = setInterval(show, 1000);
  timer.unref();
  return {
    update(p) {
      last = p;
    },
    end() {
      clearInterval(timer);
      if (bar !== null) {
        bar.stop();
        bar = null;
      }
    },
  };
}
