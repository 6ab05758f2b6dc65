/*
 * vnode (sys/sys/vnode.h, sys/kern/vfs_subr.c, vfs_vnops.c, 2017).
 *
 * Kept: v_object, v_usecount, v_holdcnt, v_writecount, v_iflag (VI_DOOMED),
 * v_vflag (VV_TEXT), v_type (VREG, VBAD after reclaim), the vnode lock
 * (lockmgr, shared/exclusive), the interlock, v_mount, vrefact, vrele,
 * vunref, vhold, vdrop, vn_lock with LK_RETRY, VOP_UNLOCK, vgone/reclaim that
 * dooms the vnode and calls vnode_destroy_vobject.
 * Left out: the name cache, free-list recycling, VOP_INACTIVE work beyond
 * counting, advisory locks, mount queue, vnode memory reuse.
 * [functions: filled in by the kernel work]
 */
import { lockmgr, mtx } from './sync.ts';
import type { Kernel } from './kernel.ts';
import type { vm_object } from './vm_object.ts';
import type { mount } from './vfs.ts';

export const VNON = 0;
export const VREG = 1;
export const VDIR = 2;
export const VBLK = 3;
export const VCHR = 4;
export const VBAD = 8;
export type vtype = typeof VNON | typeof VREG | typeof VDIR | typeof VBLK | typeof VCHR | typeof VBAD;

export const VI_DOOMED = 0x0080;
export const VI_FREE = 0x0100;
export const VI_ACTIVE = 0x0200;
export const VI_OWEINACT = 0x1000;
export const VV_TEXT = 0x0020;

export class vnode {
  v_type: vtype = VREG;
  v_iflag = 0;
  v_vflag = 0;
  v_usecount = 0;
  v_holdcnt = 0;
  v_writecount = 0;
  /** v_bufobj.bo_object. */
  v_object: vm_object | null = null;
  readonly v_lock: lockmgr;
  readonly v_interlock: mtx;
  /** File size as the filesystem knows it (the inode's size), VOP_GETATTR's va_size. */
  va_size: number;
  /** Times the vnode was freed with VI_DOOMED and no hold (vdrop's free); a use after that is a bug. */
  freed = false;

  constructor(
    readonly k: Kernel,
    /** "vp1", ... */
    readonly name: string,
    readonly v_mount: mount,
    size: number,
  ) {
    this.v_lock = new lockmgr(`${name}.lock`);
    this.v_interlock = new mtx(`${name}.interlock`);
    this.va_size = size;
  }
  get wchan(): string {
    return this.name;
  }
}
