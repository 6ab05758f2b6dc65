/*
 * Filesystems behind a VOP table (sys/kern/vnode_if.src, vfs_default.c, UFS's
 * bmap, 2017). Three flavours:
 *  - 'block': block-mapped, f_iosize >= PAGE_SIZE (4K, 16K, 32K); a file is
 *    a list of logical blocks mapped to disk addresses (DEV_BSIZE units) or
 *    holes (-1); VOP_BMAP reports contiguous runs before and after.
 *  - 'small': block-mapped with f_iosize < PAGE_SIZE (512, 1K, 2K): reaches
 *    vnode_pager_input_smlfs.
 *  - 'nobmap': VOP_BMAP returns EOPNOTSUPP: reaches vnode_pager_input_old
 *    through VOP_READ.
 * VOP_GETPAGES, VOP_GETPAGES_ASYNC and VOP_PUTPAGES call the generic pager
 * routines, as local filesystems do.
 * [functions: filled in by the kernel work]
 */
export type FsFlavor = 'block' | 'small' | 'nobmap';

export const MNTK_UNMAPPED_BUFS = 0x2000;

export class mount {
  readonly mnt_stat: { f_iosize: number };
  mnt_kern_flag = 0;
  /** mnt_iosize_max, which caps BMAP runs (maxrun = mnt_iosize_max / f_iosize - 1). */
  mnt_iosize_max = 128 * 1024;
  constructor(
    readonly name: string,
    readonly flavor: FsFlavor,
    f_iosize: number,
  ) {
    this.mnt_stat = { f_iosize };
  }
}
