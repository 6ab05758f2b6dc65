/*
 * vm_object: the VM object of a vnode (sys/vm/vm_object.h, vm_object.c,
 * vm_pageout.c's vm_pageout_flush, 2017).
 *
 * Kept: type (OBJT_VNODE, OBJT_DEAD), flags (OBJ_DEAD, OBJ_PIPWNT,
 * OBJ_DISCONNECTWNT, OBJ_COLORED), ref_count, size (pages), handle,
 * un_pager.vnp (vnp_size in bytes, writemappings in bytes),
 * paging_in_progress, the ordered resident page list, the object rwlock,
 * VM_OBJECT_SLEEP with PDROP; and these routines with their 2017 order of
 * steps and their KASSERT messages:
 *  - vm_object_allocate (uma M_WAITOK: may sleep, never fails; one step);
 *  - vm_object_deallocate, which for OBJT_VNODE is vm_object_vndeallocate:
 *    drops ref_count and vrele's the vnode, never terminates (the object
 *    caches pages until the vnode's reclaim); the VV_TEXT last-reference path
 *    (vhold, vn_lock, VOP_UNSET_TEXT, vput) is kept. An OBJT_DEAD object goes
 *    the generic way and is terminated at ref_count 0;
 *  - vm_object_terminate: OBJ_DEAD, pip wait "objtrm", for a vnode object
 *    vm_object_page_clean(OBJPC_SYNC) (the pager drops the object lock inside
 *    putpages), unlock, vinvalbuf(V_SAVE), relock, KASSERT ref_count == 0,
 *    free the pages (wired ones only detached), one vdrop of the vnode if
 *    pages were resident, vm_pager_deallocate, unlock, vm_object_destroy;
 *  - vm_object_destroy with the INVARIANTS zone destructor checks
 *    (ref_count 0, no pages, pip 0, OBJT_DEAD) and UMA's duplicate-free check;
 *  - vm_object_page_remove (sleeps "vmopax"/"vmopar" on busy pages and
 *    rescans; OBJPR_CLEANONLY keeps dirty pages; wired pages invalidated);
 *  - vm_object_page_clean with vm_object_page_collect_flush (clusters of up
 *    to vm_pageout_page_count = 32 consecutive dirty unbusied pages, forward
 *    then backward) and vm_pageout_flush (sbusy, pip, putpages, the rtvals:
 *    BAD undirties, ERROR/FAIL reactivate and report eio, AGAIN ends the run);
 *  - pip add / wakeup (wakeup(object) at 0 with OBJ_PIPWNT) / wait "objtrm".
 * Left out: shadow chains and collapse, swap charge and cred, reservations,
 * the radix trie (the sorted memq serves lookups), the umtx shm registry
 * (umtx_shm_object_terminated is a no-op), OBJ_MIGHTBEDIRTY (nobody in the
 * model sets it, so every vnode object is treated as possibly dirty:
 * vm_object_page_clean and vinactive always look at the pages; this only adds
 * work the kernel may skip), the object generation count (never bumped in
 * the model, so vm_object_page_clean never rescans), VPO_NOSYNC, the page lock
 * (the object lock covers what the seed touches), BO_DEAD.
 */
import { KernelAssertion, HarnessBug, type KThread } from '../../checker/op.ts';
import { rwlock, rw_wlock, rw_wunlock, rw_wowned, sleep, wakeup, LK_EXCLUSIVE, LK_RETRY, type Site } from './sync.ts';
import {
  VM_PAGE_BITS_ALL,
  PGA_WRITEABLE,
  vm_page_busied,
  vm_page_xbusied,
  vm_page_busy_sleep,
  vm_page_free,
  vm_page_sbusy,
  vm_page_sunbusy,
  vm_page_undirty,
  pmap_remove_all,
  pmap_remove_write,
  pmap_page_is_write_mapped,
  type vm_page,
} from './vm_page.ts';
import type { Kernel } from './kernel.ts';
import { vdrop, vhold, vn_lock, vput, vref, vrele, VOP_UNLOCK, VOP_UNSET_TEXT, VV_TEXT, vinvalbuf, V_SAVE, type vnode } from './vnode.ts';
import { PAGE_SIZE, PAGE_MASK } from './data.ts';
import {
  vm_pager_deallocate,
  vm_pager_put_pages,
  VM_PAGER_OK,
  VM_PAGER_BAD,
  VM_PAGER_FAIL,
  VM_PAGER_PEND,
  VM_PAGER_ERROR,
  VM_PAGER_AGAIN,
  VM_PAGER_PUT_SYNC,
  VM_PAGER_PUT_INVAL,
  VM_PAGER_CLUSTER_OK,
} from './vm_pager.ts';

export const OBJT_DEFAULT = 0;
export const OBJT_SWAP = 1;
export const OBJT_VNODE = 2;
export const OBJT_DEAD = 5;
export type objtype_t = typeof OBJT_DEFAULT | typeof OBJT_SWAP | typeof OBJT_VNODE | typeof OBJT_DEAD;

export const OBJ_DEAD = 0x0008;
export const OBJ_PIPWNT = 0x0040;
export const OBJ_MIGHTBEDIRTY = 0x0100;
export const OBJ_COLORED = 0x1000;
export const OBJ_ONEMAPPING = 0x2000;
export const OBJ_DISCONNECTWNT = 0x4000;

/* vm_object_page_clean flags */
export const OBJPC_SYNC = 0x1;
export const OBJPC_INVAL = 0x2;
export const OBJPC_NOSYNC = 0x4;
/* vm_object_page_remove options */
export const OBJPR_CLEANONLY = 0x1;
export const OBJPR_NOTMAPPED = 0x2;

/** Sleep priority; the model ignores priorities but the argument is kept as the C passes it. */
import { PVM } from './sync.ts';
export { PVM };
/** vm_pageout_page_count: the largest cluster vm_object_page_collect_flush builds. */
export const vm_pageout_page_count = 32;
export const INT_MAX = 0x7fffffff;

/* vm_param.h conversions, on exact integers (no 32-bit shifts: offsets pass 2^31). */
export function OFF_TO_IDX(off: number): number {
  return Math.floor(off / PAGE_SIZE);
}
export function IDX_TO_OFF(idx: number): number {
  return idx * PAGE_SIZE;
}
export function round_page(x: number): number {
  return Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;
}
export function trunc_page(x: number): number {
  return x - (x % PAGE_SIZE);
}

export function objtype_name(t: number): string {
  return t === OBJT_VNODE ? 'OBJT_VNODE' : t === OBJT_DEAD ? 'OBJT_DEAD' : t === OBJT_SWAP ? 'OBJT_SWAP' : t === OBJT_DEFAULT ? 'OBJT_DEFAULT' : `type ${t}`;
}

export class vm_object {
  type: objtype_t;
  flags = 0;
  /** Size in pages. */
  size: number;
  ref_count = 1;
  /** The vnode, for a vnode object; NULL once deallocated. */
  handle: vnode | null = null;
  paging_in_progress = 0;
  readonly un_pager = { vnp: { vnp_size: 0, writemappings: 0 } };
  /** Resident pages sorted by pindex (memq). */
  readonly memq: vm_page[] = [];
  readonly lock: rwlock;
  /** Freed to the zone (vm_object_destroy). Type-stable: the lock stays usable. */
  destroyed = false;
  /** pg_color, set once by vm_object_color. */
  pg_color = 0;

  constructor(
    readonly k: Kernel,
    /** "obj1", "obj2", ... in allocation order. */
    readonly name: string,
    type: objtype_t,
    size: number,
  ) {
    this.type = type;
    this.size = size;
    this.lock = new rwlock(name);
  }
  /** Sleep/wakeup channel of the object (wakeup(object)). */
  get wchan(): string {
    return this.name;
  }
  get resident_page_count(): number {
    return this.memq.length;
  }
}

/**
 * Where a kernel routine is called from: a seed line (the port), or a Site
 * naming the kernel routine (and, when known, the seed line that led there).
 */
export type At = number | Site;

export function siteOf(at: At | undefined, fn?: string): Site {
  if (at === undefined) return fn !== undefined ? { fn } : {};
  if (typeof at === 'number') return fn !== undefined ? { line: at, fn } : { line: at };
  return at;
}

/* ---- locking macros (vm_object.h) ---- */

export function* VM_OBJECT_WLOCK(k: Kernel, obj: vm_object, at?: At): KThread<void> {
  /*
   * The C takes &obj->lock: on a NULL object (e.g. getpages completing after
   * v_object was cleared) the kernel takes a page fault and panics. Report
   * that as a panic of the kernel, not as a crash of the harness.
   */
  if ((obj as vm_object | null) === null) {
    const site = siteOf(at);
    throw new KernelAssertion('panic', site.fn ?? 'VM_OBJECT_WLOCK', 'page fault: NULL vm_object dereferenced by VM_OBJECT_WLOCK', site.line);
  }
  yield* rw_wlock(k, obj.lock, `VM_OBJECT_WLOCK(${obj.name})`, siteOf(at));
}

export function* VM_OBJECT_WUNLOCK(k: Kernel, obj: vm_object, at?: At): KThread<void> {
  yield* rw_wunlock(k, obj.lock, `VM_OBJECT_WUNLOCK(${obj.name})`, siteOf(at));
}

export function VM_OBJECT_WOWNED(k: Kernel, obj: vm_object): boolean {
  return rw_wowned(k, obj.lock);
}

/** rw_assert(RA_WLOCKED): a lock violation naming the routine that asserted. */
export function VM_OBJECT_ASSERT_WLOCKED(k: Kernel, obj: vm_object, fn: string, line?: number): void {
  if (!rw_wowned(k, obj.lock)) throw new KernelAssertion('lock', fn, `Lock vm object ${obj.name} not exclusively locked`, line);
}

/** rw_sleep(wchan, &obj->lock, pri, wmesg): drops the object lock and sleeps; re-takes it unless PDROP. */
export function* VM_OBJECT_SLEEP(k: Kernel, obj: vm_object, wchan: string, pri: number, wmesg: string, at?: At): KThread<void> {
  yield* sleep(k, wchan, { kind: 'rw', lock: obj.lock }, pri, wmesg, siteOf(at));
}

/* ---- flags ---- */

/** Inline in vm_object.h: no assertion (locked or thread-private object). */
export function vm_object_set_flag(_k: Kernel, obj: vm_object, bits: number): void {
  obj.flags |= bits;
}

export function vm_object_clear_flag(k: Kernel, obj: vm_object, bits: number): void {
  VM_OBJECT_ASSERT_WLOCKED(k, obj, 'vm_object_clear_flag');
  obj.flags &= ~bits;
}

/** VM_NRESERVLEVEL > 0 on amd64: the colour is fixed once. */
export function vm_object_color(_k: Kernel, obj: vm_object, color: number): void {
  if ((obj.flags & OBJ_COLORED) === 0) {
    obj.pg_color = color;
    obj.flags |= OBJ_COLORED;
  }
}

/** No process-shared umtx registrations exist in the model. */
export function umtx_shm_object_terminated(_k: Kernel, _obj: vm_object): void {}

/* ---- paging in progress ---- */

export function vm_object_pip_add(k: Kernel, obj: vm_object, n: number): void {
  VM_OBJECT_ASSERT_WLOCKED(k, obj, 'vm_object_pip_add');
  obj.paging_in_progress += n;
}

export function* vm_object_pip_wakeup(k: Kernel, obj: vm_object): KThread<void> {
  VM_OBJECT_ASSERT_WLOCKED(k, obj, 'vm_object_pip_wakeup');
  obj.paging_in_progress--;
  if ((obj.flags & OBJ_PIPWNT) !== 0 && obj.paging_in_progress === 0) {
    vm_object_clear_flag(k, obj, OBJ_PIPWNT);
    yield* wakeup(k, obj.wchan, { fn: 'vm_object_pip_wakeup' });
  }
}

/** Sleeps on the object (channel shared with OBJ_DISCONNECTWNT waiters) until pip is 0; relocks after each sleep. */
export function* vm_object_pip_wait(k: Kernel, obj: vm_object, wmesg: string, line?: number): KThread<void> {
  VM_OBJECT_ASSERT_WLOCKED(k, obj, 'vm_object_pip_wait', line);
  while (obj.paging_in_progress !== 0) {
    obj.flags |= OBJ_PIPWNT;
    yield* VM_OBJECT_SLEEP(k, obj, obj.wchan, PVM, wmesg, line !== undefined ? { line, fn: 'vm_object_pip_wait' } : { fn: 'vm_object_pip_wait' });
  }
}

/* ---- allocate, reference, deallocate ---- */

/** uma_zalloc(obj_zone, M_WAITOK) + _vm_object_allocate: one step that may sleep; never fails. */
export function* vm_object_allocate(k: Kernel, type: objtype_t, size: number): KThread<vm_object> {
  yield { kind: 'alloc', label: `vm_object_allocate(${objtype_name(type)}, ${size})`, fn: 'vm_object_allocate', fp: [{ res: 'zone:VM OBJECT', write: true }] };
  if (type === OBJT_DEAD) throw new KernelAssertion('panic', '_vm_object_allocate', "_vm_object_allocate: can't create OBJT_DEAD");
  const obj = new vm_object(k, k.newName('obj'), type, size);
  obj.flags = type === OBJT_VNODE ? 0 : OBJ_ONEMAPPING;
  obj.ref_count = 1;
  k.objects.push(obj);
  return obj;
}

/** vm_object_reference_locked: another reference; a vnode object's carries a vnode use reference (vref). */
export function* vm_object_reference_locked(k: Kernel, obj: vm_object): KThread<void> {
  VM_OBJECT_ASSERT_WLOCKED(k, obj, 'vm_object_reference_locked');
  obj.ref_count++;
  k.observer.emit({ type: 'OBJ_REFS', obj: obj.name, refs: obj.ref_count });
  if (obj.type === OBJT_VNODE) {
    const vp = obj.handle;
    if (vp === null) throw new HarnessBug(`${obj.name}: OBJT_VNODE object without a handle`);
    yield* vref(k, vp);
  }
}

export function* vm_object_reference(k: Kernel, obj: vm_object | null): KThread<void> {
  if (obj === null) return;
  yield* VM_OBJECT_WLOCK(k, obj, { fn: 'vm_object_reference' });
  yield* vm_object_reference_locked(k, obj);
  yield* VM_OBJECT_WUNLOCK(k, obj, { fn: 'vm_object_reference' });
}

/** vm_object_vndeallocate: entered write-locked; returns unlocked. Never terminates the object. */
function* vm_object_vndeallocate(k: Kernel, obj: vm_object): KThread<void> {
  const fn = 'vm_object_vndeallocate';
  const at = { fn };
  const vp = obj.handle;
  VM_OBJECT_ASSERT_WLOCKED(k, obj, fn);
  if (obj.type !== OBJT_VNODE) throw new KernelAssertion('KASSERT', fn, 'vm_object_vndeallocate: not a vnode object');
  if (vp === null) throw new KernelAssertion('KASSERT', fn, 'vm_object_vndeallocate: missing vp');
  if (obj.ref_count === 0) throw new KernelAssertion('panic', fn, 'vm_object_vndeallocate: bad object reference count');
  if (obj.ref_count === 1) umtx_shm_object_terminated(k, obj);
  if (obj.ref_count > 1 || (vp.v_vflag & VV_TEXT) === 0) {
    obj.ref_count--;
    k.observer.emit({ type: 'OBJ_REFS', obj: obj.name, refs: obj.ref_count });
    yield* VM_OBJECT_WUNLOCK(k, obj, at);
    /* vrele may need the vnode lock. */
    yield* vrele(k, vp, at);
  } else {
    yield* vhold(k, vp, at);
    yield* VM_OBJECT_WUNLOCK(k, obj, at);
    yield* vn_lock(k, vp, LK_EXCLUSIVE | LK_RETRY, at);
    yield* vdrop(k, vp, at);
    yield* VM_OBJECT_WLOCK(k, obj, at);
    obj.ref_count--;
    k.observer.emit({ type: 'OBJ_REFS', obj: obj.name, refs: obj.ref_count });
    /* The vnode may have been reclaimed while the object was unlocked. */
    if ((obj.type as objtype_t) === OBJT_DEAD) {
      yield* VM_OBJECT_WUNLOCK(k, obj, at);
      yield* VOP_UNLOCK(k, vp, 0, at);
    } else {
      if (obj.ref_count === 0) VOP_UNSET_TEXT(k, vp, at);
      yield* VM_OBJECT_WUNLOCK(k, obj, at);
      yield* vput(k, vp, at);
    }
  }
}

/**
 * Drops a reference; the caller holds no lock. A vnode object goes to
 * vm_object_vndeallocate; any other object (here: a vnode object already
 * turned OBJT_DEAD by vnode_pager_dealloc) is terminated at ref_count 0.
 */
export function* vm_object_deallocate(k: Kernel, object: vm_object | null): KThread<void> {
  const fn = 'vm_object_deallocate';
  const at = { fn };
  /* No backing objects in the model: the C loop runs once. */
  if (object === null) return;
  yield* VM_OBJECT_WLOCK(k, object, at);
  if (object.type === OBJT_VNODE) {
    yield* vm_object_vndeallocate(k, object);
    return;
  }
  if (object.ref_count === 0) throw new KernelAssertion('KASSERT', fn, `vm_object_deallocate: object deallocated too many times: ${object.type}`);
  object.ref_count--;
  k.observer.emit({ type: 'OBJ_REFS', obj: object.name, refs: object.ref_count });
  if (object.ref_count > 1) {
    yield* VM_OBJECT_WUNLOCK(k, object, at);
    return;
  } else if (object.ref_count === 1) {
    /* Shadow-chain collapse is left out; handle-less default objects regain OBJ_ONEMAPPING. */
    if (object.handle === null && object.type === OBJT_DEFAULT) vm_object_set_flag(k, object, OBJ_ONEMAPPING);
    yield* VM_OBJECT_WUNLOCK(k, object, at);
    return;
  }
  /* doterm: */
  umtx_shm_object_terminated(k, object);
  /* Don't double-terminate: the terminate may be syncing pages right now. */
  if ((object.flags & OBJ_DEAD) === 0) yield* vm_object_terminate(k, object);
  else yield* VM_OBJECT_WUNLOCK(k, object, at);
}

/* ---- terminate, destroy ---- */

/** Entered write-locked; returns with the object unlocked and freed. May sleep. */
export function* vm_object_terminate(k: Kernel, object: vm_object): KThread<void> {
  const fn = 'vm_object_terminate';
  const at = { fn };
  VM_OBJECT_ASSERT_WLOCKED(k, object, fn);
  /* Make sure no one uses us. */
  vm_object_set_flag(k, object, OBJ_DEAD);
  k.observer.emit({ type: 'OBJ_DEAD', obj: object.name });
  /* Wait for the pageout daemon (and any pager I/O) to be done with the object. */
  yield* vm_object_pip_wait(k, object, 'objtrm');
  if (object.paging_in_progress !== 0) throw new KernelAssertion('KASSERT', fn, 'vm_object_terminate: pageout in progress');

  if (object.type === OBJT_VNODE) {
    const vp = object.handle;
    if (vp === null) throw new HarnessBug(`${object.name}: OBJT_VNODE object without a handle in vm_object_terminate`);
    /* Clean pages and flush buffers. */
    yield* vm_object_page_clean(k, object, 0, 0, OBJPC_SYNC);
    yield* VM_OBJECT_WUNLOCK(k, object, at);
    yield* vinvalbuf(k, vp, V_SAVE);
    yield* VM_OBJECT_WLOCK(k, object, at);
  }

  if (object.ref_count !== 0) throw new KernelAssertion('KASSERT', fn, `vm_object_terminate: object with references, ref_count=${object.ref_count}`);

  /*
   * Free the remaining pages; wired pages are only detached. Detaching
   * (p->object = NULL) first makes vm_page_free skip the per-page removal;
   * the object is reset to empty below.
   */
  const had = object.resident_page_count;
  for (const p of object.memq.slice()) {
    if (vm_page_busied(p)) throw new KernelAssertion('KASSERT', fn, `vm_page_assert_unbusied: page ${p.name} busy`);
    k.observer.emit({ type: 'PAGE_REMOVE', obj: object.name, pindex: p.pindex });
    p.object = null;
    if (p.wire_count === 0) {
      vm_page_free(k, p);
      k.VM_CNT_INC('v_pfree');
    }
  }
  if (had !== 0) {
    object.memq.length = 0;
    if (object.type === OBJT_VNODE) {
      const vp = object.handle;
      if (vp === null) throw new HarnessBug(`${object.name}: OBJT_VNODE object without a handle in vm_object_terminate`);
      yield* vdrop(k, vp, at);
    }
  }

  /* Let the pager know the object is dead. */
  yield* vm_pager_deallocate(k, object);
  yield* VM_OBJECT_WUNLOCK(k, object, at);
  vm_object_destroy(k, object);
}

/** uma_zfree(obj_zone) with the INVARIANTS destructor's checks (vm_object_zdtor). */
export function vm_object_destroy(k: Kernel, object: vm_object): void {
  const fn = 'vm_object_zdtor';
  if (object.destroyed) throw new KernelAssertion('panic', 'uma_zfree', `Duplicate free of ${object.name} from zone VM OBJECT`);
  if (object.ref_count !== 0) throw new KernelAssertion('KASSERT', fn, `object ${object.name} ref_count = ${object.ref_count}`);
  if (object.memq.length !== 0) throw new KernelAssertion('KASSERT', fn, `object ${object.name} has resident pages in its memq`);
  if (object.paging_in_progress !== 0) throw new KernelAssertion('KASSERT', fn, `object ${object.name} paging_in_progress = ${object.paging_in_progress}`);
  if (object.type !== OBJT_DEAD) throw new KernelAssertion('KASSERT', fn, `object ${object.name} has non-dead type ${object.type}`);
  object.destroyed = true;
  k.observer.emit({ type: 'OBJ_DESTROY', obj: object.name });
}

/* ---- page list helpers (the radix trie's lookups over the sorted memq) ---- */

/** vm_page_find_least: the resident page with the least pindex >= pindex. */
export function vm_page_find_least(object: vm_object, pindex: number): vm_page | null {
  for (const p of object.memq) if (p.pindex >= pindex) return p;
  return null;
}

/** TAILQ_NEXT(m, listq). */
function tailq_next(object: vm_object, m: vm_page): vm_page | null {
  const i = object.memq.indexOf(m);
  return i >= 0 ? (object.memq[i + 1] ?? null) : null;
}

/** The kernel's vm_page_next / vm_page_prev: the resident page at pindex +/- 1, or NULL. */
function page_succ(object: vm_object, m: vm_page): vm_page | null {
  const n = tailq_next(object, m);
  return n !== null && n.pindex === m.pindex + 1 ? n : null;
}
function page_pred(object: vm_object, m: vm_page): vm_page | null {
  const i = object.memq.indexOf(m);
  const p = i > 0 ? (object.memq[i - 1] ?? null) : null;
  return p !== null && p.pindex === m.pindex - 1 ? p : null;
}

/* ---- page remove ---- */

/**
 * Frees (or, for wired pages, invalidates) the pages in [start, end); end 0
 * means to the end of the object. Sleeps on busy pages and rescans.
 */
export function* vm_object_page_remove(k: Kernel, object: vm_object, start: number, end: number, options: number, line?: number): KThread<void> {
  const fn = 'vm_object_page_remove';
  const at: Site = line !== undefined ? { line, fn } : { fn };
  VM_OBJECT_ASSERT_WLOCKED(k, object, fn, line);
  if (object.resident_page_count === 0) return;
  vm_object_pip_add(k, object, 1);
  again: for (;;) {
    let p = vm_page_find_least(object, start);
    for (; p !== null && (p.pindex < end || end === 0); ) {
      const next = tailq_next(object, p);
      if (vm_page_xbusied(p)) {
        /* vm_page_busy_sleep drops the object lock with the sleep. */
        yield* vm_page_busy_sleep(k, p, 'vmopax', line);
        yield* VM_OBJECT_WLOCK(k, object, at);
        continue again;
      }
      if (p.wire_count !== 0) {
        if ((options & OBJPR_NOTMAPPED) === 0) pmap_remove_all(k, p);
        if ((options & OBJPR_CLEANONLY) === 0) {
          p.valid = 0;
          vm_page_undirty(k, p);
        }
        p = next;
        continue;
      }
      if (vm_page_busied(p)) {
        yield* vm_page_busy_sleep(k, p, 'vmopar', line);
        yield* VM_OBJECT_WLOCK(k, object, at);
        continue again;
      }
      if ((options & OBJPR_CLEANONLY) !== 0 && p.valid !== 0) {
        if ((options & OBJPR_NOTMAPPED) === 0) pmap_remove_write(k, p);
        if (p.dirty !== 0) {
          p = next;
          continue;
        }
      }
      if ((options & OBJPR_NOTMAPPED) === 0) pmap_remove_all(k, p);
      vm_page_free(k, p);
      p = next;
    }
    break;
  }
  yield* vm_object_pip_wakeup(k, object);
}

/* ---- page clean ---- */

/** Makes the page read-only (moving pmap modifications into dirty); true when it should be flushed. */
function vm_object_page_remove_write(k: Kernel, p: vm_page, _flags: number): boolean {
  /* VPO_NOSYNC is not modelled: OBJPC_NOSYNC never skips a page. */
  pmap_remove_write(k, p);
  return p.dirty !== 0;
}

/**
 * Writes the dirty pages of [start, end) (byte offsets; start == end == 0:
 * everything) through the pager. Entered and left write-locked; the lock is
 * dropped in busy sleeps and inside putpages. Returns false when the pager
 * reported an error for some page.
 */
export function* vm_object_page_clean(k: Kernel, object: vm_object, start: number, end: number, flags: number): KThread<boolean> {
  const fn = 'vm_object_page_clean';
  VM_OBJECT_ASSERT_WLOCKED(k, object, fn);
  /* OBJ_MIGHTBEDIRTY is not tracked (see the header): only the resident count short-cuts. */
  if (object.resident_page_count === 0) return true;

  let pagerflags = (flags & (OBJPC_SYNC | OBJPC_INVAL)) !== 0 ? VM_PAGER_PUT_SYNC : VM_PAGER_CLUSTER_OK;
  pagerflags |= (flags & OBJPC_INVAL) !== 0 ? VM_PAGER_PUT_INVAL : 0;

  const tstart = OFF_TO_IDX(start);
  const tend = end === 0 ? object.size : OFF_TO_IDX(end + PAGE_MASK);
  let res = true;

  let np: vm_page | null;
  for (let p = vm_page_find_least(object, tstart); p !== null; p = np) {
    const pi = p.pindex;
    if (pi >= tend) break;
    np = tailq_next(object, p);
    if (p.valid === 0) continue;
    if (vm_page_busied(p)) {
      /* vm_page_sleep_if_busy(p, "vpcwai") */
      yield* vm_page_busy_sleep(k, p, 'vpcwai');
      yield* VM_OBJECT_WLOCK(k, object, { fn });
      np = vm_page_find_least(object, pi);
      continue;
    }
    if (!vm_object_page_remove_write(k, p, flags)) continue;

    const r = yield* vm_object_page_collect_flush(k, object, p, pagerflags, flags);
    if (r.eio) res = false;
    /*
     * A truncated write that did not even finish the first page gives a run
     * of 0; step over the page instead of looping on it.
     */
    const n = r.runlen === 0 ? 1 : r.runlen;
    np = vm_page_find_least(object, pi + n);
  }
  return res;
}

function* vm_object_page_collect_flush(k: Kernel, object: vm_object, p: vm_page, pagerflags: number, flags: number): KThread<{ runlen: number; eio: boolean }> {
  VM_OBJECT_ASSERT_WLOCKED(k, object, 'vm_object_page_collect_flush');
  let count = 1;
  let mreq = 0;
  for (let tp: vm_page | null = p; count < vm_pageout_page_count; count++) {
    tp = page_succ(object, tp);
    if (tp === null || vm_page_busied(tp)) break;
    if (!vm_object_page_remove_write(k, tp, flags)) break;
  }
  let p_first = p;
  for (; count < vm_pageout_page_count; count++) {
    const tp = page_pred(object, p_first);
    if (tp === null || vm_page_busied(tp)) break;
    if (!vm_object_page_remove_write(k, tp, flags)) break;
    p_first = tp;
    mreq++;
  }
  const ma: vm_page[] = [];
  for (let tp: vm_page | null = p_first, i = 0; i < count && tp !== null; tp = tailq_next(object, tp), i++) ma.push(tp);
  return yield* vm_pageout_flush(k, ma, count, pagerflags, mreq);
}

/**
 * vm_pageout_flush: sbusies the run, raises pip, hands it to the pager and
 * settles each page by its rtval. Returns the run length from mreq up to the
 * first VM_PAGER_AGAIN and whether an ERROR/FAIL fell inside it.
 */
export function* vm_pageout_flush(k: Kernel, mc: vm_page[], count: number, flags: number, mreq: number): KThread<{ runlen: number; eio: boolean; numpagedout: number }> {
  const fn = 'vm_pageout_flush';
  const first = mc[0];
  const object = first?.object ?? null;
  if (first === undefined || object === null) throw new HarnessBug('vm_pageout_flush: empty run or page without object');
  VM_OBJECT_ASSERT_WLOCKED(k, object, fn);
  for (let i = 0; i < count; i++) {
    const m = mc[i]!;
    if (m.valid !== VM_PAGE_BITS_ALL) throw new KernelAssertion('KASSERT', fn, `vm_pageout_flush: partially invalid page ${m.name} index ${i}/${count}`);
    if ((m.aflags & PGA_WRITEABLE) !== 0) throw new KernelAssertion('KASSERT', fn, `vm_pageout_flush: writeable page ${m.name}`);
    yield* vm_page_sbusy(k, m);
  }
  vm_object_pip_add(k, object, count);

  const pageout_status: number[] = Array.from({ length: count }, () => VM_PAGER_ERROR);
  yield* vm_pager_put_pages(k, object, mc, count, flags, pageout_status);

  let runlen = count - mreq;
  let eio = false;
  let numpagedout = 0;
  for (let i = 0; i < count; i++) {
    const mt = mc[i]!;
    const st = pageout_status[i];
    if (st !== VM_PAGER_PEND && pmap_page_is_write_mapped(mt)) throw new KernelAssertion('KASSERT', fn, `vm_pageout_flush: page ${mt.name} is not write protected`);
    switch (st) {
      case VM_PAGER_OK:
        if (mt.queue === 'laundry') mt.queue = 'inactive';
        numpagedout++;
        break;
      case VM_PAGER_PEND:
        numpagedout++;
        break;
      case VM_PAGER_BAD:
        /* Outside the object: pretend the pageout worked; the changes are lost. */
        vm_page_undirty(k, mt);
        if (mt.queue === 'laundry') mt.queue = 'inactive';
        break;
      case VM_PAGER_ERROR:
      case VM_PAGER_FAIL:
        if (mt.wire_count === 0) mt.queue = 'active';
        if (i >= mreq && i - mreq < runlen) eio = true;
        break;
      case VM_PAGER_AGAIN:
        if (i >= mreq && i - mreq < runlen) runlen = i - mreq;
        break;
      default:
        throw new HarnessBug(`vm_pageout_flush: pager returned rtval ${String(st)} for ${mt.name}`);
    }
    /* A page still under I/O stays busy and keeps its pip. */
    if (st !== VM_PAGER_PEND) {
      yield* vm_object_pip_wakeup(k, object);
      yield* vm_page_sunbusy(k, mt);
    }
  }
  return { runlen, eio, numpagedout };
}
