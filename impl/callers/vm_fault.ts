/*
 * vm_fault's page-in (vm/vm_fault.c of 2017, vm_fault_hold), reduced to the
 * part that calls the pager: the top-level object is the vnode's object.
 * Kept: the vnode lock shared (the vget of vm_fault_hold, LK_SHARED for a
 * read fault), the object lock, OBJ_DEAD as a protection failure, the wait
 * for a busy first page ("vmpfw") and the retry, pip, the run of pages found
 * (not busy, not fully valid) or allocated, each exclusive-busied,
 * vm_pager_get_pages under the object lock, the pages unbusied on success.
 * Left out: the map lookup and shadow chain, vm_fault's own read-behind /
 * read-ahead sizing (the scenario passes rbehind/rahead), VM_WAIT on a page
 * shortage (the run stops at the first page that cannot be allocated), and
 * on VM_PAGER_FAIL the zero-fill of the top object's page: the model frees
 * the pages after every failure, as vm_fault does on ERROR and BAD.
 *
 * Locks: vnode lock shared (or none, as the scenario says) around the whole
 * call; the object lock from before the lookup to after pip_wakeup, dropped
 * only while sleeping on a busy page and inside the pager as the pager does.
 */
import type { KThread } from '../../checker/op.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { LK_RETRY, LK_SHARED } from '../kernel/sync.ts';
import { vn_lock, type vnode } from '../kernel/vnode.ts';
import { OBJ_DEAD, VM_OBJECT_WLOCK, vm_object_pip_add, vm_object_pip_wakeup, type vm_object } from '../kernel/vm_object.ts';
import { VM_ALLOC_NORMAL, VM_PAGE_BITS_ALL, vm_page_alloc, vm_page_busied, vm_page_busy_sleep, vm_page_free, vm_page_lookup, vm_page_xbusy, vm_page_xunbusy, type vm_page } from '../kernel/vm_page.ts';
import { VM_PAGER_OK, vm_pager_get_pages, type Ref } from '../kernel/vm_pager.ts';
import { rcName, skipped, unlockObjectAndVnode, type CallerResult } from './result.ts';

export interface FaultArgs {
  readonly pindex: number;
  readonly count: number;
  readonly rbehind: number;
  readonly rahead: number;
  readonly vnodeLock: 'shared' | 'none';
}

export function* vm_fault_getpages(k: Kernel, vp: vnode, obj: vm_object, op: FaultArgs): KThread<CallerResult> {
  const at = { fn: 'vm_fault' };
  const locked = op.vnodeLock === 'shared';
  if (locked) yield* vn_lock(k, vp, LK_SHARED | LK_RETRY, at);
  const unlockAll = (): KThread<void> => unlockObjectAndVnode(k, obj, vp, locked, at);
  yield* VM_OBJECT_WLOCK(k, obj, at);
  const ma: vm_page[] = [];
  for (;;) {
    /* vm_fault: a dying object is a protection failure. */
    if ((obj.flags & OBJ_DEAD) !== 0) {
      yield* unlockAll();
      return skipped('object is OBJ_DEAD');
    }
    const first = op.pindex < obj.size ? vm_page_lookup(obj, op.pindex) : null;
    if (first && vm_page_busied(first)) {
      /* Wait for the busy page ("vmpfw") and look again. */
      yield* vm_page_busy_sleep(k, first, 'vmpfw');
      yield* VM_OBJECT_WLOCK(k, obj, at);
      continue;
    }
    break;
  }
  if (op.pindex >= obj.size) {
    yield* unlockAll();
    return skipped(`pindex ${op.pindex} is past the object's ${obj.size} pages`);
  }
  vm_object_pip_add(k, obj, 1);
  for (let i = 0; i < op.count; i++) {
    const pidx = op.pindex + i;
    if (pidx >= obj.size) break;
    let m = vm_page_lookup(obj, pidx);
    if (m) {
      /* A busy or fully valid page ends the run. */
      if (vm_page_busied(m) || m.valid === VM_PAGE_BITS_ALL) break;
      yield* vm_page_xbusy(k, m);
    } else {
      m = yield* vm_page_alloc(k, obj, pidx, VM_ALLOC_NORMAL);
      /* vm_fault would wait for free pages (VM_WAIT) and retry; the scenario stops the run here. */
      if (m === null) break;
    }
    ma.push(m);
  }
  if (ma.length === 0) {
    yield* vm_object_pip_wakeup(k, obj);
    yield* unlockAll();
    return skipped('page resident and valid, or no page could be allocated');
  }
  const rb: Ref = { v: op.rbehind };
  const ra: Ref = { v: op.rahead };
  const rv = yield* vm_pager_get_pages(k, obj, ma, ma.length, rb, ra);
  if (rv === VM_PAGER_OK) {
    for (const m of ma) yield* vm_page_xunbusy(k, m);
  } else {
    /*
     * vm_fault frees the busy page on VM_PAGER_ERROR / BAD; on
     * VM_PAGER_FAIL (the dead pager) it would zero-fill the page of the
     * top-level object. The model frees the pages in every case.
     */
    for (const m of ma) if (m.object === obj) vm_page_free(k, m);
  }
  yield* vm_object_pip_wakeup(k, obj);
  yield* unlockAll();
  return { result: rcName(rv), detail: { count: ma.length, rbehind: rb.v, rahead: ra.v } };
}
