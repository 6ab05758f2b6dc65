/*
 * Helpers for the sequential tests of the object lifecycle (vnode.test.ts,
 * vm_object.test.ts, vnode_pager.lifecycle.test.ts): a bare kernel with
 * vnodes built by hand, threads run by runExecution, and a scripted
 * scheduler for the two-thread races. Not a test file itself.
 */
import { runExecution, firstRunnable, type Scheduler, type StepRecord, type ExecutionResult } from '../../checker/runtime.ts';
import type { KThread } from '../../checker/op.ts';
import { Kernel, type KernelConfig } from './kernel.ts';
import { EventLog, type KEvent } from './observe.ts';
import { mount } from './vfs.ts';
import { vnode, VI_ACTIVE, VREG, type vtype } from './vnode.ts';
import { vm_page_alloc, vm_page_xunbusy, type vm_page } from './vm_page.ts';
import type { vm_object } from './vm_object.ts';

/** A regular-file vnode referenced once (one use, one hold), active, as a world hands them out. */
export function newVnode(k: Kernel, mnt: mount, size: number, type: vtype = VREG): vnode {
  const vp = new vnode(k, k.newName('vp'), mnt, size);
  vp.v_type = type;
  vp.v_usecount = 1;
  vp.v_holdcnt = 1;
  vp.v_iflag = VI_ACTIVE;
  k.vnodes.push(vp);
  return vp;
}

export function newMount(k: Kernel, f_iosize = 4096): mount {
  return new mount(k.newName('mnt'), 'block', f_iosize);
}

export type Spawn = (name: string, body: () => KThread) => void;

export interface Run<W> {
  readonly r: ExecutionResult<W>;
  readonly w: W;
  readonly k: Kernel;
  readonly events: readonly KEvent[];
  /** "thread:label" per step. */
  readonly trace: readonly string[];
}

/** Builds a kernel, lets `build` make the world and spawn threads, runs one execution. */
export function runThreads<W>(build: (k: Kernel, spawn: Spawn) => W, opts: { sched?: Scheduler; kernel?: KernelConfig; maxSteps?: number } = {}): Run<W> {
  const log = new EventLog();
  let kernel: Kernel | undefined;
  const r = runExecution(
    {
      name: 'test',
      setup(ctx) {
        const k = new Kernel(ctx, { ...opts.kernel, observer: log });
        kernel = k;
        return build(k, (name, body) => {
          ctx.spawn(name, body);
        });
      },
    },
    opts.sched ?? firstRunnable,
    { maxSteps: opts.maxSteps ?? 10_000 },
  );
  if (kernel === undefined) throw new Error('test setup did not run');
  return { r, w: r.world as W, k: kernel, events: log.events, trace: r.steps.map((s) => `${r.threadNames[s.tid]}:${s.label}`) };
}

/** One stretch of a scripted schedule: run thread `t` until `until` matches a step it ran (inclusive), or for `steps` steps. */
export interface Segment {
  readonly t: string;
  readonly until?: (rec: StepRecord) => boolean;
  readonly steps?: number;
}

export const atLine = (line: number) => (rec: StepRecord) => rec.line === line;
export const atLabel = (s: string) => (rec: StepRecord) => rec.label.includes(s);

/**
 * Runs the segments in order, then falls back to first-runnable. A segment
 * whose thread is blocked or finished is a mistake in the test: it throws.
 */
export function script(segments: readonly Segment[]): Scheduler {
  let i = 0;
  let n = 0;
  return {
    pickThread(ready, exec) {
      const s = segments[i];
      if (s === undefined) return firstRunnable.pickThread(ready, exec);
      const t = exec.threads.find((th) => th.name === s.t);
      if (t === undefined) throw new Error(`script segment ${i}: thread ${s.t} has finished`);
      if (!ready.some((rv) => rv.tid === t.tid)) throw new Error(`script segment ${i}: thread ${s.t} is blocked in ${t.op.label}`);
      return t.tid;
    },
    pickChoice() {
      return 0;
    },
    onStep(rec) {
      const s = segments[i];
      if (s === undefined) return;
      n++;
      if ((s.steps !== undefined && n >= s.steps) || (s.until !== undefined && s.until(rec))) {
        i++;
        n = 0;
      }
    },
  };
}

/**
 * A resident page with the given bits and contents, unbusied. The object
 * must be write-locked by the calling thread.
 */
export function* residentPage(k: Kernel, obj: vm_object, pindex: number, valid: number, dirty: number, data?: string[]): KThread<vm_page> {
  const m = yield* vm_page_alloc(k, obj, pindex, 0);
  if (m === null) throw new Error(`residentPage: vm_page_alloc(${obj.name}, ${pindex}) failed`);
  m.valid = valid;
  m.dirty = dirty;
  if (data) m.data = data.slice();
  yield* vm_page_xunbusy(k, m);
  return m;
}

/** Events of the given types, in order. */
export function eventsOf(events: readonly KEvent[], ...types: KEvent['type'][]): KEvent[] {
  return events.filter((e) => types.includes(e.type));
}
