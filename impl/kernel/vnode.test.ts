/*
 * vnode.ts: use and hold counts, the vnode lock with LK_RETRY on doomed
 * vnodes, the DEBUG_VFS_LOCKS assertions, the VOPs and vgone. Expected
 * values follow the 2017 vfs_subr.c (vputx, _vhold, _vdrop, vgonel).
 */
import { describe, expect, it } from 'vitest';
import '../vnode_pager.ts'; /* registers vnode_destroy_vobject for VOP_RECLAIM */
import { LK_EXCLUSIVE, LK_SHARED, LK_RETRY } from './sync.ts';
import {
  vrefact,
  vref,
  vrele,
  vput,
  vunref,
  vhold,
  vdrop,
  vn_lock,
  VOP_UNLOCK,
  VOP_ISLOCKED,
  ASSERT_VOP_ELOCKED,
  ASSERT_VOP_LOCKED,
  VOP_GETATTR,
  VOP_ADD_WRITECOUNT,
  VOP_UNSET_TEXT,
  VOP_RECLAIM,
  vn_start_write,
  vn_finished_write,
  vn_isdisk,
  vn_canvmio,
  vgone,
  vinvalbuf,
  V_SAVE,
  VI_DOOMED,
  VI_FREE,
  VI_ACTIVE,
  VI_OWEINACT,
  VV_TEXT,
  VBAD,
  VCHR,
  VDIR,
  VNON,
  VREG,
  ENOENT,
  EBADF,
} from './vnode.ts';
import { VM_OBJECT_WLOCK, VM_OBJECT_WUNLOCK, OBJT_VNODE, vm_object_allocate, type vm_object } from './vm_object.ts';
import type { mount } from './vfs.ts';
import { newMount, newVnode, residentPage, runThreads, eventsOf } from './testkit_objects.ts';

describe('vrefact', () => {
  it('adds a use and a hold reference in one atomic access step, two reference-count acquires the same for any count >= 1', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      spawn('T', function* () {
        yield* vrefact(k, vp, 268);
      });
      return vp;
    });
    expect(run.r.result.status).toBe('ok');
    expect([run.w.v_usecount, run.w.v_holdcnt]).toEqual([2, 2]);
    const st = run.r.steps.find((s) => s.label === 'vrefact(vp1)')!;
    expect(st).toMatchObject({ kind: 'access', line: 268 });
    expect(st.fp).toEqual([
      { res: 'vp1.v_holdcnt', write: true, atomic: true, count: { seen: 1, delta: 1, floor: 1 } },
      { res: 'vp1.v_usecount', write: true, atomic: true, count: { seen: 1, delta: 1, floor: 1 } },
    ]);
  });

  it('on an unreferenced vnode is a KASSERT', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      vp.v_usecount = 0;
      vp.v_holdcnt = 0;
      spawn('T', function* () {
        yield* vrefact(k, vp);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'KASSERT', fn: 'vrefact', message: 'vrefact: wrong hold count' } });
  });

  it('with a hold but no use reference is a KASSERT on the use count', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      vp.v_usecount = 0;
      spawn('T', function* () {
        yield* vrefact(k, vp);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { message: 'vrefact: wrong use count' } });
  });

  it('on a VCHR vnode goes through vref', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 0, VCHR);
      spawn('T', function* () {
        yield* vrefact(k, vp);
      });
      return vp;
    });
    expect([run.w.v_usecount, run.w.v_holdcnt]).toEqual([2, 2]);
    expect(run.trace).toContain('T:v_incr_usecount(vp1)');
  });
});

describe('vref', () => {
  it('of an inactive vnode owing inactivation takes the use count 0 -> 1 under the interlock and clears VI_OWEINACT', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      vp.v_usecount = 0;
      vp.v_iflag |= VI_OWEINACT;
      spawn('T', function* () {
        yield* vref(k, vp);
      });
      return vp;
    });
    expect(run.r.result.status).toBe('ok');
    expect([run.w.v_usecount, run.w.v_holdcnt]).toEqual([1, 2]);
    expect(run.w.v_iflag & VI_OWEINACT).toBe(0);
    expect(run.trace).toEqual(['T:start', 'T:vhold(vp1)', 'T:v_incr_usecount(vp1)', 'T:VI_LOCK(vp1)', 'T:VI_UNLOCK(vp1)']);
  });
});

describe('vrele / vput / vunref (vputx)', () => {
  it('a use reference that is not the last is dropped atomically, with its hold', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      vp.v_usecount = 2;
      vp.v_holdcnt = 2;
      spawn('T', function* () {
        yield* vrele(k, vp, 150);
      });
      return vp;
    });
    expect([run.w.v_usecount, run.w.v_holdcnt]).toEqual([1, 1]);
    expect(run.trace).toEqual(['T:start', 'T:vrele(vp1)', 'T:vdrop(vp1)']);
    expect(run.r.steps[1]!.line).toBe(150);
  });

  it('the last vrele locks the vnode, runs vinactive (cleaning the object), unlocks and frees the vnode onto the free list', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      spawn('T', function* () {
        const obj = yield* vm_object_allocate(k, OBJT_VNODE, 1);
        obj.handle = vp;
        obj.ref_count = 0;
        vp.v_object = obj;
        yield* vrele(k, vp);
      });
      return vp;
    });
    expect(run.r.result.status).toBe('ok');
    const vp = run.w;
    expect([vp.v_usecount, vp.v_holdcnt]).toEqual([0, 0]);
    expect(vp.v_iflag & (VI_FREE | VI_ACTIVE | VI_OWEINACT)).toBe(VI_FREE);
    expect(vp.v_lock.xowner).toBe(null);
    expect(run.trace.filter((t) => /^T:(vn_lock|VM_OBJECT|VOP_UNLOCK|VI_UNLOCK\(vp1\) for)/.test(t))).toEqual([
      'T:VI_UNLOCK(vp1) for vn_lock',
      'T:vn_lock(vp1, LK_EXCLUSIVE|LK_INTERLOCK)',
      'T:VM_OBJECT_WLOCK(obj1)',
      'T:VM_OBJECT_WUNLOCK(obj1)',
      'T:VOP_UNLOCK(vp1)',
    ]);
  });

  it('the last vrele of a doomed vnode gets ENOENT from vn_lock, skips vinactive and frees the vnode', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      vp.v_iflag |= VI_DOOMED;
      spawn('T', function* () {
        yield* vrele(k, vp);
      });
      return vp;
    });
    expect(run.r.result.status).toBe('ok');
    expect(run.w.freed).toBe(true);
    expect(run.w.v_iflag & VI_OWEINACT).toBe(VI_OWEINACT);
    expect(run.w.v_lock.xowner).toBe(null);
  });

  it('the last vunref of an exclusively locked vnode runs vinactive and keeps the lock', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      spawn('T', function* () {
        yield* vn_lock(k, vp, LK_EXCLUSIVE);
        yield* vunref(k, vp, 306);
      });
      return vp;
    });
    expect(run.r.result.status).toBe('ok');
    expect(run.w.v_lock.xowner).toBe(0);
    expect(run.w.v_iflag & (VI_FREE | VI_OWEINACT)).toBe(VI_FREE);
  });

  it('the last vput of a shared-locked vnode upgrades, deactivates and unlocks', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      spawn('T', function* () {
        yield* vn_lock(k, vp, LK_SHARED);
        yield* vput(k, vp);
      });
      return vp;
    });
    expect(run.r.result.status).toBe('ok');
    expect(run.trace).toContain('T:VOP_LOCK(vp1, LK_UPGRADE|LK_NOWAIT)');
    expect(run.w.v_lock.xowner).toBe(null);
    expect(run.w.v_lock.sharers).toEqual([]);
    expect(run.w.v_iflag & (VI_FREE | VI_OWEINACT)).toBe(VI_FREE);
  });

  it('a vunref whose try-upgrade fails (another sharer) leaves VI_OWEINACT and the vnode active', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      spawn('other', function* () {
        yield* vn_lock(k, vp, LK_SHARED);
      });
      spawn('T', function* () {
        yield* vn_lock(k, vp, LK_SHARED);
        yield* vunref(k, vp);
      });
      return vp;
    });
    expect(run.r.result.status).toBe('ok');
    expect(run.trace).toContain('T:VOP_LOCK(vp1, LK_TRYUPGRADE)');
    expect(run.w.v_iflag & (VI_FREE | VI_ACTIVE | VI_OWEINACT)).toBe(VI_ACTIVE | VI_OWEINACT);
    expect(run.w.v_lock.sharers).toEqual([0, 1]);
  });

  it('a vput whose upgrade meets another sharer drops its shared hold and fails', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      spawn('other', function* () {
        yield* vn_lock(k, vp, LK_SHARED);
      });
      spawn('T', function* () {
        yield* vn_lock(k, vp, LK_SHARED);
        yield* vput(k, vp);
      });
      return vp;
    });
    expect(run.r.result.status).toBe('ok');
    expect(run.w.v_lock.sharers).toEqual([0]);
    expect(run.w.v_iflag & VI_OWEINACT).toBe(VI_OWEINACT);
  });

  it('a vput that is not the last unlocks the vnode and drops the hold', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      vp.v_usecount = 2;
      vp.v_holdcnt = 2;
      spawn('T', function* () {
        yield* vn_lock(k, vp, LK_EXCLUSIVE);
        yield* vput(k, vp);
      });
      return vp;
    });
    expect(run.trace).toEqual(['T:start', 'T:vn_lock(vp1, LK_EXCLUSIVE)', 'T:vput(vp1)', 'T:VOP_UNLOCK(vp1)', 'T:vdrop(vp1)']);
    expect([run.w.v_usecount, run.w.v_holdcnt, run.w.v_lock.xowner]).toEqual([1, 1, null]);
  });

  it('vunref without the vnode lock is a lock violation', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      spawn('T', function* () {
        yield* vunref(k, vp);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'lock', fn: 'vunref', message: 'vunref: vp1 is not locked but should be' } });
  });
});

describe('vhold / vdrop', () => {
  it('say what they did to the hold count: from 2 on a drop is the same (floor 2), the first hold and the last drop depend on the value', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      vp.v_usecount = 0;
      vp.v_holdcnt = 0;
      vp.v_iflag = VI_FREE;
      spawn('T', function* () {
        yield* vhold(k, vp);
        yield* vhold(k, vp);
        yield* vdrop(k, vp);
        yield* vdrop(k, vp);
      });
      return vp;
    });
    expect(run.r.result.status).toBe('ok');
    const counts = run.r.steps.flatMap((st) => st.fp.filter((a) => a.res === 'vp1.v_holdcnt').map((a) => a.count));
    expect(counts).toEqual([
      { seen: 0, delta: 0, floor: null }, // the first hold: refcount_acquire_if_not_zero fails
      { seen: 0, delta: 1, floor: null }, // and the interlocked path takes it
      { seen: 1, delta: 1, floor: 1 },
      { seen: 2, delta: -1, floor: 2 },
      { seen: 1, delta: 0, floor: null }, // the last drop: refcount_release_if_not_last fails
      { seen: 1, delta: -1, floor: null }, // and vdropl drops it under the interlock
    ]);
  });

  it('the first hold of a free vnode reactivates it; the last drop frees it again', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      vp.v_usecount = 0;
      vp.v_holdcnt = 0;
      vp.v_iflag = VI_FREE;
      const seen: number[] = [];
      spawn('T', function* () {
        yield* vhold(k, vp);
        seen.push(vp.v_iflag, vp.v_holdcnt);
        yield* vhold(k, vp);
        yield* vdrop(k, vp);
        yield* vdrop(k, vp);
      });
      return { vp, seen };
    });
    expect(run.r.result.status).toBe('ok');
    expect(run.w.seen).toEqual([VI_ACTIVE, 1]);
    expect(run.w.vp.v_iflag).toBe(VI_FREE);
    expect(run.w.vp.v_holdcnt).toBe(0);
  });

  it('the first hold of a vnode kept off the free list (owing inactivation) only counts', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      vp.v_usecount = 0;
      vp.v_holdcnt = 0;
      vp.v_iflag = VI_ACTIVE | VI_OWEINACT;
      spawn('T', function* () {
        yield* vhold(k, vp);
      });
      return vp;
    });
    expect([run.w.v_holdcnt, run.w.v_iflag]).toEqual([1, VI_ACTIVE | VI_OWEINACT]);
    expect(run.trace).toEqual(['T:start', 'T:vhold(vp1)', 'T:VI_LOCK(vp1)', 'T:VI_UNLOCK(vp1)']);
  });

  it('vdrop with no hold panics', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      vp.v_holdcnt = 0;
      spawn('T', function* () {
        yield* vdrop(k, vp);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'panic', message: 'vdrop: holdcnt 0' } });
  });

  it('the last drop of a doomed vnode with a use reference left trips the free checks', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      vp.v_iflag |= VI_DOOMED;
      spawn('T', function* () {
        yield* vdrop(k, vp);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { fn: 'vdropl', message: 'Non-zero use count' } });
  });
});

describe('vn_lock', () => {
  it('with LK_RETRY returns 0 and the doomed vnode locked; without it ENOENT and unlocked', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      vp.v_iflag |= VI_DOOMED;
      const res: number[] = [];
      spawn('T', function* () {
        res.push(yield* vn_lock(k, vp, LK_EXCLUSIVE));
        res.push(VOP_ISLOCKED(k, vp));
        res.push(yield* vn_lock(k, vp, LK_EXCLUSIVE | LK_RETRY));
        res.push(VOP_ISLOCKED(k, vp));
        yield* VOP_UNLOCK(k, vp, 0);
      });
      return res;
    });
    expect(run.w).toEqual([ENOENT, 0, 0, LK_EXCLUSIVE]);
  });

  it('blocks while another thread holds the lock', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      spawn('A', function* () {
        yield* vn_lock(k, vp, LK_EXCLUSIVE);
      });
      spawn('B', function* () {
        yield* vn_lock(k, vp, LK_SHARED);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { kind: 'deadlock' } });
  });
});

describe('DEBUG_VFS_LOCKS assertions', () => {
  it('ASSERT_VOP_ELOCKED fails for a shared lock, passes exclusive, and is skipped for VBAD', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      const out: string[] = [];
      spawn('T', function* () {
        yield* vn_lock(k, vp, LK_SHARED);
        ASSERT_VOP_LOCKED(k, vp, 'x', 'f');
        try {
          ASSERT_VOP_ELOCKED(k, vp, 'vnode_destroy_vobject', 'vnode_destroy_vobject', 165);
        } catch (e) {
          out.push((e as Error).message);
        }
        yield* VOP_UNLOCK(k, vp, 0);
        try {
          ASSERT_VOP_LOCKED(k, vp, 'VOP_GETATTR', 'VOP_GETATTR');
        } catch (e) {
          out.push((e as Error).message);
        }
        vp.v_type = VBAD;
        ASSERT_VOP_ELOCKED(k, vp, 'vgonel', 'vgonel');
        out.push('VBAD skipped');
      });
      return out;
    });
    expect(run.w).toEqual([
      'lock in vnode_destroy_vobject (seed line 165): vnode_destroy_vobject: vp1 is not exclusive locked but should be',
      'lock in VOP_GETATTR: VOP_GETATTR: vp1 is not locked but should be',
      'VBAD skipped',
    ]);
  });
});

describe('VOPs and predicates', () => {
  it('VOP_GETATTR gives the inode size, EBADF once reclaimed', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 12345);
      const out: { error: number; va_size: number }[] = [];
      spawn('T', function* () {
        yield* vn_lock(k, vp, LK_SHARED);
        out.push(yield* VOP_GETATTR(k, vp, 136));
        vp.v_type = VBAD;
        out.push(yield* VOP_GETATTR(k, vp));
      });
      return out;
    });
    expect(run.w).toEqual([
      { error: 0, va_size: 12345 },
      { error: EBADF, va_size: 0 },
    ]);
    expect(run.r.steps.find((s) => s.label === 'VOP_GETATTR(vp1)')!.line).toBe(136);
  });

  it('VOP_ADD_WRITECOUNT moves v_writecount and reports it; it needs the exclusive lock', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 1);
      spawn('T', function* () {
        yield* vn_lock(k, vp, LK_EXCLUSIVE);
        VOP_ADD_WRITECOUNT(k, vp, 1, 1362);
        VOP_ADD_WRITECOUNT(k, vp, 1);
        yield* VOP_UNLOCK(k, vp, 0);
        VOP_ADD_WRITECOUNT(k, vp, -1, 298);
      });
      return vp;
    });
    expect(eventsOf(run.events, 'WRITECOUNT')).toEqual([
      { type: 'WRITECOUNT', vp: 'vp1', v_writecount: 1 },
      { type: 'WRITECOUNT', vp: 'vp1', v_writecount: 2 },
    ]);
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { fn: 'VOP_ADD_WRITECOUNT', line: 298, message: 'VOP_ADD_WRITECOUNT: vp1 is not exclusive locked but should be' } });
  });

  it('VOP_UNSET_TEXT clears VV_TEXT', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 1);
      vp.v_vflag = VV_TEXT;
      spawn('T', function* () {
        yield* vn_lock(k, vp, LK_EXCLUSIVE);
        VOP_UNSET_TEXT(k, vp, 303);
      });
      return vp;
    });
    expect(run.w.v_vflag).toBe(0);
  });

  it('vn_start_write hands out the mount, NULL for a reclaimed vnode; vn_finished_write(NULL) does nothing', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 1);
      const out: (mount | null)[] = [];
      spawn('T', function* () {
        const mp = { v: null as mount | null };
        yield* vn_start_write(k, vp, mp, 1, 1408);
        out.push(mp.v);
        yield* vn_finished_write(k, mp.v, 1421);
        vp.v_type = VBAD;
        yield* vn_start_write(k, vp, mp, 1);
        out.push(mp.v);
        yield* vn_finished_write(k, mp.v);
        yield* vn_start_write(k, null, mp, 1);
      });
      return { vp, out };
    });
    expect(run.w.out).toEqual([run.w.vp.v_mount, null]);
    expect(run.trace).toEqual(['T:start', 'T:vn_start_write(vp1)', 'T:vn_finished_write(mnt1)', 'T:vn_start_write(vp1)', 'T:vn_start_write(NULL)']);
  });

  it('vn_isdisk is VCHR; vn_canvmio is VREG or VDIR', () => {
    const run = runThreads((k) => {
      const m = newMount(k);
      return [VREG, VDIR, VCHR, VNON].map((t) => {
        const vp = newVnode(k, m, 0, t as never);
        return [vn_isdisk(vp), vn_canvmio(vp)];
      });
    });
    expect(run.w).toEqual([
      [false, true],
      [false, true],
      [true, false],
      [false, false],
    ]);
    expect(vn_canvmio(null)).toBe(false);
  });

  it('VOP_RECLAIM of a reclaimed vnode is deadfs\' no-op', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 1);
      vp.v_type = VBAD;
      const out: number[] = [];
      spawn('T', function* () {
        out.push(yield* VOP_RECLAIM(k, vp));
      });
      return out;
    });
    expect(run.w).toEqual([0]);
  });
});

describe('vinvalbuf', () => {
  it('waits out paging in progress, then with V_SAVE removes the clean pages only; without it all pages', () => {
    const mk = (flags: number) =>
      runThreads((k, spawn) => {
        const vp = newVnode(k, newMount(k), 3 * 4096);
        const w: { obj?: vm_object } = {};
        spawn('T', function* () {
          yield* vn_lock(k, vp, LK_EXCLUSIVE);
          const obj = (w.obj = yield* vm_object_allocate(k, OBJT_VNODE, 3));
          obj.handle = vp;
          vp.v_object = obj;
          yield* VM_OBJECT_WLOCK(k, obj);
          yield* residentPage(k, obj, 0, 0xff, 0);
          yield* residentPage(k, obj, 1, 0xff, 0xff);
          yield* VM_OBJECT_WUNLOCK(k, obj);
          yield* vinvalbuf(k, vp, flags);
        });
        return w;
      });
    expect(mk(V_SAVE).w.obj!.memq.map((p) => p.pindex)).toEqual([1]);
    expect(mk(0).w.obj!.memq.map((p) => p.pindex)).toEqual([]);
  });
});

describe('vgone', () => {
  it('dooms the vnode, deactivates it, reclaims it (the object goes), and leaves it VBAD; a second vgone does nothing', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      spawn('T', function* () {
        yield* vn_lock(k, vp, LK_EXCLUSIVE);
        const obj = yield* vm_object_allocate(k, OBJT_VNODE, 1);
        obj.handle = vp;
        obj.ref_count = 0;
        obj.un_pager.vnp.vnp_size = 4096;
        vp.v_object = obj;
        yield* vgone(k, vp);
        yield* vgone(k, vp);
        yield* VOP_UNLOCK(k, vp, 0);
      });
      return vp;
    });
    expect(run.r.result.status).toBe('ok');
    const vp = run.w;
    expect(vp.v_type).toBe(VBAD);
    expect(vp.v_iflag & VI_DOOMED).toBe(VI_DOOMED);
    expect(vp.v_object).toBe(null);
    expect(vp.v_interlock.owner).toBe(null);
    expect(eventsOf(run.events, 'VNODE_DOOMED', 'OBJ_DEAD', 'OBJ_DEALLOC', 'OBJ_DESTROY')).toEqual([
      { type: 'VNODE_DOOMED', vp: 'vp1' },
      { type: 'OBJ_DEAD', obj: 'obj1' },
      { type: 'OBJ_DEALLOC', obj: 'obj1', vp: 'vp1', refs: 0 },
      { type: 'OBJ_DESTROY', obj: 'obj1' },
    ]);
    /* the vnode keeps the caller's reference and is not freed */
    expect([vp.v_usecount, vp.v_holdcnt, vp.freed]).toEqual([1, 1, false]);
  });

  it('of a vnode only held (no use reference) skips vinactive', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      vp.v_usecount = 0;
      spawn('T', function* () {
        yield* vn_lock(k, vp, LK_EXCLUSIVE);
        yield* vgone(k, vp);
      });
      return vp;
    });
    expect(run.r.result.status).toBe('ok');
    expect(run.w.v_type).toBe(VBAD);
    expect(run.trace).toEqual([
      'T:start',
      'T:vn_lock(vp1, LK_EXCLUSIVE)',
      'T:VI_LOCK(vp1)',
      'T:VI_UNLOCK(vp1)',
      'T:read vp1->v_object',
      'T:VI_LOCK(vp1)',
      'T:VI_UNLOCK(vp1)',
    ]);
  });

  it('without the vnode lock is a lock violation in vgonel', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      spawn('T', function* () {
        yield* vgone(k, vp);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'lock', fn: 'vgonel', message: 'vgonel: vp1 is not exclusive locked but should be' } });
  });

  it('of an unheld vnode is a KASSERT', () => {
    const run = runThreads((k, spawn) => {
      const vp = newVnode(k, newMount(k), 4096);
      vp.v_usecount = 0;
      vp.v_holdcnt = 0;
      spawn('T', function* () {
        yield* vn_lock(k, vp, LK_EXCLUSIVE);
        yield* vgone(k, vp);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { message: 'vgonel: vp vp1 has no reference.' } });
  });
});


