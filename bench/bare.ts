/*
 * Stepping without the checker, for the bench's cost-per-step columns: a
 * program's generators run bare (setup, then the current thread while it
 * can run, else the first that can), and the runtime alone under the
 * first-runnable scheduler with no checks. Rates are the best of three
 * 200 ms measurements after a 100 ms warm-up.
 */
import { firstRunnable, runExecution, type Program } from '../checker/runtime.ts';
import type { Ctx, KThread, Op, ThreadId } from '../checker/op.ts';

class BareThread {
  op: Op | null = null;
  done = false;
  constructor(
    readonly name: string,
    readonly gen: KThread,
  ) {}
}

/** The least a runtime can do: setup, then step the current thread while it can run, else the first that can. */
class BareRun implements Ctx {
  readonly threads: BareThread[] = [];
  tid: ThreadId = -1;
  touch(): void {}
  guarded(): void {}
  spawn(name: string, body: () => KThread): ThreadId {
    this.threads.push(new BareThread(name, body()));
    return this.threads.length - 1;
  }
  choose(): number {
    return 0;
  }
  threadName(tid: ThreadId): string {
    return this.threads[tid]?.name ?? '?';
  }
  run(program: Program<unknown>): number {
    program.setup(this);
    let steps = 0;
    let cur = -1;
    for (;;) {
      let pick = -1;
      const c = cur >= 0 ? this.threads[cur]! : null;
      if (c !== null && !c.done && (c.op === null || c.op.enabled === undefined || c.op.enabled())) pick = cur;
      else
        for (let i = 0; i < this.threads.length; i++) {
          const t = this.threads[i]!;
          if (!t.done && (t.op === null || t.op.enabled === undefined || t.op.enabled())) {
            pick = i;
            break;
          }
        }
      if (pick < 0) return steps;
      const t = this.threads[pick]!;
      this.tid = pick;
      const r = t.gen.next();
      if (r.done === true) t.done = true;
      else t.op = r.value;
      steps++;
      cur = pick;
    }
  }
}

/** Best of three 200 ms measurements of `once` (steps per call) in steps per second, after a 100 ms warm-up. */
export function rate(once: () => number): number {
  const t0 = performance.now();
  while (performance.now() - t0 < 100) once();
  let best = 0;
  for (let k = 0; k < 3; k++) {
    let steps = 0;
    const t1 = performance.now();
    while (performance.now() - t1 < 200) steps += once();
    best = Math.max(best, steps / ((performance.now() - t1) / 1000));
  }
  return best;
}

/** Bare stepping of the program's generators. */
export const bareRate = (program: Program<unknown>) => rate(() => new BareRun().run(program));
/** The runtime alone: runExecution under the first-runnable scheduler, no checks. */
export const runtimeRate = (program: Program<unknown>) => rate(() => runExecution(program, firstRunnable).steps.length);
