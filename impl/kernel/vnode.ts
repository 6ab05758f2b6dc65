/*
 * vnode (sys/sys/vnode.h, sys/kern/vfs_subr.c, vfs_vnops.c, vfs_default.c,
 * fs/deadfs, 2017).
 *
 * Kept: v_object, v_usecount, v_holdcnt, v_writecount, v_iflag (VI_DOOMED,
 * VI_FREE, VI_ACTIVE, VI_DOINGINACT, VI_OWEINACT), v_vflag (VV_TEXT), v_type
 * (VREG, VBAD after reclaim), the vnode lock (lockmgr, shared/exclusive), the
 * interlock, v_mount; and these routines in their 2017 order:
 *  - vrefact (atomic, asserts both counts were > 0), vref, and vputx behind
 *    vrele / vput / vunref: a use reference that is not the last is dropped
 *    atomically; the last one takes the interlock, sets VI_OWEINACT, gets the
 *    vnode lock exclusively (vrele: vn_lock without LK_RETRY, so a doomed
 *    vnode skips inactivation; vput/vunref: upgrade if shared) and runs
 *    vinactive, then vdropl;
 *  - vhold / vdrop / vdropl: a hold that is not the first/last is atomic;
 *    the first reactivates a VI_FREE vnode; the last puts a live vnode on the
 *    free list (VI_FREE) or frees a doomed one (`freed`), with the
 *    INVARIANTS checks of the free;
 *  - vinactive: cleans the object's pages asynchronously (page_clean flags 0)
 *    and calls VOP_INACTIVE (nothing to do for the model's filesystems);
 *  - vn_lock: loops on the lock; LK_RETRY returns 0 with the vnode locked
 *    even when doomed, otherwise a doomed vnode gives ENOENT unlocked;
 *  - vgone/vgonel: VI_DOOMED, vinactive of an active vnode, vinvalbuf(V_SAVE),
 *    VOP_RECLAIM (which, as UFS does first thing, calls vnode_destroy_vobject),
 *    KASSERT v_object == NULL, v_type = VBAD; entered with the vnode lock held
 *    exclusively, as the kernel requires;
 *  - vinvalbuf: no buffer cache in the model, so it waits for the object's
 *    paging in progress ("bovlbx") and then removes the object's pages
 *    (clean ones only with V_SAVE), as bufobj_invalbuf does after flushing;
 *  - ASSERT_VOP_LOCKED/ELOCKED (DEBUG_VFS_LOCKS, skipped for VCHR and VBAD),
 *    VOP_ADD_WRITECOUNT, VOP_UNSET_TEXT, VOP_GETATTR (EBADF once reclaimed,
 *    as deadfs), vn_start_write/vn_finished_write (VOP_GETWRITEMOUNT gives
 *    NULL once reclaimed).
 * Left out: the name cache, the free-list queues themselves (only the
 * VI_FREE/VI_ACTIVE flags), vnode recycling, VOP_CLOSE, upper mounts,
 * advisory locks, delmntque (v_mount stays set), BO_DEAD and the buffer
 * cache, filesystem suspension (vn_start_write never sleeps), character
 * devices (vn_isdisk is true for any VCHR vnode), vmiodirenable (true).
 */
import { HarnessBug, KernelAssertion, type KThread } from '../../checker/op.ts';
import {
  lockmgr,
  mtx,
  mtx_lock,
  mtx_unlock,
  mtx_owned,
  lockmgr_lock,
  lockmgr_unlock,
  lockmgr_status,
  LK_EXCLUSIVE,
  LK_SHARED,
  LK_RETRY,
  LK_INTERLOCK,
  type Site,
} from './sync.ts';
import type { Kernel } from './kernel.ts';
import {
  VM_OBJECT_WLOCK,
  VM_OBJECT_WUNLOCK,
  vm_object_page_clean,
  vm_object_page_remove,
  vm_object_pip_wait,
  OBJPR_CLEANONLY,
  siteOf,
  type At,
  type vm_object,
} from './vm_object.ts';
import type { mount } from './vfs.ts';

export const VNON = 0;
export const VREG = 1;
export const VDIR = 2;
export const VBLK = 3;
export const VCHR = 4;
export const VBAD = 8;
export type vtype = typeof VNON | typeof VREG | typeof VDIR | typeof VBLK | typeof VCHR | typeof VBAD;

export const VI_DOOMED = 0x0080;
export const VI_FREE = 0x0100;
export const VI_ACTIVE = 0x0200;
export const VI_DOINGINACT = 0x0800;
export const VI_OWEINACT = 0x1000;
export const VV_TEXT = 0x0020;
export const VV_NOSYNC = 0x0004;

/* vinvalbuf flags */
export const V_SAVE = 0x0001;
/* vn_start_write flags */
export const V_WAIT = 0x0001;
export const V_NOWAIT = 0x0002;

export const ENOENT = 2;
export const EBADF = 9;
export const EBUSY = 16;

export class vnode {
  v_type: vtype = VREG;
  v_iflag = 0;
  v_vflag = 0;
  v_usecount = 0;
  v_holdcnt = 0;
  v_writecount = 0;
  /** v_bufobj.bo_object. */
  v_object: vm_object | null = null;
  readonly v_lock: lockmgr;
  readonly v_interlock: mtx;
  /** File size as the filesystem knows it (the inode's size), VOP_GETATTR's va_size. */
  va_size: number;
  /** v_data: the filesystem's private node, the inode (vfs.ts); a field rather than a WeakMap, see Kernel.kernelStatic. */
  v_data: unknown = null;
  /** Times the vnode was freed with VI_DOOMED and no hold (vdrop's free); a use after that is a bug. */
  freed = false;

  constructor(
    readonly k: Kernel,
    /** "vp1", ... */
    readonly name: string,
    readonly v_mount: mount,
    size: number,
  ) {
    this.v_lock = new lockmgr(`${name}.lock`);
    this.v_interlock = new mtx(`${name}.interlock`);
    this.va_size = size;
  }
  get wchan(): string {
    return this.name;
  }
}

/* ---- hooks into the port (VOP_RECLAIM reaches vnode_destroy_vobject without the kernel importing the port) ---- */

export interface VnodeHooks {
  vnode_destroy_vobject(k: Kernel, vp: vnode): KThread<void>;
}
let hooks: VnodeHooks | null = null;

export function registerVnodeHooks(h: VnodeHooks): void {
  hooks = h;
}

/* ---- resources ---- */

const R = {
  use: (vp: vnode) => `${vp.name}.v_usecount`,
  type: (vp: vnode) => `${vp.name}.v_type`,
  hold: (vp: vnode) => `${vp.name}.v_holdcnt`,
  iflag: (vp: vnode) => `${vp.name}.v_iflag`,
  obj: (vp: vnode) => `${vp.name}.v_object`,
};

/*
 * The counts are reference counts for the checker (checker/refcount.ts):
 * each step that reads or changes one says what it read, by how much it
 * changed it, and from which value on it would have done the same (the
 * fast paths: floor 1 for an acquire of a count that is not zero, 2 for
 * refcount_release_if_not_last; null for the last reference and the slow
 * paths under the interlock, whose work depends on the value).
 */
function count(k: Kernel, res: string, seen: number, delta: number, floor: number | null): void {
  k.ctx.touch(res, true, true, { seen, delta, floor });
}

/* v_type read without a lock on purpose (it changes once, to VBAD, under the interlock): atomic, still ordered for DPOR. */
function typeRead(k: Kernel, vp: vnode): void {
  k.ctx.touch(R.type(vp), false, true);
}

/* ---- interlock ---- */

export function* VI_LOCK(k: Kernel, vp: vnode, at?: At): KThread<void> {
  yield* mtx_lock(k, vp.v_interlock, `VI_LOCK(${vp.name})`, siteOf(at));
}

export function* VI_UNLOCK(k: Kernel, vp: vnode, at?: At): KThread<void> {
  yield* mtx_unlock(k, vp.v_interlock, `VI_UNLOCK(${vp.name})`, siteOf(at));
}

function ASSERT_VI_LOCKED(k: Kernel, vp: vnode, str: string): void {
  if (!mtx_owned(k, vp.v_interlock)) throw new KernelAssertion('lock', str, `mutex ${vp.v_interlock.name} not owned (${str})`);
}
function ASSERT_VI_UNLOCKED(k: Kernel, vp: vnode, str: string): void {
  if (mtx_owned(k, vp.v_interlock)) throw new KernelAssertion('lock', str, `mutex ${vp.v_interlock.name} owned (${str})`);
}

/* ---- the vnode lock ---- */

function lkname(flags: number): string {
  const t = (flags & LK_EXCLUSIVE) !== 0 ? 'LK_EXCLUSIVE' : (flags & LK_SHARED) !== 0 ? 'LK_SHARED' : `0x${flags.toString(16)}`;
  return t + ((flags & LK_RETRY) !== 0 ? '|LK_RETRY' : '') + ((flags & LK_INTERLOCK) !== 0 ? '|LK_INTERLOCK' : '');
}

/**
 * _vn_lock: takes the vnode lock (LK_INTERLOCK: the interlock is given up on
 * the way, as lockmgr does). Without LK_RETRY a doomed vnode is unlocked again
 * and ENOENT returned; with LK_RETRY the caller gets the doomed vnode locked.
 */
export function* vn_lock(k: Kernel, vp: vnode, flags: number, at?: At): KThread<number> {
  const s = siteOf(at);
  if ((flags & LK_INTERLOCK) !== 0) yield* mtx_unlock(k, vp.v_interlock, `VI_UNLOCK(${vp.name}) for vn_lock`, s);
  yield* lockmgr_lock(k, vp.v_lock, flags & ~LK_INTERLOCK, `vn_lock(${vp.name}, ${lkname(flags)})`, s);
  if ((flags & LK_RETRY) === 0 && (vp.v_iflag & VI_DOOMED) !== 0) {
    yield* VOP_UNLOCK(k, vp, 0, at);
    return ENOENT;
  }
  return 0;
}

export function* VOP_UNLOCK(k: Kernel, vp: vnode, _flags: number, at?: At): KThread<void> {
  yield* lockmgr_unlock(k, vp.v_lock, `VOP_UNLOCK(${vp.name})`, siteOf(at));
}

export function VOP_ISLOCKED(k: Kernel, vp: vnode): number {
  return lockmgr_status(k, vp.v_lock);
}

/** IGNORE_LOCK: the DEBUG_VFS_LOCKS checks skip VCHR and VBAD vnodes. */
function IGNORE_LOCK(vp: vnode): boolean {
  return vp.v_type === VCHR || vp.v_type === VBAD;
}

export function ASSERT_VOP_ELOCKED(k: Kernel, vp: vnode, str: string, fn: string, line?: number): void {
  if (!IGNORE_LOCK(vp) && VOP_ISLOCKED(k, vp) !== LK_EXCLUSIVE) throw new KernelAssertion('lock', fn, `${str}: ${vp.name} is not exclusive locked but should be`, line);
}

export function ASSERT_VOP_LOCKED(k: Kernel, vp: vnode, str: string, fn: string, line?: number): void {
  if (!IGNORE_LOCK(vp) && VOP_ISLOCKED(k, vp) === 0) throw new KernelAssertion('lock', fn, `${str}: ${vp.name} is not locked but should be`, line);
}

/**
 * A try-upgrade of the vnode lock (lockmgr LK_TRYUPGRADE, or LK_UPGRADE with
 * LK_NOWAIT): one non-blocking step. `upgrade` (not try): when other sharers
 * exist the shared hold is dropped first, then the exclusive lock is tried.
 */
function* vnode_lock_upgrade(k: Kernel, vp: vnode, upgrade: boolean, s: Site): KThread<number> {
  const l = vp.v_lock;
  yield { kind: 'lock', label: `VOP_LOCK(${vp.name}, ${upgrade ? 'LK_UPGRADE|LK_NOWAIT' : 'LK_TRYUPGRADE'})`, ...s, fp: [{ res: l.res, write: true }] };
  const me = k.ctx.tid;
  const i = l.sharers.indexOf(me);
  if (i < 0) throw new KernelAssertion('lock', s.fn ?? 'lockmgr', `${l.name}: upgrade of a lock not held shared by this thread`, s.line);
  if (l.sharers.length === 1) {
    l.sharers.splice(0, 1);
    l.xowner = me;
    return 0;
  }
  if (!upgrade) return EBUSY;
  l.sharers.splice(i, 1);
  if (l.xowner === null && l.sharers.length === 0) {
    l.xowner = me;
    return 0;
  }
  return EBUSY;
}

/* ---- use and hold counts ---- */

/** A use reference on a vnode already referenced: both counts go up atomically, no interlock. */
export function* vrefact(k: Kernel, vp: vnode, at?: At): KThread<void> {
  const fn = 'vrefact';
  typeRead(k, vp);
  if (vp.v_type === VCHR) {
    if (!(vp.v_holdcnt > 0 && vp.v_usecount > 0)) throw new KernelAssertion('KASSERT', fn, 'vrefact: wrong ref counts');
    yield* vref(k, vp, at);
    return;
  }
  yield { kind: 'access', label: `vrefact(${vp.name})`, ...siteOf(at, at === undefined ? fn : undefined), fp: [] };
  /* Two refcount_acquires whose KASSERTs pass for any count >= 1. */
  count(k, R.hold(vp), vp.v_holdcnt, 1, vp.v_holdcnt > 0 ? 1 : null);
  count(k, R.use(vp), vp.v_usecount, 1, vp.v_usecount > 0 ? 1 : null);
  const oldh = vp.v_holdcnt++;
  if (!(oldh > 0)) throw new KernelAssertion('KASSERT', fn, 'vrefact: wrong hold count');
  const oldu = vp.v_usecount++;
  if (!(oldu > 0)) throw new KernelAssertion('KASSERT', fn, 'vrefact: wrong use count');
}

/** vref: a hold, then a use reference; the 0->1 use transition is made under the interlock and clears VI_OWEINACT. */
export function* vref(k: Kernel, vp: vnode, at?: At): KThread<void> {
  const fn = 'vref';
  yield* vhold(k, vp, at);
  yield { kind: 'access', label: `v_incr_usecount(${vp.name})`, ...siteOf(at, at === undefined ? fn : undefined), fp: [] };
  typeRead(k, vp);
  if (vp.v_type !== VCHR && vp.v_usecount > 0) {
    count(k, R.use(vp), vp.v_usecount, 1, 1);
    vp.v_usecount++;
    if ((vp.v_iflag & VI_OWEINACT) !== 0) throw new KernelAssertion('KASSERT', 'v_incr_usecount', 'vnode with usecount and VI_OWEINACT set');
    return;
  }
  count(k, R.use(vp), vp.v_usecount, 0, null);
  yield* VI_LOCK(k, vp, at);
  if ((vp.v_iflag & VI_OWEINACT) !== 0) {
    if (vp.v_usecount !== 0) throw new KernelAssertion('KASSERT', 'v_incr_usecount_locked', 'vnode with usecount and VI_OWEINACT set');
    vp.v_iflag &= ~VI_OWEINACT;
  }
  count(k, R.use(vp), vp.v_usecount, 1, null);
  vp.v_usecount++;
  yield* VI_UNLOCK(k, vp, at);
}

const VPUTX_VRELE = 1;
const VPUTX_VPUT = 2;
const VPUTX_VUNREF = 3;

function* vputx(k: Kernel, vp: vnode, func: number, at?: At): KThread<void> {
  const fn = func === VPUTX_VRELE ? 'vrele' : func === VPUTX_VPUT ? 'vput' : 'vunref';
  const s = siteOf(at, at === undefined ? fn : undefined);
  if (func === VPUTX_VUNREF) ASSERT_VOP_LOCKED(k, vp, 'vunref', fn, s.line);
  else if (func === VPUTX_VPUT) ASSERT_VOP_LOCKED(k, vp, 'vput', fn, s.line);
  ASSERT_VI_UNLOCKED(k, vp, 'vputx');

  /* refcount_release_if_not_last */
  yield { kind: 'access', label: `${fn}(${vp.name})`, ...s, fp: [] };
  typeRead(k, vp);
  if (vp.v_type !== VCHR && vp.v_usecount > 1) {
    count(k, R.use(vp), vp.v_usecount, -1, 2);
    vp.v_usecount--;
    if (func === VPUTX_VPUT) yield* VOP_UNLOCK(k, vp, 0, s);
    yield* vdrop(k, vp, s);
    return;
  }
  count(k, R.use(vp), vp.v_usecount, 0, null);

  yield* VI_LOCK(k, vp, s);
  /* Hold the vnode until inactive is done, to keep vgone out: drop the use count now, the hold below. */
  count(k, R.use(vp), vp.v_usecount, -1, null);
  if (vp.v_usecount <= 0) throw new KernelAssertion('KASSERT', 'refcount_release', `refcount_release: negative refcount ${vp.name}.v_usecount`);
  vp.v_usecount--;
  if (vp.v_usecount !== 0 || (vp.v_iflag & VI_DOINGINACT) !== 0) {
    if (func === VPUTX_VPUT) yield* VOP_UNLOCK(k, vp, 0, s);
    yield* vdropl(k, vp, s);
    return;
  }

  /* VOP_INACTIVE runs with the vnode locked; VI_DOINGINACT keeps it from recursing. */
  vp.v_iflag |= VI_OWEINACT;
  let error = 0;
  switch (func) {
    case VPUTX_VRELE:
      error = yield* vn_lock(k, vp, LK_EXCLUSIVE | LK_INTERLOCK, s);
      yield* VI_LOCK(k, vp, s);
      break;
    case VPUTX_VPUT:
    case VPUTX_VUNREF:
      if (VOP_ISLOCKED(k, vp) !== LK_EXCLUSIVE) {
        yield* mtx_unlock(k, vp.v_interlock, `VI_UNLOCK(${vp.name}) for upgrade`, s);
        error = yield* vnode_lock_upgrade(k, vp, func === VPUTX_VPUT, s);
        yield* VI_LOCK(k, vp, s);
      }
      break;
  }
  if (vp.v_usecount !== 0 && (vp.v_iflag & VI_OWEINACT) !== 0) throw new KernelAssertion('KASSERT', 'vputx', 'vnode with usecount and VI_OWEINACT set');
  if (error === 0) {
    if ((vp.v_iflag & VI_OWEINACT) !== 0) yield* vinactive(k, vp, s);
    if (func !== VPUTX_VUNREF) yield* VOP_UNLOCK(k, vp, 0, s);
  }
  yield* vdropl(k, vp, s);
}

/** Drops a use reference; the vnode lock is not required (it is taken for the last one). */
export function* vrele(k: Kernel, vp: vnode, at?: At): KThread<void> {
  yield* vputx(k, vp, VPUTX_VRELE, at);
}
/** vrele of a locked vnode, which is unlocked. */
export function* vput(k: Kernel, vp: vnode, at?: At): KThread<void> {
  yield* vputx(k, vp, VPUTX_VPUT, at);
}
/** vrele of a locked vnode that stays locked. */
export function* vunref(k: Kernel, vp: vnode, at?: At): KThread<void> {
  yield* vputx(k, vp, VPUTX_VUNREF, at);
}

/** _vhold(vp, false). */
export function* vhold(k: Kernel, vp: vnode, at?: At): KThread<void> {
  const fn = 'vhold';
  const s = siteOf(at, at === undefined ? fn : undefined);
  ASSERT_VI_UNLOCKED(k, vp, '_vhold');
  /* refcount_acquire_if_not_zero */
  yield { kind: 'access', label: `vhold(${vp.name})`, ...s, fp: [] };
  if (vp.v_holdcnt > 0) {
    count(k, R.hold(vp), vp.v_holdcnt, 1, 1);
    vp.v_holdcnt++;
    if ((vp.v_iflag & VI_FREE) !== 0) throw new KernelAssertion('KASSERT', '_vhold', '_vhold: vnode with holdcnt is free');
    return;
  }
  count(k, R.hold(vp), vp.v_holdcnt, 0, null);
  yield* VI_LOCK(k, vp, s);
  count(k, R.hold(vp), vp.v_holdcnt, 1, null);
  if ((vp.v_iflag & VI_FREE) === 0) {
    vp.v_holdcnt++;
    yield* VI_UNLOCK(k, vp, s);
    return;
  }
  if (vp.v_holdcnt !== 0) throw new KernelAssertion('KASSERT', '_vhold', '_vhold: wrong hold count');
  if ((vp.v_iflag & VI_ACTIVE) !== 0) throw new KernelAssertion('KASSERT', '_vhold', 'Activating already active vnode');
  /* Off the free list, onto the mount's active list. */
  vp.v_iflag &= ~VI_FREE;
  vp.v_iflag |= VI_ACTIVE;
  vp.v_holdcnt++;
  yield* VI_UNLOCK(k, vp, s);
}

/** _vdrop(vp, false). */
export function* vdrop(k: Kernel, vp: vnode, at?: At): KThread<void> {
  const fn = 'vdrop';
  const s = siteOf(at, at === undefined ? fn : undefined);
  ASSERT_VI_UNLOCKED(k, vp, '_vdrop');
  /* refcount_release_if_not_last */
  yield { kind: 'access', label: `vdrop(${vp.name})`, ...s, fp: [] };
  count(k, R.hold(vp), vp.v_holdcnt, vp.v_holdcnt > 1 ? -1 : 0, vp.v_holdcnt > 1 ? 2 : null);
  if (vp.v_holdcnt <= 0) throw new KernelAssertion('panic', fn, `vdrop: holdcnt ${vp.v_holdcnt}`);
  if (vp.v_holdcnt > 1) {
    vp.v_holdcnt--;
    return;
  }
  yield* VI_LOCK(k, vp, s);
  yield* vdropl(k, vp, s);
}

/**
 * _vdrop(vp, true): the interlock is held and released. The last hold puts a
 * live vnode on the free list or frees a doomed one.
 */
export function* vdropl(k: Kernel, vp: vnode, at?: At): KThread<void> {
  const fn = 'vdropl';
  const s = siteOf(at, at === undefined ? fn : undefined);
  ASSERT_VI_LOCKED(k, vp, '_vdrop');
  count(k, R.hold(vp), vp.v_holdcnt, -1, null);
  if (vp.v_holdcnt <= 0) throw new KernelAssertion('panic', fn, `vdrop: holdcnt ${vp.v_holdcnt}`);
  vp.v_holdcnt--;
  if (vp.v_holdcnt > 0) {
    yield* VI_UNLOCK(k, vp, s);
    return;
  }
  if ((vp.v_iflag & VI_DOOMED) === 0) {
    /* Mark the vnode free: off the active list, up for recycling. */
    if ((vp.v_iflag & VI_FREE) !== 0) throw new KernelAssertion('KASSERT', fn, 'vnode already free');
    if ((vp.v_iflag & VI_OWEINACT) === 0) {
      vp.v_iflag &= ~VI_ACTIVE;
      vp.v_iflag |= VI_FREE;
    }
    yield* VI_UNLOCK(k, vp, s);
    return;
  }
  /* Doomed and unheld: the vnode goes back to the zone. */
  if ((vp.v_iflag & VI_FREE) !== 0) throw new KernelAssertion('KASSERT', fn, 'cleaned vnode still on the free list.');
  if (vp.v_holdcnt !== 0) throw new KernelAssertion('KASSERT', fn, 'Non-zero hold count');
  /* The use and write counts change without the interlock (fast paths, the vnode lock): these KASSERTs read them. */
  count(k, R.use(vp), vp.v_usecount, 0, null);
  k.ctx.touch(`${vp.name}.v_writecount`, false, true);
  if (vp.v_usecount !== 0) throw new KernelAssertion('KASSERT', fn, 'Non-zero use count');
  if (vp.v_writecount !== 0) throw new KernelAssertion('KASSERT', fn, 'Non-zero write count');
  yield* VI_UNLOCK(k, vp, s);
  vp.freed = true;
}

/**
 * Entered with the vnode locked exclusively and the interlock held; returns
 * with the interlock held. Writes dirty pages out asynchronously and calls
 * VOP_INACTIVE.
 */
export function* vinactive(k: Kernel, vp: vnode, at?: At): KThread<void> {
  const fn = 'vinactive';
  const s = siteOf(at, at === undefined ? fn : undefined);
  ASSERT_VOP_ELOCKED(k, vp, 'vinactive', fn, s.line);
  ASSERT_VI_LOCKED(k, vp, 'vinactive');
  if ((vp.v_iflag & VI_DOINGINACT) !== 0) throw new KernelAssertion('KASSERT', fn, 'vinactive: recursed on VI_DOINGINACT');
  vp.v_iflag |= VI_DOINGINACT;
  vp.v_iflag &= ~VI_OWEINACT;
  yield* VI_UNLOCK(k, vp, s);
  /*
   * Modified pages must reach the filesystem before the vnode goes
   * inactive. OBJ_MIGHTBEDIRTY is not tracked (vm_object.ts), so any
   * object is cleaned.
   */
  k.ctx.touch(R.obj(vp), false);
  const obj = vp.v_object;
  if (obj !== null && (vp.v_vflag & VV_NOSYNC) === 0) {
    yield* VM_OBJECT_WLOCK(k, obj, { fn });
    yield* vm_object_page_clean(k, obj, 0, 0, 0);
    yield* VM_OBJECT_WUNLOCK(k, obj, { fn });
  }
  /* VOP_INACTIVE: nothing for the model's filesystems (deadfs: VOP_NULL). */
  yield* VI_LOCK(k, vp, s);
  if ((vp.v_iflag & VI_DOINGINACT) === 0) throw new KernelAssertion('KASSERT', fn, 'vinactive: lost VI_DOINGINACT');
  vp.v_iflag &= ~VI_DOINGINACT;
}

/* ---- predicates ---- */

/** True for a disk device vnode; the model has no devsw, so any VCHR counts. */
export function vn_isdisk(vp: vnode): boolean {
  return vp.v_type === VCHR;
}

/** VREG, or VDIR with vmiodirenable (on by default). */
export function vn_canvmio(vp: vnode | null): boolean {
  return vp !== null && (vp.v_type === VREG || vp.v_type === VDIR);
}

/* ---- writes and suspension ---- */

/**
 * Gets the vnode's mount for writing (VOP_GETWRITEMOUNT: NULL once
 * reclaimed). Suspension is not modelled, so this never sleeps; it is one
 * step on the mount's write count.
 */
export function* vn_start_write(k: Kernel, vp: vnode | null, mp: { v: mount | null }, _flags: number, at?: At): KThread<number> {
  const res = vp !== null ? vp.v_mount : mp.v;
  yield { kind: 'access', label: `vn_start_write(${vp?.name ?? 'NULL'})`, ...siteOf(at, 'vn_start_write'), fp: res ? [{ res: `${res.name}.mnt_writeopcount`, write: true, atomic: true }] : [] };
  /* VOP_GETWRITEMOUNT, in the step: deadfs answers NULL. */
  if (vp !== null) mp.v = vp.v_type === VBAD ? null : vp.v_mount;
  return 0;
}

export function* vn_finished_write(k: Kernel, mp: mount | null, at?: At): KThread<void> {
  if (mp === null) return;
  yield { kind: 'access', label: `vn_finished_write(${mp.name})`, ...siteOf(at, 'vn_finished_write'), fp: [{ res: `${mp.name}.mnt_writeopcount`, write: true, atomic: true }] };
}

/* ---- VOPs ---- */

/** vop_stdadd_writecount; the VOP's lock spec asserts the vnode is locked exclusively. */
export function VOP_ADD_WRITECOUNT(k: Kernel, vp: vnode, inc: number, at?: At): void {
  const s = siteOf(at);
  ASSERT_VOP_ELOCKED(k, vp, 'VOP_ADD_WRITECOUNT', 'VOP_ADD_WRITECOUNT', s.line);
  k.ctx.touch(`${vp.name}.v_writecount`, true);
  vp.v_writecount += inc;
  k.observer.emit({ type: 'WRITECOUNT', vp: vp.name, v_writecount: vp.v_writecount });
}

/** vop_stdunset_text. */
export function VOP_UNSET_TEXT(k: Kernel, vp: vnode, at?: At): void {
  const s = siteOf(at);
  ASSERT_VOP_ELOCKED(k, vp, 'VOP_UNSET_TEXT', 'VOP_UNSET_TEXT', s.line);
  vp.v_vflag &= ~VV_TEXT;
}

/** The inode's size; EBADF on a reclaimed vnode (deadfs). */
export function* VOP_GETATTR(k: Kernel, vp: vnode, at?: At): KThread<{ error: number; va_size: number }> {
  const s = siteOf(at, at === undefined ? 'VOP_GETATTR' : undefined);
  ASSERT_VOP_LOCKED(k, vp, 'VOP_GETATTR', 'VOP_GETATTR', s.line);
  yield { kind: 'yield', label: `VOP_GETATTR(${vp.name})`, ...s, fp: [{ res: `${vp.name}.va_size`, write: false }] };
  if (vp.v_type === VBAD) return { error: EBADF, va_size: 0 };
  return { error: 0, va_size: vp.va_size };
}

/** The filesystem's reclaim: UFS destroys the VM object first thing (ufs_prepare_reclaim). */
export function* VOP_RECLAIM(k: Kernel, vp: vnode): KThread<number> {
  ASSERT_VOP_ELOCKED(k, vp, 'VOP_RECLAIM', 'VOP_RECLAIM');
  if (vp.v_type === VBAD) return 0; /* deadfs: VOP_NULL */
  if (hooks === null) throw new HarnessBug('VOP_RECLAIM: vnode_destroy_vobject is not registered; import impl/vnode_pager.ts');
  yield* hooks.vnode_destroy_vobject(k, vp);
  return 0;
}

/**
 * Flushes the vnode's buffers. No buffer cache here: waits for the object's
 * paging in progress, then removes its pages (only clean ones with V_SAVE).
 */
export function* vinvalbuf(k: Kernel, vp: vnode, flags: number): KThread<number> {
  const fn = 'vinvalbuf';
  ASSERT_VOP_LOCKED(k, vp, 'vinvalbuf', fn);
  k.ctx.touch(R.obj(vp), false);
  const obj = vp.v_object;
  if (obj !== null) {
    yield* VM_OBJECT_WLOCK(k, obj, { fn });
    yield* vm_object_pip_wait(k, obj, 'bovlbx');
    yield* VM_OBJECT_WUNLOCK(k, obj, { fn });
    yield* VM_OBJECT_WLOCK(k, obj, { fn });
    yield* vm_object_page_remove(k, obj, 0, 0, (flags & V_SAVE) !== 0 ? OBJPR_CLEANONLY : 0);
    yield* VM_OBJECT_WUNLOCK(k, obj, { fn });
  }
  return 0;
}

/* ---- vgone ---- */

/** vgonel: the vnode lock held exclusively and the interlock held; returns with the interlock held. */
function* vgonel(k: Kernel, vp: vnode): KThread<void> {
  const fn = 'vgonel';
  const s: Site = { fn };
  ASSERT_VOP_ELOCKED(k, vp, 'vgonel', fn);
  ASSERT_VI_LOCKED(k, vp, 'vgonel');
  if (vp.v_holdcnt === 0) throw new KernelAssertion('KASSERT', fn, `vgonel: vp ${vp.name} has no reference.`);
  /* Don't vgonel if we're already doomed. */
  if ((vp.v_iflag & VI_DOOMED) !== 0) return;
  k.ctx.touch(R.iflag(vp), true);
  vp.v_iflag |= VI_DOOMED;
  k.observer.emit({ type: 'VNODE_DOOMED', vp: vp.name });
  /* An active vnode is deactivated before it is reclaimed; any use count >= 1 takes the same path. */
  count(k, R.use(vp), vp.v_usecount, 0, vp.v_usecount > 0 ? 1 : null);
  const active = vp.v_usecount;
  const oweinact = vp.v_iflag & VI_OWEINACT;
  yield* VI_UNLOCK(k, vp, s);
  if (oweinact !== 0 || active !== 0) {
    yield* VI_LOCK(k, vp, s);
    if ((vp.v_iflag & VI_DOINGINACT) === 0) yield* vinactive(k, vp, s);
    yield* VI_UNLOCK(k, vp, s);
  }
  /* Clean out the buffers (none here) and the object's clean pages. */
  yield* vinvalbuf(k, vp, V_SAVE);
  if ((yield* VOP_RECLAIM(k, vp)) !== 0) throw new KernelAssertion('panic', fn, 'vgone: cannot reclaim');
  k.ctx.touch(R.obj(vp), false);
  if (vp.v_object !== null) throw new KernelAssertion('KASSERT', fn, `vop_reclaim left v_object vp=${vp.name}, tag=ufs`);
  yield* VI_LOCK(k, vp, s);
  k.ctx.touch(R.type(vp), true);
  vp.v_type = VBAD;
}

/** Dooms and reclaims the vnode. The caller holds the vnode lock exclusively (and keeps it). */
export function* vgone(k: Kernel, vp: vnode): KThread<void> {
  yield* VI_LOCK(k, vp, { fn: 'vgone' });
  yield* vgonel(k, vp);
  yield* VI_UNLOCK(k, vp, { fn: 'vgone' });
}
