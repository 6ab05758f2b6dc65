/*
 * vm_pager_allocate(OBJT_VNODE, vp, ...) (vm/vm_pager.c of 2017), the way
 * kernel code takes a reference on a vnode's VM object (vnode_create_vobject
 * calls vnode_pager_alloc the same way, seed 142): vnode_pager_alloc returns
 * the object, made if need be, with a new reference.
 * Kept: the vnode lock the caller holds around it (shared by default; the
 * scenario may say exclusive or none), with the VI_DOOMED check after it
 * that keeps such callers off a reclaimed vnode, the size (default the file size),
 * VM_PROT_ALL, offset 0, no credential. Left out: whatever would hold the
 * reference (a map entry); the caller keeps it in `held`.
 *
 * Locks: the vnode lock as given, around the call only.
 */
import type { KThread } from '../../checker/op.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { LK_EXCLUSIVE, LK_RETRY, LK_SHARED } from '../kernel/sync.ts';
import { VI_DOOMED, vn_lock, VOP_UNLOCK, type vnode } from '../kernel/vnode.ts';
import type { vm_object } from '../kernel/vm_object.ts';
import { vnode_pager_alloc } from '../port.ts';
import { done, skipped, type CallerResult, type VnodeLockMode } from './result.ts';

const VM_PROT_ALL = 7;

/** Allocates (or references) the vnode's object; a new reference is pushed on `held`. */
export function* vm_pager_allocate(k: Kernel, vp: vnode, size: number | undefined, vnodeLock: VnodeLockMode, held: vm_object[]): KThread<CallerResult> {
  const at = { fn: 'vm_pager_allocate' };
  if (vnodeLock !== 'none') {
    yield* vn_lock(k, vp, (vnodeLock === 'shared' ? LK_SHARED : LK_EXCLUSIVE) | LK_RETRY, at);
    /*
     * A 2017 caller holding the vnode lock never asks on a reclaimed vnode:
     * vnode_create_vobject runs from VOP_OPEN, which a reclaimed vnode
     * answers from dead_vnodeops, and vget without LK_RETRY refuses it
     * (traces/findings/alloc-on-reclaimed-vnode-locked-caller.md).
     */
    k.ctx.touch(`${vp.name}.v_iflag`, false);
    if ((vp.v_iflag & VI_DOOMED) !== 0) {
      yield* VOP_UNLOCK(k, vp, 0, at);
      return skipped('the vnode is reclaimed (VI_DOOMED): no 2017 caller holding its lock gets here');
    }
  }
  const obj = yield* vnode_pager_alloc(k, vp, size ?? vp.va_size, VM_PROT_ALL, 0, null);
  if (vnodeLock !== 'none') yield* VOP_UNLOCK(k, vp, 0, at);
  if (obj === null) return skipped('vnode_pager_alloc returned NULL');
  held.push(obj);
  return done({ object: obj.name });
}
