/*
 * Filesystems behind a VOP table (sys/kern/vnode_if.src, vfs_default.c,
 * dead_vnops.c, sys/ufs/ufs/ufs_bmap.c, sys/ufs/ffs/ffs_vnops.c, 2017).
 *
 * Three flavours of mount:
 *  - 'block': block-mapped, f_iosize >= PAGE_SIZE (4K .. 64K). A file is a
 *    list of logical blocks, each at a disk address (DEV_BSIZE units) or a
 *    hole (-1). VOP_BMAP as ufs_bmaparray: *bnp the address or -1, *runp /
 *    *runb the contiguous blocks after / before, capped at
 *    maxrun = mnt_iosize_max / f_iosize - 1 and at the file's last block; a
 *    hole has no runs; with a NULL bnp only *bop is set.
 *  - 'small': the same with f_iosize < PAGE_SIZE (512, 1K, 2K), which sends
 *    the pager to vnode_pager_input_smlfs.
 *  - 'nobmap': VOP_BMAP is not implemented (EOPNOTSUPP through the bypass),
 *    which sends the pager to vnode_pager_input_old and VOP_READ.
 * VOP_GETPAGES / VOP_GETPAGES_ASYNC are vnode_pager_local_getpages(_async)
 * (the nobmap flavour uses the defaults, vop_stdgetpages(_async))
 * and VOP_PUTPAGES is vnode_pager_generic_putpages (vop_stdputpages), as FFS
 * has them; the port registers those routines with registerGenericPager.
 * A reclaimed vnode (VBAD) uses dead_vnodeops: VOP_BMAP EBADF, VOP_READ and
 * VOP_WRITE EIO, the page ops through the defaults (vop_stdgetpages,
 * vop_stdgetpages_async: VOP_GETPAGES then the iodone, vop_stdputpages).
 *
 * VOP_READ (ffs_read) reads each filesystem block through a private buffer
 * (bstrategy + bwait "biord"; a hole reads as zeros) and copies up to EOF
 * into the uio; a failed read returns EIO.
 * VOP_WRITE (ffs_write with UIO_NOCOPY, the pageout path) writes the
 * object's resident pages: per filesystem block it allocates a hole
 * (ffs_balloc: the block taken from the disk's free space is zeroed), cleans
 * the written range of each page under the object lock the way
 * vfs_busy_pages does (pmap_remove_write + vm_page_set_validclean), then
 * writes the sectors covering the range through a private buffer and waits
 * ("biowr"). Faults: a write error leaves the sectors unwritten; the buffer
 * cache would keep such a buffer dirty (brelse -> bdirty) and write it again
 * later, which the model shows by dirtying its pages again (whole); the
 * error is returned only for IO_SYNC (bawrite's caller never sees it). A
 * short write (FaultPlan.shortWriteBytes) stops after that many bytes and
 * returns 0 with uio_resid left over. A full filesystem (FaultPlan.noSpace)
 * fails the allocation of a hole's block with ENOSPC, returned whatever the
 * ioflag (ffs_balloc fails before any I/O), with uio_resid left over; blocks
 * already allocated are written as usual. Left out of ENOSPC: fragments,
 * the reserve for root, softdep's retry after a flush.
 * Left out: the buffer cache (no cached buffers: every read and write is
 * its own I/O, and a write covers exactly the uio's range instead of whole
 * buffers, so the other pages of a block are neither written nor cleaned),
 * IO_ASYNC/IO_DIRECT/clustering/delayed writes (all writes are issued and
 * waited for), IO_INVAL's buffer invalidation, the inode lock and
 * timestamps, ffs_write extending the file (generic_putpages never writes
 * past vnp_size; a write past va_size only moves va_size, it does not call
 * vnode_pager_setsize), runs that stop at the direct/indirect boundary,
 * the DEBUG_VFS_LOCKS lock-spec checks of the VOPs.
 */
import { HarnessBug, type KThread } from '../../checker/op.ts';
import { rw_wlock, rw_wunlock } from './sync.ts';
import { DEV_BSIZE, PAGE_SIZE, ZERO, type Block } from './data.ts';
import { blockCopy, disk_write, type disk } from './disk.ts';
import {
  BIO_ERROR,
  BIO_READ,
  BIO_WRITE,
  EBADF,
  ENOSPC,
  EIO,
  EOPNOTSUPP,
  PRIBIO,
  atomic_add_long_runningbufspace,
  bdone,
  bstrategy,
  buf,
  bwait,
  type b_data_t,
  type pgiodone_t,
} from './buf.ts';
import { page_data_touch, pmap_remove_write, vm_page_dirty, vm_page_lookup, vm_page_set_validclean, type vm_page } from './vm_page.ts';
import type { Kernel } from './kernel.ts';
import { VM_PAGER_OK } from './vm_pager.ts';
import type { vnode } from './vnode.ts';

export type FsFlavor = 'block' | 'small' | 'nobmap';

export const MNTK_UNMAPPED_BUFS = 0x2000;

/* sys/vnode.h IO_* flags */
export const IO_UNIT = 0x0001;
export const IO_APPEND = 0x0002;
export const IO_NDELAY = 0x0004;
export const IO_NODELOCKED = 0x0008;
export const IO_ASYNC = 0x0010;
export const IO_VMIO = 0x0020;
export const IO_INVAL = 0x0040;
export const IO_SYNC = 0x0080;
export const IO_DIRECT = 0x0100;
export const IO_NOREUSE = 0x0200;
export const IO_SEQMAX = 0x7f;
export const IO_SEQSHIFT = 16;

/* sys/uio.h */
export const UIO_USERSPACE = 0;
export const UIO_SYSSPACE = 1;
export const UIO_NOCOPY = 2;
export const UIO_READ = 0;
export const UIO_WRITE = 1;

/** The VBAD vnode type, restated (vnode.ts imports this file). */
const VBAD = 8;

/** An `int *` out-parameter; the same shape as vm_pager.ts's Ref. */
type Ref = { v: number };

export interface iovec {
  /** Where the bytes go or come from; NULL (UIO_NOCOPY) when nothing is copied. */
  iov_base: b_data_t | null;
  iov_len: number;
}

export interface uio {
  uio_iov: iovec;
  uio_iovcnt: number;
  uio_offset: number;
  uio_resid: number;
  uio_segflg: number;
  uio_rw: number;
}

export interface bmap_result {
  readonly error: number;
  /** *bop: the bufobj to do device I/O on (the disk's name); null when not asked for. */
  readonly bo: string | null;
  /** *bnp: the block's address in DEV_BSIZE units, or -1 for a hole. */
  readonly bn: number;
  /** *runp, *runb: contiguous filesystem blocks after and before bn. */
  readonly runp: number;
  readonly runb: number;
}

export interface vop_getpages_args {
  readonly a_vp: vnode;
  readonly a_m: vm_page[];
  readonly a_count: number;
  readonly a_rbehind: Ref | null;
  readonly a_rahead: Ref | null;
}

export interface vop_getpages_async_args extends vop_getpages_args {
  readonly a_iodone: pgiodone_t;
  readonly a_arg: unknown;
}

/** The generic pager routines the port provides (registerGenericPager). */
export interface GenericPager {
  /** vnode_pager_generic_getpages */
  getpages(k: Kernel, vp: vnode, m: vm_page[], count: number, rbehind: Ref | null, rahead: Ref | null, iodone: pgiodone_t | null, arg: unknown): KThread<number>;
  /** vnode_pager_generic_putpages */
  putpages(k: Kernel, vp: vnode, m: vm_page[], bytecount: number, flags: number, rtvals: number[]): KThread<number>;
  /** vnode_pager_local_getpages: FFS's VOP_GETPAGES */
  local_getpages(k: Kernel, ap: vop_getpages_args): KThread<number>;
  /** vnode_pager_local_getpages_async: FFS's VOP_GETPAGES_ASYNC */
  local_getpages_async(k: Kernel, ap: vop_getpages_async_args): KThread<number>;
  /** vnode_destroy_vobject (stream A's half) */
  destroy_vobject(k: Kernel, vp: vnode): KThread<void>;
}

let generic: Partial<GenericPager> = {};

/** The port registers its routines here (each call adds to or replaces what was registered). */
export function registerGenericPager(p: Partial<GenericPager>): void {
  generic = { ...generic, ...p };
}

export function genericPager<K extends keyof GenericPager>(name: K): GenericPager[K] {
  const f = generic[name];
  if (f === undefined) throw new HarnessBug(`generic pager routine "${name}" not registered; import impl/vnode_pager.ts first`);
  return f as GenericPager[K];
}

export interface vop_vector {
  vop_bmap(k: Kernel, vp: vnode, bn: number, wantBo: boolean, wantBn: boolean, line?: number): KThread<bmap_result>;
  vop_read(k: Kernel, vp: vnode, uio: uio, ioflag: number, line?: number): KThread<number>;
  vop_write(k: Kernel, vp: vnode, uio: uio, ioflag: number, line?: number): KThread<number>;
  vop_getpages(k: Kernel, ap: vop_getpages_args): KThread<number>;
  vop_getpages_async(k: Kernel, ap: vop_getpages_async_args): KThread<number>;
  vop_putpages(k: Kernel, vp: vnode, m: vm_page[], bytecount: number, flags: number, rtvals: number[]): KThread<number>;
}

export class mount {
  readonly mnt_stat: { f_iosize: number };
  mnt_kern_flag = 0;
  /** mnt_iosize_max, which caps BMAP runs (maxrun = mnt_iosize_max / f_iosize - 1). */
  mnt_iosize_max = 128 * 1024;
  /** Replaces some of the flavour's VOPs (a filesystem that lacks one, for tests of the pager's KASSERTs). */
  mnt_vop_override: Partial<vop_vector> | null = null;
  constructor(
    readonly name: string,
    readonly flavor: FsFlavor,
    f_iosize: number,
  ) {
    this.mnt_stat = { f_iosize };
  }
}

/** The on-disk inode of a file: its block map (f_iosize blocks) and device. */
export interface inode {
  readonly d: disk;
  /** Address of each logical block in DEV_BSIZE units, -1 for a hole. */
  readonly blkmap: number[];
  /** Where a write into a hole puts the block, by logical block (kept aside on the disk by world.ts). */
  readonly reserve: Map<number, number>;
}

export function vfs_attach_inode(vp: vnode, ino: inode): void {
  vp.v_data = ino;
}

export function vfs_inode(vp: vnode): inode {
  const ino = vp.v_data as inode | null;
  if (!ino) throw new HarnessBug(`${vp.name} has no inode: make files with makeWorld`);
  return ino;
}

function at(fn: string, line: number | undefined): { fn: string; line?: number } {
  return line !== undefined ? { fn, line } : { fn };
}

/* ---- ufs: bmap ---- */

function* ufs_bmap(k: Kernel, vp: vnode, bn: number, wantBo: boolean, wantBn: boolean, line?: number): KThread<bmap_result> {
  const ino = vfs_inode(vp);
  const bo = wantBo ? ino.d.name : null;
  if (!wantBn) return { error: 0, bo, bn: -1, runp: 0, runb: 0 };
  yield { kind: 'access', label: `VOP_BMAP(${vp.name}, ${bn})`, ...at('ufs_bmap', line), fp: [{ res: `${vp.name}.blkmap`, write: false }] };
  if (k.faults.bmapErrorBlocks?.includes(bn)) return { error: EIO, bo, bn: -1, runp: 0, runb: 0 };
  const bsize = vp.v_mount.mnt_stat.f_iosize;
  const maxrun = Math.trunc(vp.v_mount.mnt_iosize_max / bsize) - 1;
  const map = ino.blkmap;
  const addr = bn >= 0 && bn < map.length ? map[bn]! : -1;
  if (addr === -1) return { error: 0, bo, bn: -1, runp: 0, runb: 0 };
  const spb = bsize / DEV_BSIZE;
  let runp = 0;
  while (runp < maxrun && bn + runp + 1 < map.length && map[bn + runp + 1] === addr + (runp + 1) * spb) runp++;
  let runb = 0;
  while (runb < maxrun && bn - runb - 1 >= 0 && map[bn - runb - 1] === addr - (runb + 1) * spb) runb++;
  return { error: 0, bo, bn: addr, runp, runb };
}

/* VOP_EOPNOTSUPP through the bypass: nothing is written back. */
function* nobmap_bmap(): KThread<bmap_result> {
  return { error: EOPNOTSUPP, bo: null, bn: -1, runp: 0, runb: 0 };
}

/* ---- ffs_read / ffs_write ---- */

/** Copies len bytes of the block array src (from srcOff) to the kernel address dst + dstOff (uiomove). */
function uiomove_to(k: Kernel, dst: b_data_t, dstOff: number, src: readonly Block[], srcOff: number, len: number): void {
  if (dst.kind !== 'page') throw new HarnessBug(`uiomove into ${dst.kind} memory is not modelled`);
  const base = dst.off + dstOff;
  if ((base - srcOff) % DEV_BSIZE !== 0) throw new HarnessBug(`uiomove between offsets ${srcOff} and ${base} of different sector alignment`);
  page_data_touch(k, dst.m);
  for (let p = 0; p < len; ) {
    const s = srcOff + p;
    const d = base + p;
    const bo = s % DEV_BSIZE;
    const n = Math.min(DEV_BSIZE - bo, len - p);
    const di = Math.floor(d / DEV_BSIZE);
    if (di >= PAGE_SIZE / DEV_BSIZE) throw new HarnessBug(`uiomove past the end of ${dst.m.name}`);
    dst.m.data[di] = blockCopy(dst.m.data[di]!, src[Math.floor(s / DEV_BSIZE)]!, bo, bo + n);
    p += n;
  }
}

function* ffs_read(k: Kernel, vp: vnode, uio: uio, _ioflag: number, line?: number): KThread<number> {
  if (uio.uio_segflg === UIO_NOCOPY || uio.uio_iov.iov_base === null) throw new HarnessBug('VOP_READ: only reads into kernel memory (UIO_SYSSPACE) are modelled');
  const ino = vfs_inode(vp);
  const bsize = vp.v_mount.mnt_stat.f_iosize;
  const spb = bsize / DEV_BSIZE;
  const dst = uio.uio_iov.iov_base;
  let done = 0;
  let error = 0;
  while (uio.uio_resid > 0) {
    const lbn = Math.floor(uio.uio_offset / bsize);
    yield { kind: 'access', label: `ffs_read(${vp.name}, block ${lbn})`, ...at('ffs_read', line), fp: [{ res: `${vp.name}.blkmap`, write: false }, { res: `${vp.name}.va_size`, write: false }] };
    const bytesinfile = vp.va_size - uio.uio_offset;
    if (bytesinfile <= 0) break;
    const blkoffset = uio.uio_offset % bsize;
    const xfersize = Math.min(bsize - blkoffset, uio.uio_resid, bytesinfile);
    const addr = lbn < ino.blkmap.length ? ino.blkmap[lbn]! : -1;
    let data: Block[];
    if (addr === -1) data = Array.from({ length: spb }, () => ZERO);
    else {
      const bp = new buf(k.newName('bp'));
      const scratch: Block[] = Array.from({ length: spb }, () => `B${bp.name}`);
      bp.b_iocmd = BIO_READ;
      bp.b_data = { kind: 'scratch', blocks: scratch };
      bp.b_bufobj = ino.d.name;
      bp.b_vp = vp;
      bp.b_blkno = addr;
      bp.b_iooffset = addr * DEV_BSIZE;
      bp.b_bcount = bp.b_bufsize = bp.b_runningbufspace = bsize;
      bp.b_iodone = bdone;
      yield* atomic_add_long_runningbufspace(k, bp.b_runningbufspace, line);
      yield* bstrategy(k, bp, line);
      yield* bwait(k, bp, PRIBIO, 'biord', line);
      if ((bp.b_ioflags & BIO_ERROR) !== 0) {
        error = EIO;
        break;
      }
      data = scratch;
    }
    uiomove_to(k, dst, done, data, blkoffset, xfersize);
    done += xfersize;
    uio.uio_offset += xfersize;
    uio.uio_resid -= xfersize;
    uio.uio_iov.iov_len -= xfersize;
  }
  return error;
}

function* ffs_write(k: Kernel, vp: vnode, uio: uio, ioflag: number, line?: number): KThread<number> {
  if (uio.uio_segflg !== UIO_NOCOPY) throw new HarnessBug('VOP_WRITE: only UIO_NOCOPY writes (the pageout path) are modelled');
  k.ctx.touch(`${vp.name}.v_object`, false);
  const obj = vp.v_object;
  if (obj === null) throw new HarnessBug(`VOP_WRITE(${vp.name}) with UIO_NOCOPY but no VM object`);
  const ino = vfs_inode(vp);
  const d = ino.d;
  const bsize = vp.v_mount.mnt_stat.f_iosize;
  const spb = bsize / DEV_BSIZE;
  let budget = k.faults.shortWriteBytes ?? Number.POSITIVE_INFINITY;
  let error = 0;
  while (uio.uio_resid > 0 && budget > 0) {
    const lbn = Math.floor(uio.uio_offset / bsize);
    const blkoffset = uio.uio_offset % bsize;
    const xfersize = Math.min(bsize - blkoffset, uio.uio_resid, budget);
    const off = uio.uio_offset;

    /* ffs_balloc */
    yield { kind: 'access', label: `ffs_balloc(${vp.name}, block ${lbn})`, ...at('ffs_write', line), fp: [{ res: `${vp.name}.blkmap`, write: true }, { res: `${vp.name}.va_size`, write: true }] };
    let addr = lbn < ino.blkmap.length ? ino.blkmap[lbn]! : -1;
    if (addr === -1 && k.faults.noSpace) {
      /* ffs_balloc: no free block. Nothing of this block was cleaned or written; ffs_write returns the error. */
      error = ENOSPC;
      break;
    }
    if (addr === -1) {
      const r = ino.reserve.get(lbn);
      if (r !== undefined) addr = r;
      else {
        addr = d.nextFree;
        d.nextFree += spb;
      }
      while (ino.blkmap.length <= lbn) ino.blkmap.push(-1);
      ino.blkmap[lbn] = addr;
      for (let s = 0; s < spb; s++) {
        k.ctx.touch(`disk:${addr + s}`, true);
        disk_write(d, addr + s, ZERO);
      }
    }
    if (off + xfersize > vp.va_size) vp.va_size = off + xfersize;

    /* vfs_busy_pages(bp, 1): write-protect and clean the range. */
    const s = at('vfs_busy_pages', line);
    yield* rw_wlock(k, obj.lock, `VM_OBJECT_WLOCK(${obj.name})`, s);
    const pages: { m: vm_page; base: number; len: number }[] = [];
    for (let p = Math.floor(off / PAGE_SIZE); p * PAGE_SIZE < off + xfersize; p++) {
      const m = vm_page_lookup(obj, p);
      if (m === null) throw new HarnessBug(`VOP_WRITE(${vp.name}) with UIO_NOCOPY: page ${p} of ${obj.name} is not resident`);
      const base = Math.max(off, p * PAGE_SIZE) - p * PAGE_SIZE;
      const end = Math.min(off + xfersize, (p + 1) * PAGE_SIZE) - p * PAGE_SIZE;
      pmap_remove_write(k, m);
      vm_page_set_validclean(k, m, base, end - base);
      pages.push({ m, base, len: end - base });
    }
    yield* rw_wunlock(k, obj.lock, `VM_OBJECT_WUNLOCK(${obj.name})`, s);

    const bp = new buf(k.newName('bp'));
    bp.b_iocmd = BIO_WRITE;
    pages.forEach((x, i) => (bp.b_pages[i] = x.m));
    bp.b_npages = pages.length;
    bp.b_data = { kind: 'kva', off: off % PAGE_SIZE };
    bp.b_bufobj = d.name;
    bp.b_vp = vp;
    bp.b_blkno = addr + blkoffset / DEV_BSIZE;
    bp.b_iooffset = bp.b_blkno * DEV_BSIZE;
    bp.b_bcount = bp.b_bufsize = bp.b_runningbufspace = Math.ceil(xfersize / DEV_BSIZE) * DEV_BSIZE;
    bp.b_iodone = bdone;
    yield* atomic_add_long_runningbufspace(k, bp.b_runningbufspace, line);
    yield* bstrategy(k, bp, line);
    yield* bwait(k, bp, PRIBIO, 'biowr', line);
    if ((bp.b_ioflags & BIO_ERROR) !== 0) {
      /*
       * brelse keeps the failed buffer dirty (bdirty); the model has no
       * buffer cache and keeps its pages dirty instead, whole (vm_page_dirty):
       * putpages holds them shared busy, and no 2017 path sets some dirty
       * bits of a busy page (the spec refuses it). A block that did reach
       * the disk is only written again.
       */
      const b = at('brelse', line);
      yield* rw_wlock(k, obj.lock, `VM_OBJECT_WLOCK(${obj.name})`, b);
      for (const x of pages) vm_page_dirty(k, x.m);
      yield* rw_wunlock(k, obj.lock, `VM_OBJECT_WUNLOCK(${obj.name})`, b);
      if ((ioflag & IO_SYNC) !== 0) error = EIO;
    }
    uio.uio_offset += xfersize;
    uio.uio_resid -= xfersize;
    budget -= xfersize;
    if (error !== 0) break;
  }
  return error;
}

/* ---- the vectors ---- */

const ufs_vnodeops: vop_vector = {
  vop_bmap: ufs_bmap,
  vop_read: ffs_read,
  vop_write: ffs_write,
  vop_getpages: (k, ap) => genericPager('local_getpages')(k, ap),
  vop_getpages_async: (k, ap) => genericPager('local_getpages_async')(k, ap),
  vop_putpages: (k, vp, m, bytecount, flags, rtvals) => genericPager('putpages')(k, vp, m, bytecount, flags, rtvals),
};

/* vop_stdgetpages / vop_stdgetpages_async of default_vnodeops (vfs_default.c). */
const vop_stdgetpages: vop_vector['vop_getpages'] = (k, ap) => genericPager('getpages')(k, ap.a_vp, ap.a_m, ap.a_count, ap.a_rbehind, ap.a_rahead, null, null);
const vop_stdgetpages_async: vop_vector['vop_getpages_async'] = function* (k, ap) {
  const error = yield* VOP_GETPAGES(k, ap.a_vp, ap.a_m, ap.a_count, ap.a_rbehind, ap.a_rahead);
  yield* ap.a_iodone(k, ap.a_arg, ap.a_m, ap.a_count, error);
  /*
   * Repair stdgetpages-async-reports-completed (traces/findings/
   * stdgetpages-async-fails-completed-request.md): a failed request has
   * been completed through the iodone just above, so it is reported taken,
   * as the repaired generic pager reports its own synchronous exits.
   */
  if (error !== 0 && k.patched('stdgetpages-async-reports-completed')) return VM_PAGER_OK;
  return error;
};

/*
 * A filesystem without VOP_BMAP has no local getpages of its own either: its
 * page-ins go through the defaults, so an asynchronous request completes
 * synchronously and its iodone is called by vop_stdgetpages_async.
 */
const nobmap_vnodeops: vop_vector = { ...ufs_vnodeops, vop_bmap: nobmap_bmap, vop_getpages: vop_stdgetpages, vop_getpages_async: vop_stdgetpages_async };

/* dead_vnodeops over default_vnodeops */
const dead_vnodeops: vop_vector = {
  *vop_bmap() {
    return { error: EBADF, bo: null, bn: -1, runp: 0, runb: 0 };
  },
  *vop_read() {
    return EIO;
  },
  *vop_write() {
    return EIO;
  },
  vop_getpages: vop_stdgetpages,
  vop_getpages_async: vop_stdgetpages_async,
  vop_putpages: (k, vp, m, bytecount, flags, rtvals) => genericPager('putpages')(k, vp, m, bytecount, flags, rtvals),
};

function vop(vp: vnode): vop_vector {
  if (vp.v_type === VBAD) return dead_vnodeops;
  const mp = vp.v_mount;
  const base = mp.flavor === 'nobmap' ? nobmap_vnodeops : ufs_vnodeops;
  return mp.mnt_vop_override ? { ...base, ...mp.mnt_vop_override } : base;
}

/* ---- VOP_* ---- */

/**
 * VOP_BMAP(vp, bn, wantBo ? &bo : NULL, wantBn ? &bnp : NULL, &runp, &runb).
 * bn is in f_iosize units. On an error the caller must not use the outputs
 * (EOPNOTSUPP writes none of them).
 */
export function* VOP_BMAP(k: Kernel, vp: vnode, bn: number, wantBo: boolean, line?: number, wantBn = true): KThread<bmap_result> {
  return yield* vop(vp).vop_bmap(k, vp, bn, wantBo, wantBn, line);
}

export function* VOP_READ(k: Kernel, vp: vnode, uio: uio, ioflag: number, line?: number): KThread<number> {
  return yield* vop(vp).vop_read(k, vp, uio, ioflag, line);
}

export function* VOP_WRITE(k: Kernel, vp: vnode, uio: uio, ioflag: number, line?: number): KThread<number> {
  return yield* vop(vp).vop_write(k, vp, uio, ioflag, line);
}

export function* VOP_GETPAGES(k: Kernel, vp: vnode, m: vm_page[], count: number, rbehind: Ref | null, rahead: Ref | null): KThread<number> {
  return yield* vop(vp).vop_getpages(k, { a_vp: vp, a_m: m, a_count: count, a_rbehind: rbehind, a_rahead: rahead });
}

export function* VOP_GETPAGES_ASYNC(k: Kernel, vp: vnode, m: vm_page[], count: number, rbehind: Ref | null, rahead: Ref | null, iodone: pgiodone_t, arg: unknown): KThread<number> {
  return yield* vop(vp).vop_getpages_async(k, { a_vp: vp, a_m: m, a_count: count, a_rbehind: rbehind, a_rahead: rahead, a_iodone: iodone, a_arg: arg });
}

export function* VOP_PUTPAGES(k: Kernel, vp: vnode, m: vm_page[], bytecount: number, flags: number, rtvals: number[]): KThread<number> {
  return yield* vop(vp).vop_putpages(k, vp, m, bytecount, flags, rtvals);
}
