/*
 * The port of the seed, sys/vm/vnode_pager.c at 99429157e861 (2017): the
 * object-lifecycle half (vnode_create_vobject, vnode_destroy_vobject,
 * vnode_pager_alloc, vnode_pager_dealloc, vnode_pager_setsize,
 * vnode_pager_update_writecount, vnode_pager_release_writecount) and the
 * vnodepagerops table. The I/O half lives in vnode_pager_io.ts until the two
 * files are merged.
 *
 * Each function keeps the C name, arguments (the kernel `k` first; `int *`
 * out-parameters are Ref), control flow, KASSERT/panic messages and lock
 * assertions, and names the seed lines it ports. Every scheduling point made
 * here carries its seed line. The seed reads vp->v_object without a lock at
 * lines 120, 162, 224 and 402: each read is an `access` step of its own on
 * "vpN.v_object" (atomic: the kernel re-checks under the object lock); the
 * writes at 184, 259 and 302 are touched as writes of that resource.
 *
 * Observer events (impl/kernel/observe.ts) are emitted in the step that makes
 * the change; they never alter control flow.
 */
import { KernelAssertion, type KThread } from '../checker/op.ts';
import type { Kernel } from './kernel/kernel.ts';
import { LK_EXCLUSIVE, LK_RETRY, PDROP, wakeup } from './kernel/sync.ts';
import {
  OBJT_VNODE,
  OBJT_DEAD,
  OBJ_DEAD,
  OBJ_DISCONNECTWNT,
  PVM,
  INT_MAX,
  IDX_TO_OFF,
  OFF_TO_IDX,
  round_page,
  VM_OBJECT_WLOCK,
  VM_OBJECT_WUNLOCK,
  VM_OBJECT_ASSERT_WLOCKED,
  VM_OBJECT_SLEEP,
  vm_object_set_flag,
  vm_object_clear_flag,
  vm_object_allocate,
  vm_object_terminate,
  vm_object_destroy,
  vm_object_page_remove,
  vm_object_pip_wait,
  vm_object_color,
  umtx_shm_object_terminated,
  type vm_object,
} from './kernel/vm_object.ts';
import { registerPager, vm_pager_deallocate, type pagerops } from './kernel/vm_pager.ts';
import {
  vn_isdisk,
  vn_canvmio,
  vn_lock,
  VOP_UNLOCK,
  VOP_GETATTR,
  VOP_ADD_WRITECOUNT,
  VOP_UNSET_TEXT,
  ASSERT_VOP_ELOCKED,
  VI_LOCK,
  VI_UNLOCK,
  vrele,
  vrefact,
  vunref,
  vhold,
  vdrop,
  vn_start_write,
  vn_finished_write,
  registerVnodeHooks,
  V_WAIT,
  type vnode,
} from './kernel/vnode.ts';
import { vm_page_lookup, vm_page_set_valid_range, vm_page_clear_dirty, pmap_zero_page_area } from './kernel/vm_page.ts';
import { DEV_BSIZE, PAGE_MASK, PAGE_SIZE } from './kernel/data.ts';
import type { mount } from './kernel/vfs.ts';
import { vnode_pager_getpages, vnode_pager_getpages_async, vnode_pager_putpages, vnode_pager_haspage } from './vnode_pager_io.ts';

/* seed 97-104 */
export const vnodepagerops: pagerops = {
  pgo_alloc: vnode_pager_alloc,
  pgo_dealloc: vnode_pager_dealloc,
  pgo_getpages: vnode_pager_getpages,
  pgo_getpages_async: vnode_pager_getpages_async,
  pgo_putpages: vnode_pager_putpages,
  pgo_haspage: vnode_pager_haspage,
};

registerPager(OBJT_VNODE, vnodepagerops);
registerVnodeHooks({ vnode_destroy_vobject });

/** The unlocked `vp->v_object` read of the seed, as a step of its own. */
function* read_v_object(k: Kernel, vp: vnode, line: number): KThread<vm_object | null> {
  yield { kind: 'access', label: `read ${vp.name}->v_object`, line, fp: [{ res: `${vp.name}.v_object`, write: false, atomic: true }] };
  return vp.v_object;
}

function set_v_object(k: Kernel, vp: vnode, object: vm_object | null): void {
  k.ctx.touch(`${vp.name}.v_object`, true);
  vp.v_object = object;
}

/*
 * seed 110-155. Create the VM object backing a vnode. The caller holds the
 * vnode lock (exclusively: it is dropped and retaken around the "vodead"
 * sleep). Returns 0, also when no object is created.
 */
export function* vnode_create_vobject(k: Kernel, vp: vnode, isize: number, _td: unknown = null): KThread<number> {
  const fn = 'vnode_create_vobject';
  let object: vm_object | null;
  let size = isize;

  if (!vn_isdisk(vp) && vn_canvmio(vp) === false) return 0; /* 117-118 */

  while ((object = yield* read_v_object(k, vp, 120)) !== null) {
    yield* VM_OBJECT_WLOCK(k, object, 121);
    if ((object.flags & OBJ_DEAD) === 0) {
      yield* VM_OBJECT_WUNLOCK(k, object, 123);
      return 0;
    }
    yield* VOP_UNLOCK(k, vp, 0, 126);
    vm_object_set_flag(k, object, OBJ_DISCONNECTWNT); /* 127 */
    k.observer.emit({ type: 'OBJ_DISCONNECT_WAIT', obj: object.name, wmesg: 'vodead' });
    yield* VM_OBJECT_SLEEP(k, object, object.wchan, PDROP | PVM, 'vodead', 128);
    yield* vn_lock(k, vp, LK_EXCLUSIVE | LK_RETRY, 129);
  }

  if (size === 0) {
    /* 132-140 */
    if (vn_isdisk(vp)) {
      size = IDX_TO_OFF(INT_MAX);
    } else {
      const va = yield* VOP_GETATTR(k, vp, 136);
      if (va.error !== 0) return 0;
      size = va.va_size;
    }
  }

  /* 142: vnode_pager_alloc returns NULL only for a NULL handle. */
  object = (yield* vnode_pager_alloc(k, vp, size, 0, 0, null)) as vm_object;
  /*
   * 143-150: drop the reference just created; this assumes the object is
   * associated with the vp.
   */
  yield* VM_OBJECT_WLOCK(k, object, 147);
  object.ref_count--; /* 148 */
  k.observer.emit({ type: 'OBJ_REFS', obj: object.name, refs: object.ref_count });
  yield* VM_OBJECT_WUNLOCK(k, object, 149);
  yield* vrele(k, vp, 150);

  /* Read under the caller's vnode lock, which is what keeps reclaim out. */
  k.ctx.touch(`${vp.name}.v_object`, false);
  if (vp.v_object === null) throw new KernelAssertion('KASSERT', fn, 'vnode_create_vobject: NULL object', 152);

  return 0;
}

/*
 * seed 157-195. Called from the filesystem's reclaim with the vnode locked
 * exclusively: terminates an unreferenced object, or, when references
 * remain, turns it into a dead object cut off from the vnode.
 */
export function* vnode_destroy_vobject(k: Kernel, vp: vnode): KThread<void> {
  const fn = 'vnode_destroy_vobject';
  const obj = yield* read_v_object(k, vp, 162);
  if (obj === null) return; /* 163-164 */
  ASSERT_VOP_ELOCKED(k, vp, 'vnode_destroy_vobject', fn, 165);
  yield* VM_OBJECT_WLOCK(k, obj, 166);
  umtx_shm_object_terminated(k, obj); /* 167 */
  if (obj.ref_count === 0) {
    /* Don't double-terminate the object. */
    if ((obj.flags & OBJ_DEAD) === 0) {
      yield* vm_object_terminate(k, obj); /* 173 */
    } else {
      /*
       * Waiters were already handled during object termination. The
       * exclusive vnode lock hopefully prevented new waiters from
       * referencing the dying object.
       */
      if ((obj.flags & OBJ_DISCONNECTWNT) !== 0)
        throw new KernelAssertion('KASSERT', fn, `OBJ_DISCONNECTWNT set obj ${obj.name} flags ${obj.flags.toString(16)}`, 181);
      set_v_object(k, vp, null); /* 184 */
      k.observer.emit({ type: 'OBJ_DETACH', obj: obj.name, vp: vp.name });
      yield* VM_OBJECT_WUNLOCK(k, obj, 185);
    }
  } else {
    /* Woe to the process that tries to page now :-). */
    yield* vm_pager_deallocate(k, obj); /* 191 */
    yield* VM_OBJECT_WUNLOCK(k, obj, 192);
  }
  k.ctx.touch(`${vp.name}.v_object`, false);
  if (vp.v_object !== null) throw new KernelAssertion('KASSERT', fn, `vp ${vp.name} obj ${vp.v_object.name}`, 194);
}

/*
 * seed 204-270. Allocate (or look up) the pager object of a vnode; handle is
 * the vnode. Waits for a dying object to be disconnected, and retries when
 * another thread attached an object while this one was allocating. Returns
 * the object with a new reference, which holds a vnode use reference.
 */
export function* vnode_pager_alloc(k: Kernel, handle: vnode | null, size: number, _prot: number, _offset: number, _cred: unknown): KThread<vm_object | null> {
  const fn = 'vnode_pager_alloc';
  let object: vm_object | null;

  /* Pageout to vnode, no can do yet. */
  if (handle === null) return null; /* 214-215 */

  const vp = handle;

  /* If the object is being terminated, wait for it to go away. */
  retry: for (;;) {
    while ((object = yield* read_v_object(k, vp, 224)) !== null) {
      yield* VM_OBJECT_WLOCK(k, object, 225);
      if ((object.flags & OBJ_DEAD) === 0) break;
      vm_object_set_flag(k, object, OBJ_DISCONNECTWNT); /* 228 */
      k.observer.emit({ type: 'OBJ_DISCONNECT_WAIT', obj: object.name, wmesg: 'vadead' });
      yield* VM_OBJECT_SLEEP(k, object, object.wchan, PDROP | PVM, 'vadead', 229);
    }

    k.ctx.touch(`${vp.name}.v_usecount`, false, true);
    if (vp.v_usecount === 0) throw new KernelAssertion('KASSERT', fn, 'vnode_pager_alloc: no vnode reference', 232);

    if (object === null) {
      /* Add an object of the appropriate size. */
      object = yield* vm_object_allocate(k, OBJT_VNODE, OFF_TO_IDX(round_page(size))); /* 238 */
      k.observer.emit({ type: 'OBJ_ALLOCATE', obj: object.name, vp: vp.name, size: object.size });

      object.un_pager.vnp.vnp_size = size; /* 240 */
      object.un_pager.vnp.writemappings = 0; /* 241 */

      object.handle = handle; /* 243 */
      yield* VI_LOCK(k, vp, 244);
      k.ctx.touch(`${vp.name}.v_object`, false);
      if (vp.v_object !== null) {
        /* 245-257: an object has been created while we were sleeping. */
        yield* VI_UNLOCK(k, vp, 249);
        yield* VM_OBJECT_WLOCK(k, object, 250);
        if (object.ref_count !== 1) throw new KernelAssertion('KASSERT', fn, `leaked ref ${object.name} ${object.ref_count}`, 251);
        object.type = OBJT_DEAD; /* 253 */
        object.ref_count = 0; /* 254 */
        k.observer.emit({ type: 'OBJ_DISCARD', obj: object.name, vp: vp.name });
        yield* VM_OBJECT_WUNLOCK(k, object, 255);
        vm_object_destroy(k, object); /* 256 */
        continue retry; /* 257 */
      }
      set_v_object(k, vp, object); /* 259 */
      k.observer.emit({ type: 'OBJ_ATTACH', obj: object.name, vp: vp.name });
      yield* VI_UNLOCK(k, vp, 260);
    } else {
      object.ref_count++; /* 262 */
      k.observer.emit({ type: 'OBJ_REFS', obj: object.name, refs: object.ref_count });
      vm_object_color(k, object, 0); /* 263-265: VM_NRESERVLEVEL > 0 */
      yield* VM_OBJECT_WUNLOCK(k, object, 266);
    }
    yield* vrefact(k, vp, 268);
    return object;
  }
}

/*
 * seed 275-308. The pager's dealloc: the object must be write-locked; it is
 * unlocked around the vunref's and relocked. Turns the object OBJT_DEAD,
 * cuts it off from the vnode, wakes threads waiting for the disconnect, and
 * drops the vnode use references the object's references held.
 */
export function* vnode_pager_dealloc(k: Kernel, object: vm_object): KThread<void> {
  const fn = 'vnode_pager_dealloc';
  const vp = object.handle; /* 281 */
  if (vp === null) throw new KernelAssertion('panic', fn, 'vnode_pager_dealloc: pager already dealloced', 283);

  VM_OBJECT_ASSERT_WLOCKED(k, object, fn, 285);
  yield* vm_object_pip_wait(k, object, 'vnpdea', 286);
  const refs = object.ref_count; /* 287 */

  object.handle = null; /* 289 */
  object.type = OBJT_DEAD; /* 290 */
  if ((object.flags & OBJ_DISCONNECTWNT) !== 0) {
    vm_object_clear_flag(k, object, OBJ_DISCONNECTWNT); /* 292 */
    yield* wakeup_object(k, object, 293);
    k.observer.emit({ type: 'OBJ_DISCONNECT_WAKE', obj: object.name });
  }
  ASSERT_VOP_ELOCKED(k, vp, 'vnode_pager_dealloc', fn, 295);
  if (object.un_pager.vnp.writemappings > 0) {
    object.un_pager.vnp.writemappings = 0; /* 297 */
    k.observer.emit({ type: 'WRITEMAPPINGS', obj: object.name, writemappings: 0 });
    VOP_ADD_WRITECOUNT(k, vp, -1, 298);
  }
  set_v_object(k, vp, null); /* 302 */
  k.observer.emit({ type: 'OBJ_DEALLOC', obj: object.name, vp: vp.name, refs });
  VOP_UNSET_TEXT(k, vp, 303);
  yield* VM_OBJECT_WUNLOCK(k, object, 304);
  for (let r = refs; r-- > 0; ) yield* vunref(k, vp, 306);
  yield* VM_OBJECT_WLOCK(k, object, 307);
}

/* wakeup(object): the channel shared by disconnect and pip waiters. */
function* wakeup_object(k: Kernel, object: vm_object, line: number): KThread<void> {
  yield* wakeup(k, object.wchan, { line });
}

/*
 * seed 395-474. The filesystem tells the VM about a new file size: adjust
 * vnp_size and the object size, free the pages past the new EOF and zero
 * the tail of a partially backed last page (invalid parts become valid
 * zeros; dirty bits are cleared only for whole blocks past EOF). May be
 * called during a pager put (even at object termination).
 */
export function* vnode_pager_setsize(k: Kernel, vp: vnode, nsize: number): KThread<void> {
  const fn = 'vnode_pager_setsize';
  const object = yield* read_v_object(k, vp, 402);
  if (object === null) return; /* 402-403 */
  /* The seed leaves ASSERT_VOP_ELOCKED commented out (404). */
  yield* VM_OBJECT_WLOCK(k, object, 405);
  if (object.type === OBJT_DEAD) {
    yield* VM_OBJECT_WUNLOCK(k, object, 407);
    return;
  }
  if (object.type !== OBJT_VNODE) throw new KernelAssertion('KASSERT', fn, `not vnode-backed object ${object.name}`, 410);
  if (nsize === object.un_pager.vnp.vnp_size) {
    /* Hasn't changed size. */
    yield* VM_OBJECT_WUNLOCK(k, object, 416);
    return;
  }
  const nobjsize = OFF_TO_IDX(nsize + PAGE_MASK); /* 419 */
  if (nsize < object.un_pager.vnp.vnp_size) {
    /* File has shrunk. Toss any cached pages beyond the new EOF. */
    if (nobjsize < object.size) yield* vm_object_page_remove(k, object, nobjsize, object.size, 0, 425);
    /*
     * 435-469: get rid of garbage at the end of a page that is now only
     * partially backed by the vnode; a completely invalid page is left
     * alone (marking it partially valid upsets NFS reads).
     */
    let m;
    if (nsize % PAGE_SIZE !== 0 && (m = vm_page_lookup(object, OFF_TO_IDX(nsize))) !== null && m.valid !== 0) {
      let base = nsize % PAGE_SIZE; /* 438 */
      const size = PAGE_SIZE - base; /* 439 */
      /* Clear out partial-page garbage in case the page has been mapped. */
      pmap_zero_page_area(k, m, base, size); /* 445 */
      /* The zeroed blocks are valid now; some may have been already. */
      vm_page_set_valid_range(k, m, base, size); /* 452 */
      /* Round base up to a block, so a partially zeroed block keeps its dirty bit. */
      base = (base + DEV_BSIZE - 1) & ~(DEV_BSIZE - 1); /* 459 roundup2 */
      /* Clear the dirty bits past EOF, not the valid ones (bogus_page replacement needs them). */
      vm_page_clear_dirty(k, m, base, PAGE_SIZE - base); /* 468 */
    }
  }
  object.un_pager.vnp.vnp_size = nsize; /* 471 */
  object.size = nobjsize; /* 472 */
  k.observer.emit({ type: 'OBJ_SETSIZE', obj: object.name, vnp_size: nsize, size: nobjsize });
  yield* VM_OBJECT_WUNLOCK(k, object, 473);
}

/*
 * seed 1345-1372. Adds end - start bytes to the object's writemappings; the
 * 0 -> nonzero and nonzero -> 0 transitions bump v_writecount up or down, with
 * the vnode locked exclusively.
 */
export function* vnode_pager_update_writecount(k: Kernel, object: vm_object, start: number, end: number): KThread<void> {
  const fn = 'vnode_pager_update_writecount';
  yield* VM_OBJECT_WLOCK(k, object, 1352);
  if (object.type !== OBJT_VNODE) {
    yield* VM_OBJECT_WUNLOCK(k, object, 1354);
    return;
  }
  const old_wm = object.un_pager.vnp.writemappings; /* 1357 */
  object.un_pager.vnp.writemappings += end - start; /* 1358 */
  k.observer.emit({ type: 'WRITEMAPPINGS', obj: object.name, writemappings: object.un_pager.vnp.writemappings });
  /* An OBJT_VNODE object always has its vnode: dealloc clears handle and type together. */
  const vp = object.handle as vnode; /* 1359 */
  if (old_wm === 0 && object.un_pager.vnp.writemappings !== 0) {
    ASSERT_VOP_ELOCKED(k, vp, 'v_writecount inc', fn, 1361);
    VOP_ADD_WRITECOUNT(k, vp, 1, 1362);
  } else if (old_wm !== 0 && object.un_pager.vnp.writemappings === 0) {
    ASSERT_VOP_ELOCKED(k, vp, 'v_writecount dec', fn, 1366);
    VOP_ADD_WRITECOUNT(k, vp, -1, 1367);
  }
  yield* VM_OBJECT_WUNLOCK(k, object, 1371);
}

/*
 * seed 1374-1422. Releases end - start bytes of writable mappings. When
 * writemappings would drop to 0 the vnode is locked (which may race with
 * its reclaim, hence the OBJT_VNODE recheck in update_writecount).
 */
export function* vnode_pager_release_writecount(k: Kernel, object: vm_object, start: number, end: number): KThread<void> {
  yield* VM_OBJECT_WLOCK(k, object, 1382);

  /* Recheck the object type to account for the race when the vnode is reclaimed. */
  if (object.type !== OBJT_VNODE) {
    yield* VM_OBJECT_WUNLOCK(k, object, 1389);
    return;
  }

  /* Optimize for the case when writemappings is not going to zero. */
  const inc = end - start; /* 1397 */
  if (object.un_pager.vnp.writemappings !== inc) {
    object.un_pager.vnp.writemappings -= inc; /* 1399 */
    k.observer.emit({ type: 'WRITEMAPPINGS', obj: object.name, writemappings: object.un_pager.vnp.writemappings });
    yield* VM_OBJECT_WUNLOCK(k, object, 1400);
    return;
  }

  const vp = object.handle as vnode; /* 1404 */
  yield* vhold(k, vp, 1405);
  yield* VM_OBJECT_WUNLOCK(k, object, 1406);
  const mp: { v: mount | null } = { v: null }; /* 1407 */
  yield* vn_start_write(k, vp, mp, V_WAIT, 1408);
  yield* vn_lock(k, vp, LK_EXCLUSIVE | LK_RETRY, 1409);

  /*
   * Decrement writemappings by swapping start and end; if the vnode was not
   * reclaimed meanwhile, v_writecount goes down.
   */
  yield* vnode_pager_update_writecount(k, object, end, start); /* 1417 */
  yield* VOP_UNLOCK(k, vp, 0, 1418);
  yield* vdrop(k, vp, 1419);
  if (mp.v !== null) yield* vn_finished_write(k, mp.v, 1421);
}
