/*
 * sendfile's swap-in (kern/kern_sendfile.c of 2017, sendfile_swapin with
 * sendfile_getobj and sendfile_iodone), and the vm_pager_has_page question it
 * asks, on its own.
 * Kept: the vnode lock shared, the file size from VOP_GETATTR (va_size),
 * EBADF on a dying object, vm_page_grab_pages (each page found, waiting while
 * busy "pgrbwt", or allocated; all exclusive-busied), valid pages unbusied and
 * skipped, vm_pager_has_page for the run length (a hole is zero-filled and
 * made valid), vm_pager_get_pages_async with an iodone that unbusies the
 * pages it is given and records the completion, and the KASSERT that the
 * pager did not fail. Left out: the socket side (mbufs, sf_io refcount and
 * the wakeup of the socket), SF_NODISKIO, and bogus_page: a valid page
 * inside a run would become bogus_page, so the model ends the run before it.
 *
 * Locks: vnode lock shared around the whole call; the object lock from
 * sendfile_getobj's check to the end, dropped only while sleeping on a busy
 * page and inside the pager as the pager does. The iodone runs with no lock.
 */
import type { KThread } from '../../checker/op.ts';
import { KernelAssertion } from '../../checker/op.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { PAGE_SIZE } from '../kernel/data.ts';
import { LK_RETRY, LK_SHARED } from '../kernel/sync.ts';
import { vn_lock, VOP_UNLOCK, type vnode } from '../kernel/vnode.ts';
import { OBJ_DEAD, VM_OBJECT_WLOCK, VM_OBJECT_WUNLOCK, type vm_object } from '../kernel/vm_object.ts';
import { VM_ALLOC_NORMAL, VM_PAGE_BITS_ALL, pmap_zero_page, vm_page_alloc, vm_page_bits, vm_page_busied, vm_page_busy_sleep, vm_page_lookup, vm_page_xbusy, vm_page_xunbusy, type vm_page } from '../kernel/vm_page.ts';
import { VM_PAGER_OK, vm_pager_get_pages_async, vm_pager_has_page, type Ref } from '../kernel/vm_pager.ts';
import { done, rcName, skipped, unlockObjectAndVnode, type CallerResult } from './result.ts';

/** What one vm_pager_get_pages_async request records (the scenario's AsyncRequest). */
export interface SendfileRequest {
  /** Pager return code, once vm_pager_get_pages_async returned. */
  returned: number | null;
  /** Times the iodone ran. */
  completions: number;
  errors: number[];
}

export interface SwapinArgs {
  readonly pindex: number;
  readonly count: number;
  readonly rbehind: number;
  readonly rahead: number;
}

/** sendfile_iodone: unbusy the pages handed back, note the error. */
function* sendfile_iodone(req: SendfileRequest, k: Kernel, pages: vm_page[], cnt: number, error: number): KThread<void> {
  req.completions++;
  if (error !== 0) req.errors.push(error);
  for (let x = 0; x < cnt; x++) yield* vm_page_xunbusy(k, pages[x]!);
}

/** sendfile_swapin; `newRequest` makes (and records) the request of each pager call. */
export function* sendfile_swapin(k: Kernel, vp: vnode, obj: vm_object, op: SwapinArgs, newRequest: () => SendfileRequest): KThread<CallerResult> {
  const at = { fn: 'sendfile_swapin' };
  yield* vn_lock(k, vp, LK_SHARED | LK_RETRY, at);
  /* sendfile_getobj: VOP_GETATTR's size, EBADF on a dying object. */
  const objSize = vp.va_size;
  yield* VM_OBJECT_WLOCK(k, obj, at);
  const unlockAll = (): KThread<void> => unlockObjectAndVnode(k, obj, vp, true, at);
  if ((obj.flags & OBJ_DEAD) !== 0) {
    yield* unlockAll();
    return skipped('object is OBJ_DEAD (EBADF)');
  }
  const npagesWanted = Math.min(op.count, Math.max(0, Math.ceil(objSize / PAGE_SIZE) - op.pindex));
  /* vm_page_grab_pages: each page found (waiting while busy, "pgrbwt") or allocated, exclusive-busied. */
  const pa: vm_page[] = [];
  for (let i = 0; i < npagesWanted; ) {
    const pidx = op.pindex + i;
    const m = vm_page_lookup(obj, pidx);
    if (m) {
      if (vm_page_busied(m)) {
        yield* vm_page_busy_sleep(k, m, 'pgrbwt');
        yield* VM_OBJECT_WLOCK(k, obj, at);
        continue;
      }
      yield* vm_page_xbusy(k, m);
      pa.push(m);
    } else {
      const n = yield* vm_page_alloc(k, obj, pidx, VM_ALLOC_NORMAL);
      if (n === null) break;
      pa.push(n);
    }
    i++;
  }
  const validFor = (m: vm_page): boolean => {
    const xf = Math.min(PAGE_SIZE, objSize - m.pindex * PAGE_SIZE);
    if (xf <= 0) return true;
    const bits = vm_page_bits(0, xf);
    return (m.valid & bits) === bits;
  };
  const npages = pa.length;
  const reqs: number[] = [];
  for (let i = 0; i < npages; ) {
    const m = pa[i]!;
    if (validFor(m)) {
      yield* vm_page_xunbusy(k, m);
      i++;
      continue;
    }
    const a: Ref = { v: 0 };
    const has = yield* vm_pager_has_page(k, obj, m.pindex, null, a);
    if (!has) {
      pmap_zero_page(k, m);
      m.valid = VM_PAGE_BITS_ALL;
      yield* vm_page_xunbusy(k, m);
      i++;
      continue;
    }
    let count = Math.min(a.v + 1, npages - i);
    for (let j = i + count - 1; j > i && validFor(pa[j]!); j--) count--;
    /* A valid page inside the run would become bogus_page, which the model leaves out: the run ends before it. */
    for (let j = i + 1; j < i + count; j++)
      if (validFor(pa[j]!)) {
        count = j - i;
        break;
      }
    const req = newRequest();
    const last = i + count === npages;
    const ra: Ref | null = last ? { v: op.rahead } : null;
    const rb: Ref | null = op.rbehind > 0 ? { v: op.rbehind } : null;
    const iodone = (kk: typeof k, _arg: unknown, pages: vm_page[], cnt: number, error: number): KThread<void> => sendfile_iodone(req, kk, pages, cnt, error);
    const rv = yield* vm_pager_get_pages_async(k, obj, pa.slice(i, i + count), count, rb, ra, iodone, req);
    req.returned = rv;
    reqs.push(rv);
    if (rv !== VM_PAGER_OK) throw new KernelAssertion('KASSERT', 'sendfile_swapin', `sendfile_swapin: pager fail obj ${obj.name} page ${m.name}`);
    i += count;
  }
  yield* unlockAll();
  return done({ pages: npages, requests: reqs.map(rcName) });
}

export interface HasPageArgs {
  readonly pindex: number;
  readonly before: boolean;
  readonly after: boolean;
  readonly vnodeLock: 'shared' | 'none';
}

/** vm_pager_has_page under the object lock, as sendfile_swapin asks it (vnode lock shared, or none). */
export function* sendfile_has_page(k: Kernel, vp: vnode, obj: vm_object, op: HasPageArgs): KThread<CallerResult> {
  const at = { fn: 'sendfile_swapin' };
  if (op.vnodeLock === 'shared') yield* vn_lock(k, vp, LK_SHARED | LK_RETRY, at);
  yield* VM_OBJECT_WLOCK(k, obj, at);
  const before: Ref | null = op.before ? { v: 0 } : null;
  const after: Ref | null = op.after ? { v: 0 } : null;
  const has = yield* vm_pager_has_page(k, obj, op.pindex, before, after);
  yield* VM_OBJECT_WUNLOCK(k, obj, at);
  if (op.vnodeLock === 'shared') yield* VOP_UNLOCK(k, vp, 0, at);
  return done({ has, before: before?.v ?? null, after: after?.v ?? null });
}
