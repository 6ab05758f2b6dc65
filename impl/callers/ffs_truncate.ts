/*
 * The filesystem's size change, as FFS of 2017 makes it (ffs_truncate in
 * ufs/ffs/ffs_inode.c for a shrink, ffs_write / VOP_SETATTR growing the
 * inode): the inode's size and block map change, then the filesystem tells
 * the pager (vnode_pager_setsize); growing, the pager is told first.
 * Kept: shrinking zeroes the tail of the new last block on disk and frees the
 * blocks past EOF; growing zeroes the old last block's tail (BA_CLRBUF) so
 * the new bytes read as zeros, and the new blocks are holes until written.
 * The inode change is one scheduling step. Left out: indirect blocks, soft
 * updates, the buffer cache's copies (vtruncbuf), the free-block bitmap (a
 * freed block is kept reserved for its lbn so that a regrown file reuses it).
 *
 * Locks: the vnode lock exclusive around both, as VOP_SETATTR holds it; the
 * scenario may drop it ('none') to model a caller that does not.
 */
import type { KThread } from '../../checker/op.ts';
import type { World } from '../kernel/world.ts';
import { DEV_BSIZE, ZERO, zeroRange } from '../kernel/data.ts';
import { disk_read, disk_write } from '../kernel/disk.ts';
import { LK_EXCLUSIVE, LK_RETRY } from '../kernel/sync.ts';
import { vn_lock, VOP_UNLOCK, type vnode } from '../kernel/vnode.ts';
import { vnode_pager_setsize } from '../port.ts';
import { done, type CallerResult, type VnodeLockMode } from './result.ts';

/** The inode's part: size and block map, one step. */
export function* fs_resize(w: World, vp: vnode, nsize: number): KThread<void> {
  const k = w.k;
  const f = w.file(vp);
  const ino = f.ino;
  const bsize = w.mount.mnt_stat.f_iosize;
  yield {
    kind: 'access',
    label: `ffs_truncate(${vp.name}, ${nsize})`,
    fn: 'ffs_truncate',
    fp: [
      { res: `${vp.name}.va_size`, write: true },
      { res: `${vp.name}.blkmap`, write: true },
    ],
  };
  const old = vp.va_size;
  const zeroTail = (size: number) => {
    if (size % bsize === 0) return;
    const lbn = Math.floor(size / bsize);
    const addr = ino.blkmap[lbn] ?? -1;
    if (addr === -1) return;
    const blockEnd = (lbn + 1) * bsize;
    for (let off = Math.floor(size / DEV_BSIZE) * DEV_BSIZE; off < blockEnd; off += DEV_BSIZE) {
      const sec = addr + (off % bsize) / DEV_BSIZE;
      k.ctx.touch(`disk:${sec}`, true);
      disk_write(ino.d, sec, zeroRange(disk_read(ino.d, sec), Math.max(0, size - off), DEV_BSIZE));
    }
  };
  const exp = f.expected;
  if (nsize < old) {
    zeroTail(nsize);
    for (let lbn = Math.ceil(nsize / bsize); lbn < ino.blkmap.length; lbn++) {
      const addr = ino.blkmap[lbn]!;
      if (addr !== -1 && !ino.reserve.has(lbn)) ino.reserve.set(lbn, addr);
      ino.blkmap[lbn] = -1;
    }
    exp.length = Math.ceil(nsize / DEV_BSIZE);
    const tail = nsize % DEV_BSIZE;
    if (tail !== 0 && exp.length > 0) exp[exp.length - 1] = zeroRange(exp[exp.length - 1]!, tail, DEV_BSIZE);
  } else if (nsize > old) {
    zeroTail(old);
    while (exp.length < Math.ceil(nsize / DEV_BSIZE)) exp.push(ZERO);
    /* New blocks are holes until written; ffs_balloc will take them from free space. */
    for (let lbn = ino.blkmap.length; lbn < Math.ceil(nsize / bsize); lbn++) {
      ino.blkmap.push(-1);
      if (!ino.reserve.has(lbn)) {
        ino.reserve.set(lbn, ino.d.nextFree);
        ino.d.nextFree += bsize / DEV_BSIZE;
      }
    }
  }
  vp.va_size = nsize;
}

/** The whole size change: the inode, then vnode_pager_setsize. */
export function* ffs_truncate(w: World, vp: vnode, nsize: number, vnodeLock: VnodeLockMode): KThread<CallerResult> {
  const k = w.k;
  const at = { fn: 'ffs_truncate' };
  if (vnodeLock === 'exclusive') yield* vn_lock(k, vp, LK_EXCLUSIVE | LK_RETRY, at);
  /*
   * Growing, ffs_truncate and ffs_write tell the pager first, then allocate
   * and set i_size; shrinking, the inode goes first. Growing inode-first
   * would show a store through a mapping a file larger than the pager's.
   */
  k.ctx.touch(`${vp.name}.va_size`, false);
  const grow = nsize > vp.va_size;
  if (grow) yield* vnode_pager_setsize(k, vp, nsize);
  yield* fs_resize(w, vp, nsize);
  if (!grow) yield* vnode_pager_setsize(k, vp, nsize);
  if (vnodeLock === 'exclusive') yield* VOP_UNLOCK(k, vp, 0, at);
  return done();
}
