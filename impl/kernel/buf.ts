/*
 * Buffers (sys/sys/buf.h, sys/kern/vfs_bio.c, sys/vm/vm_pager.c,
 * sys/sys/sf_buf.h, 2017).
 *
 * Kept:
 *  - the pbuf pool: nswbuf pbufs on a LIFO free list and the two free
 *    counters (vnode_pbuf_freecnt, vnode_async_pbuf_freecnt) under pbuf_mtx;
 *    getpbuf sleeps "wswbuf0" on its counter while it is 0 and "wswbuf1"
 *    while the list is empty, and hands out the buffer locked by the caller;
 *    relpbuf releases the creds, asserts b_vp and b_bufobj are clear, unlocks
 *    the buffer (the owner or, after BUF_KERNPROC, any thread), returns it to
 *    the head of the list, wakes "wswbuf1" sleepers and, only on the 0 -> 1
 *    transition of the counter, the counter's sleepers;
 *  - what getpbuf resets (creds, flags, ioflags, iodone, error, b_data) and
 *    what it leaves from the previous user (b_pages, b_npages, b_bcount,
 *    b_blkno, b_iocmd, b_runningbufspace, b_pgbefore/after, b_pgiodone);
 *  - b_pages with nitems = MAXPHYS / PAGE_SIZE = 32; b_blkno in DEV_BSIZE
 *    units; b_iocmd; b_ioflags BIO_ERROR; b_iodone / b_pgiodone / b_caller1;
 *  - pbgetbo / pbrelbo with their KASSERTs;
 *  - bstrategy (KASSERT a bufobj) hands the buffer to the disk: a new I/O
 *    thread ("io:pbuf1", "io:pbuf1#2" for the buffer's second I/O) completes
 *    it in one step (moves the data disk -> buffer or buffer -> disk, or sets
 *    BIO_ERROR as the fault plan says) and then runs bufdone:
 *    runningbufwakeup, then b_iodone (cleared before it is called);
 *  - bdone / bwait: B_DONE and wakeup(bp) / sleep on bp until B_DONE;
 *  - runningbufspace as a counter updated atomically;
 *  - sf_buf as a view of the page (amd64's direct map).
 * Left out: the buffer cache proper (getblk, bread/bwrite of cached
 * buffers, brelse, clustering: vfs.ts makes its own private buffers), KVA
 * (pmap_qenter/qremove are no-ops: the pages are the data, so a mapped and
 * an unmapped buffer move the same bytes; only buf_mapped's answer differs),
 * waitrunningbufspace sleepers, B_DONE reuse subtleties beyond what the seed
 * relies on, the pool mutex of bdone/bwait (each of the two is one step,
 * which is all the mutex makes atomic).
 */
import { HarnessBug, KernelAssertion, type KThread, type ThreadId } from '../../checker/op.ts';
import { mtx_lock, mtx_unlock, sleep, wakeup } from './sync.ts';
import { DEV_BSIZE, PAGE_SIZE, type Block } from './data.ts';
import { blockCopy, disk_of_bo, disk_read, disk_write, type disk } from './disk.ts';
import { page_data_touch, type vm_page } from './vm_page.ts';
import type { vnode } from './vnode.ts';
import type { Kernel } from './kernel.ts';

export const MAXPHYS = 128 * 1024;
export const NITEMS_B_PAGES = MAXPHYS / 4096; // nitems(bp->b_pages) = 32
/** sizeof(bp->b_pages) on amd64: 32 pointers of 8 bytes. The seed's KASSERT at line 766 compares with this. */
export const SIZEOF_B_PAGES = NITEMS_B_PAGES * 8;

export const BIO_READ = 0x01;
export const BIO_WRITE = 0x02;
export const BIO_ERROR = 0x01;
export const B_ASYNC = 0x4;
export const B_DONE = 0x200;
export const B_PAGING = 0x04000000;

/* errno values the I/O paths return. */
export const EIO = 5;
export const EBADF = 9;
export const EINVAL = 22;
export const EOPNOTSUPP = 45;
export const ENOSPC = 28;

/* Sleep priorities; the model ignores them but the arguments are kept as the C passes them. */
import { PVM } from './sync.ts';
export { PVM };
export const PRIBIO = 16;

export const NOCRED = 'NOCRED';
/** A buffer credential: NOCRED, or a held reference to the thread's ucred. */
export type ucred = typeof NOCRED | 'td_ucred';

export type pbufcnt = 'vnode_pbuf_freecnt' | 'vnode_async_pbuf_freecnt';

/** b_iodone: called by bufdone in the I/O completion thread. */
export type iodone_t = (k: Kernel, bp: buf) => KThread<void>;
/** vop_getpages_iodone_t: (arg, m, count, error), with the kernel first. */
export type pgiodone_t = (k: Kernel, arg: unknown, m: vm_page[], count: number, error: number) => KThread<void>;

/**
 * What b_data points at: the unmapped_buf sentinel, the pbuf's own KVA
 * (b_kvabase + off, where b_pages are entered), a byte in one page (an
 * sf_buf), or a private block array (the filesystem's own buffers).
 */
export type b_data_t =
  | { readonly kind: 'unmapped' }
  | { readonly kind: 'kva'; readonly off: number }
  | { readonly kind: 'page'; readonly m: vm_page; readonly off: number }
  | { readonly kind: 'scratch'; readonly blocks: Block[] };

export const unmapped_buf: b_data_t = { kind: 'unmapped' };
/** vfs_bio.c unmapped_buf_allowed: 1 on amd64. */
export const unmapped_buf_allowed = 1;

export class buf {
  b_flags = 0;
  b_ioflags = 0;
  b_iocmd = 0;
  b_error = 0;
  b_blkno = 0;
  b_iooffset = 0;
  b_offset = 0;
  b_bcount = 0;
  b_bufsize = 0;
  b_runningbufspace = 0;
  b_npages = 0;
  readonly b_pages: (vm_page | null)[] = new Array<vm_page | null>(NITEMS_B_PAGES).fill(null);
  b_pgbefore = 0;
  b_pgafter = 0;
  b_vp: vnode | null = null;
  /** The bufobj (device) the I/O goes to; null when not attached (pbgetbo/pbrelbo). */
  b_bufobj: string | null = null;
  b_iodone: iodone_t | null = null;
  b_pgiodone: pgiodone_t | null = null;
  b_caller1: unknown = null;
  b_rcred: ucred = NOCRED;
  b_wcred: ucred = NOCRED;
  b_data: b_data_t = { kind: 'kva', off: 0 };
  /** Holder of the buffer lock: a thread, LK_KERNPROC (any thread may release), or nobody. */
  b_lockowner: ThreadId | 'KERNPROC' | null = null;
  /** I/Os issued on this buffer, for the completion threads' names. */
  b_ionum = 0;
  constructor(
    /** "pbuf3", "bp2" */
    readonly name: string,
  ) {}
  get wchan(): string {
    return this.name;
  }
}

function at(fn: string, line: number | undefined): { fn: string; line?: number } {
  return line !== undefined ? { fn, line } : { fn };
}

export function buf_mapped(bp: buf): boolean {
  return bp.b_data.kind !== 'unmapped';
}

/* ---- the pbuf pool (vm_pager.c) ---- */

/** Takes a pbuf, sleeping while the counter (if any) is 0 or the pool is empty; the buffer comes back locked by curthread. */
export function* getpbuf(k: Kernel, pfreecnt: pbufcnt | null, line?: number): KThread<buf> {
  const s = at('getpbuf', line);
  const il = { kind: 'mtx', lock: k.pbuf_mtx } as const;
  yield* mtx_lock(k, k.pbuf_mtx, 'mtx_lock(&pbuf_mtx)', s);
  let bp: buf | undefined;
  for (;;) {
    if (pfreecnt !== null) {
      while (k[pfreecnt] === 0) yield* sleep(k, pfreecnt, il, PVM, 'wswbuf0', s);
    }
    bp = k.pbuf_free.shift();
    if (bp === undefined && k.npbufs < k.nswbuf) bp = new buf(`pbuf${++k.npbufs}`);
    if (bp !== undefined) break;
    k.bswneeded = 1;
    yield* sleep(k, 'bswneeded', il, PVM, 'wswbuf1', s);
  }
  if (pfreecnt !== null) k[pfreecnt]--;
  const got = bp;
  yield* mtx_unlock(k, k.pbuf_mtx, 'mtx_unlock(&pbuf_mtx)', s);
  /* initpbuf */
  got.b_rcred = NOCRED;
  got.b_wcred = NOCRED;
  got.b_flags = 0;
  got.b_ioflags = 0;
  got.b_iodone = null;
  got.b_error = 0;
  got.b_data = { kind: 'kva', off: 0 };
  got.b_lockowner = k.ctx.tid;
  return got;
}

/** BUF_UNLOCK: the owner, or anyone once BUF_KERNPROC gave the lock away. */
function BUF_UNLOCK(k: Kernel, bp: buf, fn: string, line?: number): void {
  const me = k.ctx.tid;
  if (bp.b_lockowner !== 'KERNPROC' && bp.b_lockowner !== me) {
    const owner = bp.b_lockowner === null ? 'nobody' : k.ctx.threadName(bp.b_lockowner);
    throw new KernelAssertion('lock', fn, `lockmgr: ${k.ctx.threadName(me)} unlocks buffer ${bp.name} held by ${owner}`, line);
  }
  bp.b_lockowner = null;
}

/** BUF_KERNPROC: the completion context may release the buffer. */
export function BUF_KERNPROC(_k: Kernel, bp: buf): void {
  bp.b_lockowner = 'KERNPROC';
}

export function* relpbuf(k: Kernel, bp: buf, pfreecnt: pbufcnt | null, line?: number): KThread<void> {
  const fn = 'relpbuf';
  const s = at(fn, line);
  bp.b_rcred = NOCRED;
  bp.b_wcred = NOCRED;
  if (bp.b_vp !== null) throw new KernelAssertion('KASSERT', fn, 'relpbuf with vp', line);
  if (bp.b_bufobj !== null) throw new KernelAssertion('KASSERT', fn, 'relpbuf with bufobj', line);
  BUF_UNLOCK(k, bp, fn, line);
  yield* mtx_lock(k, k.pbuf_mtx, 'mtx_lock(&pbuf_mtx)', s);
  k.pbuf_free.unshift(bp);
  if (k.bswneeded) {
    k.bswneeded = 0;
    yield* wakeup(k, 'bswneeded', s);
  }
  if (pfreecnt !== null) {
    if (++k[pfreecnt] === 1) yield* wakeup(k, pfreecnt, s);
  }
  yield* mtx_unlock(k, k.pbuf_mtx, 'mtx_unlock(&pbuf_mtx)', s);
}

export function pbgetbo(_k: Kernel, bo: string | null, bp: buf): void {
  if (bp.b_vp !== null) throw new KernelAssertion('KASSERT', 'pbgetbo', 'pbgetbo: not free (vnode)');
  if (bp.b_bufobj !== null) throw new KernelAssertion('KASSERT', 'pbgetbo', 'pbgetbo: not free (bufobj)');
  bp.b_flags |= B_PAGING;
  bp.b_bufobj = bo;
}

export function pbrelbo(_k: Kernel, bp: buf): void {
  if (bp.b_vp !== null) throw new KernelAssertion('KASSERT', 'pbrelbo', 'pbrelbo: vnode');
  if (bp.b_bufobj === null) throw new KernelAssertion('KASSERT', 'pbrelbo', 'pbrelbo: NULL bufobj');
  bp.b_bufobj = null;
  bp.b_flags &= ~B_PAGING;
}

/* ---- runningbufspace ---- */

export function* atomic_add_long_runningbufspace(k: Kernel, n: number, line?: number): KThread<void> {
  yield { kind: 'access', label: `atomic_add_long(&runningbufspace, ${n})`, ...at('atomic_add_long', line), fp: [{ res: 'runningbufspace', write: true, atomic: true }] };
  k.runningbufspace += n;
}

function* runningbufwakeup(k: Kernel, bp: buf): KThread<void> {
  const bspace = bp.b_runningbufspace;
  if (bspace === 0) return;
  yield { kind: 'access', label: `atomic_subtract_long(&runningbufspace, ${bspace})`, fn: 'runningbufwakeup', fp: [{ res: 'runningbufspace', write: true, atomic: true }] };
  k.runningbufspace -= bspace;
  bp.b_runningbufspace = 0;
}

/* ---- strategy and completion ---- */

/** The DEV_BSIZE block i of the buffer's data, wherever b_data puts it. */
function data_block(k: Kernel, bp: buf, i: number): { get(): Block; set(b: Block): void } {
  const d = bp.b_data;
  if (d.kind === 'scratch') {
    if (i >= d.blocks.length) throw new HarnessBug(`${bp.name}: transfer past its private data (${d.blocks.length} blocks)`);
    return { get: () => d.blocks[i]!, set: (b) => void (d.blocks[i] = b) };
  }
  let m: vm_page | null;
  let blk: number;
  if (d.kind === 'page') {
    m = d.m;
    blk = (d.off + i * DEV_BSIZE) / DEV_BSIZE;
    if (blk >= PAGE_SIZE / DEV_BSIZE) throw new HarnessBug(`${bp.name}: sf_buf transfer past the end of ${d.m.name}`);
  } else {
    const off = (d.kind === 'kva' ? d.off : 0) + i * DEV_BSIZE;
    m = bp.b_pages[Math.floor(off / PAGE_SIZE)] ?? null;
    blk = (off % PAGE_SIZE) / DEV_BSIZE;
    if (m === null) throw new HarnessBug(`${bp.name}: transfer into b_pages[${Math.floor(off / PAGE_SIZE)}], which is NULL`);
  }
  const page = m;
  return {
    get: () => page.data[blk]!,
    set: (b) => {
      page_data_touch(k, page);
      page.data[blk] = b;
    },
  };
}

function sector_span(bp: buf): { s0: number; n: number } {
  if (bp.b_iooffset % DEV_BSIZE !== 0) throw new HarnessBug(`${bp.name}: b_iooffset ${bp.b_iooffset} is not sector aligned`);
  return { s0: bp.b_iooffset / DEV_BSIZE, n: Math.ceil(bp.b_bcount / DEV_BSIZE) };
}

/** The completion of one buffer I/O, as the driver's interrupt would run it. */
function* bio_complete(k: Kernel, bp: buf, d: disk): KThread<void> {
  const { s0, n } = sector_span(bp);
  const write = bp.b_iocmd === BIO_WRITE;
  const sectors = Array.from({ length: n }, (_, i) => s0 + i);
  yield {
    kind: 'io',
    label: `I/O completion of ${bp.name}: ${write ? 'write' : 'read'} ${d.name} sectors ${s0}-${s0 + n - 1}`,
    fn: 'bufdone',
    fp: [{ res: `buf:${bp.name}`, write: true }, ...sectors.map((s) => ({ res: `disk:${s}`, write }))],
  };
  const bad = write ? k.faults.writeErrorSectors : k.faults.readErrorSectors;
  if (bad !== undefined && sectors.some((s) => bad.includes(s))) {
    bp.b_ioflags |= BIO_ERROR;
    bp.b_error = EIO;
  } else {
    for (let i = 0; i < n; i++) {
      const bytes = Math.min(DEV_BSIZE, bp.b_bcount - i * DEV_BSIZE);
      const blk = data_block(k, bp, i);
      if (write) disk_write(d, s0 + i, bytes === DEV_BSIZE ? blk.get() : blockCopy(disk_read(d, s0 + i), blk.get(), 0, bytes));
      else blk.set(blockCopy(blk.get(), disk_read(d, s0 + i), 0, bytes));
    }
  }
  yield* bufdone(k, bp);
}

/** Submits the buffer to its bufobj's device; the I/O completes in a thread of its own. */
export function* bstrategy(k: Kernel, bp: buf, line?: number): KThread<void> {
  yield { kind: 'io', label: `bstrategy(${bp.name})`, ...at('bstrategy', line), fp: [{ res: `buf:${bp.name}`, write: true }] };
  if (bp.b_bufobj === null) throw new KernelAssertion('KASSERT', 'bstrategy', `bstrategy: no bufobj bp=${bp.name}`, line);
  const d = disk_of_bo(k, bp.b_bufobj);
  bp.b_ionum++;
  const name = bp.b_ionum === 1 ? `io:${bp.name}` : `io:${bp.name}#${bp.b_ionum}`;
  k.ctx.spawn(name, () => bio_complete(k, bp, d));
}

/** bufdone for a buffer with b_iodone: runningbufwakeup, then the completion routine (cleared first). */
export function* bufdone(k: Kernel, bp: buf): KThread<void> {
  if ((bp.b_flags & B_DONE) !== 0) throw new KernelAssertion('KASSERT', 'bufdone', `biodone: bp ${bp.name} already done`);
  yield* runningbufwakeup(k, bp);
  const biodone = bp.b_iodone;
  if (biodone === null) throw new HarnessBug(`bufdone(${bp.name}) without b_iodone: bufdone_finish (cached buffers) is not modelled`);
  bp.b_iodone = null;
  yield* biodone(k, bp);
}

/** Marks the buffer done and wakes its bwait sleeper: one step. */
export function* bdone(k: Kernel, bp: buf): KThread<void> {
  /* B_DONE is set under the pool mutex, folded into this step: an atomic access. */
  yield { kind: 'wakeup', label: `bdone(${bp.name})`, fn: 'bdone', fp: [{ res: `buf:${bp.name}`, write: true, atomic: true }, { res: `chan:${bp.wchan}`, write: true }] };
  bp.b_flags |= B_DONE;
  k.sleepq.wakeAll(bp.wchan);
}

/** Sleeps on the buffer until B_DONE (the test and the sleep are one step, as the pool mutex makes them). */
export function* bwait(k: Kernel, bp: buf, pri: number, wmesg: string, line?: number): KThread<void> {
  const s = at('bwait', line);
  void pri;
  yield { kind: 'sleep', label: `bwait(${bp.name}, "${wmesg}")`, ...s, fp: [{ res: `buf:${bp.name}`, write: false, atomic: true }, { res: `chan:${bp.wchan}`, write: true }] };
  while ((bp.b_flags & B_DONE) === 0) {
    const me = k.ctx.tid;
    k.sleepq.enqueue(bp.wchan, me);
    yield {
      kind: 'wake',
      label: `wake from "${wmesg}" on ${bp.wchan}`,
      ...s,
      fp: [{ res: `chan:${bp.wchan}`, write: false }],
      enabled: () => k.sleepq.isWoken(me),
      waitsFor: () => `the I/O of ${bp.name} ("${wmesg}")`,
    };
    k.sleepq.resume(me);
  }
}

/* ---- sf_buf (amd64: the direct map) ---- */

export interface sf_buf {
  readonly m: vm_page;
}

export function sf_buf_alloc(_k: Kernel, m: vm_page): sf_buf {
  return { m };
}

export function sf_buf_free(_k: Kernel, _sf: sf_buf): void {}

/** sf_buf_kva(sf) + off, as a b_data / iov_base. */
export function sf_buf_kva(sf: sf_buf, off = 0): b_data_t {
  return { kind: 'page', m: sf.m, off };
}
