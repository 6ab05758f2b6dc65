/*
 * Sequential tests of vm_object.ts: allocation, pip, deallocation (vnode and
 * dead objects), termination, destroy's checks, page removal and page
 * cleaning through a recording pager. Expected values are worked out from
 * the 2017 C (see each test's comment).
 */
import { describe, expect, it } from 'vitest';
import type { KThread } from '../../checker/op.ts';
import type { Kernel } from './kernel.ts';
import {
  OBJT_DEFAULT,
  OBJT_VNODE,
  OBJT_DEAD,
  OBJ_DEAD,
  OBJ_PIPWNT,
  OBJ_ONEMAPPING,
  OBJPC_SYNC,
  OBJPC_INVAL,
  OBJPR_CLEANONLY,
  VM_OBJECT_WLOCK,
  VM_OBJECT_WUNLOCK,
  vm_object_allocate,
  vm_object_deallocate,
  vm_object_terminate,
  vm_object_destroy,
  vm_object_page_remove,
  vm_object_page_clean,
  vm_object_pip_add,
  vm_object_pip_wait,
  vm_object_pip_wakeup,
  vm_object_reference,
  vm_object_color,
  vm_object_clear_flag,
  vm_pageout_flush,
  OFF_TO_IDX,
  IDX_TO_OFF,
  round_page,
  trunc_page,
  OBJ_COLORED,
  type vm_object,
} from './vm_object.ts';
import { registerPager, deadpagerops, VM_PAGER_OK, VM_PAGER_BAD, VM_PAGER_ERROR, VM_PAGER_AGAIN, VM_PAGER_PUT_SYNC, VM_PAGER_PUT_INVAL, VM_PAGER_CLUSTER_OK, type pagerops } from './vm_pager.ts';
import { vm_page_alloc, vm_page_xunbusy, vm_page_sbusy, vm_page_sunbusy, pmap_enter, type vm_page } from './vm_page.ts';
import { VV_TEXT, type vnode } from './vnode.ts';
import { newMount, newVnode, residentPage, runThreads, script, atLabel, eventsOf } from './testkit_objects.ts';

/* ---- a recording pager for OBJT_DEFAULT objects ---- */

interface PutCall {
  pages: number[];
  count: number;
  flags: number;
}
const puts: PutCall[] = [];
/** rtval per call, per page index; absent: VM_PAGER_OK. OK pages are cleaned, as a write through vfs_busy_pages would. */
let putPlan: ((call: number, i: number) => number) | null = null;
let deallocs: string[] = [];

const recordingpagerops: pagerops = {
  *pgo_alloc() {
    return null;
  },
  *pgo_dealloc(_k, object) {
    deallocs.push(object.name);
    object.type = OBJT_DEAD;
  },
  *pgo_getpages() {
    return VM_PAGER_OK;
  },
  *pgo_getpages_async() {
    return VM_PAGER_OK;
  },
  *pgo_putpages(k, object, m, count, flags, rtvals) {
    const call = puts.length;
    puts.push({ pages: m.slice(0, count).map((p) => p.pindex), count, flags });
    /* The real pager drops the object lock around the write. */
    yield* VM_OBJECT_WUNLOCK(k, object);
    yield* VM_OBJECT_WLOCK(k, object);
    for (let i = 0; i < count; i++) {
      rtvals[i] = putPlan ? putPlan(call, i) : VM_PAGER_OK;
      if (rtvals[i] === VM_PAGER_OK) m[i]!.dirty = 0;
    }
  },
  *pgo_haspage() {
    return false;
  },
};
registerPager(OBJT_DEFAULT, recordingpagerops);

function reset(): void {
  puts.length = 0;
  putPlan = null;
  deallocs = [];
}

/** An OBJT_DEFAULT object with resident unbusied pages: [pindex, valid, dirty]. */
function* objectWithPages(k: Kernel, size: number, pages: [number, number, number][]): KThread<{ obj: vm_object; m: Map<number, vm_page> }> {
  const obj = yield* vm_object_allocate(k, OBJT_DEFAULT, size);
  const m = new Map<number, vm_page>();
  yield* VM_OBJECT_WLOCK(k, obj);
  for (const [pi, valid, dirty] of pages) m.set(pi, yield* residentPage(k, obj, pi, valid, dirty));
  yield* VM_OBJECT_WUNLOCK(k, obj);
  return { obj, m };
}

describe('vm_param conversions', () => {
  it('convert offsets past 2^31 exactly', () => {
    expect(OFF_TO_IDX(IDX_TO_OFF(0x7fffffff))).toBe(0x7fffffff);
    expect(round_page(1)).toBe(4096);
    expect(round_page(8192)).toBe(8192);
    expect(trunc_page(8191)).toBe(4096);
  });
});

describe('vm_object_allocate', () => {
  it('is one alloc step per object; names follow allocation order; ref_count 1, flags 0 for a vnode object', () => {
    const run = runThreads((k, spawn) => {
      const w: { a?: vm_object; b?: vm_object } = {};
      spawn('T', function* () {
        w.a = yield* vm_object_allocate(k, OBJT_VNODE, 3);
        w.b = yield* vm_object_allocate(k, OBJT_DEFAULT, 1);
      });
      return w;
    });
    expect(run.r.result.status).toBe('ok');
    expect(run.w.a).toMatchObject({ name: 'obj1', type: OBJT_VNODE, size: 3, ref_count: 1, flags: 0, paging_in_progress: 0 });
    expect(run.w.b).toMatchObject({ name: 'obj2', flags: OBJ_ONEMAPPING });
    expect(run.r.steps.filter((s) => s.kind === 'alloc').map((s) => s.label)).toEqual(['vm_object_allocate(OBJT_VNODE, 3)', 'vm_object_allocate(OBJT_DEFAULT, 1)']);
    expect(run.k.objects.map((o) => o.name)).toEqual(['obj1', 'obj2']);
  });

  it('panics for OBJT_DEAD', () => {
    const run = runThreads((k, spawn) => {
      spawn('T', function* () {
        yield* vm_object_allocate(k, OBJT_DEAD, 1);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { kind: 'assertion', assertion: 'panic', message: "_vm_object_allocate: can't create OBJT_DEAD" } });
  });
});

describe('paging in progress', () => {
  it('pip_wait sleeps "objtrm" with OBJ_PIPWNT until the last pip_wakeup, which clears the flag and wakes it', () => {
    const run = runThreads(
      (k, spawn) => {
        const w: { obj?: vm_object; flagsWhileAsleep?: number } = {};
        spawn('pager', function* () {
          const obj = (w.obj = yield* vm_object_allocate(k, OBJT_DEFAULT, 1));
          yield* VM_OBJECT_WLOCK(k, obj);
          vm_object_pip_add(k, obj, 2);
          yield* VM_OBJECT_WUNLOCK(k, obj);
          yield* VM_OBJECT_WLOCK(k, obj);
          w.flagsWhileAsleep = obj.flags;
          yield* vm_object_pip_wakeup(k, obj); /* 2 -> 1: no wakeup */
          yield* vm_object_pip_wakeup(k, obj); /* 1 -> 0: wakeup(obj1) */
          yield* VM_OBJECT_WUNLOCK(k, obj);
        });
        spawn('waiter', function* () {
          const obj = w.obj!;
          yield* VM_OBJECT_WLOCK(k, obj);
          yield* vm_object_pip_wait(k, obj, 'objtrm');
          yield* VM_OBJECT_WUNLOCK(k, obj);
        });
        return w;
      },
      { sched: script([{ t: 'pager', until: atLabel('VM_OBJECT_WUNLOCK(obj1)') }, { t: 'waiter', until: atLabel('sleep "objtrm"') }]) },
    );
    expect(run.r.result.status).toBe('ok');
    expect(run.w.flagsWhileAsleep! & OBJ_PIPWNT).toBe(OBJ_PIPWNT);
    expect(run.w.obj!.flags & OBJ_PIPWNT).toBe(0);
    expect(run.w.obj!.paging_in_progress).toBe(0);
    expect(run.trace.filter((t) => t.includes('wakeup(') || t.includes('objtrm'))).toEqual([
      'waiter:sleep "objtrm" on obj1',
      'pager:wakeup(obj1)',
      'waiter:wake from "objtrm" on obj1',
      'waiter:relock obj1 after "objtrm"',
    ]);
  });

  it('pip_add without the object lock is a lock violation', () => {
    const run = runThreads((k, spawn) => {
      spawn('T', function* () {
        const obj = yield* vm_object_allocate(k, OBJT_DEFAULT, 1);
        vm_object_pip_add(k, obj, 1);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'lock', fn: 'vm_object_pip_add', message: 'Lock vm object obj1 not exclusively locked' } });
  });
});

describe('flags', () => {
  it('vm_object_color sets OBJ_COLORED and the colour once; clear_flag asserts the lock', () => {
    const run = runThreads((k, spawn) => {
      const w: { obj?: vm_object } = {};
      spawn('T', function* () {
        const obj = (w.obj = yield* vm_object_allocate(k, OBJT_VNODE, 1));
        vm_object_color(k, obj, 3);
        vm_object_color(k, obj, 0);
        vm_object_clear_flag(k, obj, OBJ_COLORED);
      });
      return w;
    });
    expect(run.w.obj!.pg_color).toBe(3);
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { fn: 'vm_object_clear_flag' } });
  });
});

/** A vnode object made by hand as vnode_pager_alloc would: refs object references, each with a vnode use and hold. */
function* vnodeObject(k: Kernel, refs: number, text = false) {
  const vp = newVnode(k, newMount(k), 8192);
  if (text) vp.v_vflag |= VV_TEXT;
  const obj = yield* vm_object_allocate(k, OBJT_VNODE, 2);
  obj.handle = vp;
  obj.un_pager.vnp.vnp_size = 8192;
  obj.ref_count = refs;
  vp.v_object = obj;
  vp.v_usecount += refs;
  vp.v_holdcnt += refs;
  return { vp, obj };
}

describe('vm_object_deallocate of a vnode object (vm_object_vndeallocate)', () => {
  it('drops ref_count and vrele\'s the vnode; at 0 the object stays attached, cached, not terminated', () => {
    const run = runThreads((k, spawn) => {
      const w: { vp?: vnode; obj?: vm_object } = {};
      spawn('T', function* () {
        const { vp, obj } = yield* vnodeObject(k, 2);
        w.vp = vp;
        w.obj = obj;
        yield* vm_object_deallocate(k, obj);
        yield* vm_object_deallocate(k, obj);
      });
      return w;
    });
    expect(run.r.result.status).toBe('ok');
    const { vp, obj } = run.w as { vp: vnode; obj: vm_object };
    expect(obj.ref_count).toBe(0);
    expect(obj.type).toBe(OBJT_VNODE);
    expect(obj.flags & OBJ_DEAD).toBe(0);
    expect(obj.destroyed).toBe(false);
    expect(vp.v_object).toBe(obj);
    expect(vp.v_usecount).toBe(1);
    expect(vp.v_holdcnt).toBe(1);
    expect(eventsOf(run.events, 'OBJ_REFS')).toEqual([
      { type: 'OBJ_REFS', obj: 'obj1', refs: 1 },
      { type: 'OBJ_REFS', obj: 'obj1', refs: 0 },
    ]);
    /* no vnode lock is taken: neither vrele is the last use reference */
    expect(run.trace.some((t) => t.includes('vn_lock'))).toBe(false);
  });

  it('the last reference of a VV_TEXT vnode locks the vnode, clears VV_TEXT and vput\'s', () => {
    const run = runThreads((k, spawn) => {
      const w: { vp?: vnode; obj?: vm_object } = {};
      spawn('T', function* () {
        const { vp, obj } = yield* vnodeObject(k, 1, true);
        w.vp = vp;
        w.obj = obj;
        yield* vm_object_deallocate(k, obj);
      });
      return w;
    });
    expect(run.r.result.status).toBe('ok');
    expect(run.w.vp!.v_vflag & VV_TEXT).toBe(0);
    expect(run.w.obj!.ref_count).toBe(0);
    expect(run.w.vp!.v_usecount).toBe(1);
    expect(run.w.vp!.v_holdcnt).toBe(1);
    expect(run.w.vp!.v_lock.xowner).toBe(null);
    expect(run.trace.filter((t) => /vhold|vn_lock|vdrop|VOP_UNLOCK|vput/.test(t))).toEqual([
      'T:vhold(vp1)',
      'T:vn_lock(vp1, LK_EXCLUSIVE|LK_RETRY)',
      'T:vdrop(vp1)',
      'T:vput(vp1)',
      'T:VOP_UNLOCK(vp1)',
      'T:vdrop(vp1)',
    ]);
  });

  it('with more references on a VV_TEXT vnode, goes the plain way and keeps VV_TEXT', () => {
    const run = runThreads((k, spawn) => {
      const w: { vp?: vnode; obj?: vm_object } = {};
      spawn('T', function* () {
        const { vp, obj } = yield* vnodeObject(k, 2, true);
        w.vp = vp;
        w.obj = obj;
        yield* vm_object_deallocate(k, obj);
      });
      return w;
    });
    expect(run.w.vp!.v_vflag & VV_TEXT).toBe(VV_TEXT);
    expect(run.w.obj!.ref_count).toBe(1);
    expect(run.w.vp!.v_usecount).toBe(2);
  });

  it('panics on a vnode object with no references', () => {
    const run = runThreads((k, spawn) => {
      spawn('T', function* () {
        const { obj } = yield* vnodeObject(k, 0);
        yield* vm_object_deallocate(k, obj);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'panic', message: 'vm_object_vndeallocate: bad object reference count' } });
  });

  it('vm_object_reference of a vnode object adds a reference and a vnode use reference (vref)', () => {
    const run = runThreads((k, spawn) => {
      const w: { vp?: vnode; obj?: vm_object } = {};
      spawn('T', function* () {
        const { vp, obj } = yield* vnodeObject(k, 1);
        w.vp = vp;
        w.obj = obj;
        yield* vm_object_reference(k, obj);
        yield* vm_object_reference(k, null);
      });
      return w;
    });
    expect(run.r.result.status).toBe('ok');
    expect(run.w.obj!.ref_count).toBe(2);
    expect(run.w.vp!.v_usecount).toBe(3);
    expect(run.w.vp!.v_holdcnt).toBe(3);
  });
});

describe('vm_object_deallocate of a dead object', () => {
  it('3 -> 2 and 2 -> 1 only unlock; 1 -> 0 terminates with the dead pager and destroys', () => {
    reset();
    const run = runThreads((k, spawn) => {
      const w: { obj?: vm_object; m?: vm_page } = {};
      spawn('T', function* () {
        const { obj, m } = yield* objectWithPages(k, 2, [[1, 0xff, 0xff]]);
        w.obj = obj;
        w.m = m.get(1)!;
        obj.ref_count = 3;
        obj.type = OBJT_DEAD;
        yield* vm_object_deallocate(k, obj);
        yield* vm_object_deallocate(k, obj);
        yield* vm_object_deallocate(k, obj);
      });
      return w;
    });
    expect(run.r.result.status).toBe('ok');
    expect(eventsOf(run.events, 'OBJ_REFS', 'OBJ_DEAD', 'PAGE_REMOVE', 'OBJ_DESTROY')).toEqual([
      { type: 'OBJ_REFS', obj: 'obj1', refs: 2 },
      { type: 'OBJ_REFS', obj: 'obj1', refs: 1 },
      { type: 'OBJ_REFS', obj: 'obj1', refs: 0 },
      { type: 'OBJ_DEAD', obj: 'obj1' },
      { type: 'PAGE_REMOVE', obj: 'obj1', pindex: 1 },
      { type: 'OBJ_DESTROY', obj: 'obj1' },
    ]);
    /* a dead object is not cleaned: its dirty page is dropped, no putpages */
    expect(puts).toEqual([]);
    expect(run.w.obj!.destroyed).toBe(true);
    expect(run.w.obj!.resident_page_count).toBe(0);
    expect(run.w.m!.free).toBe(true);
    expect(run.w.m!.object).toBe(null);
  });

  it('a default object regains OBJ_ONEMAPPING at one reference', () => {
    const run = runThreads((k, spawn) => {
      const w: { obj?: vm_object } = {};
      spawn('T', function* () {
        const obj = (w.obj = yield* vm_object_allocate(k, OBJT_DEFAULT, 1));
        obj.flags = 0;
        obj.ref_count = 2;
        yield* vm_object_deallocate(k, obj);
        yield* vm_object_deallocate(k, null);
      });
      return w;
    });
    expect(run.w.obj!.flags).toBe(OBJ_ONEMAPPING);
    expect(run.w.obj!.ref_count).toBe(1);
  });

  it('an object already OBJ_DEAD at 0 references is only unlocked (no double terminate)', () => {
    const run = runThreads((k, spawn) => {
      const w: { obj?: vm_object } = {};
      spawn('T', function* () {
        const obj = (w.obj = yield* vm_object_allocate(k, OBJT_DEFAULT, 1));
        obj.flags |= OBJ_DEAD;
        yield* vm_object_deallocate(k, obj);
      });
      return w;
    });
    expect(run.r.result.status).toBe('ok');
    expect(run.w.obj!.destroyed).toBe(false);
    expect(run.w.obj!.lock.wowner).toBe(null);
  });

  it('deallocating a dead object with no references is a KASSERT', () => {
    const run = runThreads((k, spawn) => {
      spawn('T', function* () {
        const obj = yield* vm_object_allocate(k, OBJT_DEFAULT, 1);
        obj.type = OBJT_DEAD;
        obj.ref_count = 0;
        yield* vm_object_deallocate(k, obj);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'KASSERT', fn: 'vm_object_deallocate', message: 'vm_object_deallocate: object deallocated too many times: 5' } });
  });
});

describe('vm_object_terminate', () => {
  it('with references left is a KASSERT after OBJ_DEAD and the pip wait', () => {
    const run = runThreads((k, spawn) => {
      spawn('T', function* () {
        const obj = yield* vm_object_allocate(k, OBJT_DEFAULT, 1);
        yield* VM_OBJECT_WLOCK(k, obj);
        yield* vm_object_terminate(k, obj);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'KASSERT', message: 'vm_object_terminate: object with references, ref_count=1' } });
    expect(eventsOf(run.events, 'OBJ_DEAD')).toEqual([{ type: 'OBJ_DEAD', obj: 'obj1' }]);
  });

  it('frees unwired pages, only detaches wired ones, calls the pager dealloc, then destroys', () => {
    reset();
    const run = runThreads((k, spawn) => {
      const w: { obj?: vm_object; m?: Map<number, vm_page> } = {};
      spawn('T', function* () {
        const { obj, m } = yield* objectWithPages(k, 3, [
          [0, 0xff, 0],
          [2, 0xff, 0],
        ]);
        w.obj = obj;
        w.m = m;
        m.get(2)!.wire_count = 1;
        obj.ref_count = 0;
        yield* VM_OBJECT_WLOCK(k, obj);
        yield* vm_object_terminate(k, obj);
      });
      return w;
    });
    expect(run.r.result.status).toBe('ok');
    expect(deallocs).toEqual(['obj1']);
    const m = run.w.m!;
    expect(m.get(0)!.free).toBe(true);
    expect(m.get(2)!.free).toBe(false);
    expect(m.get(2)!.object).toBe(null);
    expect(run.w.obj!.memq).toEqual([]);
    expect(run.w.obj!.lock.wowner).toBe(null);
    expect(eventsOf(run.events, 'OBJ_DEAD', 'PAGE_REMOVE', 'OBJ_DESTROY').map((e) => e.type)).toEqual(['OBJ_DEAD', 'PAGE_REMOVE', 'PAGE_REMOVE', 'OBJ_DESTROY']);
  });

  it('a busy page at the free loop is a KASSERT', () => {
    const run = runThreads((k, spawn) => {
      spawn('T', function* () {
        const obj = yield* vm_object_allocate(k, OBJT_DEFAULT, 1);
        obj.ref_count = 0;
        yield* VM_OBJECT_WLOCK(k, obj);
        yield* vm_page_alloc(k, obj, 0, 0); /* left xbusy */
        yield* vm_object_terminate(k, obj);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { message: 'vm_page_assert_unbusied: page obj1.p0 busy' } });
  });
});

describe('vm_object_destroy (the zone destructor checks)', () => {
  const cases: [string, (o: vm_object) => void, string][] = [
    ['references', (o) => ((o.type = OBJT_DEAD), (o.ref_count = 1)), 'object obj1 ref_count = 1'],
    ['pip', (o) => ((o.type = OBJT_DEAD), (o.ref_count = 0), (o.paging_in_progress = 1)), 'object obj1 paging_in_progress = 1'],
    ['a live type', (o) => (o.ref_count = 0), 'object obj1 has non-dead type 0'],
  ];
  for (const [what, mutate, msg] of cases)
    it(`rejects an object with ${what}`, () => {
      const run = runThreads((k, spawn) => {
        spawn('T', function* () {
          const obj = yield* vm_object_allocate(k, OBJT_DEFAULT, 1);
          mutate(obj);
          vm_object_destroy(k, obj);
        });
      });
      expect(run.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'KASSERT', fn: 'vm_object_zdtor', message: msg } });
    });

  it('rejects an object with resident pages, and a second free', () => {
    const run = runThreads((k, spawn) => {
      spawn('T', function* () {
        const { obj } = yield* objectWithPages(k, 1, [[0, 0xff, 0]]);
        obj.type = OBJT_DEAD;
        obj.ref_count = 0;
        vm_object_destroy(k, obj);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { message: 'object obj1 has resident pages in its memq' } });
    const run2 = runThreads((k, spawn) => {
      spawn('T', function* () {
        const obj = yield* vm_object_allocate(k, OBJT_DEFAULT, 1);
        obj.type = OBJT_DEAD;
        obj.ref_count = 0;
        vm_object_destroy(k, obj);
        vm_object_destroy(k, obj);
      });
    });
    expect(run2.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'panic', message: 'Duplicate free of obj1 from zone VM OBJECT' } });
  });
});

describe('vm_object_page_remove', () => {
  function removeRun(pages: [number, number, number][], start: number, end: number, opts: number, prep?: (m: Map<number, vm_page>) => void) {
    return runThreads((k, spawn) => {
      const w: { obj?: vm_object; m?: Map<number, vm_page> } = {};
      spawn('T', function* () {
        const { obj, m } = yield* objectWithPages(k, 8, pages);
        w.obj = obj;
        w.m = m;
        prep?.(m);
        yield* VM_OBJECT_WLOCK(k, obj);
        yield* vm_object_page_remove(k, obj, start, end, opts);
        yield* VM_OBJECT_WUNLOCK(k, obj);
      });
      return w;
    });
  }
  const resident = (o: vm_object) => o.memq.map((p) => p.pindex);

  it('frees the pages of [start, end) and leaves the others; pip back to 0', () => {
    const run = removeRun([[0, 0xff, 0], [1, 0xff, 0xff], [2, 0x0f, 0], [3, 0xff, 0]], 1, 3, 0);
    expect(run.r.result.status).toBe('ok');
    expect(resident(run.w.obj!)).toEqual([0, 3]);
    expect(eventsOf(run.events, 'PAGE_REMOVE')).toEqual([
      { type: 'PAGE_REMOVE', obj: 'obj1', pindex: 1 },
      { type: 'PAGE_REMOVE', obj: 'obj1', pindex: 2 },
    ]);
    expect(run.w.obj!.paging_in_progress).toBe(0);
  });

  it('end 0 means to the end of the object', () => {
    const run = removeRun([[0, 0xff, 0], [5, 0xff, 0], [7, 0xff, 0]], 1, 0, 0);
    expect(resident(run.w.obj!)).toEqual([0]);
  });

  it('OBJPR_CLEANONLY keeps dirty pages and write-protects them; invalid pages go', () => {
    const run = removeRun([[0, 0xff, 0xff], [1, 0xff, 0], [2, 0, 0]], 0, 0, OBJPR_CLEANONLY, (m) => pmap_enter(null as never, m.get(0)!, true));
    expect(resident(run.w.obj!)).toEqual([0]);
    expect(run.w.m!.get(0)!.aflags).toBe(0);
  });

  it('a wired page is kept: invalidated without OBJPR_CLEANONLY, untouched with it', () => {
    const plain = removeRun([[0, 0xff, 0xff]], 0, 0, 0, (m) => (m.get(0)!.wire_count = 1));
    expect(resident(plain.w.obj!)).toEqual([0]);
    expect(plain.w.m!.get(0)!).toMatchObject({ valid: 0, dirty: 0 });
    const clean = removeRun([[0, 0xff, 0xff]], 0, 0, OBJPR_CLEANONLY, (m) => (m.get(0)!.wire_count = 1));
    expect(clean.w.m!.get(0)!).toMatchObject({ valid: 0xff, dirty: 0xff });
  });

  it('an object without pages returns at once', () => {
    const run = removeRun([], 0, 0, 0);
    expect(run.r.result.status).toBe('ok');
    expect(run.trace.filter((t) => t.includes('pip'))).toEqual([]);
  });

  for (const [kind, wmesg] of [
    ['exclusive', 'vmopax'],
    ['shared', 'vmopar'],
  ] as const)
    it(`sleeps "${wmesg}" on a ${kind}-busy page, then rescans and frees it`, () => {
      const run = runThreads(
        (k, spawn) => {
          const w: { obj?: vm_object; m?: vm_page } = {};
          spawn('owner', function* () {
            const obj = (w.obj = yield* vm_object_allocate(k, OBJT_DEFAULT, 2));
            yield* VM_OBJECT_WLOCK(k, obj);
            const m = (w.m = (yield* vm_page_alloc(k, obj, 1, 0))!);
            m.valid = 0xff;
            if (kind === 'shared') {
              yield* vm_page_xunbusy(k, m);
              yield* vm_page_sbusy(k, m);
            }
            yield* VM_OBJECT_WUNLOCK(k, obj);
            /* ... I/O on the page ... */
            if (kind === 'shared') yield* vm_page_sunbusy(k, m);
            else yield* vm_page_xunbusy(k, m);
          });
          spawn('remover', function* () {
            yield* VM_OBJECT_WLOCK(k, w.obj!);
            yield* vm_object_page_remove(k, w.obj!, 0, 0, 0, 425);
            yield* VM_OBJECT_WUNLOCK(k, w.obj!);
          });
          return w;
        },
        { sched: script([{ t: 'owner', until: atLabel('VM_OBJECT_WUNLOCK(obj1)') }, { t: 'remover', until: atLabel(`"${wmesg}"`) }]) },
      );
      expect(run.r.result.status).toBe('ok');
      expect(run.w.obj!.memq).toEqual([]);
      expect(run.w.m!.free).toBe(true);
      const sleepStep = run.r.steps.find((s) => s.label.includes(`"${wmesg}"`) && s.kind === 'sleep')!;
      expect(sleepStep.line).toBe(425);
      expect(run.trace.filter((t) => t.startsWith('remover:')).slice(-4)).toEqual([
        `remover:vm_page_busy_sleep(obj1.p1, "${wmesg}")`,
        `remover:wake from "${wmesg}" on obj1.p1`,
        'remover:VM_OBJECT_WLOCK(obj1)',
        'remover:VM_OBJECT_WUNLOCK(obj1)',
      ]);
    });
});

describe('vm_object_page_clean and vm_pageout_flush', () => {
  function cleanRun(pages: [number, number, number][], start: number, end: number, flags: number, prep?: (m: Map<number, vm_page>) => void) {
    return runThreads((k, spawn) => {
      const w: { obj?: vm_object; m?: Map<number, vm_page>; res?: boolean } = {};
      spawn('T', function* () {
        const { obj, m } = yield* objectWithPages(k, 8, pages);
        w.obj = obj;
        w.m = m;
        prep?.(m);
        yield* VM_OBJECT_WLOCK(k, obj);
        w.res = yield* vm_object_page_clean(k, obj, start, end, flags);
        yield* VM_OBJECT_WUNLOCK(k, obj);
      });
      return w;
    });
  }

  it('flushes each run of consecutive dirty pages in one putpages; skips clean and invalid pages', () => {
    reset();
    const run = cleanRun([[0, 0xff, 0xff], [1, 0xff, 0x01], [2, 0xff, 0x80], [3, 0xff, 0], [4, 0, 0], [5, 0xff, 0xff]], 0, 0, OBJPC_SYNC);
    expect(run.r.result.status).toBe('ok');
    expect(run.w.res).toBe(true);
    expect(puts).toEqual([
      { pages: [0, 1, 2], count: 3, flags: VM_PAGER_PUT_SYNC },
      { pages: [5], count: 1, flags: VM_PAGER_PUT_SYNC },
    ]);
    for (const p of run.w.obj!.memq) expect(p.dirty).toBe(0);
    /* sbusied for the I/O and unbusied after; pip back to 0 */
    for (const p of run.w.obj!.memq) expect(p.busy_lock).toBe(1);
    expect(run.w.obj!.paging_in_progress).toBe(0);
  });

  it('a range start clusters backwards: page 2 of [2, 3) brings dirty page 1 (mreq 1) and page 3', () => {
    reset();
    /* tstart = OFF_TO_IDX(8192) = 2, tend = OFF_TO_IDX(12288 + 4095) = 3 */
    const run = cleanRun([[0, 0xff, 0], [1, 0xff, 0xff], [2, 0xff, 0xff], [3, 0xff, 0xff], [4, 0xff, 0]], 8192, 12288, 0);
    expect(puts).toEqual([{ pages: [1, 2, 3], count: 3, flags: VM_PAGER_CLUSTER_OK }]);
    expect(run.w.res).toBe(true);
  });

  it('OBJPC_INVAL asks for a synchronous, invalidating put', () => {
    reset();
    cleanRun([[0, 0xff, 0xff]], 0, 0, OBJPC_INVAL);
    expect(puts[0]!.flags).toBe(VM_PAGER_PUT_SYNC | VM_PAGER_PUT_INVAL);
  });

  it('VM_PAGER_BAD undirties the page (its changes are lost); ERROR reports false and reactivates', () => {
    reset();
    putPlan = (_c, i) => (i === 0 ? VM_PAGER_BAD : VM_PAGER_ERROR);
    const run = cleanRun([[0, 0xff, 0xff], [1, 0xff, 0xff]], 0, 0, OBJPC_SYNC);
    expect(run.w.res).toBe(false);
    expect(run.w.m!.get(0)!.dirty).toBe(0);
    expect(run.w.m!.get(1)!).toMatchObject({ dirty: 0xff, queue: 'active' });
    expect(puts.length).toBe(1);
  });

  it('VM_PAGER_AGAIN ends the run: the scan restarts at the first page not written', () => {
    reset();
    /*
     * call 0: [0,1,2] with page 1 AGAIN (pages 0 and 2 written) -> runlen 1 ->
     * the scan goes on at pindex 0 + 1: page 1 is still dirty, page 2 is
     * clean now, so call 1 is [1].
     */
    putPlan = (c, i) => (c === 0 && i === 1 ? VM_PAGER_AGAIN : VM_PAGER_OK);
    const run = cleanRun([[0, 0xff, 0xff], [1, 0xff, 0xff], [2, 0xff, 0xff]], 0, 0, OBJPC_SYNC);
    expect(puts.map((p) => p.pages)).toEqual([[0, 1, 2], [1]]);
    expect(run.w.res).toBe(true);
  });

  it('a run of 0 (the first page not written) steps over that page instead of looping', () => {
    reset();
    putPlan = (_c, i) => (i === 0 ? VM_PAGER_AGAIN : VM_PAGER_OK);
    const run = cleanRun([[0, 0xff, 0xff], [2, 0xff, 0xff]], 0, 0, OBJPC_SYNC);
    expect(puts.map((p) => p.pages)).toEqual([[0], [2]]);
    expect(run.w.m!.get(0)!.dirty).toBe(0xff);
    expect(run.w.m!.get(2)!.dirty).toBe(0xff);
    expect(run.w.res).toBe(true);
  });

  it('a writable mapping is write-protected first (PGA_WRITEABLE cleared)', () => {
    reset();
    const run = cleanRun([[0, 0xff, 0xff]], 0, 0, OBJPC_SYNC, (m) => pmap_enter(null as never, m.get(0)!, true));
    expect(run.w.m!.get(0)!.aflags).toBe(0);
    expect(puts.length).toBe(1);
  });

  it('an object without pages is clean', () => {
    reset();
    const run = cleanRun([], 0, 0, OBJPC_SYNC);
    expect(run.w.res).toBe(true);
    expect(puts).toEqual([]);
  });

  it('sleeps "vpcwai" on a busy dirty page and flushes it once unbusied', () => {
    reset();
    const run = runThreads(
      (k, spawn) => {
        const w: { obj?: vm_object; res?: boolean } = {};
        spawn('owner', function* () {
          const obj = (w.obj = yield* vm_object_allocate(k, OBJT_DEFAULT, 2));
          yield* VM_OBJECT_WLOCK(k, obj);
          const m = (yield* vm_page_alloc(k, obj, 0, 0))!;
          m.valid = 0xff;
          m.dirty = 0xff;
          yield* VM_OBJECT_WUNLOCK(k, obj);
          yield* vm_page_xunbusy(k, m);
        });
        spawn('cleaner', function* () {
          yield* VM_OBJECT_WLOCK(k, w.obj!);
          w.res = yield* vm_object_page_clean(k, w.obj!, 0, 0, OBJPC_SYNC);
          yield* VM_OBJECT_WUNLOCK(k, w.obj!);
        });
        return w;
      },
      { sched: script([{ t: 'owner', until: atLabel('VM_OBJECT_WUNLOCK(obj1)') }, { t: 'cleaner', until: atLabel('"vpcwai"') }]) },
    );
    expect(run.r.result.status).toBe('ok');
    expect(run.trace).toContain('cleaner:vm_page_busy_sleep(obj1.p0, "vpcwai")');
    expect(puts.map((p) => p.pages)).toEqual([[0]]);
    expect(run.w.res).toBe(true);
  });

  it('vm_pageout_flush asserts fully valid pages', () => {
    const run = runThreads((k, spawn) => {
      spawn('T', function* () {
        const { obj, m } = yield* objectWithPages(k, 1, [[0, 0x0f, 0x0f]]);
        yield* VM_OBJECT_WLOCK(k, obj);
        yield* vm_pageout_flush(k, [m.get(0)!], 1, 0, 0);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { message: 'vm_pageout_flush: partially invalid page obj1.p0 index 0/1' } });
  });
});

describe('the dead pager', () => {
  it('puts back AGAIN for every page, has no page, fails getpages, allocates nothing', () => {
    const rtvals = [0, 0, 0];
    const before = { v: 7 };
    const after = { v: 7 };
    const k = null as unknown as Kernel;
    const drain = <R>(g: KThread<R>): R => {
      const r = g.next();
      if (!r.done) throw new Error('the dead pager yielded');
      return r.value;
    };
    drain(deadpagerops.pgo_putpages(k, null as never, [], 3, 0, rtvals));
    expect(rtvals).toEqual([VM_PAGER_AGAIN, VM_PAGER_AGAIN, VM_PAGER_AGAIN]);
    expect(drain(deadpagerops.pgo_haspage(k, null as never, 0, before, after))).toBe(false);
    expect([before.v, after.v]).toEqual([0, 0]);
    expect(drain(deadpagerops.pgo_haspage(k, null as never, 0, null, null))).toBe(false);
    expect(drain(deadpagerops.pgo_getpages(k, null as never, [], 1, null, null))).toBe(2);
    expect(drain(deadpagerops.pgo_getpages_async(k, null as never, [], 1, null, null, null as never, null))).toBe(2);
    expect(drain(deadpagerops.pgo_alloc(k, null, 0, 0, 0, null))).toBe(null);
    expect(drain(deadpagerops.pgo_dealloc(k, null as never))).toBe(undefined);
  });
});

describe('VM_OBJECT_WLOCK on a NULL object', () => {
  it('is a kernel panic (page fault) reported as a violation, not a crash of the harness', () => {
    const t = runThreads((k, spawn) => {
      spawn('T', function* () {
        yield* VM_OBJECT_WLOCK(k, null as unknown as vm_object, 1098);
      });
    });
    expect(t.r.result).toMatchObject({ status: 'violation', violation: { kind: 'assertion', assertion: 'panic', line: 1098 } });
  });
});
