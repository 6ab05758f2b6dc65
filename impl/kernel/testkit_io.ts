/*
 * Helpers for the sequential tests of the I/O side (vm_page, buf, vfs and
 * vnode_pager I/O tests): run threads in a world, script a schedule, read a
 * run's trace and violation. Not a test file itself.
 */
import { expect } from 'vitest';
import type { KThread } from '../../checker/op.ts';
import type { ExecutionResult, Scheduler, StepRecord } from '../../checker/runtime.ts';
import { EventLog, type KEvent } from './observe.ts';
import { runWorld, type World, type WorldOptions } from './world.ts';

export interface IoRun {
  readonly r: ExecutionResult<World>;
  readonly w: World;
  readonly events: readonly KEvent[];
  /** "thread:label@line" per step. */
  readonly trace: readonly string[];
}

/** One stretch of a schedule: run thread t until a step of it matches `until` (inclusive). */
export interface Segment {
  readonly t: string;
  readonly until: (rec: StepRecord) => boolean;
}

export const atLine = (line: number) => (rec: StepRecord) => rec.line === line;
export const atLabel = (s: string) => (rec: StepRecord) => rec.label.includes(s);

/**
 * A scheduler that follows the segments, then runs first-runnable; choose()
 * takes the listed values in order, then 0. A segment whose thread cannot run
 * is a mistake in the test and throws.
 */
export function scripted(segments: readonly Segment[] = [], choices: readonly number[] = []): Scheduler {
  let i = 0;
  let c = 0;
  const names = new Map<number, string>();
  return {
    pickThread(ready, exec) {
      for (const t of ready) names.set(t.tid, t.name);
      const seg = segments[i];
      if (seg) {
        const t = ready.find((x) => x.name === seg.t);
        if (!t) throw new Error(`scripted: thread ${seg.t} cannot run (ready: ${ready.map((x) => x.name).join(', ')})`);
        return t.tid;
      }
      const cur = ready.find((r) => r.tid === exec.lastTid);
      return (cur ?? ready[0]!).tid;
    },
    pickChoice(n) {
      const v = choices[c++] ?? 0;
      return v < n ? v : 0;
    },
    onStep(rec) {
      const seg = segments[i];
      if (seg && names.get(rec.tid) === seg.t && seg.until(rec)) i++;
    },
  };
}

/** Runs threads (by name) in a fresh world built from opts and setup. */
export function io(
  opts: Omit<WorldOptions, 'observer'>,
  setup: (w: World) => void,
  threads: Readonly<Record<string, (w: World) => KThread>>,
  sched?: Scheduler,
): IoRun {
  const log = new EventLog();
  const r = runWorld({ ...opts, observer: log }, setup, threads, sched);
  if (r.world === undefined) throw new Error(`world setup failed: ${JSON.stringify(r.result)}`);
  return {
    r,
    w: r.world,
    events: log.events,
    trace: r.steps.map((s) => `${r.threadNames[s.tid]}:${s.label}${s.line !== undefined ? `@${s.line}` : ''}`),
  };
}

export function expectOk(run: IoRun): void {
  expect(run.r.result).toEqual({ status: 'ok' });
}

/** The run ended in a failed KASSERT/panic/lock assertion with this function, message and line. */
export function expectAssertion(run: IoRun, kind: 'KASSERT' | 'panic' | 'lock', fn: string, message: string | RegExp, line?: number): void {
  const res = run.r.result;
  if (res.status !== 'violation' || res.violation.kind !== 'assertion') throw new Error(`expected a ${kind} in ${fn}, got ${JSON.stringify(res)}`);
  const v = res.violation;
  expect(v.assertion).toBe(kind);
  expect(v.fn).toBe(fn);
  if (typeof message === 'string') expect(v.message).toBe(message);
  else expect(v.message).toMatch(message);
  if (line !== undefined) expect(v.line).toBe(line);
}
