/*
 * Task claiming shared by the threads of one parallel run (parallel.ts,
 * worker.ts): Int32 slots in a SharedArrayBuffer, read and written with
 * Atomics, so that no thread waits on another to get its next task.
 *  - FRONT: next position of the run's todo list to claim from the front;
 *  - BACK: one past the next position to claim from the back (the calling
 *    thread takes the last, smallest tasks while worker threads start, so
 *    that it returns to its event loop often and piscina can hand them
 *    their first run);
 *  - CUTOFF: lowest index of a task whose result stops the merge (an error,
 *    or a violation when stopping at the first): tasks past it are skipped;
 *  - STOP: set when the run is aborted (Ctrl-C, a signal): no new claims;
 *  - one slot per todo position: FREE, CLAIMED or SKIPPED, changed by
 *    compare-and-exchange so that a position is taken exactly once from
 *    either end.
 */
import type { TaskResult } from './tasks.ts';

const FRONT = 0;
const BACK = 1;
const CUTOFF = 2;
const STOP = 3;
const STATE = 4;

const FREE = 0;
const CLAIMED = 1;
const SKIPPED = 2;

export function newClaimState(todoLength: number): SharedArrayBuffer {
  const sab = new SharedArrayBuffer((STATE + todoLength) * Int32Array.BYTES_PER_ELEMENT);
  const a = new Int32Array(sab);
  Atomics.store(a, BACK, todoLength);
  Atomics.store(a, CUTOFF, 0x7fffffff);
  return sab;
}

/** True when the result ends the merge at its index (resultsUsed in tasks.ts). */
export function stopsMerge(r: TaskResult, stopOnViolation: boolean): boolean {
  return r.error !== undefined || (stopOnViolation && r.violations.length > 0);
}

/** Lowers CUTOFF to index (never raises it). */
export function noteCutoff(sab: SharedArrayBuffer, index: number): void {
  const a = new Int32Array(sab);
  for (;;) {
    const cur = Atomics.load(a, CUTOFF);
    if (index >= cur || Atomics.compareExchange(a, CUTOFF, cur, index) === cur) return;
  }
}

export function stopClaims(sab: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(sab), STOP, 1);
}

export function claimsStopped(sab: SharedArrayBuffer): boolean {
  return Atomics.load(new Int32Array(sab), STOP) !== 0;
}

/** True while some position of todo is claimed from neither end (and the run has not stopped). */
export function claimsLeft(sab: SharedArrayBuffer): boolean {
  const a = new Int32Array(sab);
  return Atomics.load(a, STOP) === 0 && Atomics.load(a, FRONT) < Atomics.load(a, BACK);
}

/**
 * The next task index this thread runs, taken from the front of todo (or
 * from the back), or undefined when none is left or the run stopped.
 */
export function claimNext(sab: SharedArrayBuffer, todo: readonly number[], fromBack = false): number | undefined {
  const a = new Int32Array(sab);
  for (;;) {
    if (Atomics.load(a, STOP) !== 0) return undefined;
    const j = fromBack ? Atomics.sub(a, BACK, 1) - 1 : Atomics.add(a, FRONT, 1);
    const i = todo[j];
    if (i === undefined) return undefined;
    // Taken from the other end already: the two ends have met there.
    if (Atomics.compareExchange(a, STATE + j, FREE, CLAIMED) !== FREE) return undefined;
    if (i <= Atomics.load(a, CUTOFF)) return i;
    Atomics.store(a, STATE + j, SKIPPED);
  }
}

/**
 * Positions of todo with no result yet that were not skipped: in flight in
 * some thread, or not claimed at all. [] once every task has a result or
 * was skipped.
 */
export function unresolved(sab: SharedArrayBuffer, todo: readonly number[], has: (index: number) => boolean): number[] {
  const a = new Int32Array(sab);
  const out: number[] = [];
  for (let j = 0; j < todo.length; j++) if (!has(todo[j]!) && Atomics.load(a, STATE + j) !== SKIPPED) out.push(j);
  return out;
}

/** Claims (from the front) and runs tasks until none is left; run returns each result. */
export function claimTasks(sab: SharedArrayBuffer, todo: readonly number[], stopOnViolation: boolean, run: (index: number) => TaskResult): void {
  for (;;) {
    const i = claimNext(sab, todo);
    if (i === undefined) return;
    const r = run(i);
    if (stopsMerge(r, stopOnViolation)) noteCutoff(sab, i);
  }
}
