/*
 * A user store through a writable mapping into a resident page, as the 2017
 * kernel sees it: the write fault (vm_fault.c, vm_fault_hold's write path on
 * a valid page) or the pmap modified bit collected later, which ends in
 * vm_page_dirty. Kept: the new bytes below EOF, recorded by the world as the
 * file's content, and the page dirtied. Left out: the pmap, the page queues,
 * copy-on-write (the mapping is shared). Bytes past EOF are left alone, as a
 * well-behaved program does.
 *
 * Locks: store() runs with the object lock held by its caller;
 * vm_fault_dirty() takes and drops the object lock (no vnode lock: a fault on
 * a resident valid page does not need it).
 */
import type { KThread } from '../../checker/op.ts';
import type { World } from '../kernel/world.ts';
import { DEV_BSIZE, PAGE_SIZE } from '../kernel/data.ts';
import type { vnode } from '../kernel/vnode.ts';
import { VM_OBJECT_WLOCK, VM_OBJECT_WUNLOCK, type vm_object } from '../kernel/vm_object.ts';
import { VM_PAGE_BITS_ALL, page_data_touch, vm_page_busied, vm_page_dirty, vm_page_lookup, type vm_page } from '../kernel/vm_page.ts';
import { done, skipped, type CallerResult } from './result.ts';

/** The store itself; the caller holds the object lock. */
export function store(w: World, vp: vnode, obj: vm_object, m: vm_page): void {
  const limit = Math.min(obj.un_pager.vnp.vnp_size, vp.va_size);
  page_data_touch(w.k, m);
  let any = false;
  for (let j = 0; j < PAGE_SIZE / DEV_BSIZE; j++) {
    const fblock = m.pindex * (PAGE_SIZE / DEV_BSIZE) + j;
    if (fblock * DEV_BSIZE >= limit) break;
    w.newData(vp, fblock);
    m.data[j] = w.expected(vp)[fblock]!;
    any = true;
  }
  if (any) vm_page_dirty(w.k, m);
}

/** A store into page `pindex` if it is resident, fully valid and not busy. */
export function* vm_fault_dirty(w: World, vp: vnode, obj: vm_object, pindex: number): KThread<CallerResult> {
  const k = w.k;
  yield* VM_OBJECT_WLOCK(k, obj, { fn: 'vm_fault' });
  const m = vm_page_lookup(obj, pindex);
  let r: CallerResult;
  if (m && m.valid === VM_PAGE_BITS_ALL && !vm_page_busied(m)) {
    store(w, vp, obj, m);
    r = done();
  } else r = skipped(m ? 'page busy or not fully valid' : 'page not resident');
  yield* VM_OBJECT_WUNLOCK(k, obj, { fn: 'vm_fault' });
  return r;
}
