/*
 * Drivers: kernel threads that make the port emit a given kind of event,
 * by calling the seed's functions (and the callees a real caller would) the
 * way their callers in the kernel do. A coverage path is realized by
 * choosing the drivers its events need and scheduling them (spec/coverage.ts).
 *
 *   OBJ_ALLOCATE, OBJ_ATTACH, OBJ_DISCARD, OBJ_REFS +1, "vadead" wait:
 *                        mapper (vnode_pager_alloc, later vm_object_deallocate)
 *   "vodead" wait:       creator (vnode_create_vobject under the vnode lock)
 *   OBJ_REFS -1:         mapper's vm_object_deallocate, creator (seed 148)
 *   OBJ_DEAD, OBJ_DISCONNECT_WAKE, OBJ_DEALLOC, OBJ_DESTROY:
 *                        reclaimer (vgone under the vnode lock -> VOP_RECLAIM
 *                        -> vnode_destroy_vobject)
 *   OBJ_DETACH:          destroyer (vnode_destroy_vobject under the vnode lock)
 *   OBJ_SETSIZE, truncation, tail zeroing: sizer (vnode_pager_setsize)
 *   PAGE_INSERT and read completion: faulter (vm_page_alloc +
 *                        vm_pager_get_pages, as vm_fault), asyncFaulter
 *                        (vm_pager_get_pages_async, as sendfile) for
 *                        ASYNC_ISSUE / ASYNC_DONE
 *   dirtying:            writer (vm_page_dirty, as a store through a mapping)
 *   pageout:             pageout (vm_pageout_flush), undirtier
 *                        (vnode_pager_undirty_pages after a partial write)
 *   exclusive busy:      grabber (vm_page_xbusy / vm_page_xunbusy)
 *   invalidation:        wirer (wire_count++, as vm_page_wire) before a truncation
 *   WRITEMAPPINGS, WRITECOUNT: writeMapper (vnode_pager_update_writecount),
 *                        writeMapping (update, then vnode_pager_release_writecount)
 */
import type { KThread } from '../checker/op.ts';
import type { KEventType } from '../impl/kernel/observe.ts';
import { LK_EXCLUSIVE, LK_RETRY, LK_SHARED } from '../impl/kernel/sync.ts';
import type { WorldOptions, World } from '../impl/kernel/world.ts';
import { attachObject } from '../impl/kernel/world.ts';
import { vgone, vn_lock, VOP_UNLOCK } from '../impl/kernel/vnode.ts';
import { OBJT_VNODE, VM_OBJECT_WLOCK, VM_OBJECT_WUNLOCK, vm_object_deallocate, vm_pageout_flush, type vm_object } from '../impl/kernel/vm_object.ts';
import { VM_PAGE_BITS_ALL, vm_page_alloc, vm_page_dirty, vm_page_free, vm_page_lookup, vm_page_sbusy, vm_page_sunbusy, vm_page_xbusy, vm_page_xbusied, vm_page_xunbusy, vm_page_busied, type vm_page } from '../impl/kernel/vm_page.ts';
import { VM_PAGER_OK, VM_PAGER_PUT_SYNC, vm_pager_get_pages, vm_pager_get_pages_async } from '../impl/kernel/vm_pager.ts';
import type { pgiodone_t } from '../impl/kernel/buf.ts';
import { vnode_create_vobject, vnode_destroy_vobject, vnode_pager_alloc, vnode_pager_release_writecount, vnode_pager_setsize, vnode_pager_update_writecount } from '../impl/vnode_pager.ts';
import { vnode_pager_undirty_pages } from '../impl/vnode_pager.ts';

export interface Driver {
  /** "mapper", "faulter(p2, ra 2)": what the thread does, for reports. */
  readonly name: string;
  /** The kinds of events it makes the port emit: the search tries it first when the path's next event is one. */
  readonly produces: readonly KEventType[];
  readonly body: (w: World) => KThread;
}

export interface WorldSpec {
  readonly name: string;
  readonly opts: Omit<WorldOptions, 'observer'>;
  /** Builds the starting state (no thread runs): e.g. the vnode's object, as vnode_create_vobject leaves it. */
  readonly fixture?: (w: World) => void;
}

/* ---- object lifecycle ---- */

/** vnode_pager_alloc on the vnode (as vm_mmap_vnode does, MPSAFE), then drops the reference (munmap). */
export function mapper(): Driver {
  return {
    name: 'mapper',
    produces: ['OBJ_ALLOCATE', 'OBJ_ATTACH', 'OBJ_DISCARD', 'OBJ_REFS', 'OBJ_DISCONNECT_WAIT', 'OBJ_DEAD', 'OBJ_DESTROY'],
    *body(w) {
      const o = yield* vnode_pager_alloc(w.k, w.vp, w.vp.va_size, 0, 0, null);
      yield* vm_object_deallocate(w.k, o);
    },
  };
}

/** vnode_create_vobject under the exclusive vnode lock (as VOP_OPEN does). */
export function creator(): Driver {
  return {
    name: 'creator',
    produces: ['OBJ_ALLOCATE', 'OBJ_ATTACH', 'OBJ_DISCARD', 'OBJ_REFS', 'OBJ_DISCONNECT_WAIT'],
    *body(w) {
      yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE | LK_RETRY);
      yield* vnode_create_vobject(w.k, w.vp, 0, null);
      yield* VOP_UNLOCK(w.k, w.vp, 0);
    },
  };
}

/** vgone under the exclusive vnode lock: VOP_RECLAIM -> vnode_destroy_vobject. */
export function reclaimer(): Driver {
  return {
    name: 'reclaimer',
    produces: ['OBJ_DEAD', 'OBJ_DISCONNECT_WAKE', 'OBJ_DEALLOC', 'OBJ_DESTROY', 'PAGE_REMOVE', 'PAGE_BITS', 'WRITEMAPPINGS', 'WRITECOUNT'],
    *body(w) {
      yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE | LK_RETRY);
      yield* vgone(w.k, w.vp);
      yield* VOP_UNLOCK(w.k, w.vp, 0);
    },
  };
}

/** vnode_destroy_vobject under the exclusive vnode lock, without the rest of vgone. */
export function destroyer(): Driver {
  return {
    name: 'destroyer',
    produces: ['OBJ_DEAD', 'OBJ_DETACH', 'OBJ_DEALLOC', 'OBJ_DESTROY', 'OBJ_DISCONNECT_WAKE'],
    *body(w) {
      yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE | LK_RETRY);
      yield* vnode_destroy_vobject(w.k, w.vp);
      yield* VOP_UNLOCK(w.k, w.vp, 0);
    },
  };
}

/** vnode_pager_setsize(vp, nsize) (a truncate: the filesystem holds the vnode lock exclusively; the seed's assertion is commented out, seed 404). */
export function sizer(nsize: number): Driver {
  return {
    name: `sizer(${nsize})`,
    produces: ['OBJ_SETSIZE', 'PAGE_REMOVE', 'PAGE_BITS'],
    *body(w) {
      yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE | LK_RETRY);
      yield* vnode_pager_setsize(w.k, w.vp, nsize);
      yield* VOP_UNLOCK(w.k, w.vp, 0);
    },
  };
}

/** vnode_pager_setsize without the vnode lock (the seed does not assert it, seed 404): lets setsize meet a dying object. */
export function unlockedSizer(nsize: number): Driver {
  return {
    name: `unlockedSizer(${nsize})`,
    produces: ['OBJ_SETSIZE', 'PAGE_REMOVE', 'PAGE_BITS'],
    *body(w) {
      yield* vnode_pager_setsize(w.k, w.vp, nsize);
    },
  };
}

/** Runs body with the vnode locked shared, as vm_fault, sendfile and the page laundry hold it around the pager. */
function* sharedLocked(w: World, body: () => KThread<void>): KThread<void> {
  yield* vn_lock(w.k, w.vp, LK_SHARED | LK_RETRY);
  yield* body();
  yield* VOP_UNLOCK(w.k, w.vp, 0);
}

/* ---- pages ---- */

function objectOf(w: World): vm_object | null {
  return w.vp.v_object;
}

/**
 * A page fault on page p, as vm_fault: allocate the page if it is not
 * resident (exclusive busy, invalid), read it with vm_pager_get_pages, and
 * release it. On an error the page is freed, unless keepOnError (a caller
 * that keeps the partly read page, e.g. to retry).
 */
export function faulter(p: number, o: { rbehind?: number; rahead?: number; keepOnError?: boolean } = {}): Driver {
  return {
    name: `faulter(p${p}${o.rbehind ? `, rb ${o.rbehind}` : ''}${o.rahead ? `, ra ${o.rahead}` : ''}${o.keepOnError ? ', keep' : ''})`,
    produces: ['PAGE_INSERT', 'PAGE_BITS', 'PAGE_REMOVE'],
    *body(w) {
      yield* sharedLocked(w, () => fault(w, p, o));
    },
  };
}

function* fault(w: World, p: number, o: { rbehind?: number; rahead?: number; keepOnError?: boolean }): KThread<void> {
  const obj = objectOf(w);
  if (!obj) return;
  yield* VM_OBJECT_WLOCK(w.k, obj);
  let m = vm_page_lookup(obj, p);
  /* vm_fault refuses an index past the object's end (KERN_OUT_OF_BOUNDS) and a dead object. */
  if (p >= obj.size || obj.type !== OBJT_VNODE) m = null;
  else if (m === null) m = yield* vm_page_alloc(w.k, obj, p, 0);
  else if (!vm_page_busied(m) && m.valid !== VM_PAGE_BITS_ALL) yield* vm_page_xbusy(w.k, m);
  else m = null;
  if (m !== null) {
    const rv = yield* vm_pager_get_pages(w.k, obj, [m], 1, o.rbehind ? { v: o.rbehind } : null, o.rahead ? { v: o.rahead } : null);
    if (rv === VM_PAGER_OK || o.keepOnError) yield* vm_page_xunbusy(w.k, m);
    else vm_page_free(w.k, m);
  }
  yield* VM_OBJECT_WUNLOCK(w.k, obj);
}

/** vm_pager_get_pages_async on page p (as sendfile); the iodone releases the pages. */
export function asyncFaulter(p: number): Driver {
  const iodone: pgiodone_t = function* (k, _arg, pages, count) {
    for (let i = 0; i < count; i++) {
      const m = pages[i];
      if (m && vm_page_xbusied(m)) yield* vm_page_xunbusy(k, m);
    }
  };
  return {
    name: `asyncFaulter(p${p})`,
    produces: ['PAGE_INSERT', 'PAGE_BITS', 'ASYNC_ISSUE', 'ASYNC_DONE'],
    *body(w) {
      yield* sharedLocked(w, function* () {
        const obj = objectOf(w);
        if (!obj) return;
        yield* VM_OBJECT_WLOCK(w.k, obj);
        const m = p < obj.size && obj.type === OBJT_VNODE && vm_page_lookup(obj, p) === null ? yield* vm_page_alloc(w.k, obj, p, 0) : null;
        if (m !== null) yield* vm_pager_get_pages_async(w.k, obj, [m], 1, null, null, iodone, null);
        yield* VM_OBJECT_WUNLOCK(w.k, obj);
      });
    },
  };
}

function* withPage(w: World, p: number, f: (obj: vm_object, m: vm_page) => KThread<void>): KThread<void> {
  const obj = objectOf(w);
  if (!obj) return;
  yield* VM_OBJECT_WLOCK(w.k, obj);
  const m = vm_page_lookup(obj, p);
  if (m !== null) yield* f(obj, m);
  yield* VM_OBJECT_WUNLOCK(w.k, obj);
}

/** A store through a writable mapping of page p: vm_page_dirty (a fully valid page only). */
export function writer(p: number): Driver {
  return {
    name: `writer(p${p})`,
    produces: ['PAGE_BITS'],
    *body(w) {
      yield* withPage(w, p, function* (_o, m) {
        if (m.valid === VM_PAGE_BITS_ALL) vm_page_dirty(w.k, m);
      });
    },
  };
}

/** The pageout daemon flushing page p: vm_pageout_flush (shared busy, putpages, settle). */
export function pageout(p: number): Driver {
  return {
    name: `pageout(p${p})`,
    produces: ['PAGE_BITS'],
    *body(w) {
      yield* sharedLocked(w, () =>
        withPage(w, p, function* (_o, m) {
          if (m.valid === VM_PAGE_BITS_ALL && m.dirty !== 0 && !vm_page_xbusied(m)) yield* vm_pageout_flush(w.k, [m], 1, VM_PAGER_PUT_SYNC, 0);
        }),
      );
    },
  };
}

/** A filesystem's putpages that wrote `written` bytes of page p: vnode_pager_undirty_pages under shared busy. */
export function undirtier(p: number, written: number): Driver {
  return {
    name: `undirtier(p${p}, ${written})`,
    produces: ['PAGE_BITS'],
    *body(w) {
      const obj = objectOf(w);
      if (!obj) return;
      yield* VM_OBJECT_WLOCK(w.k, obj);
      const m = vm_page_lookup(obj, p);
      const ok = m !== null && m.valid === VM_PAGE_BITS_ALL && m.dirty !== 0 && !vm_page_xbusied(m);
      if (ok) yield* vm_page_sbusy(w.k, m);
      yield* VM_OBJECT_WUNLOCK(w.k, obj);
      if (!ok) return;
      yield* vnode_pager_undirty_pages(w.k, [m], [0], written);
      yield* vm_page_sunbusy(w.k, m);
    },
  };
}

/** vm_page_grab of a resident page: exclusive busy, then release. */
export function grabber(p: number): Driver {
  return {
    name: `grabber(p${p})`,
    produces: ['PAGE_BITS'],
    *body(w) {
      let got: vm_page | null = null;
      yield* withPage(w, p, function* (_o, m) {
        if (!vm_page_busied(m)) {
          yield* vm_page_xbusy(w.k, m);
          got = m;
        }
      });
      if (got !== null) yield* vm_page_xunbusy(w.k, got);
    },
  };
}

/** vm_page_wire of page p (wire_count++ under the object lock; the model has no wiring routine). */
export function wirer(p: number): Driver {
  return {
    name: `wirer(p${p})`,
    produces: [],
    *body(w) {
      yield* withPage(w, p, function* (_o, m) {
        m.wire_count++;
      });
    },
  };
}

/* ---- write mappings ---- */

/** mmap(PROT_WRITE, MAP_SHARED) of `bytes`: vnode_pager_update_writecount under the exclusive vnode lock (vm_mmap). */
export function writeMapper(bytes: number): Driver {
  return {
    name: `writeMapper(${bytes})`,
    produces: ['WRITEMAPPINGS', 'WRITECOUNT'],
    *body(w) {
      yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE | LK_RETRY);
      const obj = objectOf(w);
      if (obj) yield* vnode_pager_update_writecount(w.k, obj, 0, bytes);
      yield* VOP_UNLOCK(w.k, w.vp, 0);
    },
  };
}

/**
 * A writable mapping's life: mmap of the sum of `pieces` (update_writecount
 * under the vnode lock), then munmap piece by piece
 * (vnode_pager_release_writecount from vm_map_entry_delete), which may race
 * with the vnode's reclaim.
 */
export function writeMapping(pieces: readonly number[]): Driver {
  const total = pieces.reduce((a, b) => a + b, 0);
  return {
    name: `writeMapping(${pieces.join('+')})`,
    produces: ['WRITEMAPPINGS', 'WRITECOUNT'],
    *body(w) {
      yield* vn_lock(w.k, w.vp, LK_EXCLUSIVE | LK_RETRY);
      const obj = objectOf(w);
      if (obj) yield* vnode_pager_update_writecount(w.k, obj, 0, total);
      yield* VOP_UNLOCK(w.k, w.vp, 0);
      if (!obj) return;
      let start = 0;
      for (const p of pieces) {
        yield* vnode_pager_release_writecount(w.k, obj, start, start + p);
        start += p;
      }
    },
  };
}

/* ---- worlds ---- */

const withObject = (w: World) => void attachObject(w, w.vp);

export const WORLDS = {
  /** One 10000-byte file on a 4K block filesystem, no object yet. */
  bare: { name: 'bare', opts: { flavor: 'block', f_iosize: 4096, fileSize: 10000 } },
  /** The same with the object vnode_create_vobject leaves (obj1, ref_count 0). */
  object: { name: 'object', opts: { flavor: 'block', f_iosize: 4096, fileSize: 10000 }, fixture: withObject },
  /** 16 KiB file: page 2 is fully inside EOF. */
  full: { name: 'full', opts: { flavor: 'block', f_iosize: 4096, fileSize: 16384 }, fixture: withObject },
  /** 10240-byte file: page 2 holds 2048 bytes before EOF. */
  eof: { name: 'eof', opts: { flavor: 'block', f_iosize: 4096, fileSize: 10240 }, fixture: withObject },
  /** Block 2 is a hole: page 2 is zero-filled (seed 835-846). */
  sparse: { name: 'sparse', opts: { flavor: 'block', f_iosize: 4096, fileSize: 16384, holes: [2] }, fixture: withObject },
  /** 512-byte blocks: pages are read block by block (vnode_pager_input_smlfs). */
  small: { name: 'small', opts: { flavor: 'small', f_iosize: 512, fileSize: 16384 }, fixture: withObject },
  /** 512-byte blocks, the fourth block of page 2 unreadable: the page stays partly valid. */
  smallBad: { name: 'smallBad', opts: { flavor: 'small', f_iosize: 512, fileSize: 16384, faults: { readErrorSectors: [64 + 16 + 3] } }, fixture: withObject },
  /** Page 2's block unreadable: the read completes with EIO. */
  bad: { name: 'bad', opts: { flavor: 'block', f_iosize: 4096, fileSize: 16384, faults: { readErrorSectors: [64 + 16] } }, fixture: withObject },
} as const satisfies Record<string, WorldSpec>;

export type WorldName = keyof typeof WORLDS;
