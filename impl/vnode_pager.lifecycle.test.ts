/*
 * The object-lifecycle half of the port: vnode_create_vobject,
 * vnode_destroy_vobject, vnode_pager_alloc, vnode_pager_dealloc,
 * vnode_pager_setsize, vnode_pager_update_writecount and
 * vnode_pager_release_writecount. One test per branch of the C, with the
 * expected state worked out by hand from the seed lines named in each test;
 * the races (created while sleeping, disconnect waiters, release against
 * reclaim) run two threads under a scripted schedule.
 */
import { describe, expect, it } from 'vitest';
import type { KThread } from '../checker/op.ts';
import type { Scheduler } from '../checker/runtime.ts';
import { EventLog, type KEvent } from './kernel/observe.ts';
import { runWorld, attachObject, residentPage, FIRST_DATA_SECTOR, type World, type WorldOptions } from './kernel/world.ts';
import { disk_read } from './kernel/disk.ts';
import { LK_EXCLUSIVE, LK_SHARED } from './kernel/sync.ts';
import {
  OBJT_VNODE,
  OBJT_DEAD,
  OBJT_DEFAULT,
  OBJ_DEAD,
  OBJ_COLORED,
  OBJ_DISCONNECTWNT,
  INT_MAX,
  IDX_TO_OFF,
  VM_OBJECT_WLOCK,
  VM_OBJECT_WUNLOCK,
  vm_object_deallocate,
  vm_object_pip_add,
  vm_object_pip_wakeup,
  type vm_object,
} from './kernel/vm_object.ts';
import { vm_pager_deallocate, vm_pager_get_pages, VM_PAGER_FAIL } from './kernel/vm_pager.ts';
import { vm_page_alloc } from './kernel/vm_page.ts';
import { vn_lock, VOP_UNLOCK, vgone, VBAD, VCHR, VNON, VI_DOOMED, VV_TEXT } from './kernel/vnode.ts';
import { fillRange } from './kernel/data.ts';
import {
  vnodepagerops,
  vnode_create_vobject,
  vnode_destroy_vobject,
  vnode_pager_alloc,
  vnode_pager_dealloc,
  vnode_pager_setsize,
  vnode_pager_update_writecount,
  vnode_pager_release_writecount,
} from './vnode_pager.ts';
import { script, atLabel, atLine, eventsOf } from './kernel/testkit_objects.ts';

function run(opts: Partial<WorldOptions>, setup: (w: World) => void, threads: Record<string, (w: World) => KThread>, sched?: Scheduler) {
  const log = new EventLog();
  const r = runWorld({ flavor: 'block', f_iosize: 4096, fileSize: 16384, observer: log, ...opts } as WorldOptions, setup, threads, sched);
  const w = r.world!;
  return {
    r,
    w,
    events: log.events,
    trace: r.steps.map((s) => `${r.threadNames[s.tid]}:${s.label}`),
    /** Seed lines of the steps of one thread, in order. */
    lines: (t: string) => r.steps.filter((s) => r.threadNames[s.tid] === t && s.line !== undefined).map((s) => s.line),
  };
}
const objEvents = (ev: readonly KEvent[]) => ev.filter((e) => e.type.startsWith('OBJ_'));

describe('vnodepagerops (seed 97-104)', () => {
  it('names the six pager routines', () => {
    expect(Object.keys(vnodepagerops).sort()).toEqual(['pgo_alloc', 'pgo_dealloc', 'pgo_getpages', 'pgo_getpages_async', 'pgo_haspage', 'pgo_putpages']);
    expect(vnodepagerops.pgo_alloc).toBe(vnode_pager_alloc);
    expect(vnodepagerops.pgo_dealloc).toBe(vnode_pager_dealloc);
  });
});

describe('vnode_create_vobject (seed 110-155)', () => {
  it('creates the object for isize, drops the creation reference and the vnode reference it carried', () => {
    let rv = -1;
    const t = run({ fileSize: 10000 }, () => {}, {
      *T(w) {
        yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
        rv = yield* vnode_create_vobject(w.k, w.vp, 10000);
        yield* VOP_UNLOCK(w.k, w.vp, 0);
      },
    });
    expect(t.r.result.status).toBe('ok');
    expect(rv).toBe(0);
    const obj = t.w.vp.v_object!;
    /* size = OFF_TO_IDX(round_page(10000)) = 3 pages */
    /* (vnodes and objects hold the kernel, whose context may not be read outside a step: compare fields, not whole objects) */
    expect([obj.name, obj.type, obj.size, obj.ref_count, obj.flags]).toEqual(['obj1', OBJT_VNODE, 3, 0, 0]);
    expect(obj.handle).toBe(t.w.vp);
    expect(obj.un_pager.vnp).toEqual({ vnp_size: 10000, writemappings: 0 });
    expect([t.w.vp.v_usecount, t.w.vp.v_holdcnt]).toEqual([1, 1]);
    expect(objEvents(t.events)).toEqual([
      { type: 'OBJ_ALLOCATE', obj: 'obj1', vp: 'vp1', size: 3 },
      { type: 'OBJ_ATTACH', obj: 'obj1', vp: 'vp1' },
      { type: 'OBJ_REFS', obj: 'obj1', refs: 0 },
    ]);
    /* the unlocked reads, the interlock around the attach, vrefact, the dereference, vrele (+ its vdrop) */
    expect(t.lines('T')).toEqual([120, 224, 244, 260, 268, 147, 149, 150, 150]);
    const read = t.r.steps.find((s) => s.line === 120)!;
    expect(read).toMatchObject({ kind: 'access', fp: [{ res: 'vp1.v_object', write: false, atomic: true }] });
    const attach = t.r.steps.find((s) => s.line === 244)!;
    expect(attach.fp).toContainEqual({ res: 'vp1.v_object', write: true });
  });

  it('with isize 0 takes the size from VOP_GETATTR', () => {
    const t = run({ fileSize: 10000 }, () => {}, {
      *T(w) {
        yield* vn_lock(w.k, w.vp, LK_SHARED);
        yield* vnode_create_vobject(w.k, w.vp, 0);
      },
    });
    expect(t.w.vp.v_object!.un_pager.vnp.vnp_size).toBe(10000);
    expect(t.lines('T').slice(0, 2)).toEqual([120, 136]);
  });

  it('with isize 0 on a disk device sizes the object IDX_TO_OFF(INT_MAX)', () => {
    const t = run(
      {},
      (w) => (w.vp.v_type = VCHR),
      {
        *T(w) {
          yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
          yield* vnode_create_vobject(w.k, w.vp, 0);
        },
      },
    );
    expect(t.r.result.status).toBe('ok');
    expect(t.w.vp.v_object!.size).toBe(INT_MAX);
    expect(t.w.vp.v_object!.un_pager.vnp.vnp_size).toBe(IDX_TO_OFF(INT_MAX));
  });

  it('does nothing for a vnode that cannot do VM I/O', () => {
    let rv = -1;
    const t = run({}, (w) => (w.vp.v_type = VNON), {
      *T(w) {
        rv = yield* vnode_create_vobject(w.k, w.vp, 4096);
      },
    });
    expect(rv).toBe(0);
    expect(t.w.vp.v_object).toBe(null);
    expect(t.trace).toEqual(['T:start']);
  });

  it('returns at once when a live object is attached', () => {
    const t = run({}, (w) => attachObject(w, w.vp), {
      *T(w) {
        yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
        yield* vnode_create_vobject(w.k, w.vp, 4096);
      },
    });
    expect(t.lines('T')).toEqual([120, 121, 123]);
    expect(t.w.k.objects.length).toBe(1);
    expect(t.w.vp.v_object!.ref_count).toBe(0);
  });

  /*
   * A dying object (OBJ_DEAD) is attached: the creator unlocks the vnode,
   * asks for the disconnect and sleeps "vodead"; another thread takes the
   * vnode lock and deallocates the pager, which wakes it.
   */
  function vodead(after: 'nothing' | 'vgone', isize: number) {
    let rv = -1;
    return {
      t: run(
        { fileSize: 10000 },
        (w) => {
          const obj = attachObject(w, w.vp);
          obj.flags |= OBJ_DEAD;
        },
        {
          *creator(w) {
            yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
            rv = yield* vnode_create_vobject(w.k, w.vp, isize);
            yield* VOP_UNLOCK(w.k, w.vp, 0);
          },
          *terminator(w) {
            const obj = w.k.objects[0]!;
            yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
            yield* VM_OBJECT_WLOCK(w.k, obj);
            yield* vm_pager_deallocate(w.k, obj);
            yield* VM_OBJECT_WUNLOCK(w.k, obj);
            if (after === 'vgone') yield* vgone(w.k, w.vp);
            yield* VOP_UNLOCK(w.k, w.vp, 0);
          },
        },
      ),
      rv: () => rv,
    };
  }

  it('sleeps "vodead" on a dying object with the vnode unlocked, and creates a new object once it is disconnected', () => {
    const { t, rv } = vodead('nothing', 0);
    expect(t.r.result.status).toBe('ok');
    expect(rv()).toBe(0);
    expect(t.lines('creator').slice(0, 6)).toEqual([120, 121, 126, 128, 128, 129]);
    expect(eventsOf(t.events, 'OBJ_DISCONNECT_WAIT', 'OBJ_DISCONNECT_WAKE', 'OBJ_DEALLOC', 'OBJ_ATTACH')).toEqual([
      { type: 'OBJ_ATTACH', obj: 'obj1', vp: 'vp1' } /* the fixture */,
      { type: 'OBJ_DISCONNECT_WAIT', obj: 'obj1', wmesg: 'vodead' },
      { type: 'OBJ_DISCONNECT_WAKE', obj: 'obj1' },
      { type: 'OBJ_DEALLOC', obj: 'obj1', vp: 'vp1', refs: 0 },
      { type: 'OBJ_ATTACH', obj: 'obj2', vp: 'vp1' },
    ]);
    expect(t.w.vp.v_object!.name).toBe('obj2');
    expect(t.w.k.objects[0]!.flags & OBJ_DISCONNECTWNT).toBe(0);
  });

  it('on a vnode reclaimed while it slept (doomed, relocked with LK_RETRY): VOP_GETATTR fails and no object is made', () => {
    const { t, rv } = vodead('vgone', 0);
    expect(t.r.result.status).toBe('ok');
    expect(rv()).toBe(0);
    expect(t.w.vp.v_type).toBe(VBAD);
    expect(t.w.vp.v_iflag & VI_DOOMED).toBe(VI_DOOMED);
    expect(t.w.vp.v_object).toBe(null);
    expect(t.w.k.objects.length).toBe(1);
    /* after waking: relock (129), read v_object (120), VOP_GETATTR (136), return */
    expect(t.lines('creator').slice(-3)).toEqual([129, 120, 136]);
  });

  it('called without the vnode lock, a reclaim between the attach and 152 trips the KASSERT', () => {
    const t = run(
      {},
      () => {},
      {
        *creator(w) {
          yield* vnode_create_vobject(w.k, w.vp, 16384);
        },
        *reclaimer(w) {
          yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
          yield* vgone(w.k, w.vp);
          yield* VOP_UNLOCK(w.k, w.vp, 0);
        },
      },
      script([
        { t: 'creator', until: atLine(149) },
        { t: 'reclaimer', until: atLabel('VOP_UNLOCK(vp1)') },
      ]),
    );
    expect(t.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'KASSERT', fn: 'vnode_create_vobject', line: 152, message: 'vnode_create_vobject: NULL object' } });
    expect(t.w.k.objects[0]!.destroyed).toBe(true);
  });

  it('on a reclaimed vnode with isize given, the seed attaches a fresh object to the VBAD vnode', () => {
    const { t } = vodead('vgone', 10000);
    expect(t.r.result.status).toBe('ok');
    expect(t.w.vp.v_type).toBe(VBAD);
    expect(t.w.vp.v_object!.name).toBe('obj2');
    expect(t.w.vp.v_object!.handle).toBe(t.w.vp);
  });
});

describe('vnode_destroy_vobject (seed 157-195)', () => {
  it('without an object returns after the unlocked read', () => {
    const t = run({}, () => {}, {
      *T(w) {
        yield* vnode_destroy_vobject(w.k, w.vp);
      },
    });
    expect(t.trace).toEqual(['T:start', 'T:read vp1->v_object']);
    expect(t.lines('T')).toEqual([162]);
  });

  it('terminates an unreferenced object: dirty pages reach the disk, pages freed, pager deallocated, object destroyed', () => {
    const t = run(
      { fileSize: 8192 },
      (w) => {
        const obj = attachObject(w, w.vp);
        const m = residentPage(w, obj, 1, { valid: 0xff, dirty: 0xff });
        for (let i = 0; i < 8; i++) m.data[i] = w.newData(w.vp, 8 + i);
        residentPage(w, obj, 0, { valid: 0xff });
      },
      {
        *T(w) {
          yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
          yield* vnode_destroy_vobject(w.k, w.vp);
          yield* VOP_UNLOCK(w.k, w.vp, 0);
        },
      },
    );
    expect(t.r.result.status).toBe('ok');
    const obj = t.w.k.objects[0]!;
    expect(t.w.vp.v_object).toBe(null);
    expect(obj).toMatchObject({ type: OBJT_DEAD, handle: null, destroyed: true });
    expect(obj.flags & OBJ_DEAD).toBe(OBJ_DEAD);
    expect(eventsOf(t.events, 'OBJ_DEAD', 'OBJ_DEALLOC', 'OBJ_DESTROY')).toEqual([
      { type: 'OBJ_DEAD', obj: 'obj1' },
      { type: 'OBJ_DEALLOC', obj: 'obj1', vp: 'vp1', refs: 0 },
      { type: 'OBJ_DESTROY', obj: 'obj1' },
    ]);
    /* page 1's eight blocks were written (file blocks 8..15 at sectors 72..79) */
    for (let i = 0; i < 8; i++) expect(disk_read(t.w.disk, FIRST_DATA_SECTOR + 8 + i)).toBe(t.w.expected(t.w.vp)[8 + i]);
    expect(disk_read(t.w.disk, FIRST_DATA_SECTOR + 8)).toMatch(/^d72\.1$/);
    /* the pages' vnode hold is gone */
    expect([t.w.vp.v_usecount, t.w.vp.v_holdcnt]).toEqual([1, 1]);
    expect(t.lines('T')).toEqual(expect.arrayContaining([162, 166]));
  });

  it('finds an object already OBJ_DEAD with no references: only detaches it (184)', () => {
    const t = run(
      {},
      (w) => {
        const obj = attachObject(w, w.vp);
        obj.flags |= OBJ_DEAD;
      },
      {
        *T(w) {
          yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
          yield* vnode_destroy_vobject(w.k, w.vp);
        },
      },
    );
    expect(t.r.result.status).toBe('ok');
    expect(t.w.vp.v_object).toBe(null);
    expect(t.w.k.objects[0]!).toMatchObject({ type: OBJT_VNODE, destroyed: false });
    expect(eventsOf(t.events, 'OBJ_DETACH')).toEqual([{ type: 'OBJ_DETACH', obj: 'obj1', vp: 'vp1' }]);
    expect(t.lines('T')).toEqual([162, 166, 185]);
  });

  it('a disconnect waiter on such an object is a KASSERT (181)', () => {
    const t = run(
      {},
      (w) => {
        const obj = attachObject(w, w.vp);
        obj.flags |= OBJ_DEAD | OBJ_DISCONNECTWNT;
      },
      {
        *T(w) {
          yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
          yield* vnode_destroy_vobject(w.k, w.vp);
        },
      },
    );
    expect(t.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'KASSERT', fn: 'vnode_destroy_vobject', line: 181, message: 'OBJ_DISCONNECTWNT set obj obj1 flags 4008' } });
  });

  it('woe: with references left, the object is cut off dead; paging it fails; the last deallocate terminates it', () => {
    let gp = -1;
    const t = run(
      {},
      (w) => {
        const obj = attachObject(w, w.vp);
        obj.ref_count = 2;
        w.vp.v_usecount += 2;
        w.vp.v_holdcnt += 2;
        residentPage(w, obj, 0, { valid: 0xff });
      },
      {
        *reclaimer(w) {
          yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
          yield* vnode_destroy_vobject(w.k, w.vp);
          yield* VOP_UNLOCK(w.k, w.vp, 0);
          /* "woe to the process that tries to page now" */
          const obj = w.k.objects[0]!;
          yield* VM_OBJECT_WLOCK(w.k, obj);
          const m = (yield* vm_page_alloc(w.k, obj, 1, 0))!;
          gp = yield* vm_pager_get_pages(w.k, obj, [m], 1, null, null);
          m.busy_lock = 1;
          yield* VM_OBJECT_WUNLOCK(w.k, obj);
          yield* vm_object_deallocate(w.k, obj);
          yield* vm_object_deallocate(w.k, obj);
        },
      },
    );
    expect(t.r.result.status).toBe('ok');
    /* read, lock, (dealloc: unlock, two vunref's each with its vdrop, relock), unlock */
    expect(t.lines('reclaimer')).toEqual([162, 166, 304, 306, 306, 306, 306, 307, 192]);
    expect(gp).toBe(VM_PAGER_FAIL);
    expect(t.w.vp.v_object).toBe(null);
    /* the two object references' vnode references went with vunref in the dealloc, not with the deallocates */
    expect(t.w.vp.v_usecount).toBe(1);
    /*
     * The hold the first resident page took (vm_page_insert) is never given
     * back: the object was OBJT_DEAD when its pages went, and both
     * vm_page_remove and vm_object_terminate vdrop only for OBJT_VNODE.
     */
    expect(t.w.vp.v_holdcnt).toBe(2);
    expect(eventsOf(t.events, 'OBJ_DEALLOC', 'OBJ_REFS', 'OBJ_DEAD', 'OBJ_DESTROY')).toEqual([
      { type: 'OBJ_REFS', obj: 'obj1', refs: 0 } /* the fixture, before its refs are set by hand */,
      { type: 'OBJ_DEALLOC', obj: 'obj1', vp: 'vp1', refs: 2 },
      { type: 'OBJ_REFS', obj: 'obj1', refs: 1 },
      { type: 'OBJ_REFS', obj: 'obj1', refs: 0 },
      { type: 'OBJ_DEAD', obj: 'obj1' },
      { type: 'OBJ_DESTROY', obj: 'obj1' },
    ]);
  });

  it('an allocation that does not hold the vnode lock can attach a new object before 194: the KASSERT fires', () => {
    const t = run(
      {},
      (w) => {
        const obj = attachObject(w, w.vp);
        obj.ref_count = 1;
        w.vp.v_usecount++;
        w.vp.v_holdcnt++;
      },
      {
        *reclaimer(w) {
          yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
          yield* vnode_destroy_vobject(w.k, w.vp);
        },
        *mapper(w) {
          yield* vnode_pager_alloc(w.k, w.vp, 16384, 0, 0, null);
        },
      },
      script([
        { t: 'reclaimer', until: atLine(304) },
        { t: 'mapper', until: atLine(268) },
      ]),
    );
    expect(t.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'KASSERT', fn: 'vnode_destroy_vobject', line: 194, message: 'vp vp1 obj obj2' } });
  });

  it('a dirty page whose write fails is still freed by the terminate: the data is lost, the page hold dropped', () => {
    const t = run(
      { fileSize: 8192, faults: { writeErrorSectors: [72] } },
      (w) => {
        const obj = attachObject(w, w.vp);
        const m = residentPage(w, obj, 1, { valid: 0xff, dirty: 0xff });
        for (let i = 0; i < 8; i++) m.data[i] = w.newData(w.vp, 8 + i);
      },
      {
        *T(w) {
          yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
          yield* vnode_destroy_vobject(w.k, w.vp);
          yield* VOP_UNLOCK(w.k, w.vp, 0);
        },
      },
    );
    expect(t.r.result.status).toBe('ok');
    expect(t.w.k.objects[0]!.destroyed).toBe(true);
    /* generic_putpages reports VM_PAGER_OK despite the error (seed 1292-1294); the page stays dirty, so vinvalbuf(V_SAVE) keeps it and the free loop drops it */
    expect(disk_read(t.w.disk, 72)).toBe('d72.0');
    expect(t.w.expected(t.w.vp)[8]).toBe('d72.1');
    expect(eventsOf(t.events, 'PAGE_REMOVE')).toEqual([{ type: 'PAGE_REMOVE', obj: 'obj1', pindex: 1 }]);
    expect([t.w.vp.v_usecount, t.w.vp.v_holdcnt]).toEqual([1, 1]);
  });

  it('without the vnode lock held exclusively is a lock violation (165)', () => {
    const t = run({}, (w) => attachObject(w, w.vp), {
      *T(w) {
        yield* vn_lock(w.k, w.vp, LK_SHARED);
        yield* vnode_destroy_vobject(w.k, w.vp);
      },
    });
    expect(t.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'lock', fn: 'vnode_destroy_vobject', line: 165 } });
  });
});

describe('vnode_pager_alloc (seed 204-270)', () => {
  it('returns NULL for a NULL handle', () => {
    let got: vm_object | null | undefined;
    run({}, () => {}, {
      *T(w) {
        got = yield* vnode_pager_alloc(w.k, null, 4096, 0, 0, null);
      },
    });
    expect(got).toBe(null);
  });

  it('references an attached live object: ref_count + 1, colored, a vnode use reference', () => {
    let got: vm_object | null = null;
    const t = run({}, (w) => attachObject(w, w.vp), {
      *T(w) {
        got = yield* vnode_pager_alloc(w.k, w.vp, 16384, 0, 0, null);
      },
    });
    expect(got!.name).toBe('obj1');
    expect(got!.ref_count).toBe(1);
    expect(got!.flags & OBJ_COLORED).toBe(OBJ_COLORED);
    expect([t.w.vp.v_usecount, t.w.vp.v_holdcnt]).toEqual([2, 2]);
    expect(t.lines('T')).toEqual([224, 225, 266, 268]);
  });

  it('without a vnode reference is a KASSERT (232)', () => {
    const t = run({}, (w) => (w.vp.v_usecount = 0), {
      *T(w) {
        yield* vnode_pager_alloc(w.k, w.vp, 4096, 0, 0, null);
      },
    });
    expect(t.r.result).toMatchObject({ status: 'violation', violation: { fn: 'vnode_pager_alloc', line: 232, message: 'vnode_pager_alloc: no vnode reference' } });
  });

  it('retries when an object was attached while it allocated: its own object is discarded and destroyed', () => {
    const got: Record<string, string> = {};
    const t = run(
      {},
      () => {},
      {
        *A(w) {
          got.A = (yield* vnode_pager_alloc(w.k, w.vp, 16384, 0, 0, null))!.name;
        },
        *B(w) {
          got.B = (yield* vnode_pager_alloc(w.k, w.vp, 16384, 0, 0, null))!.name;
        },
      },
      script([
        { t: 'A', until: atLabel('vm_object_allocate') },
        { t: 'B', until: atLabel('vm_object_allocate') },
        { t: 'A', until: atLine(268) },
      ]),
    );
    expect(t.r.result.status).toBe('ok');
    expect(got).toEqual({ A: 'obj1', B: 'obj1' });
    const [obj1, obj2] = t.w.k.objects;
    expect(obj1!.ref_count).toBe(2);
    expect(obj2!).toMatchObject({ type: OBJT_DEAD, ref_count: 0, destroyed: true });
    expect([t.w.vp.v_usecount, t.w.vp.v_holdcnt]).toEqual([3, 3]);
    expect(objEvents(t.events)).toEqual([
      { type: 'OBJ_ALLOCATE', obj: 'obj1', vp: 'vp1', size: 4 },
      { type: 'OBJ_ALLOCATE', obj: 'obj2', vp: 'vp1', size: 4 },
      { type: 'OBJ_ATTACH', obj: 'obj1', vp: 'vp1' },
      { type: 'OBJ_DISCARD', obj: 'obj2', vp: 'vp1' },
      { type: 'OBJ_DESTROY', obj: 'obj2' },
      { type: 'OBJ_REFS', obj: 'obj1', refs: 2 },
    ]);
    /* B: read (224), interlock (244), unlock (249), discard under the object lock (250, 255), retry: read, lock, reference */
    expect(t.lines('B')).toEqual([224, 244, 249, 250, 255, 224, 225, 266, 268]);
  });

  it('sleeps "vadead" on an object being terminated and is woken by the pager dealloc; then makes a new object', () => {
    let got = '';
    const t = run(
      {},
      (w) => attachObject(w, w.vp),
      {
        *reclaimer(w) {
          yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
          yield* vnode_destroy_vobject(w.k, w.vp);
          yield* VOP_UNLOCK(w.k, w.vp, 0);
        },
        *mapper(w) {
          got = (yield* vnode_pager_alloc(w.k, w.vp, 16384, 0, 0, null))!.name;
        },
      },
      script([
        /* vm_object_terminate drops the object lock around vinvalbuf */
        { t: 'reclaimer', until: (s) => s.label === 'VM_OBJECT_WUNLOCK(obj1)' && s.fn === 'vm_object_terminate' },
        { t: 'mapper', until: atLabel('sleep "vadead"') },
      ]),
    );
    expect(t.r.result.status).toBe('ok');
    expect(got).toBe('obj2');
    expect(objEvents(t.events).slice(3)).toEqual([
      { type: 'OBJ_DEAD', obj: 'obj1' },
      { type: 'OBJ_DISCONNECT_WAIT', obj: 'obj1', wmesg: 'vadead' },
      { type: 'OBJ_DISCONNECT_WAKE', obj: 'obj1' },
      { type: 'OBJ_DEALLOC', obj: 'obj1', vp: 'vp1', refs: 0 },
      { type: 'OBJ_DESTROY', obj: 'obj1' },
      { type: 'OBJ_ALLOCATE', obj: 'obj2', vp: 'vp1', size: 4 },
      { type: 'OBJ_ATTACH', obj: 'obj2', vp: 'vp1' },
    ]);
    expect(t.lines('mapper')).toEqual([224, 225, 229, 229, 224, 244, 260, 268]);
    expect(t.r.steps.find((s) => s.kind === 'wakeup' && s.label === 'wakeup(obj1)')!.line).toBe(293);
  });
});

describe('vm_object_deallocate of a text vnode\'s last reference against reclaim', () => {
  it('finds the object turned OBJT_DEAD after taking the vnode lock: unlocks and leaves the dead object unterminated', () => {
    const t = run(
      {},
      (w) => {
        const obj = attachObject(w, w.vp);
        obj.ref_count = 1;
        w.vp.v_usecount++;
        w.vp.v_holdcnt++;
        w.vp.v_vflag |= VV_TEXT;
      },
      {
        *reclaimer(w) {
          yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
          yield* vgone(w.k, w.vp);
          yield* VOP_UNLOCK(w.k, w.vp, 0);
        },
        *unmapper(w) {
          yield* vm_object_deallocate(w.k, w.k.objects[0]!);
        },
      },
      script([
        { t: 'reclaimer', until: atLabel('vn_lock') },
        /* vhold, unlock the object; the vn_lock then waits for the reclaimer */
        { t: 'unmapper', until: atLabel('VM_OBJECT_WUNLOCK(obj1)') },
      ]),
    );
    expect(t.r.result.status).toBe('ok');
    const obj = t.w.k.objects[0]!;
    expect([obj.type, obj.ref_count, obj.destroyed]).toEqual([OBJT_DEAD, 0, false]);
    expect(t.w.vp.v_type).toBe(VBAD);
    expect(t.w.vp.v_lock.xowner).toBe(null);
    expect([t.w.vp.v_usecount, t.w.vp.v_holdcnt]).toEqual([1, 1]);
    expect(t.trace.slice(-4)).toEqual(['unmapper:vdrop(vp1)', 'unmapper:VM_OBJECT_WLOCK(obj1)', 'unmapper:VM_OBJECT_WUNLOCK(obj1)', 'unmapper:VOP_UNLOCK(vp1)']);
  });
});

describe('vnode_pager_dealloc (seed 275-308)', () => {
  it('panics on an object whose pager is already gone (283)', () => {
    const t = run(
      {},
      (w) => {
        const obj = attachObject(w, w.vp);
        obj.handle = null;
      },
      {
        *T(w) {
          const obj = w.k.objects[0]!;
          yield* VM_OBJECT_WLOCK(w.k, obj);
          yield* vnode_pager_dealloc(w.k, obj);
        },
      },
    );
    expect(t.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'panic', line: 283, message: 'vnode_pager_dealloc: pager already dealloced' } });
  });

  it('gives back the write count of write mappings and clears VV_TEXT; returns relocked', () => {
    let relocked = false;
    const t = run(
      {},
      (w) => {
        const obj = attachObject(w, w.vp);
        obj.un_pager.vnp.writemappings = 8192;
        w.vp.v_writecount = 1;
        w.vp.v_vflag |= VV_TEXT;
      },
      {
        *T(w) {
          const obj = w.k.objects[0]!;
          yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
          yield* VM_OBJECT_WLOCK(w.k, obj);
          yield* vnode_pager_dealloc(w.k, obj);
          relocked = obj.lock.wowner === 0;
        },
      },
    );
    expect(t.r.result.status).toBe('ok');
    expect(relocked).toBe(true);
    const obj = t.w.k.objects[0]!;
    expect(obj).toMatchObject({ type: OBJT_DEAD, handle: null });
    expect(obj.un_pager.vnp.writemappings).toBe(0);
    expect(t.w.vp).toMatchObject({ v_writecount: 0, v_vflag: 0, v_object: null });
    expect(eventsOf(t.events, 'WRITEMAPPINGS', 'WRITECOUNT', 'OBJ_DEALLOC')).toEqual([
      { type: 'WRITEMAPPINGS', obj: 'obj1', writemappings: 0 },
      { type: 'WRITECOUNT', vp: 'vp1', v_writecount: 0 },
      { type: 'OBJ_DEALLOC', obj: 'obj1', vp: 'vp1', refs: 0 },
    ]);
    expect(t.lines('T')).toEqual([304, 307]);
  });

  it('waits "vnpdea" for paging in progress to drain', () => {
    const t = run(
      {},
      (w) => attachObject(w, w.vp),
      {
        *pager(w) {
          const obj = w.k.objects[0]!;
          yield* VM_OBJECT_WLOCK(w.k, obj);
          vm_object_pip_add(w.k, obj, 1);
          yield* VM_OBJECT_WUNLOCK(w.k, obj);
          yield* VM_OBJECT_WLOCK(w.k, obj);
          yield* vm_object_pip_wakeup(w.k, obj);
          yield* VM_OBJECT_WUNLOCK(w.k, obj);
        },
        *T(w) {
          const obj = w.k.objects[0]!;
          yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
          yield* VM_OBJECT_WLOCK(w.k, obj);
          yield* vm_pager_deallocate(w.k, obj);
          yield* VM_OBJECT_WUNLOCK(w.k, obj);
        },
      },
      script([
        { t: 'pager', until: atLabel('VM_OBJECT_WUNLOCK') },
        { t: 'T', until: atLabel('sleep "vnpdea"') },
      ]),
    );
    expect(t.r.result.status).toBe('ok');
    const sl = t.r.steps.find((s) => s.kind === 'sleep')!;
    expect(sl).toMatchObject({ line: 286, fn: 'vm_object_pip_wait', label: 'sleep "vnpdea" on obj1' });
    expect(t.w.vp.v_object).toBe(null);
  });

  it('without the vnode lock is a lock violation (295)', () => {
    const t = run({}, (w) => attachObject(w, w.vp), {
      *T(w) {
        const obj = w.k.objects[0]!;
        yield* VM_OBJECT_WLOCK(w.k, obj);
        yield* vnode_pager_dealloc(w.k, obj);
      },
    });
    expect(t.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'lock', line: 295, message: 'vnode_pager_dealloc: vp1 is not exclusive locked but should be' } });
  });
});

describe('vnode_pager_setsize (seed 395-474)', () => {
  function setsize(fileSize: number, pages: [number, number, number][], nsize: number, prep?: (w: World, obj: vm_object) => void) {
    return run(
      { fileSize },
      (w) => {
        const obj = attachObject(w, w.vp);
        for (const [pi, valid, dirty] of pages) residentPage(w, obj, pi, { valid, dirty });
        prep?.(w, obj);
      },
      {
        *T(w) {
          yield* vnode_pager_setsize(w.k, w.vp, nsize);
        },
      },
    );
  }
  const page = (w: World, pi: number) => w.vp.v_object!.memq.find((p) => p.pindex === pi)!;

  it('without an object returns after the unlocked read (402)', () => {
    const t = run({}, () => {}, {
      *T(w) {
        yield* vnode_pager_setsize(w.k, w.vp, 100);
      },
    });
    expect(t.lines('T')).toEqual([402]);
    expect(t.r.steps[1]!.fp).toEqual([{ res: 'vp1.v_object', write: false, atomic: true }]);
  });

  it('leaves a dead object alone (406-408)', () => {
    const t = setsize(16384, [], 100, (_w, obj) => (obj.type = OBJT_DEAD));
    expect(t.lines('T')).toEqual([402, 405, 407]);
    expect(t.w.vp.v_object!.un_pager.vnp.vnp_size).toBe(16384);
  });

  it('asserts a vnode-backed object (410)', () => {
    const t = setsize(16384, [], 100, (_w, obj) => (obj.type = OBJT_DEFAULT));
    expect(t.r.result).toMatchObject({ status: 'violation', violation: { line: 410, message: 'not vnode-backed object obj1' } });
  });

  it('does nothing when the size has not changed (412-418)', () => {
    const t = setsize(16384, [], 16384);
    expect(t.lines('T')).toEqual([402, 405, 416]);
    expect(eventsOf(t.events, 'OBJ_SETSIZE')).toEqual([]);
  });

  it('growing sets vnp_size and the page count only', () => {
    /* nobjsize = OFF_TO_IDX(20000 + 4095) = 5 */
    const t = setsize(10000, [[2, 0xff, 0x0f]], 20000);
    expect(t.w.vp.v_object!.size).toBe(5);
    expect(eventsOf(t.events, 'OBJ_SETSIZE')).toEqual([{ type: 'OBJ_SETSIZE', obj: 'obj1', vnp_size: 20000, size: 5 }]);
    expect(page(t.w, 2)).toMatchObject({ valid: 0xff, dirty: 0x0f });
  });

  it('shrinking into a page frees the pages past it and zeroes the tail of the EOF page; dirty bits kept for the partial block', () => {
    /*
     * 4 pages, shrink to 5096: nobjsize = OFF_TO_IDX(5096 + 4095) = 2, so pages
     * 2 and 3 go. Page 1: base = 1000, zero [1000, 4096); the valid bits stay
     * 0xff; base rounds to 1024, clear_dirty(1024, 3072) clears bits 2..7:
     * dirty 0xff -> 0x03.
     */
    const t = setsize(16384, [[0, 0xff, 0], [1, 0xff, 0xff], [2, 0xff, 0xff], [3, 0xff, 0]], 5096);
    expect(t.r.result.status).toBe('ok');
    expect(t.w.vp.v_object!.memq.map((p) => p.pindex)).toEqual([0, 1]);
    const m = page(t.w, 1);
    expect([m.valid, m.dirty]).toEqual([0xff, 0x03]);
    const exp = t.w.expected(t.w.vp);
    expect(m.data).toEqual([exp[8], fillRange(exp[9]!, 488, 512, 'Z'), 'Z', 'Z', 'Z', 'Z', 'Z', 'Z']);
    expect(t.w.vp.v_object!).toMatchObject({ size: 2, un_pager: { vnp: { vnp_size: 5096, writemappings: 0 } } });
    expect(eventsOf(t.events, 'PAGE_REMOVE', 'OBJ_SETSIZE')).toEqual([
      { type: 'PAGE_REMOVE', obj: 'obj1', pindex: 2 },
      { type: 'PAGE_REMOVE', obj: 'obj1', pindex: 3 },
      { type: 'OBJ_SETSIZE', obj: 'obj1', vnp_size: 5096, size: 2 },
    ]);
    expect(t.lines('T')).toEqual([402, 405, 473]);
  });

  it('a partially valid EOF page becomes valid from the new EOF on (zeroed), its valid head untouched', () => {
    /* nsize = 4196: base 100; block 0 is valid so [0,100) is kept; valid |= bits(100, 3996) = 0xff */
    const t = setsize(16384, [[1, 0x01, 0]], 4196);
    const m = page(t.w, 1);
    expect([m.valid, m.dirty]).toEqual([0xff, 0]);
    expect(m.data).toEqual([fillRange(t.w.expected(t.w.vp)[8]!, 100, 512, 'Z'), 'Z', 'Z', 'Z', 'Z', 'Z', 'Z', 'Z']);
  });

  it('an invalid EOF page is left as it is', () => {
    const t = setsize(16384, [[1, 0, 0]], 5096);
    const m = page(t.w, 1);
    expect(m.valid).toBe(0);
    expect(m.data.every((b) => b.startsWith('G'))).toBe(true);
  });

  it('shrinking to a page boundary frees pages without zeroing', () => {
    const t = setsize(16384, [[1, 0xff, 0xff], [2, 0xff, 0]], 8192);
    expect(t.w.vp.v_object!.memq.map((p) => p.pindex)).toEqual([1]);
    expect(page(t.w, 1)).toMatchObject({ valid: 0xff, dirty: 0xff });
  });

  it('shrinking within the last page removes nothing (nobjsize == size) and zeroes the tail', () => {
    /* file 10000: 3 pages; nsize 9000 -> nobjsize 3; base = 808: block 1 keeps [0,296), dirty 0xff -> 0x03 */
    const t = setsize(10000, [[2, 0xff, 0xff]], 9000);
    expect(eventsOf(t.events, 'PAGE_REMOVE')).toEqual([]);
    const m = page(t.w, 2);
    expect(m.dirty).toBe(0x03);
    expect(m.data[1]).toBe(fillRange(t.w.expected(t.w.vp)[17]!, 296, 512, 'Z'));
    expect(t.w.vp.v_object!.size).toBe(3);
  });
});

describe('vnode_pager_update_writecount (seed 1345-1372)', () => {
  function wc(pre: number, calls: [number, number][], lock: 'x' | 's' | 'none' = 'x', prep?: (obj: vm_object) => void) {
    return run(
      {},
      (w) => {
        const obj = attachObject(w, w.vp);
        obj.un_pager.vnp.writemappings = pre;
        w.vp.v_writecount = pre > 0 ? 1 : 0;
        prep?.(obj);
      },
      {
        *T(w) {
          if (lock !== 'none') yield* vn_lock(w.k, w.vp, lock === 'x' ? LK_EXCLUSIVE : LK_SHARED);
          for (const [s, e] of calls) yield* vnode_pager_update_writecount(w.k, w.k.objects[0]!, s, e);
        },
      },
    );
  }

  it('0 -> nonzero writemappings takes a write count', () => {
    const t = wc(0, [[0x10000, 0x12000]]);
    expect(t.w.k.objects[0]!.un_pager.vnp.writemappings).toBe(0x2000);
    expect(t.w.vp.v_writecount).toBe(1);
    expect(eventsOf(t.events, 'WRITEMAPPINGS', 'WRITECOUNT')).toEqual([
      { type: 'WRITEMAPPINGS', obj: 'obj1', writemappings: 0x2000 },
      { type: 'WRITECOUNT', vp: 'vp1', v_writecount: 1 },
    ]);
    expect(t.lines('T')).toEqual([1352, 1371]);
  });

  it('nonzero -> 0 (start and end swapped) gives it back', () => {
    const t = wc(0x2000, [[0x12000, 0x10000]]);
    expect(t.w.k.objects[0]!.un_pager.vnp.writemappings).toBe(0);
    expect(t.w.vp.v_writecount).toBe(0);
  });

  it('nonzero -> nonzero leaves v_writecount and needs no vnode lock', () => {
    const t = wc(0x2000, [[0, 0x1000]], 'none');
    expect(t.r.result.status).toBe('ok');
    expect(t.w.k.objects[0]!.un_pager.vnp.writemappings).toBe(0x3000);
    expect(eventsOf(t.events, 'WRITECOUNT')).toEqual([]);
  });

  it('does nothing on an object that is no longer a vnode object (1353-1356)', () => {
    const t = wc(0x1000, [[0, 0x1000]], 'none', (obj) => (obj.type = OBJT_DEAD));
    expect(t.w.k.objects[0]!.un_pager.vnp.writemappings).toBe(0x1000);
    expect(t.lines('T')).toEqual([1352, 1354]);
  });

  it('a transition without the exclusive vnode lock is a lock violation (1361, 1366)', () => {
    expect(wc(0, [[0, 0x1000]], 's').r.result).toMatchObject({ status: 'violation', violation: { line: 1361, message: 'v_writecount inc: vp1 is not exclusive locked but should be' } });
    expect(wc(0x1000, [[0x1000, 0]], 'none').r.result).toMatchObject({ status: 'violation', violation: { line: 1366, message: 'v_writecount dec: vp1 is not exclusive locked but should be' } });
  });
});

describe('vnode_pager_release_writecount (seed 1374-1422)', () => {
  function rel(pre: number, start: number, end: number, prep?: (w: World, obj: vm_object) => void) {
    return run(
      {},
      (w) => {
        const obj = attachObject(w, w.vp);
        obj.un_pager.vnp.writemappings = pre;
        w.vp.v_writecount = pre > 0 ? 1 : 0;
        prep?.(w, obj);
      },
      {
        *T(w) {
          yield* vnode_pager_release_writecount(w.k, w.k.objects[0]!, start, end);
        },
      },
    );
  }

  it('on an object that is no longer a vnode object returns (1388-1391)', () => {
    const t = rel(0x1000, 0, 0x1000, (_w, obj) => (obj.type = OBJT_DEAD));
    expect(t.lines('T')).toEqual([1382, 1389]);
    expect(t.w.vp.v_writecount).toBe(1);
  });

  it('when writemappings does not reach 0 only subtracts, without the vnode lock (1398-1402)', () => {
    const t = rel(0x3000, 0, 0x1000);
    expect(t.w.k.objects[0]!.un_pager.vnp.writemappings).toBe(0x2000);
    expect(t.lines('T')).toEqual([1382, 1400]);
    expect(t.w.vp.v_writecount).toBe(1);
  });

  it('the last release holds and locks the vnode and drops v_writecount to 0', () => {
    const t = rel(0x1000, 0, 0x1000);
    expect(t.r.result.status).toBe('ok');
    expect(t.w.k.objects[0]!.un_pager.vnp.writemappings).toBe(0);
    expect(t.w.vp).toMatchObject({ v_writecount: 0, v_usecount: 1, v_holdcnt: 1 });
    expect(t.w.vp.v_lock.xowner).toBe(null);
    expect(t.lines('T')).toEqual([1382, 1405, 1406, 1408, 1409, 1352, 1371, 1418, 1419, 1421]);
  });

  it('racing with reclaim: the vnode is reclaimed after the hold; the OBJT_VNODE recheck keeps v_writecount from going twice', () => {
    const t = run(
      {},
      (w) => {
        const obj = attachObject(w, w.vp);
        /* a writable mapping: one object reference (with its vnode reference) and 4096 bytes of writemappings */
        obj.ref_count = 1;
        w.vp.v_usecount++;
        w.vp.v_holdcnt++;
        obj.un_pager.vnp.writemappings = 0x1000;
        w.vp.v_writecount = 1;
      },
      {
        *unmapper(w) {
          yield* vnode_pager_release_writecount(w.k, w.k.objects[0]!, 0, 0x1000);
        },
        *reclaimer(w) {
          yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
          yield* vgone(w.k, w.vp);
          yield* VOP_UNLOCK(w.k, w.vp, 0);
        },
      },
      script([{ t: 'unmapper', until: atLine(1406) }, { t: 'reclaimer', until: atLabel('VOP_UNLOCK(vp1)') }]),
    );
    expect(t.r.result.status).toBe('ok');
    const obj = t.w.k.objects[0]!;
    expect(obj.type).toBe(OBJT_DEAD);
    expect(obj.un_pager.vnp.writemappings).toBe(0);
    expect(t.w.vp.v_writecount).toBe(0);
    expect(eventsOf(t.events, 'WRITECOUNT')).toEqual([{ type: 'WRITECOUNT', vp: 'vp1', v_writecount: 0 }]);
    /* the unmapper got the doomed vnode with LK_RETRY, found OBJT_DEAD in update_writecount and returned at 1354 */
    expect(t.lines('unmapper')).toEqual([1382, 1405, 1406, 1408, 1409, 1352, 1354, 1418, 1419]);
    expect(t.w.vp.v_type).toBe(VBAD);
    expect([t.w.vp.v_usecount, t.w.vp.v_holdcnt]).toEqual([1, 1]);
  });
});

describe('determinism', () => {
  it('the same race under the same schedule gives the same steps and the same event log', () => {
    const once = () =>
      run(
        {},
        (w) => attachObject(w, w.vp),
        {
          *reclaimer(w) {
            yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE);
            yield* vgone(w.k, w.vp);
            yield* VOP_UNLOCK(w.k, w.vp, 0);
          },
          *mapper(w) {
            const obj = yield* vnode_pager_alloc(w.k, w.vp, 16384, 0, 0, null);
            yield* vm_object_deallocate(w.k, obj);
          },
        },
        script([
          { t: 'reclaimer', until: (s) => s.label === 'VM_OBJECT_WUNLOCK(obj1)' && s.fn === 'vm_object_terminate' },
          { t: 'mapper', until: atLabel('sleep "vadead"') },
        ]),
      );
    const a = once();
    const b = once();
    expect(a.r.result.status).toBe('ok');
    expect(b.trace).toEqual(a.trace);
    expect(JSON.stringify(b.r.steps)).toBe(JSON.stringify(a.r.steps));
    expect(b.events).toEqual(a.events);
    expect(a.events.length).toBeGreaterThan(10);
  });
});
