/*
 * A filesystem's VOP_OPEN: ufs_open (ufs/ufs/ufs_vnops.c of 2017; the NFS
 * client's nfs_open does the same), which makes the vnode's VM object with
 * vnode_create_vobject.
 * Kept: the call with the inode size the scenario gives, no thread pointer;
 * a vnode reclaimed before the lock was taken is left alone (its VOP_OPEN
 * is dead_vnodeops').
 * Left out: the rest of the open (access checks, the file table).
 *
 * Locks: the vnode lock around the call, exclusive by default, shared when
 * the scenario asks (to see what the seed does without the exclusive lock
 * its "vodead" sleep assumes).
 */
import type { KThread } from '../../checker/op.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { LK_EXCLUSIVE, LK_RETRY, LK_SHARED } from '../kernel/sync.ts';
import { VI_DOOMED, vn_lock, VOP_UNLOCK, type vnode } from '../kernel/vnode.ts';
import { vnode_create_vobject } from '../port.ts';
import { done, skipped, type CallerResult } from './result.ts';

export function* ufs_open(k: Kernel, vp: vnode, isize: number, vnodeLock: 'exclusive' | 'shared'): KThread<CallerResult> {
  const at = { fn: 'VOP_OPEN' };
  yield* vn_lock(k, vp, (vnodeLock === 'shared' ? LK_SHARED : LK_EXCLUSIVE) | LK_RETRY, at);
  /* A reclaimed vnode's VOP_OPEN is dead_vnodeops', not ufs_open: no object is made for it. */
  k.ctx.touch(`${vp.name}.v_iflag`, false);
  if ((vp.v_iflag & VI_DOOMED) !== 0) {
    yield* VOP_UNLOCK(k, vp, 0, at);
    return skipped('the vnode is reclaimed (VI_DOOMED): VOP_OPEN goes to dead_vnodeops');
  }
  const r = yield* vnode_create_vobject(k, vp, isize, null);
  yield* VOP_UNLOCK(k, vp, 0, at);
  return done({ rc: r, object: vp.v_object?.name ?? null });
}
