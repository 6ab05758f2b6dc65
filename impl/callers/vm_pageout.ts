/*
 * The page daemon's laundering of a vnode object's pages (vm/vm_pageout.c of
 * 2017: vm_pageout_clean building the run, vm_pageout_flush sending it), which
 * msync (vm_object_page_clean) reaches the same way.
 * Kept: the vnode lock exclusive (vm_pageout_clean's vget with LK_EXCLUSIVE),
 * the object lock, a run of consecutive resident, fully valid, unbusied,
 * dirty pages (optionally stored to first, so that they are dirty), write
 * access removed (pmap_remove_write), each page sbusied, pip raised by the
 * run length, vm_pager_put_pages with the scenario's flags, and each page
 * settled by its rtval: BAD undirtied, all but PEND woken (pip) and
 * sunbusied. Left out: the page queues and the laundry scan that picks the
 * pages, the backward cluster, and the requeue of a page that failed.
 *
 * Locks: vnode lock exclusive (or none, as the scenario says) and the object
 * lock around the whole run; the pager drops the object lock inside as it
 * does.
 */
import type { KThread } from '../../checker/op.ts';
import type { World } from '../kernel/world.ts';
import type { Block } from '../kernel/data.ts';
import { LK_EXCLUSIVE, LK_RETRY } from '../kernel/sync.ts';
import { vn_lock, VOP_UNLOCK, type vnode } from '../kernel/vnode.ts';
import { VM_OBJECT_WLOCK, VM_OBJECT_WUNLOCK, vm_object_pip_add, vm_object_pip_wakeup, type vm_object } from '../kernel/vm_object.ts';
import { VM_PAGE_BITS_ALL, pmap_remove_write, vm_page_busied, vm_page_lookup, vm_page_sbusy, vm_page_sunbusy, vm_page_undirty, type vm_page } from '../kernel/vm_page.ts';
import { VM_PAGER_BAD, VM_PAGER_ERROR, VM_PAGER_OK, VM_PAGER_PEND, vm_pager_put_pages } from '../kernel/vm_pager.ts';
import { rcName, skipped, type CallerResult } from './result.ts';
import { store } from './store.ts';

export interface PageoutArgs {
  readonly pindex: number;
  readonly count: number;
  /** VM_PAGER_PUT_* bits. */
  readonly flags: number;
  /** Store to each page first. */
  readonly dirty: boolean;
  readonly vnodeLock: 'exclusive' | 'none';
}

/** A page of the run as it was handed to the pager. */
export interface PutSnapshot {
  readonly m: vm_page;
  readonly dirty: number;
  readonly data: Block[];
}

/**
 * Told the run's state right after vm_pager_put_pages returned, before any
 * page is settled (no scheduling point between): the scenario's check that a
 * page reported written is on disk.
 */
export type AfterPut = (obj: vm_object, snapshot: readonly PutSnapshot[], rtvals: readonly number[]) => void;

export function* vm_pageout_clean(w: World, vp: vnode, obj: vm_object, op: PageoutArgs, afterPut?: AfterPut): KThread<CallerResult> {
  const k = w.k;
  const at = { fn: 'vm_pageout_flush' };
  const locked = op.vnodeLock === 'exclusive';
  if (locked) yield* vn_lock(k, vp, LK_EXCLUSIVE | LK_RETRY, at);
  yield* VM_OBJECT_WLOCK(k, obj, at);
  const ma: vm_page[] = [];
  for (let i = 0; i < op.count; i++) {
    const m = vm_page_lookup(obj, op.pindex + i);
    if (!m || vm_page_busied(m) || m.valid !== VM_PAGE_BITS_ALL) break;
    if (op.dirty) store(w, vp, obj, m);
    /* The laundry run holds dirty pages only. */
    if (m.dirty === 0) break;
    ma.push(m);
  }
  if (ma.length === 0) {
    yield* VM_OBJECT_WUNLOCK(k, obj, at);
    if (locked) yield* VOP_UNLOCK(k, vp, 0, at);
    return skipped('no dirty valid unbusied page');
  }
  const count = ma.length;
  const snapshot: PutSnapshot[] = ma.map((m) => ({ m, dirty: m.dirty, data: m.data.slice() }));
  for (const m of ma) pmap_remove_write(k, m);
  for (const m of ma) yield* vm_page_sbusy(k, m);
  vm_object_pip_add(k, obj, count);
  const rtvals: number[] = Array.from({ length: count }, () => VM_PAGER_ERROR);
  yield* vm_pager_put_pages(k, obj, ma, count, op.flags, rtvals);
  afterPut?.(obj, snapshot, rtvals);

  /* vm_pageout_flush's settling of each page. */
  for (let i = 0; i < count; i++) {
    const m = ma[i]!;
    const st = rtvals[i]!;
    if (st === VM_PAGER_BAD) vm_page_undirty(k, m);
    if (st !== VM_PAGER_PEND) {
      yield* vm_object_pip_wakeup(k, obj);
      yield* vm_page_sunbusy(k, m);
    }
  }
  yield* VM_OBJECT_WUNLOCK(k, obj, at);
  if (locked) yield* VOP_UNLOCK(k, vp, 0, at);
  return { result: rtvals.every((r) => r === VM_PAGER_OK) ? 'VM_PAGER_OK' : rtvals.map(rcName).join(','), detail: { rtvals: rtvals.map(rcName), count } };
}
