/*
 * Buffers (sys/sys/buf.h, sys/kern/vfs_bio.c, sys/vm/vm_pager.c, 2017).
 *
 * Kept: the pbuf pool with the two free counters (vnode_pbuf_freecnt,
 * vnode_async_pbuf_freecnt): getpbuf sleeps ("wswbuf0") while its counter is
 * 0 and relpbuf wakes on the 0->1 transition; b_pages with nitems =
 * MAXPHYS / PAGE_SIZE = 32; b_blkno in DEV_BSIZE units; b_iocmd; b_ioflags
 * BIO_ERROR; b_iodone / b_pgiodone / b_caller1 / b_pgbefore / b_pgafter;
 * bstrategy, which hands the buffer to the disk and completes it in a
 * separate I/O completion thread (bufdone -> runningbufwakeup -> b_iodone);
 * bwait/bdone; runningbufspace as a counter; sf_buf as a view of the page.
 * Left out: the buffer cache proper (bread/bwrite of cached buffers),
 * KVA mapping (pmap_qenter is a no-op: the pages are the data), creds,
 * clustering, B_DONE reuse subtleties beyond what the seed relies on.
 * [functions: filled in by the kernel work]
 */
import type { vm_page } from './vm_page.ts';
import type { vnode } from './vnode.ts';

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

export type iodone_t = (bp: buf) => Generator<import('../../checker/op.ts').Op, void, void>;
export type pgiodone_t = (arg: unknown, pages: vm_page[], count: number, error: number) => Generator<import('../../checker/op.ts').Op, void, void>;

export class buf {
  b_flags = 0;
  b_ioflags = 0;
  b_iocmd = 0;
  b_error = 0;
  b_blkno = 0;
  b_iooffset = 0;
  b_bcount = 0;
  b_bufsize = 0;
  b_runningbufspace = 0;
  b_npages = 0;
  readonly b_pages: (vm_page | null)[] = Array.from({ length: NITEMS_B_PAGES }, () => null);
  b_pgbefore = 0;
  b_pgafter = 0;
  b_vp: vnode | null = null;
  /** The bufobj (device) the I/O goes to; null when not attached (pbgetbo/pbrelbo). */
  b_bufobj: string | null = null;
  b_iodone: iodone_t | null = null;
  b_pgiodone: pgiodone_t | null = null;
  b_caller1: unknown = null;
  /**
   * For sf_buf-based reads (input_smlfs): the page and byte offset the data
   * lands in, instead of b_pages.
   */
  b_data_page: vm_page | null = null;
  b_data_off = 0;
  constructor(
    /** "pbuf3" */
    readonly name: string,
  ) {}
  get wchan(): string {
    return this.name;
  }
}
