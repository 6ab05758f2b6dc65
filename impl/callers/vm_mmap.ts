/*
 * mmap(PROT_WRITE, MAP_SHARED) of a vnode (vm/vm_mmap.c of 2017,
 * vm_mmap_vnode): a writable shared mapping counts its bytes with
 * vnode_pager_update_writecount.
 * Kept: the call under the exclusive vnode lock, offset 0, the mapping's
 * bytes. Left out: the map entry (MAP_ENTRY_VN_WRITECNT) and the vm_map_find
 * that places it.
 *
 * Locks: the vnode lock exclusive around the call, which the callee's
 * ASSERT_VOP_ELOCKED on the 0 <-> nonzero transitions requires (seed 1361,
 * 1366).
 */
import type { KThread } from '../../checker/op.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { LK_EXCLUSIVE, LK_RETRY } from '../kernel/sync.ts';
import { vn_lock, VOP_UNLOCK, type vnode } from '../kernel/vnode.ts';
import type { vm_object } from '../kernel/vm_object.ts';
import { vnode_pager_update_writecount } from '../port.ts';
import { done, type CallerResult } from './result.ts';

export function* vm_mmap_vnode(k: Kernel, vp: vnode, obj: vm_object, bytes: number): KThread<CallerResult> {
  const at = { fn: 'vm_mmap_vnode' };
  yield* vn_lock(k, vp, LK_EXCLUSIVE | LK_RETRY, at);
  yield* vnode_pager_update_writecount(k, obj, 0, bytes);
  yield* VOP_UNLOCK(k, vp, 0, at);
  return done({ typeAfter: obj.type, writemappings: obj.un_pager.vnp.writemappings });
}
