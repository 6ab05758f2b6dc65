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
        est: estimateText(p) || 'no estimate (not exhaustive)',
        found: p.violations ? ` | ${p.violations} found` : '',
      };
      const pct = Math.floor((p.fractionDone ?? 0) * 100);
      if (bar === null) {
        const withBar = p.fractionDone !== undefined;
        bar = newBar(withBar ? '{label} [{bar}] {est} | {execs} executions | {rate}/s | {elapsed}{found}' : '{label} | {execs} executions | {rate}/s | {elapsed}{found}');
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
