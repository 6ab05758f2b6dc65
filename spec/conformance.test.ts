/*
 * The lock-step monitor on the port: it accepts what the port does under
 * sequential and random schedules, and it reports, naming machine,
 * instance, state, event and step, a port that breaks the spec: an event a
 * machine rejects, or a world its machines do not abstract.
 */
import { describe, expect, it } from 'vitest';
import type { KThread } from '../checker/op.ts';
import { firstRunnable, runExecution, type ExecutionResult, type Scheduler, type Violation } from '../checker/runtime.ts';
import { Prng } from '../checker/prng.ts';
import { makeWorld, attachObject, residentPage, type World, type WorldOptions } from '../impl/kernel/world.ts';
import type { KEvent } from '../impl/kernel/observe.ts';
import { LK_EXCLUSIVE, LK_RETRY, LK_SHARED } from '../impl/kernel/sync.ts';
import { vnode_pager_alloc } from '../impl/vnode_pager.ts';
import { VOP_ADD_WRITECOUNT, vn_lock, VOP_UNLOCK } from '../impl/kernel/vnode.ts';
import { VM_OBJECT_WLOCK, VM_OBJECT_WUNLOCK, OBJ_DEAD, vm_object_deallocate } from '../impl/kernel/vm_object.ts';
import { vm_page_lookup } from '../impl/kernel/vm_page.ts';
import { createConformance, describeEvent, valueOf, type Conformance } from './conformance.ts';
import { stateString } from './catalog.ts';
import { asyncFaulter, creator, faulter, mapper, pageout, reclaimer, sizer, writeMapping, writer, type Driver } from './drivers.ts';

interface Run {
  readonly r: ExecutionResult<World>;
  readonly conf: Conformance;
  readonly events: KEvent[];
}

const WORLD: Omit<WorldOptions, 'observer'> = { flavor: 'block', f_iosize: 4096, fileSize: 10240 };

function run(threads: readonly (Driver | { name: string; body: (w: World) => KThread })[], o: { world?: Omit<WorldOptions, 'observer'>; fixture?: (w: World) => void; sched?: Scheduler } = {}): Run {
  let world: World | undefined;
  const conf = createConformance(() => world?.k);
  const events: KEvent[] = [];
  const observer = {
    emit(e: KEvent) {
      events.push(e);
      conf.observer.emit(e);
    },
  };
  const r = runExecution(
    {
      name: 'conformance',
      setup(ctx) {
        const w = makeWorld(ctx, { ...(o.world ?? WORLD), observer });
        world = w;
        o.fixture?.(w);
        for (const d of threads) ctx.spawn(d.name, () => d.body(w));
        return w;
      },
    },
    o.sched ?? firstRunnable,
    { stepCheck: conf.stepCheck, maxSteps: 5000 },
  );
  return { r, conf, events };
}

/** The drivers one after another: the lowest-numbered unfinished driver runs, I/O completion threads (spawned later) first. */
function sequential(drivers: number): Scheduler {
  return {
    pickThread(ready) {
      const io = ready.find((t) => t.tid >= drivers);
      return (io ?? ready[0]!).tid;
    },
    pickChoice() {
      return 0;
    },
  };
}

function randomScheduler(seed: number): Scheduler {
  const prng = new Prng(seed);
  return {
    pickThread(ready) {
      return ready[prng.below(ready.length)]!.tid;
    },
    pickChoice() {
      return 0;
    },
  };
}

/** vnode_pager_alloc with the vnode locked shared, as vm_mmap holds it; then munmap. */
function lockedMapper(): { name: string; body: (w: World) => KThread } {
  return {
    name: 'lockedMapper',
    *body(w) {
      yield* vn_lock(w.k, w.vp, LK_SHARED | LK_RETRY);
      const o = yield* vnode_pager_alloc(w.k, w.vp, w.vp.va_size, 0, 0, null);
      yield* VOP_UNLOCK(w.k, w.vp, 0);
      yield* vm_object_deallocate(w.k, o);
    },
  };
}

const spec = (r: ExecutionResult<World>): Extract<Violation, { kind: 'spec' }> | null =>
  r.result.status === 'violation' && r.result.violation.kind === 'spec' ? r.result.violation : null;

/** A thread that runs one step doing f (a buggy port, for the monitor to catch). */
function evil(name: string, f: (w: World) => void): { name: string; body: (w: World) => KThread } {
  return {
    name,
    *body(w) {
      yield { kind: 'yield', label: name, fp: [] };
      f(w);
    },
  };
}

describe('the monitor accepts the port', () => {
  it('on create, reference, setsize, write mapping, pageout and reclaim, run one after another', () => {
    const threads = [creator(), mapper(), faulter(1), writer(1), pageout(1), faulter(2), sizer(6000), writeMapping([4096]), reclaimer()];
    const { r, conf } = run(threads, { sched: sequential(threads.length) });
    expect(r.result).toEqual({ status: 'ok' });
    expect(conf.states().get('objectLifecycle/vp1')).toBe('deallocated');
    expect(conf.states().get('writeMappings/obj1')).toBe('destroyed');
    expect(conf.states().get('pageValidity/obj1.p1')).toBe('notResident');
    const t = conf.tally.transitions.get('pageValidity')!;
    expect(t.get('resident.contents.fullyValid:PAGE_BITS#1')).toBeGreaterThan(0); // cleaned by pageout
    expect(conf.tally.transitions.get('objectLifecycle')!.get('dead.terminating:OBJ_DEALLOC#0')).toBe(1);
  });

  it('starts from the world a setup builds, whatever events its fixtures emitted', () => {
    const { r, conf } = run([faulter(0)], {
      fixture(w) {
        const o = attachObject(w, w.vp);
        residentPage(w, o, 1, { valid: 0xff, dirty: 0xff, busy: 's' });
        residentPage(w, o, 2, { valid: 0x0f });
      },
    });
    expect(r.result).toEqual({ status: 'ok' });
    expect(conf.states().get('pageValidity/obj1.p1')).toBe('resident.(contents.fullyValid.dirty, busy.sharedBusy)');
    expect(conf.states().get('pageValidity/obj1.p2')).toBe('resident.(contents.partiallyValid, busy.unbusied)');
    expect(conf.states().get('pageValidity/obj1.p0')).toBe('resident.(contents.fullyValid.clean, busy.unbusied)');
  });

  it('on allocators, page-ins, pageout, setsize, write mappings and reclaim under 300 random schedules, callers holding the vnode lock', () => {
    let ok = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { r } = run([lockedMapper(), lockedMapper(), faulter(2), writer(2), pageout(2), sizer(9000), writeMapping([4096]), reclaimer()], {
        sched: randomScheduler(seed),
        fixture: (w) => void attachObject(w, w.vp),
      });
      expect(r.result.status === 'violation' ? r.result.violation : null, `seed ${seed}`).toBeNull();
      expect(r.result.status, `seed ${seed}`).toBe('ok');
      ok++;
    }
    expect(ok).toBe(300);
  });

  it('on a write mapping released while the vnode is reclaimed: the release finds OBJT_DEAD and leaves the count alone', () => {
    let raced = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const { r, events } = run([writeMapping([4096]), reclaimer()], { sched: randomScheduler(seed), fixture: (w) => void attachObject(w, w.vp) });
      expect(r.result, `seed ${seed}`).toEqual({ status: 'ok' });
      const types = events.map((e) => (e.type === 'WRITEMAPPINGS' ? `WM${e.writemappings}` : e.type));
      /* Reclaim gave the count back (seed 296-302) while the mapping was still there: the release came too late to change anything. */
      const i = types.indexOf('OBJ_DEALLOC');
      if (i >= 2 && types[i - 1] === 'WRITECOUNT' && types[i - 2] === 'WM0' && !types.slice(i).some((t) => t.startsWith('WM'))) raced++;
    }
    expect(raced).toBeGreaterThan(0);
  });

  it('reports the "vadead" sleep on an object already gone when vnode_pager_alloc runs without the vnode lock (a wakeup nobody will send)', () => {
    /* Seed 224 reads v_object, reclaim terminates and destroys the object, seed 225-229 then sleeps on it. */
    let found: Extract<Violation, { kind: 'spec' }> | null = null;
    for (let seed = 1; seed <= 300 && !found; seed++) {
      const { r } = run([mapper(), mapper(), faulter(2), reclaimer()], { sched: randomScheduler(seed), fixture: (w) => void attachObject(w, w.vp) });
      const v = spec(r);
      if (v && v.state === 'deallocated' && v.event?.startsWith('OBJ_DISCONNECT_WAIT')) found = v;
    }
    expect(found).toMatchObject({ machine: 'objectLifecycle', instance: 'vp1', event: 'OBJ_DISCONNECT_WAIT obj1 wmesg=vadead' });
    expect(found!.message).toMatch(/in state deallocated does not accept/);
  });
});

describe('the monitor reports a port that breaks the spec', () => {
  const withObject = (w: World) => void attachObject(w, w.vp);

  it('an event the machine rejects: a new reference to a dead object', () => {
    const { r } = run(
      [
        evil('bad', (w) => {
          const o = w.vp.v_object!;
          o.flags |= OBJ_DEAD;
          w.k.observer.emit({ type: 'OBJ_DEAD', obj: o.name });
          o.ref_count++;
          w.k.observer.emit({ type: 'OBJ_REFS', obj: o.name, refs: o.ref_count });
        }),
      ],
      { fixture: withObject },
    );
    expect(spec(r)).toMatchObject({ kind: 'spec', machine: 'objectLifecycle', instance: 'vp1', state: 'dead.terminating', event: 'OBJ_REFS obj1 refs=1', step: 1 });
  });

  it('a change with no event: v_object cleared behind the machine\'s back', () => {
    const { r } = run(
      [
        evil('bad', (w) => {
          w.vp.v_object = null;
        }),
      ],
      { fixture: withObject },
    );
    const v = spec(r)!;
    expect(v).toMatchObject({ machine: 'objectLifecycle', instance: 'vp1', state: 'alive', step: 1 });
    expect(v.message).toMatch(/abstracts to noObject .* the machine is in alive/);
  });

  it('an event emitted a step after the change it reports', () => {
    const { r } = run(
      [
        {
          name: 'late',
          *body(w: World) {
            yield* VM_OBJECT_WLOCK(w.k, w.vp.v_object!);
            w.vp.v_object!.un_pager.vnp.writemappings = 4096;
            yield* VM_OBJECT_WUNLOCK(w.k, w.vp.v_object!);
            w.k.observer.emit({ type: 'WRITEMAPPINGS', obj: 'obj1', writemappings: 4096 });
          },
        },
      ],
      { fixture: withObject },
    );
    expect(spec(r)).toMatchObject({ machine: 'writeMappings', instance: 'obj1', state: 'noWriteMappings', step: 1 });
  });

  it('v_writecount moved with no write mapping to owe it', () => {
    const { r } = run(
      [
        {
          name: 'opener',
          *body(w: World) {
            yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE | LK_RETRY);
            VOP_ADD_WRITECOUNT(w.k, w.vp, 1);
            yield* VOP_UNLOCK(w.k, w.vp, 0);
          },
        },
      ],
      { fixture: withObject },
    );
    const v = spec(r)!;
    expect(v).toMatchObject({ machine: 'writeMappings', instance: 'vp1' });
    expect(v.message).toMatch(/v_writecount is 1, but 0 of its objects have write mappings/);
  });

  it('valid bits set on a page nobody holds busy', () => {
    const { r } = run(
      [
        evil('bad', (w) => {
          vm_page_lookup(w.vp.v_object!, 0)!.valid = 0xff;
        }),
      ],
      { fixture: (w) => void residentPage(w, attachObject(w, w.vp), 0, {}) },
    );
    expect(spec(r)).toMatchObject({ machine: 'pageValidity', instance: 'obj1.p0', state: 'resident.(contents.invalid, busy.unbusied)', event: 'PAGE_BITS obj1 pindex=0 valid=0xff dirty=0x0 xbusy=false sbusy=0' });
  });

  it('a page made resident without PAGE_INSERT', () => {
    const { r } = run(
      [
        evil('bad', (w) => {
          const o = w.vp.v_object!;
          const m = vm_page_lookup(o, 0)!;
          o.memq.push(Object.assign(Object.create(Object.getPrototypeOf(m) as object) as typeof m, m, { pindex: 5 }));
        }),
      ],
      { fixture: (w) => void residentPage(w, attachObject(w, w.vp), 0, {}) },
    );
    expect(spec(r)).toMatchObject({ machine: 'pageValidity', instance: 'obj1.p5' });
  });

  it('an asynchronous request completed twice, and one never completed', () => {
    const twice = run(
      [
        evil('bad', (w) => {
          w.k.observer.emit({ type: 'ASYNC_ISSUE', req: 7, obj: 'obj1' });
          w.k.observer.emit({ type: 'ASYNC_DONE', req: 7, error: 0 });
          w.k.observer.emit({ type: 'ASYNC_DONE', req: 7, error: 0 });
        }),
      ],
      { fixture: withObject },
    );
    expect(spec(twice.r)).toMatchObject({ machine: 'asyncGetpages', instance: 'req7', state: 'completed.ok', event: 'ASYNC_DONE req=7 error=0' });
    const never = run([evil('bad', (w) => w.k.observer.emit({ type: 'ASYNC_ISSUE', req: 3, obj: 'obj1' }))], { fixture: withObject });
    expect(never.r.result.status).toBe('ok');
    expect(never.conf.finalCheck(never.r.steps.length)).toMatchObject({ kind: 'spec', machine: 'asyncGetpages', instance: 'req3', state: 'issued' });
    const ok = run([asyncFaulter(2)], { fixture: withObject });
    expect(ok.r.result.status).toBe('ok');
    expect(ok.conf.finalCheck(ok.r.steps.length)).toBeNull();
    expect(ok.conf.states().get('asyncGetpages/req1')).toBe('completed.ok');
  });

  it('an event about an object no OBJ_ALLOCATE introduced', () => {
    const { r } = run([evil('bad', (w) => w.k.observer.emit({ type: 'OBJ_REFS', obj: 'obj9', refs: 1 }))], { fixture: withObject });
    expect(spec(r)).toMatchObject({ machine: 'objectLifecycle', instance: 'obj9', event: 'OBJ_REFS obj9 refs=1' });
  });
});

describe('the monitor itself', () => {
  it('looks transitions up once computed', () => {
    let stats = { hits: 0, misses: 0 };
    for (let i = 0; i < 3; i++) {
      const { conf: c } = run([creator(), mapper(), reclaimer()]);
      stats = { hits: c.stats.cacheHits, misses: c.stats.cacheMisses };
    }
    /* The third run computes nothing new: the cache is shared across monitors. */
    expect(stats.misses).toBe(0);
    expect(stats.hits).toBeGreaterThan(5);
  });

  it('renders events and parses the state strings it prints', () => {
    expect(describeEvent({ type: 'PAGE_BITS', obj: 'obj1', pindex: 2, valid: 255, dirty: 15, xbusy: true, sbusy: 0 })).toBe('PAGE_BITS obj1 pindex=2 valid=0xff dirty=0xf xbusy=true sbusy=0');
    for (const s of ['noObject', 'dead.disconnectWait', 'resident.(contents.fullyValid.partiallyDirty, busy.sharedBusy)', 'writeMapped.counted']) expect(stateString(valueOf(s))).toBe(s);
  });
});
