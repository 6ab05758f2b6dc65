/*
 * Cost of the lock-step monitor per step: the same executions (random
 * schedules of a concurrent scenario on the port) run bare and with the
 * monitor installed. `npx tsx spec/bench.ts [executions]` prints a table.
 */
import { runExecution, type Scheduler } from '../checker/runtime.ts';
import { Prng } from '../checker/prng.ts';
import { makeWorld, attachObject, type World } from '../impl/kernel/world.ts';
import type { KEvent } from '../impl/kernel/observe.ts';
import { createConformance } from './conformance.ts';
import { faulter, pageout, reclaimer, sizer, writeMapping, writer } from './drivers.ts';

function sched(seed: number): Scheduler {
  const prng = new Prng(seed);
  return { pickThread: (ready) => ready[prng.below(ready.length)]!.tid, pickChoice: () => 0 };
}

export interface BenchRow {
  readonly what: string;
  readonly executions: number;
  readonly steps: number;
  readonly events: number;
  readonly msTotal: number;
  readonly usPerStep: number;
}

export function benchMonitor(executions = 2000): BenchRow[] {
  const threads = [faulter(1), faulter(2), writer(2), pageout(2), sizer(9000), writeMapping([4096]), reclaimer()];
  const go = (monitor: boolean): BenchRow => {
    let steps = 0;
    let events = 0;
    const t0 = performance.now();
    for (let seed = 1; seed <= executions; seed++) {
      let w: World | undefined;
      const conf = monitor ? createConformance(() => w?.k) : null;
      const observer = conf ? { emit: (e: KEvent) => (events++, conf.observer.emit(e)) } : { emit: () => void events++ };
      const r = runExecution(
        {
          name: 'bench',
          setup(ctx) {
            w = makeWorld(ctx, { flavor: 'block', f_iosize: 4096, fileSize: 10240, observer });
            attachObject(w, w.vp);
            for (const d of threads) ctx.spawn(d.name, () => d.body(w!));
            return w;
          },
        },
        sched(seed),
        conf ? { stepCheck: conf.stepCheck } : {},
      );
      steps += r.steps.length;
    }
    const ms = performance.now() - t0;
    return { what: monitor ? 'with monitor' : 'bare', executions, steps, events, msTotal: ms, usPerStep: (ms * 1000) / steps };
  };
  go(true); // warm the transition cache and the JIT
  go(false);
  return [go(false), go(true)];
}

if (process.argv[1]?.endsWith('spec/bench.ts')) {
  const rows = benchMonitor(Number(process.argv[2] ?? 2000));
  console.log('what          executions   steps    events   ms      us/step');
  for (const r of rows) console.log(`${r.what.padEnd(13)} ${String(r.executions).padStart(10)} ${String(r.steps).padStart(7)} ${String(r.events).padStart(9)} ${r.msTotal.toFixed(0).padStart(7)} ${r.usPerStep.toFixed(2).padStart(9)}`);
  const [bare, mon] = rows;
  console.log(`monitor cost: ${(mon!.usPerStep - bare!.usPerStep).toFixed(2)} us per step (${(mon!.usPerStep / bare!.usPerStep).toFixed(2)}x)`);
}
