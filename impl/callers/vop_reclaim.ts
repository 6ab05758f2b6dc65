/*
 * A filesystem's VOP_RECLAIM called on its own: ufs_reclaim (ufs/ufs/
 * ufs_inode.c of 2017), which takes the vnode's VM object away with
 * vnode_destroy_vobject. Kept: that call. Left out: the rest of the reclaim
 * (the inode, vfs_hash_remove). vgone's path to it is impl/callers/vgone.ts.
 *
 * Locks: the vnode lock exclusive around the call.
 */
import type { KThread } from '../../checker/op.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { LK_EXCLUSIVE, LK_RETRY } from '../kernel/sync.ts';
import { vn_lock, VOP_UNLOCK, type vnode } from '../kernel/vnode.ts';
import { vnode_destroy_vobject } from '../port.ts';
import { done, type CallerResult } from './result.ts';

export function* ufs_reclaim(k: Kernel, vp: vnode): KThread<CallerResult> {
  const at = { fn: 'VOP_RECLAIM' };
  yield* vn_lock(k, vp, LK_EXCLUSIVE | LK_RETRY, at);
  yield* vnode_destroy_vobject(k, vp);
  yield* VOP_UNLOCK(k, vp, 0, at);
  return done();
}
