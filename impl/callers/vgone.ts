/*
 * vgone (kern/vfs_subr.c of 2017) called by a forced unmount or revoke: the
 * kernel model's vgone (impl/kernel/vnode.ts: VI_DOOMED, vinvalbuf, the
 * filesystem's VOP_RECLAIM, which ends the object through
 * vnode_destroy_vobject), under the exclusive vnode lock as vgonel asserts.
 * Left out: the callers' own work (dounmount's vflush loop, revoke's vcount).
 *
 * Locks: the vnode lock exclusive around the call.
 */
import type { KThread } from '../../checker/op.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { LK_EXCLUSIVE, LK_RETRY } from '../kernel/sync.ts';
import { vgone, vn_lock, VOP_UNLOCK, type vnode } from '../kernel/vnode.ts';
import { done, type CallerResult } from './result.ts';

export function* vgone_locked(k: Kernel, vp: vnode): KThread<CallerResult> {
  const at = { fn: 'vgone' };
  yield* vn_lock(k, vp, LK_EXCLUSIVE | LK_RETRY, at);
  yield* vgone(k, vp);
  yield* VOP_UNLOCK(k, vp, 0, at);
  return done();
}
