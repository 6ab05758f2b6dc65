/*
 * The port of the seed, sys/vm/vnode_pager.c at 99429157e861 (2017): all 22
 * functions and the vnodepagerops table, in two parts: the object lifecycle
 * (vnode_create_vobject, vnode_destroy_vobject, vnode_pager_alloc,
 * vnode_pager_dealloc, vnode_pager_setsize, vnode_pager_update_writecount,
 * vnode_pager_release_writecount) and the I/O paths (haspage, addr,
 * input_smlfs, input_old, getpages and its completions, putpages,
 * generic_putpages, putpages_ioflags, undirty_pages).
 *
 * Each function keeps the C name, arguments (the kernel `k` first; `int *`
 * out-parameters are Ref), control flow, KASSERT/panic messages (printf
 * arguments filled in: pointers print as the object's name) and lock
 * assertions, and names the seed lines it ports. Every scheduling point made
 * here carries its seed line. INVARIANTS is on.
 *
 * Unlocked shared reads: the seed reads vp->v_object without a lock at lines
 * 120, 162, 224 and 402: each read is an `access` step of its own on
 * "vpN.v_object" (atomic: the kernel re-checks under the object lock); the
 * writes at 184, 259 and 302 are touched as writes of that resource.
 *
 * C arithmetic kept where it matters: int division truncates; min() is
 * libkern's unsigned 32-bit min (umin below); vm_pindex_t is unsigned 64-bit,
 * so tpindex-- from 0 wraps to VM_PINDEX_MAX (kept, with the seed's guard);
 * an integer division by zero traps (a panic here).
 *
 * Observer events (impl/kernel/observe.ts) are emitted in the step that makes
 * the change; they never alter control flow. getpages_async names each
 * request (ASYNC_ISSUE) and reports each call of the caller's iodone
 * (ASYNC_DONE), at seed lines 776 and 1065.
 * printf goes to k.msgbuf; ppsratecheck runs on a clock that never advances
 * (the first failure message of a run is printed, later ones are limited).
 * Left out: credentials beyond what the NOCRED checks need; bogus_page
 * (never in a request here).
 */
import {
  type KThread,
} from '../checker/op.ts';
import { KASSERT, panic } from './kernel/kassert.ts';
import {
  type Kernel,
} from './kernel/kernel.ts';
import {
  LK_EXCLUSIVE,
  LK_RETRY,
  PDROP,
  wakeup,
} from './kernel/sync.ts';
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
  VM_OBJECT_WOWNED,
  trunc_page,
} from './kernel/vm_object.ts';
import {
  registerPager,
  vm_pager_deallocate,
  type pagerops,
  VM_PAGER_AGAIN,
  VM_PAGER_BAD,
  VM_PAGER_CLUSTER_OK,
  VM_PAGER_ERROR,
  VM_PAGER_OK,
  VM_PAGER_PUT_INVAL,
  VM_PAGER_PUT_NOREUSE,
  VM_PAGER_PUT_SYNC,
  type Ref,
} from './kernel/vm_pager.ts';
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
  VBLK,
  VCHR,
  VI_DOOMED,
} from './kernel/vnode.ts';
import {
  vm_page_lookup,
  vm_page_set_valid_range,
  vm_page_clear_dirty,
  pmap_zero_page_area,
  VM_ALLOC_NORMAL,
  VM_PAGE_BITS_ALL,
  pmap_page_is_mapped,
  pmap_page_is_write_mapped,
  pmap_zero_page,
  vm_page_alloc,
  vm_page_assert_sbusied,
  vm_page_bits,
  vm_page_next,
  vm_page_prev,
  vm_page_readahead_finish,
  vm_page_undirty,
  vm_page_free,
  type vm_page,
} from './kernel/vm_page.ts';
import {
  DEV_BSIZE,
  PAGE_MASK,
  PAGE_SIZE,
  PAGE_SHIFT,
  zeroBytes,
} from './kernel/data.ts';
import {
  type mount,
  IO_ASYNC,
  IO_INVAL,
  IO_NOREUSE,
  IO_SEQMAX,
  IO_SEQSHIFT,
  IO_SYNC,
  IO_VMIO,
  MNTK_UNMAPPED_BUFS,
  UIO_NOCOPY,
  UIO_READ,
  UIO_SYSSPACE,
  UIO_WRITE,
  VOP_BMAP,
  VOP_GETPAGES,
  VOP_GETPAGES_ASYNC,
  VOP_PUTPAGES,
  VOP_READ,
  VOP_WRITE,
  registerGenericPager,
  type uio,
  type vop_getpages_args,
  type vop_getpages_async_args,
} from './kernel/vfs.ts';
import {
  BIO_ERROR,
  BIO_READ,
  BUF_KERNPROC,
  B_ASYNC,
  EINVAL,
  EIO,
  EOPNOTSUPP,
  NITEMS_B_PAGES,
  NOCRED,
  SIZEOF_B_PAGES,
  atomic_add_long_runningbufspace,
  bdone,
  bstrategy,
  buf_mapped,
  bwait,
  getpbuf,
  pbgetbo,
  pbrelbo,
  relpbuf,
  sf_buf_alloc,
  sf_buf_free,
  sf_buf_kva,
  unmapped_buf,
  unmapped_buf_allowed,
  type buf,
  type pbufcnt,
  type pgiodone_t,
} from './kernel/buf.ts';
import {
  bo_bsize,
} from './kernel/disk.ts';

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
 * seed 110-155 sha256:eea8ba2f5b8f1beb. Create the VM object backing a vnode. The caller holds the
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
  KASSERT(vp.v_object !== null, fn, 152, 'vnode_create_vobject: NULL object');

  return 0;
}

/*
 * seed 157-195 sha256:a91d35dbc1d874f9. Called from the filesystem's reclaim with the vnode locked
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
      KASSERT((obj.flags & OBJ_DISCONNECTWNT) === 0, fn, 181, 'OBJ_DISCONNECTWNT set obj %p flags %x', obj.name, obj.flags);
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
  KASSERT(vp.v_object === null, fn, 194, 'vp %p obj %p', vp.name, vp.v_object?.name);
}

/*
 * seed 204-270 sha256:67f35e64739730d2. Allocate (or look up) the pager object of a vnode; handle is
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
      /*
       * Repair alloc-recheck-v_object (traces/findings/alloc-sleeps-on-freed-object.md):
       * the unlocked read may be stale; dealloc clears v_object under the
       * object lock, so look again now that it is held.
       */
      if (k.patched('alloc-recheck-v_object')) {
        k.ctx.touch(`${vp.name}.v_object`, false);
        if (vp.v_object !== object) {
          yield* VM_OBJECT_WUNLOCK(k, object, 225);
          continue;
        }
      }
      k.ctx.guarded(`${object.name}.flags`, false, object.lock.res); // the OBJ_DEAD test reads flags under the object lock
      if ((object.flags & OBJ_DEAD) === 0) break;
      vm_object_set_flag(k, object, OBJ_DISCONNECTWNT); /* 228 */
      k.observer.emit({ type: 'OBJ_DISCONNECT_WAIT', obj: object.name, wmesg: 'vadead' });
      yield* VM_OBJECT_SLEEP(k, object, object.wchan, PDROP | PVM, 'vadead', 229);
    }

    k.ctx.touch(`${vp.name}.v_usecount`, false, true, { seen: vp.v_usecount, delta: 0, floor: vp.v_usecount > 0 ? 1 : null });
    KASSERT(vp.v_usecount !== 0, fn, 232, 'vnode_pager_alloc: no vnode reference');

    if (object === null) {
      /* Add an object of the appropriate size. */
      object = yield* vm_object_allocate(k, OBJT_VNODE, OFF_TO_IDX(round_page(size))); /* 238 */
      k.observer.emit({ type: 'OBJ_ALLOCATE', obj: object.name, vp: vp.name, size: object.size });

      object.un_pager.vnp.vnp_size = size; /* 240 */
      object.un_pager.vnp.writemappings = 0; /* 241 */

      object.handle = handle; /* 243 */
      yield* VI_LOCK(k, vp, 244);
      k.ctx.touch(`${vp.name}.v_object`, false);
      /*
       * Repair alloc-refuses-doomed-vnode (traces/findings/alloc-attaches-to-reclaimed-vnode.md):
       * a vnode being reclaimed gets no new object; the new one is
       * discarded as in the lost race below, and the caller gets NULL.
       */
      if (k.patched('alloc-refuses-doomed-vnode')) {
        k.ctx.touch(`${vp.name}.v_iflag`, false);
        if ((vp.v_iflag & VI_DOOMED) !== 0) {
          yield* VI_UNLOCK(k, vp, 245);
          yield* VM_OBJECT_WLOCK(k, object, 245);
          object.type = OBJT_DEAD;
          object.ref_count = 0;
          k.observer.emit({ type: 'OBJ_DISCARD', obj: object.name, vp: vp.name });
          yield* VM_OBJECT_WUNLOCK(k, object, 245);
          vm_object_destroy(k, object);
          return null;
        }
      }
      if (vp.v_object !== null) {
        /* 245-257: an object has been created while we were sleeping. */
        yield* VI_UNLOCK(k, vp, 249);
        yield* VM_OBJECT_WLOCK(k, object, 250);
        KASSERT(object.ref_count === 1, fn, 251, 'leaked ref %p %d', object.name, object.ref_count);
        k.ctx.touch(`${object.name}.type`, true); /* the callers read type without the object lock (impl/callers/vm_map.ts) */
        object.type = OBJT_DEAD; /* 253 */
        k.ctx.guarded(`${object.name}.ref_count`, true, object.lock.res);
        object.ref_count = 0; /* 254 */
        k.observer.emit({ type: 'OBJ_DISCARD', obj: object.name, vp: vp.name });
        yield* VM_OBJECT_WUNLOCK(k, object, 255);
        vm_object_destroy(k, object); /* 256 */
        continue retry; /* 257 */
      }
      set_v_object(k, vp, object); /* 259 */
      k.observer.emit({ type: 'OBJ_ATTACH', obj: object.name, vp: vp.name });
      /*
       * Repair alloc-vref-under-object-lock (traces/findings/alloc-object-ref-without-vnode-ref.md):
       * the use reference is taken while the new reference cannot yet be
       * seen (here: before the object is reachable without the interlock).
       */
      if (k.patched('alloc-vref-under-object-lock')) {
        yield* vrefact(k, vp, 268);
        yield* VI_UNLOCK(k, vp, 260);
        return object;
      }
      yield* VI_UNLOCK(k, vp, 260);
    } else {
      k.ctx.guarded(`${object.name}.ref_count`, true, object.lock.res);
      object.ref_count++; /* 262 */
      k.observer.emit({ type: 'OBJ_REFS', obj: object.name, refs: object.ref_count });
      vm_object_color(k, object, 0); /* 263-265: VM_NRESERVLEVEL > 0 */
      /* Repair alloc-vref-under-object-lock: vnode_pager_dealloc counts ref_count under this lock. */
      if (k.patched('alloc-vref-under-object-lock')) {
        yield* vrefact(k, vp, 268);
        yield* VM_OBJECT_WUNLOCK(k, object, 266);
        return object;
      }
      yield* VM_OBJECT_WUNLOCK(k, object, 266);
    }
    yield* vrefact(k, vp, 268);
    return object;
  }
}

/*
 * seed 275-308 sha256:843134f29dc731ef. The pager's dealloc: the object must be write-locked; it is
 * unlocked around the vunref's and relocked. Turns the object OBJT_DEAD,
 * cuts it off from the vnode, wakes threads waiting for the disconnect, and
 * drops the vnode use references the object's references held.
 */
export function* vnode_pager_dealloc(k: Kernel, object: vm_object): KThread<void> {
  const fn = 'vnode_pager_dealloc';
  const vp = object.handle; /* 281 */
  if (vp === null) panic(fn, 283, 'vnode_pager_dealloc: pager already dealloced');

  VM_OBJECT_ASSERT_WLOCKED(k, object, fn, 285);
  yield* vm_object_pip_wait(k, object, 'vnpdea', 286);
  const refs = object.ref_count; /* 287 */

  object.handle = null; /* 289 */
  object.type = OBJT_DEAD; /* 290 */
  if ((object.flags & OBJ_DISCONNECTWNT) !== 0) {
    vm_object_clear_flag(k, object, OBJ_DISCONNECTWNT); /* 292 */
    /* Reported with the flag's clearing, the step that changes the object's state. */
    k.observer.emit({ type: 'OBJ_DISCONNECT_WAKE', obj: object.name });
    yield* wakeup_object(k, object, 293);
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
 * seed 395-474 sha256:efa43e2b517ec1f1. The filesystem tells the VM about a new file size: adjust
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
  KASSERT(object.type === OBJT_VNODE, fn, 410, 'not vnode-backed object %p', object.name);
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
  /* Read elsewhere without the object lock (getpages, under the vnode lock): declare the writes. */
  k.ctx.touch(`${object.name}.vnp_size`, true);
  k.ctx.touch(`${object.name}.size`, true);
  k.observer.emit({ type: 'OBJ_SETSIZE', obj: object.name, vnp_size: nsize, size: nobjsize });
  yield* VM_OBJECT_WUNLOCK(k, object, 473);
}

/*
 * seed 1345-1372 sha256:149f98de867a3c8d. Adds end - start bytes to the object's writemappings; the
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
 * seed 1374-1422 sha256:3d4b2f9e978ea769. Releases end - start bytes of writable mappings. When
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

/* ---- C arithmetic ---- */

/** The largest vm_pindex_t (2^64 - 1; a double rounds it to 2^64, which compares the same here). */
export const VM_PINDEX_MAX = 2 ** 64 - 1;

/** vm_pindex_t subtraction: wraps below 0 as the unsigned 64-bit type does. */
function pindex_sub(a: number, b: number): number {
  const r = a - b;
  return r < 0 ? r + VM_PINDEX_MAX + 1 : r;
}

/** libkern min(): u_int min(u_int, u_int); the result read back into an int, as the seed assigns it. */
export function umin(a: number, b: number): number {
  const ua = a >>> 0;
  const ub = b >>> 0;
  return (ua < ub ? ua : ub) | 0;
}

/** C int division (truncates); dividing by zero traps, which the kernel turns into a panic. */
function idiv(a: number, b: number, fn: string, line: number): number {
  if (b === 0) panic(fn, line, 'integer divide fault');
  return Math.trunc(a / b);
}

/** roundup(x, y) of sys/param.h, for any y > 0. */
function roundup(x: number, y: number): number {
  return Math.trunc((x + y - 1) / y) * y;
}

/** roundup2(x, y), y a power of 2. */
function roundup2(x: number, y: number): number {
  return Math.ceil(x / y) * y;
}

function btoc(x: number): number {
  return Math.ceil(x / PAGE_SIZE);
}

function dbtob(n: number): number {
  return n * DEV_BSIZE;
}

function printf(k: Kernel, msg: string): void {
  k.msgbuf.push(msg);
}

/** The vnode's VI_DOOMED, read as the pager does: without the interlock, on purpose (a hint re-checked later). */
function vp_doomed(k: Kernel, vp: vnode): boolean {
  k.ctx.touch(`${vp.name}.v_iflag`, false, true);
  return (vp.v_iflag & VI_DOOMED) !== 0;
}

/** vp->v_object, read without the interlock (the caller's vnode lock keeps it stable). */
function vp_object(k: Kernel, vp: vnode): vm_object {
  k.ctx.touch(`${vp.name}.v_object`, false);
  return vp.v_object as vm_object;
}

/** object->un_pager.vnp.vnp_size read without the object lock. */
function vnp_size_unlocked(k: Kernel, object: vm_object): number {
  k.ctx.touch(`${object.name}.vnp_size`, false);
  return object.un_pager.vnp.vnp_size;
}

/** object->size read without the object lock. */
function size_unlocked(k: Kernel, object: vm_object): number {
  k.ctx.touch(`${object.name}.size`, false);
  return object.size;
}

/* ---- haspage ---- */

/**
 * seed 310-385 sha256:07c0e4ad35e7620e. Object write-locked; the lock is dropped around VOP_BMAP.
 * *before / *after: pages that can be read together with pindex.
 */
export function* vnode_pager_haspage(k: Kernel, object: vm_object, pindex: number, before: Ref | null, after: Ref | null): KThread<boolean> {
  const fn = 'vnode_pager_haspage';
  const vp = object.handle;
  let reqblock: number;
  let poff: number;

  VM_OBJECT_ASSERT_WLOCKED(k, object, fn, 322);
  /* No vnode, or a doomed one: no page. */
  if (vp === null || vp_doomed(k, vp)) return false;
  /* Beyond EOF: no page. */
  if (IDX_TO_OFF(pindex) >= object.un_pager.vnp.vnp_size) return false;

  const bsize = vp.v_mount.mnt_stat.f_iosize;
  const pagesperblock = Math.trunc(bsize / PAGE_SIZE);
  let blocksperpage = 0;
  if (pagesperblock > 0) {
    reqblock = Math.trunc(pindex / pagesperblock);
  } else {
    blocksperpage = Math.trunc(PAGE_SIZE / bsize);
    reqblock = pindex * blocksperpage;
  }
  yield* VM_OBJECT_WUNLOCK(k, object, 345);
  const r = yield* VOP_BMAP(k, vp, reqblock, false, 346);
  const err = r.error;
  if (err === 0) {
    if (after) after.v = r.runp;
    if (before) before.v = r.runb;
  }
  yield* VM_OBJECT_WLOCK(k, object, 347);
  if (err) return true;
  const bn = r.bn;
  if (bn === -1) {
    /*
     * Repair haspage-small-block-checks-whole-page (traces/findings/
     * haspage-small-block-first-block-only.md): with blocks smaller than a
     * page, the page has data when any of its blocks is allocated, not only
     * the first.
     */
    if (pagesperblock === 0 && k.patched('haspage-small-block-checks-whole-page')) {
      for (let b = 1; b < blocksperpage; b++) {
        if (IDX_TO_OFF(pindex) + b * bsize >= object.un_pager.vnp.vnp_size) break;
        yield* VM_OBJECT_WUNLOCK(k, object, 345);
        const rb = yield* VOP_BMAP(k, vp, reqblock + b, false, 346);
        yield* VM_OBJECT_WLOCK(k, object, 347);
        if (rb.error !== 0 || rb.bn !== -1) {
          if (before) before.v = 0;
          if (after) after.v = 0;
          return true;
        }
      }
    }
    return false;
  }
  if (pagesperblock > 0) {
    poff = pindex - reqblock * pagesperblock;
    if (before) {
      before.v *= pagesperblock;
      before.v += poff;
    }
    if (after) {
      /* BMAP may report a partial block in 'after', but no block past EOF. */
      KASSERT((reqblock + after.v) * pagesperblock < roundup2(object.size, pagesperblock), fn, 365, '%s: reqblock %jd after %d size %ju', fn, reqblock, after.v, object.size);
      after.v *= pagesperblock;
      after.v += pagesperblock - (poff + 1);
      if (pindex + after.v >= object.size) after.v = object.size - 1 - pindex;
    }
  } else {
    if (before) {
      before.v = idiv(before.v, blocksperpage, fn, 377);
    }
    if (after) {
      after.v = idiv(after.v, blocksperpage, fn, 381);
      /*
       * Repair haspage-small-block-after-whole-pages (traces/findings/
       * haspage-small-block-after-past-run.md): the division counts a page
       * whose first block alone the run reaches; short of EOF, count only
       * the pages the run covers to their last block.
       */
      if (k.patched('haspage-small-block-after-whole-pages') && (reqblock + r.runp + 1) * bsize < object.un_pager.vnp.vnp_size) {
        after.v = Math.max(0, Math.trunc((r.runp + 1) / blocksperpage) - 1);
      }
    }
  }
  return true;
}

/* ---- addr, input_smlfs, input_old ---- */

/**
 * seed 480-511 sha256:b6fd3f0f5d88ac2c. The disk address (DEV_BSIZE units) of a byte offset of the
 * file into *rtaddress (-1 for a hole) and, if run, the pages that follow
 * contiguously. Returns -1 for a negative address or a doomed vnode, else
 * VOP_BMAP's error.
 */
export function* vnode_pager_addr(k: Kernel, vp: vnode, address: number, rtaddress: Ref, run: Ref | null): KThread<number> {
  const fn = 'vnode_pager_addr';
  if (address < 0) return -1;
  if (vp_doomed(k, vp)) return -1;

  const bsize = vp.v_mount.mnt_stat.f_iosize;
  const vblock = idiv(address, bsize, fn, 496);
  const voffset = address % bsize;

  const r = yield* VOP_BMAP(k, vp, vblock, false, 499);
  const err = r.error;
  if (err === 0) {
    rtaddress.v = r.bn;
    if (run) run.v = r.runp;
    if (rtaddress.v !== -1) rtaddress.v += Math.trunc(voffset / DEV_BSIZE);
    if (run) {
      run.v += 1;
      run.v *= Math.trunc(bsize / PAGE_SIZE);
      run.v -= Math.trunc(voffset / PAGE_SIZE);
    }
  }
  return err;
}

/**
 * Repair getpages-reads-partly-valid-page (traces/findings/partly-valid-page-zero-filled.md):
 * with blocks smaller than a page, a read(2) through the buffer cache leaves
 * a page valid only where its buffer was, below EOF too. Such a page is read
 * (input_smlfs reads only its invalid blocks), not zero-filled.
 */
function partlyValidBelowEof(k: Kernel, object: vm_object, m: vm_page): boolean {
  const below = vnp_size_unlocked(k, object) - IDX_TO_OFF(m.pindex);
  const need = vm_page_bits(0, Math.min(PAGE_SIZE, below));
  return (m.valid & need) !== need;
}

/**
 * seed 516-603 sha256:107cd8804670539d. Small-block filesystem input: reads each invalid
 * f_iosize piece of the page on its own (or zeroes it past EOF or in a
 * hole). Called without the object lock.
 */
export function* vnode_pager_input_smlfs(k: Kernel, object: vm_object, m: vm_page): KThread<number> {
  const fn = 'vnode_pager_input_smlfs';
  let error = 0;
  k.ctx.touch(`${object.name}.handle`, false);
  const vp = object.handle as vnode;
  if (vp_doomed(k, vp)) return VM_PAGER_BAD;

  const bsize = vp.v_mount.mnt_stat.f_iosize;

  const bor = yield* VOP_BMAP(k, vp, 0, true, 535, false);
  const bo = bor.bo;

  const sf = sf_buf_alloc(k, m);

  for (let i = 0; i < idiv(PAGE_SIZE, bsize, fn, 539); i++) {
    const bits = vm_page_bits(i * bsize, bsize);
    if (m.valid & bits) continue;

    const fileaddr: Ref = { v: -1 };
    const address = IDX_TO_OFF(m.pindex) + i * bsize;
    if (address >= vnp_size_unlocked(k, object)) {
      fileaddr.v = -1;
    } else {
      error = yield* vnode_pager_addr(k, vp, address, fileaddr, null);
      if (error) break;
    }
    if (fileaddr.v !== -1) {
      const bp = yield* getpbuf(k, 'vnode_pbuf_freecnt', 555);

      /* build a minimal buffer header */
      bp.b_iocmd = BIO_READ;
      bp.b_iodone = bdone;
      KASSERT(bp.b_rcred === NOCRED, fn, 560, 'leaking read ucred');
      KASSERT(bp.b_wcred === NOCRED, fn, 561, 'leaking write ucred');
      bp.b_rcred = 'td_ucred';
      bp.b_wcred = 'td_ucred';
      bp.b_data = sf_buf_kva(sf, i * bsize);
      bp.b_blkno = fileaddr.v;
      pbgetbo(k, bo, bp);
      bp.b_vp = vp;
      bp.b_bcount = bsize;
      bp.b_bufsize = bsize;
      bp.b_runningbufspace = bp.b_bufsize;
      yield* atomic_add_long_runningbufspace(k, bp.b_runningbufspace, 571);

      /* do the input */
      bp.b_iooffset = dbtob(bp.b_blkno);
      yield* bstrategy(k, bp, 575);

      yield* bwait(k, bp, PVM, 'vnsrd', 577);

      if ((bp.b_ioflags & BIO_ERROR) !== 0) error = EIO;

      /* free the buffer header back to the swap buffer pool */
      bp.b_vp = null;
      pbrelbo(k, bp);
      yield* relpbuf(k, bp, 'vnode_pbuf_freecnt', 587);
      if (error) break;
    } else {
      bzero_page(k, m, i * bsize, bsize);
    }
    KASSERT((m.dirty & bits) === 0, fn, 592, 'vnode_pager_input_smlfs: page %p is dirty', m.name);
    yield* VM_OBJECT_WLOCK(k, object, 594);
    m.valid |= bits;
    yield* VM_OBJECT_WUNLOCK(k, object, 596);
  }
  sf_buf_free(k, sf);
  if (error) {
    return VM_PAGER_ERROR;
  }
  return VM_PAGER_OK;
}

/** bzero of [off, off + len) of a page through its direct-map address (an sf_buf or the pbuf's KVA). */
function bzero_page(k: Kernel, m: vm_page, off: number, len: number): void {
  k.ctx.touch(`${m.wchan}.data`, true);
  m.data = zeroBytes(m.data, off, len);
}

/**
 * seed 608-667 sha256:dbdf16c4470d6188. Old-style input through VOP_READ into the page (for a
 * filesystem without VOP_BMAP). Object write-locked on entry and return;
 * dropped around the read.
 */
export function* vnode_pager_input_old(k: Kernel, object: vm_object, m: vm_page): KThread<number> {
  const fn = 'vnode_pager_input_old';
  let error: number;

  VM_OBJECT_ASSERT_WLOCKED(k, object, fn, 618);
  error = 0;

  /* Return failure if beyond current EOF */
  if (IDX_TO_OFF(m.pindex) >= object.un_pager.vnp.vnp_size) {
    return VM_PAGER_BAD;
  } else {
    let size = PAGE_SIZE;
    if (IDX_TO_OFF(m.pindex) + size > object.un_pager.vnp.vnp_size) size = object.un_pager.vnp.vnp_size - IDX_TO_OFF(m.pindex);
    const vp = object.handle as vnode;
    yield* VM_OBJECT_WUNLOCK(k, object, 631);

    /* A kernel address for the page, so that VOP_READ can fill it. */
    const sf = sf_buf_alloc(k, m);

    const auio: uio = {
      uio_iov: { iov_base: sf_buf_kva(sf), iov_len: size },
      uio_iovcnt: 1,
      uio_offset: IDX_TO_OFF(m.pindex),
      uio_segflg: UIO_SYSSPACE,
      uio_rw: UIO_READ,
      uio_resid: size,
    };

    error = yield* VOP_READ(k, vp, auio, 0, 649);
    if (!error) {
      const count = size - auio.uio_resid;

      if (count === 0) error = EINVAL;
      else if (count !== PAGE_SIZE) bzero_page(k, m, count, PAGE_SIZE - count); /* 656 */
    }
    sf_buf_free(k, sf);

    yield* VM_OBJECT_WLOCK(k, object, 661);
  }
  KASSERT(m.dirty === 0, fn, 663, 'vnode_pager_input_old: page %p is dirty', m.name);
  if (!error) m.valid = VM_PAGE_BITS_ALL;
  return error ? VM_PAGER_ERROR : VM_PAGER_OK;
}

/* ---- getpages ---- */

/**
 * seed 681-695 sha256:c4a9a5d6baa28246. pgo_getpages: object write-locked on entry and return,
 * dropped around VOP_GETPAGES.
 */
export function* vnode_pager_getpages(k: Kernel, object: vm_object, m: vm_page[], count: number, rbehind: Ref | null, rahead: Ref | null): KThread<number> {
  const vp = object.handle as vnode;
  yield* VM_OBJECT_WUNLOCK(k, object, 689);
  const rtval = yield* VOP_GETPAGES(k, vp, m, count, rbehind, rahead);
  KASSERT(rtval !== EOPNOTSUPP, 'vnode_pager_getpages', 691, 'vnode_pager: FS getpages not implemented\n');
  yield* VM_OBJECT_WLOCK(k, object, 693);
  return rtval;
}

/**
 * seed 697-711 sha256:1ee04c4a5afa298a. pgo_getpages_async: as getpages, the iodone runs when the
 * read completes (or at once when nothing needed reading).
 * The request gets a number (ASYNC_ISSUE); each call of the caller's
 * iodone is reported (ASYNC_DONE) before it runs.
 */
export function* vnode_pager_getpages_async(
  k: Kernel,
  object: vm_object,
  m: vm_page[],
  count: number,
  rbehind: Ref | null,
  rahead: Ref | null,
  iodone: pgiodone_t,
  arg: unknown,
): KThread<number> {
  /* Requests issued through vnode_pager_getpages_async: the ASYNC_ISSUE numbers. */
  const issued = k.kernelStatic('async_requests', () => ({ n: 0 }));
  const req = ++issued.n;
  k.observer.emit({ type: 'ASYNC_ISSUE', req, obj: object.name });
  /* An arrow to a module-level generator: see getpages_async_observed. */
  const observed: pgiodone_t = (k2, a, pages, n, error) => getpages_async_observed(req, iodone, k2, a, pages, n, error);

  const vp = object.handle as vnode;
  yield* VM_OBJECT_WUNLOCK(k, object, 705);
  const rtval = yield* VOP_GETPAGES_ASYNC(k, vp, m, count, rbehind, rahead, observed, arg);
  KASSERT(rtval !== EOPNOTSUPP, 'vnode_pager_getpages_async', 707, 'vnode_pager: FS getpages_async not implemented\n');
  yield* VM_OBJECT_WLOCK(k, object, 709);
  return rtval;
}

/**
 * The caller's iodone, reported (ASYNC_DONE) before it runs. Module level,
 * not a generator expression in the caller: every generator function
 * closure gets its own prototype and instance map, which V8 keeps in old
 * space, and their pointers back to the closure keep the whole execution
 * alive through young-generation GCs (measured: a third of all allocation
 * survived).
 */
function* getpages_async_observed(req: number, iodone: pgiodone_t, k: Kernel, a: unknown, pages: vm_page[], n: number, error: number): KThread<void> {
  k.observer.emit({ type: 'ASYNC_DONE', req, error });
  yield* iodone(k, a, pages, n, error);
}

/** seed 718-724 sha256:bb19fef0beefce2a. VOP_GETPAGES of local filesystems. */
export function* vnode_pager_local_getpages(k: Kernel, ap: vop_getpages_args): KThread<number> {
  return yield* vnode_pager_generic_getpages(k, ap.a_vp, ap.a_m, ap.a_count, ap.a_rbehind, ap.a_rahead, null, null);
}

/** seed 726-732 sha256:c13afc9b6b982b70. VOP_GETPAGES_ASYNC of local filesystems. */
export function* vnode_pager_local_getpages_async(k: Kernel, ap: vop_getpages_async_args): KThread<number> {
  return yield* vnode_pager_generic_getpages(k, ap.a_vp, ap.a_m, ap.a_count, ap.a_rbehind, ap.a_rahead, ap.a_iodone, ap.a_arg);
}

/** generic_getpages' syncExit (see the repair note there); module level for the reason given at getpages_async_observed. */
function* generic_getpages_sync_exit(k: Kernel, iodone: pgiodone_t | null, arg: unknown, m: vm_page[], count: number, rv: number): KThread<number> {
  if (iodone === null || !k.patched('generic-getpages-async-completes-synchronous-paths')) return rv;
  yield* iodone(k, arg, m, count, rv === VM_PAGER_OK ? 0 : EIO);
  return VM_PAGER_OK;
}

/**
 * seed 738-1056 sha256:002105ccdaf3b71f. Reads m[0..count) (xbusy, consecutive, not valid) with up
 * to *a_rbehind pages before and *a_rahead after, in one I/O when the
 * filesystem maps the range contiguously. Called without the object lock.
 * With iodone the read completes asynchronously and iodone runs in the I/O
 * completion thread; otherwise the caller waits ("vnread").
 */
export function* vnode_pager_generic_getpages(
  k: Kernel,
  vp: vnode,
  m: vm_page[],
  count: number,
  a_rbehind: Ref | null,
  a_rahead: Ref | null,
  iodone: pgiodone_t | null,
  arg: unknown,
): KThread<number> {
  const fn = 'vnode_pager_generic_getpages';
  let bo: string | null = null;
  let error: number;
  let before = 0;
  let after = 0;
  let rbehind: number;
  let rahead: number;
  let i: number;

  KASSERT(vp.v_type !== VCHR && vp.v_type !== VBLK, fn, 753, '%s does not support devices', fn);

  if (vp_doomed(k, vp)) return VM_PAGER_BAD;

  const object = vp_object(k, vp);
  let foff = IDX_TO_OFF(m[0]!.pindex);
  const bsize = vp.v_mount.mnt_stat.f_iosize;
  const pagesperblock = Math.trunc(bsize / PAGE_SIZE);

  KASSERT(foff < vnp_size_unlocked(k, object), fn, 764, '%s: page %p offset beyond vp %p size', fn, m[0]!.name, vp.name);
  KASSERT(count <= SIZEOF_B_PAGES, fn, 766, '%s: requested %d pages', fn, count);

  /*
   * The last page has valid blocks: the invalid part can only be past EOF,
   * and vm_pager_get_pages() zeroes it.
   */
  if (m[count - 1]!.valid !== 0 && !(k.patched('getpages-reads-partly-valid-page') && partlyValidBelowEof(k, object, m[count - 1]!)) && --count === 0) {
    if (iodone !== null) yield* iodone(k, arg, m, 1, 0);
    return VM_PAGER_OK;
  }

  /*
   * Repair generic-getpages-async-completes-synchronous-paths (traces/findings/
   * async-iodone-lost-small-block.md, async-iodone-lost-on-bmap-error.md):
   * an asynchronous request that is served or refused here, without issuing
   * the asynchronous read, still completes through its iodone, with the
   * error, and is reported taken.
   */
  const syncExit = (rv: number): KThread<number> => generic_getpages_sync_exit(k, iodone, arg, m, count, rv);

  /* Sync and async requests draw from different pbuf counters; take the pbuf before BMAP. */
  const freecnt: pbufcnt = iodone !== null ? 'vnode_async_pbuf_freecnt' : 'vnode_pbuf_freecnt';
  const bp = yield* getpbuf(k, freecnt, 790);

  /* The device blocks; without VOP_BMAP, the old VOP_READ way. */
  const r = yield* VOP_BMAP(k, vp, idiv(foff, bsize, fn, 797), true, 797);
  error = r.error;
  if (error === 0) {
    bo = r.bo;
    bp.b_blkno = r.bn;
    after = r.runp;
    before = r.runb;
  }
  if (error === EOPNOTSUPP) {
    yield* relpbuf(k, bp, freecnt, 799);
    yield* VM_OBJECT_WLOCK(k, object, 800);
    for (i = 0; i < count; i++) {
      k.VM_CNT_INC('v_vnodein');
      k.VM_CNT_INC('v_vnodepgsin');
      error = yield* vnode_pager_input_old(k, object, m[i]!);
      if (error) break;
    }
    yield* VM_OBJECT_WUNLOCK(k, object, 808);
    return yield* syncExit(error);
  } else if (error !== 0) {
    yield* relpbuf(k, bp, freecnt, 811);
    return yield* syncExit(VM_PAGER_ERROR);
  }

  /* BMAP, but blocks smaller than a page: the small filesystem code. */
  if (pagesperblock === 0) {
    yield* relpbuf(k, bp, freecnt, 820);
    for (i = 0; i < count; i++) {
      k.VM_CNT_INC('v_vnodein');
      k.VM_CNT_INC('v_vnodepgsin');
      error = yield* vnode_pager_input_smlfs(k, object, m[i]!);
      if (error) break;
    }
    return yield* syncExit(error);
  }

  /* A sparse block: only single-page requests get here without haspage first. */
  if (bp.b_blkno === -1) {
    KASSERT(count === 1, fn, 836, '%s: array[%d] request to a sparse file %p', fn, count, vp.name);
    yield* relpbuf(k, bp, freecnt, 839);
    pmap_zero_page(k, m[0]!);
    KASSERT(m[0]!.dirty === 0, fn, 841, '%s: page %p is dirty', fn, m[0]!.name);
    yield* VM_OBJECT_WLOCK(k, object, 843);
    m[0]!.valid = VM_PAGE_BITS_ALL;
    yield* VM_OBJECT_WUNLOCK(k, object, 845);
    return yield* syncExit(VM_PAGER_OK);
  }

  const blkno0 = bp.b_blkno; /* INVARIANTS */
  bp.b_blkno += Math.trunc((foff % bsize) / DEV_BSIZE);

  /* Blocks available after/before, in pages. */
  const poff = Math.trunc((foff % bsize) / PAGE_SIZE);
  before *= pagesperblock;
  before += poff;
  after *= pagesperblock;
  after += pagesperblock - (poff + 1);
  if (m[0]!.pindex + after >= size_unlocked(k, object)) after = object.size - 1 - m[0]!.pindex;
  KASSERT(count <= after + 1, fn, 862, '%s: %d pages asked, can do only %d', fn, count, after + 1);
  after -= count - 1;

  /* Trim requested rbehind/rahead to possible values. */
  rbehind = a_rbehind ? a_rbehind.v : 0;
  rahead = a_rahead ? a_rahead.v : 0;
  rbehind = umin(rbehind, before);
  rbehind = umin(rbehind, m[0]!.pindex);
  rahead = umin(rahead, after);
  rahead = umin(rahead, size_unlocked(k, object) - m[count - 1]!.pindex);
  /* Fit the total into the buf: trim rbehind and rahead evenly. */
  if (rbehind + rahead + count > NITEMS_B_PAGES) {
    const trim = rbehind + rahead + count - NITEMS_B_PAGES + 1;
    const sum = rbehind + rahead;
    if (rbehind === before) {
      /* Roundup rbehind trim to block size. */
      rbehind -= roundup(idiv(trim * rbehind, sum, fn, 884), pagesperblock);
      if (rbehind < 0) rbehind = 0;
    } else rbehind -= idiv(trim * rbehind, sum, fn, 888);
    rahead -= idiv(trim * rahead, sum, fn, 889);
  }
  KASSERT(rbehind + rahead + count <= NITEMS_B_PAGES, fn, 891, '%s: behind %d ahead %d count %d', fn, rbehind, rahead, count);

  /*
   * b_pages[]: the requested pages with the optional read-behind and
   * read-ahead pages. Read-behind pages are allocated downwards, stopping
   * at the first cached page; read-ahead pages upwards likewise.
   */
  i = bp.b_npages = 0;
  if (rbehind) {
    yield* VM_OBJECT_WLOCK(k, object, 907);
    let startpindex = pindex_sub(m[0]!.pindex, rbehind);
    let p = vm_page_prev(m[0]!);
    if (p !== null && p.pindex >= startpindex) startpindex = p.pindex + 1;

    /* tpindex is unsigned; beware of numeric underflow. */
    for (let tpindex = pindex_sub(m[0]!.pindex, 1); tpindex >= startpindex && tpindex < m[0]!.pindex; tpindex = pindex_sub(tpindex, 1), i++) {
      p = yield* vm_page_alloc(k, object, tpindex, VM_ALLOC_NORMAL, 917);
      if (p === null) {
        /* Shift the array. */
        for (let j = 0; j < i; j++) bp.b_pages[j] = bp.b_pages[j + tpindex + 1 - startpindex] as vm_page | null;
        break;
      }
      bp.b_pages[tpindex - startpindex] = p;
    }

    bp.b_pgbefore = i;
    bp.b_npages += i;
    bp.b_blkno -= IDX_TO_OFF(i) / DEV_BSIZE; /* 930 */
  } else bp.b_pgbefore = 0;

  /* Requested pages. */
  for (let j = 0; j < count; j++, i++) bp.b_pages[i] = m[j]!;
  bp.b_npages += count;

  if (rahead) {
    if (!VM_OBJECT_WOWNED(k, object)) yield* VM_OBJECT_WLOCK(k, object, 944);
    let endpindex = m[count - 1]!.pindex + rahead + 1;
    let p = vm_page_next(m[count - 1]!);
    if (p !== null && p.pindex < endpindex) endpindex = p.pindex;
    if (endpindex > object.size) endpindex = object.size;

    for (let tpindex = m[count - 1]!.pindex + 1; tpindex < endpindex; i++, tpindex++) {
      p = yield* vm_page_alloc(k, object, tpindex, VM_ALLOC_NORMAL, 954);
      if (p === null) break;
      bp.b_pages[i] = p;
    }

    bp.b_pgafter = i - bp.b_npages;
    bp.b_npages = i;
  } else bp.b_pgafter = 0;

  if (VM_OBJECT_WOWNED(k, object)) yield* VM_OBJECT_WUNLOCK(k, object, 966);

  /* Report back actual behind/ahead read. */
  if (a_rbehind) a_rbehind.v = bp.b_pgbefore;
  if (a_rahead) a_rahead.v = bp.b_pgafter;

  /* INVARIANTS */
  KASSERT(bp.b_npages <= NITEMS_B_PAGES, fn, 975, '%s: buf %p overflowed', fn, bp.name);
  for (let j = 1, prev = 0; j < bp.b_npages; j++) {
    KASSERT(bp.b_pages[j]!.pindex - bp.b_pages[prev]!.pindex === j - prev, fn, 980, '%s: pages array not consecutive, bp %p', fn, bp.name);
    prev = j;
  }

  /*
   * First offset and byte count with the read-behind; the count stops at
   * the vnode's size, rounded up to whole sectors of the device.
   */
  foff = IDX_TO_OFF(bp.b_pages[0]!.pindex);
  let bytecount = bp.b_npages << PAGE_SHIFT;
  if (foff + bytecount > vnp_size_unlocked(k, object)) bytecount = object.un_pager.vnp.vnp_size - foff;
  const secmask = bo_bsize(k, bo as string) - 1;
  KASSERT(secmask < PAGE_SIZE && secmask > 0, fn, 997, '%s: sector size %d too large', fn, secmask + 1);
  bytecount = (bytecount + secmask) & ~secmask;

  /* Map the pages into the pbuf's KVA unless the filesystem takes unmapped buffers. */
  if ((vp.v_mount.mnt_kern_flag & MNTK_UNMAPPED_BUFS) !== 0 && unmapped_buf_allowed) {
    bp.b_data = unmapped_buf;
    bp.b_offset = 0;
  } else {
    bp.b_data = { kind: 'kva', off: 0 }; /* b_kvabase; pmap_qenter is a no-op */
  }

  /* Build a minimal buffer header. */
  bp.b_iocmd = BIO_READ;
  KASSERT(bp.b_rcred === NOCRED, fn, 1016, 'leaking read ucred');
  KASSERT(bp.b_wcred === NOCRED, fn, 1017, 'leaking write ucred');
  bp.b_rcred = 'td_ucred';
  bp.b_wcred = 'td_ucred';
  pbgetbo(k, bo, bp);
  bp.b_vp = vp;
  bp.b_bcount = bp.b_bufsize = bp.b_runningbufspace = bytecount;
  bp.b_iooffset = dbtob(bp.b_blkno);
  KASSERT(
    IDX_TO_OFF(m[0]!.pindex - bp.b_pages[0]!.pindex) === (blkno0 - bp.b_blkno) * DEV_BSIZE + (IDX_TO_OFF(m[0]!.pindex) % bsize),
    fn,
    1024,
    'wrong offsets bsize %d m[0] %ju b_pages[0] %ju blkno0 %ju b_blkno %ju',
    bsize,
    m[0]!.pindex,
    bp.b_pages[0]!.pindex,
    blkno0,
    bp.b_blkno,
  );

  yield* atomic_add_long_runningbufspace(k, bp.b_runningbufspace, 1032);
  k.VM_CNT_INC('v_vnodein');
  k.VM_CNT_ADD('v_vnodepgsin', bp.b_npages);

  if (iodone !== null) {
    /* async */
    bp.b_pgiodone = iodone;
    bp.b_caller1 = arg;
    bp.b_iodone = vnode_pager_generic_getpages_done_async;
    bp.b_flags |= B_ASYNC;
    BUF_KERNPROC(k, bp);
    yield* bstrategy(k, bp, 1042);
    return VM_PAGER_OK;
  } else {
    bp.b_iodone = bdone;
    yield* bstrategy(k, bp, 1046);
    yield* bwait(k, bp, PVM, 'vnread', 1047);
    error = yield* vnode_pager_generic_getpages_done(k, bp);
    for (i = 0; i < bp.b_npages; i++) bp.b_pages[i] = null;
    bp.b_vp = null;
    pbrelbo(k, bp);
    yield* relpbuf(k, bp, 'vnode_pbuf_freecnt', 1053);
    return error !== 0 ? VM_PAGER_ERROR : VM_PAGER_OK;
  }
}

/**
 * seed 1058-1072 sha256:ada67576187bcc1b. b_iodone of an asynchronous read, run by bufdone in the
 * I/O completion thread: finish the pages, call the requester's iodone on
 * the requested range, free the pbuf.
 */
export function* vnode_pager_generic_getpages_done_async(k: Kernel, bp: buf): KThread<void> {
  const error = yield* vnode_pager_generic_getpages_done(k, bp);
  /* Run the iodone upon the requested range. */
  const n = bp.b_npages - bp.b_pgbefore - bp.b_pgafter;
  yield* (bp.b_pgiodone as pgiodone_t)(k, bp.b_caller1, bp.b_pages.slice(bp.b_pgbefore, bp.b_pgbefore + n) as vm_page[], n, error);
  for (let i = 0; i < bp.b_npages; i++) bp.b_pages[i] = null;
  bp.b_vp = null;
  pbrelbo(k, bp);
  yield* relpbuf(k, bp, 'vnode_async_pbuf_freecnt', 1071);
}

/**
 * seed 1074-1138 sha256:e016ee8ddfd14da0. After the read: zero what the device did not fill, set
 * the pages valid (whole pages, or up to EOF), release the read-behind and
 * read-ahead pages. Returns EIO if the read failed.
 */
export function* vnode_pager_generic_getpages_done(k: Kernel, bp: buf): KThread<number> {
  const fn = 'vnode_pager_generic_getpages_done';
  let i: number;
  let tfoff: number;
  let nextoff: number;

  const error = (bp.b_ioflags & BIO_ERROR) !== 0 ? EIO : 0;
  const vp = bp.b_vp as vnode;
  const object = vp_object(k, vp);

  if (error === 0 && bp.b_bcount !== bp.b_npages * PAGE_SIZE) {
    if (!buf_mapped(bp)) {
      bp.b_data = { kind: 'kva', off: 0 }; /* b_kvabase; pmap_qenter is a no-op */
    }
    bzero_pages(k, bp, bp.b_bcount, PAGE_SIZE * bp.b_npages - bp.b_bcount);
  }
  if (buf_mapped(bp)) {
    /* pmap_qremove is a no-op */
    bp.b_data = unmapped_buf;
  }

  /*
   * Repair getpages-done-frees-readahead-on-error (traces/findings/
   * readahead-valid-after-read-error.md): after a failed read no page is
   * made valid; the read-behind and read-ahead pages, which only this
   * request holds, are freed here, and the requested pages go back to the
   * requester invalid (vm_fault frees them, an async iodone unbusies them).
   */
  if (error !== 0 && k.patched('getpages-done-frees-readahead-on-error')) {
    yield* VM_OBJECT_WLOCK(k, object, 1098);
    for (i = 0; i < bp.b_pgbefore; i++) vm_page_free(k, bp.b_pages[i]!);
    for (i = bp.b_npages - bp.b_pgafter; i < bp.b_npages; i++) vm_page_free(k, bp.b_pages[i]!);
    yield* VM_OBJECT_WUNLOCK(k, object, 1133);
    printf(k, `${fn}: I/O read error ${error}`);
    return error;
  }

  yield* VM_OBJECT_WLOCK(k, object, 1098);
  for (i = 0, tfoff = IDX_TO_OFF(bp.b_pages[0]!.pindex); i < bp.b_npages; i++, tfoff = nextoff) {
    nextoff = tfoff + PAGE_SIZE;
    const mt = bp.b_pages[i]!;

    if (nextoff <= object.un_pager.vnp.vnp_size) {
      /* Read filled up entire page. */
      mt.valid = VM_PAGE_BITS_ALL;
      KASSERT(mt.dirty === 0, fn, 1111, '%s: page %p is dirty', fn, mt.name);
      KASSERT(!pmap_page_is_mapped(mt), fn, 1113, '%s: page %p is mapped', fn, mt.name);
    } else {
      /*
       * Read did not fill up entire page: validate up to EOF only, the
       * rest of the last block zeroed.
       */
      vm_page_set_valid_range(k, mt, 0, object.un_pager.vnp.vnp_size - tfoff);
      KASSERT((mt.dirty & vm_page_bits(0, object.un_pager.vnp.vnp_size - tfoff)) === 0, fn, 1125, '%s: page %p is dirty', fn, mt.name);
    }

    if (i < bp.b_pgbefore || i >= bp.b_npages - bp.b_pgafter) yield* vm_page_readahead_finish(k, mt, 1131);
  }
  yield* VM_OBJECT_WUNLOCK(k, object, 1133);
  if (error !== 0) printf(k, `${fn}: I/O read error ${error}`);

  return error;
}

/** bzero(bp->b_data + off, len) over the buffer's pages (the pbuf's KVA view of b_pages). */
function bzero_pages(k: Kernel, bp: buf, off: number, len: number): void {
  for (let p = off; p < off + len; ) {
    const po = p % PAGE_SIZE;
    const n = Math.min(PAGE_SIZE - po, off + len - p);
    bzero_page(k, bp.b_pages[Math.floor(p / PAGE_SIZE)]!, po, n);
    p += n;
  }
}

/* ---- putpages ---- */

/**
 * seed 1148-1180 sha256:20ea393a56d70eb5. pgo_putpages: object write-locked on entry and return,
 * dropped around VOP_PUTPAGES. Forces a synchronous write when free memory
 * is below v_pageout_free_min (read without a lock).
 */
export function* vnode_pager_putpages(k: Kernel, object: vm_object, m: vm_page[], count: number, flags: number, rtvals: number[]): KThread<void> {
  const bytes = count * PAGE_SIZE;

  /* Low on memory: synchronous, to avoid a low-memory deadlock. */
  yield { kind: 'access', label: 'vm_cnt.v_free_count < vm_cnt.v_pageout_free_min', line: 1168, fp: [{ res: 'vm_cnt.v_free_count', write: false, atomic: true }] };
  if (k.vm_cnt.v_free_count < k.vm_cnt.v_pageout_free_min) flags |= VM_PAGER_PUT_SYNC;

  /* Call device-specific putpages function */
  const vp = object.handle as vnode;
  yield* VM_OBJECT_WUNLOCK(k, object, 1175);
  const rtval = yield* VOP_PUTPAGES(k, vp, m, bytes, flags, rtvals);
  KASSERT(rtval !== EOPNOTSUPP, 'vnode_pager_putpages', 1177, 'vnode_pager: stale FS putpages\n');
  yield* VM_OBJECT_WLOCK(k, object, 1179);
}

/**
 * seed 1192-1296 sha256:c4658f62395a7f07. Writes ma[0..bytecount/PAGE_SIZE) (sbusy, fully valid,
 * not write-mapped) through VOP_WRITE with UIO_NOCOPY. Pages past EOF get
 * VM_PAGER_BAD; the dirty bits past EOF in the last page are cleared here.
 * Called without the object lock.
 */
export function* vnode_pager_generic_putpages(k: Kernel, vp: vnode, ma: vm_page[], bytecount: number, flags: number, rtvals: number[]): KThread<number> {
  const fn = 'vnode_pager_generic_putpages';
  let i: number;

  const object = vp_object(k, vp);
  const count = Math.trunc(bytecount / PAGE_SIZE);

  for (i = 0; i < count; i++) rtvals[i] = VM_PAGER_ERROR;

  /* (int64_t)ma[0]->pindex < 0 */
  if (ma[0]!.pindex >= 2 ** 63) {
    printf(k, `vnode_pager_putpages: attempt to write meta-data!!! -- 0x${ma[0]!.pindex.toString(16)}(${ma[0]!.dirty.toString(16)})`);
    rtvals[0] = VM_PAGER_BAD;
    return VM_PAGER_BAD;
  }

  let maxsize = count * PAGE_SIZE;
  let ncount = count;

  const poffset = IDX_TO_OFF(ma[0]!.pindex);

  /*
   * A write past EOF: the pages beyond it are BAD. In a partial last page
   * the dirty bits past EOF are cleared here, with the page sbusy and not
   * write-mapped so that no pmap update can race. Valid bits stay.
   */
  yield* VM_OBJECT_WLOCK(k, object, 1235);
  if (maxsize + poffset > object.un_pager.vnp.vnp_size) {
    if (object.un_pager.vnp.vnp_size > poffset) {
      let pgoff: number;

      maxsize = object.un_pager.vnp.vnp_size - poffset;
      ncount = btoc(maxsize);
      if ((pgoff = maxsize & PAGE_MASK) !== 0) {
        /*
         * Repair putpages-keeps-eof-sector-dirty (traces/findings/
         * putpages-eof-sector-cleaned-unwritten.md): vm_page_clear_dirty
         * clears every sector the range touches, so the sector holding EOF
         * would lose its dirty bit before the write reached its bytes below
         * EOF; clear from the next sector on, as later FreeBSD does.
         */
        if (k.patched('putpages-keeps-eof-sector-dirty')) pgoff = roundup2(pgoff, DEV_BSIZE);
        const m = ma[ncount - 1]!;
        vm_page_assert_sbusied(k, m, fn, 1250);
        KASSERT(!pmap_page_is_write_mapped(m), fn, 1251, 'vnode_pager_generic_putpages: page %p is not read-only', m.name);
        vm_page_clear_dirty(k, m, pgoff, PAGE_SIZE - pgoff);
      }
    } else {
      maxsize = 0;
      ncount = 0;
    }
    if (ncount < count) {
      for (i = ncount; i < count; i++) {
        rtvals[i] = VM_PAGER_BAD;
      }
    }
  }
  yield* VM_OBJECT_WUNLOCK(k, object, 1266);

  const auio: uio = {
    uio_iov: { iov_base: null, iov_len: maxsize },
    uio_iovcnt: 1,
    uio_offset: poffset,
    uio_segflg: UIO_NOCOPY,
    uio_rw: UIO_WRITE,
    uio_resid: maxsize,
  };
  const error = yield* VOP_WRITE(k, vp, auio, vnode_pager_putpages_ioflags(flags), 1277);
  k.VM_CNT_INC('v_vnodeout');
  k.VM_CNT_ADD('v_vnodepgsout', ncount);

  let ppscheck = 0;
  if (error) {
    if ((ppscheck = ppsratecheck(k))) printf(k, `vnode_pager_putpages: I/O error ${error}`);
  }
  if (auio.uio_resid) {
    if (ppscheck || ppsratecheck(k)) printf(k, `vnode_pager_putpages: residual I/O ${auio.uio_resid} at ${ma[0]!.pindex}`);
  }
  for (i = 0; i < ncount; i++) {
    rtvals[i] = VM_PAGER_OK;
  }
  /*
   * Repair putpages-reports-unwritten-pages (traces/findings/
   * putpages-ok-after-failed-sync-write.md): after an error or a short
   * write, a page the write left dirty is VM_PAGER_ERROR, as later FreeBSD
   * reports it. The pages are sbusy and write-protected: their dirty bits
   * cannot change under us.
   */
  if ((error !== 0 || auio.uio_resid !== 0) && k.patched('putpages-reports-unwritten-pages')) {
    for (i = 0; i < ncount; i++) if (ma[i]!.dirty !== 0) rtvals[i] = VM_PAGER_ERROR;
  }
  return rtvals[0]!;
}

/**
 * ppsratecheck(&lastfail, &curfail, 1). The model's clock (ticks) never
 * advances, so every call after the first of a run falls in the same second
 * and is refused, as in a burst of failures in the kernel.
 */
function ppsratecheck(k: Kernel): number {
  /* generic_putpages' static lastfail / curfail. */
  const st = k.kernelStatic('generic_putpages_lastfail', () => ({ lastfail: 0, curfail: 0 }));
  if (st.lastfail === 0) {
    st.lastfail = 1; /* ticks */
    st.curfail = 1;
    return 1;
  }
  return Number(++st.curfail <= 1);
}

/** seed 1298-1320 sha256:3d736800d94a3484. The VOP_WRITE ioflags for pager flags. */
export function vnode_pager_putpages_ioflags(pager_flags: number): number {
  let ioflags: number;

  /*
   * Pageouts are already clustered: IO_ASYNC asks for bawrite rather than
   * bdwrite; the sequential heuristic is maxed so large ranges cluster.
   * With neither IO_SYNC nor IO_ASYNC the system decides.
   */
  ioflags = IO_VMIO;
  if ((pager_flags & (VM_PAGER_PUT_SYNC | VM_PAGER_PUT_INVAL)) !== 0) ioflags |= IO_SYNC;
  else if ((pager_flags & VM_PAGER_CLUSTER_OK) === 0) ioflags |= IO_ASYNC;
  ioflags |= (pager_flags & VM_PAGER_PUT_INVAL) !== 0 ? IO_INVAL : 0;
  ioflags |= (pager_flags & VM_PAGER_PUT_NOREUSE) !== 0 ? IO_NOREUSE : 0;
  ioflags |= IO_SEQMAX << IO_SEQSHIFT;
  return ioflags;
}

/**
 * seed 1322-1343 sha256:fb766d64ebc00621. For filesystems with their own putpages: after `written`
 * bytes went out, whole pages are OK and clean, a partly written page is
 * AGAIN with the written blocks' dirty bits cleared.
 */
export function* vnode_pager_undirty_pages(k: Kernel, ma: vm_page[], rtvals: number[], written: number): KThread<void> {
  let i: number;
  let pos: number;

  if (written === 0) return;
  const obj = ma[0]!.object as vm_object;
  yield* VM_OBJECT_WLOCK(k, obj, 1331);
  for (i = 0, pos = 0; pos < written; i++, pos += PAGE_SIZE) {
    if (pos < trunc_page(written)) {
      rtvals[i] = VM_PAGER_OK;
      vm_page_undirty(k, ma[i]!);
    } else {
      /* Partially written page. */
      rtvals[i] = VM_PAGER_AGAIN;
      vm_page_clear_dirty(k, ma[i]!, 0, written & PAGE_MASK);
    }
  }
  yield* VM_OBJECT_WUNLOCK(k, obj, 1342);
}

registerGenericPager({
  getpages: vnode_pager_generic_getpages,
  putpages: vnode_pager_generic_putpages,
  local_getpages: vnode_pager_local_getpages,
  local_getpages_async: vnode_pager_local_getpages_async,
});
