/*
 * The scenario catalog: named concurrent situations of the vnode pager, as
 * data. Each is small enough (2-4 threads, a few operations) for exhaustive
 * DPOR in seconds; a bound is stated in `bounds` only where one is needed,
 * with its reason and the exhaustive count where known.
 * Locks follow the 2017 callers unless a scenario says otherwise and why.
 */
import { scenario, type Scenario } from './scenario.ts';

export const CATALOG: readonly Scenario[] = [
  scenario({
    name: 'alloc-race',
    description:
      'Two read-only opens of a file without a vm object, each holding the vnode lock shared (VOP_OPEN on a filesystem with shared-lock lookups), race in vnode_pager_alloc; the loser discards its object and retries.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: false },
    threads: [
      { name: 'T1', ops: [{ op: 'create_vobject', vnodeLock: 'shared' }] },
      { name: 'T2', ops: [{ op: 'create_vobject', vnodeLock: 'shared' }] },
    ],
  }),
  scenario({
    name: 'alloc-vs-vgone',
    description: 'An mmap (vm_mmap_vnode: vnode_pager_alloc under the shared vnode lock) against a forced reclaim of the vnode, whose object has no references.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: true },
    threads: [
      { name: 'T1', ops: [{ op: 'alloc' }, { op: 'deallocate' }] },
      { name: 'T2', ops: [{ op: 'vgone' }] },
    ],
  }),
  scenario({
    name: 'alloc-vs-reclaim-with-mapping',
    description: 'A mapping holds the object while the vnode is reclaimed: vnode_destroy_vobject deallocates the pager under live references; a new mmap races with it.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: true, mappings: 1 },
    threads: [
      { name: 'T1', ops: [{ op: 'alloc' }, { op: 'deallocate' }] },
      { name: 'T2', ops: [{ op: 'vgone' }] },
    ],
  }),
  scenario({
    name: 'create-vs-destroy',
    description: 'open(2) creates the vm object (vnode_create_vobject) while the filesystem reclaims the vnode (vnode_destroy_vobject), both under the exclusive vnode lock.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: true, pages: [{ pindex: 0 }] },
    threads: [
      { name: 'T1', ops: [{ op: 'create_vobject' }] },
      { name: 'T2', ops: [{ op: 'destroy_vobject' }, { op: 'create_vobject' }] },
    ],
  }),
  scenario({
    name: 'create-vs-vgone',
    description: 'vnode_create_vobject against a forced reclaim of a vnode whose object has resident pages and no references.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: true, pages: [{ pindex: 1, dirty: true }] },
    threads: [
      { name: 'T1', ops: [{ op: 'create_vobject' }] },
      { name: 'T2', ops: [{ op: 'vgone' }] },
    ],
  }),
  scenario({
    name: 'reclaim-never-opened',
    description:
      'A forced unmount reclaims (vgone: VOP_RECLAIM, vnode_destroy_vobject) a vnode that lookup made and nobody opened for I/O, so it has no VM object, while open(2) makes one (vnode_create_vobject, exclusive vnode lock).',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: false },
    threads: [
      { name: 'T1', ops: [{ op: 'create_vobject' }] },
      { name: 'T2', ops: [{ op: 'vgone' }] },
    ],
  }),
  scenario({
    name: 'shrink-vs-getpages-eof',
    description: 'Truncation (vnode_pager_setsize under the exclusive vnode lock) against a page fault on the EOF page (vnode lock shared).',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 10000 },
    initial: { object: true, mappings: 1, pages: [{ pindex: 1 }] },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages', pindex: 2 }] },
      { name: 'T2', ops: [{ op: 'setsize', size: 5000 }] },
    ],
  }),
  scenario({
    name: 'unlocked-shrink-vs-getpages-eof',
    description:
      'As shrink-vs-getpages-eof, but the size change comes without the vnode lock, as the NFS client updates it from its attribute cache (the reason for the commented-out lock assertion at seed line 404).',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 10000 },
    initial: { object: true, mappings: 1, pages: [{ pindex: 1 }] },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages', pindex: 2, rbehind: 1 }] },
      { name: 'T2', ops: [{ op: 'setsize', size: 5000, vnodeLock: 'none' }] },
    ],
  }),
  scenario({
    name: 'setsize-vs-putpages',
    description: 'The page daemon launders dirty pages at EOF while the file is truncated into the last page.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 10000 },
    initial: { object: true, mappings: 1, pages: [{ pindex: 1, dirty: true }, { pindex: 2, dirty: true }] },
    threads: [
      { name: 'T1', ops: [{ op: 'putpages', pindex: 1, count: 2, dirty: false }] },
      { name: 'T2', ops: [{ op: 'setsize', size: 6000 }] },
    ],
  }),
  scenario({
    name: 'overlapping-getpages',
    description: 'Two faults with read-behind and read-ahead over overlapping ranges of an 8-page file on 8K blocks.',
    fs: { flavor: 'block', f_iosize: 8192 },
    file: { size: 32768 },
    initial: { object: true, mappings: 1 },
    /* Exhaustive DPOR runs 19,686 executions (about 25 s); the suite bounds preemptions (bench/report run it whole). */
    bounds: { preemptions: 1 },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages', pindex: 4, rbehind: 3, rahead: 2 }] },
      { name: 'T2', ops: [{ op: 'getpages', pindex: 2, rahead: 3 }] },
    ],
  }),
  scenario({
    name: 'readbehind-alloc-failure',
    description: 'Read-behind meets a page it cannot allocate after allocating one (the array shift), while another fault reads a page of the same block.',
    fs: { flavor: 'block', f_iosize: 16384 },
    file: { size: 16384 },
    faults: { pageAllocFail: [1] },
    initial: { object: true, mappings: 1 },
    /* Exhaustive DPOR runs 13,014 executions (about 14 s); the suite bounds preemptions (bench/report run it whole). */
    bounds: { preemptions: 1 },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages', pindex: 3, rbehind: 3 }] },
      { name: 'T2', ops: [{ op: 'getpages', pindex: 0 }] },
    ],
  }),
  scenario({
    name: 'writemappings-vs-vgone',
    description: 'A writable shared mapping is made and unmapped (update/release_writecount) while the vnode is reclaimed.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: true, mappings: 1 },
    threads: [
      { name: 'T1', ops: [{ op: 'update_writecount' }, { op: 'release_writecount' }] },
      { name: 'T2', ops: [{ op: 'vgone' }] },
    ],
  }),
  scenario({
    name: 'writemappings-race',
    description: 'Two writable mappings of the same object are made and torn down concurrently.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: true, mappings: 2 },
    threads: [
      { name: 'T1', ops: [{ op: 'update_writecount' }, { op: 'release_writecount' }] },
      { name: 'T2', ops: [{ op: 'update_writecount', bytes: 8192 }, { op: 'release_writecount', bytes: 8192 }] },
    ],
  }),
  scenario({
    name: 'getpages-async-vs-vgone',
    description: "sendfile's asynchronous page-in (the vnode lock shared, an object reference held) against a forced reclaim.",
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: true, mappings: 1 },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages_async', pindex: 0, count: 2 }] },
      { name: 'T2', ops: [{ op: 'vgone' }] },
    ],
  }),
  scenario({
    name: 'haspage-vs-setsize',
    description: 'vm_pager_has_page as sendfile_swapin asks it (vnode lock shared) against a truncation to one page (vnode lock exclusive).',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 16384 },
    initial: { object: true, mappings: 1 },
    threads: [
      { name: 'T1', ops: [{ op: 'haspage', pindex: 1 }] },
      { name: 'T2', ops: [{ op: 'setsize', size: 4096 }] },
    ],
  }),
  scenario({
    name: 'io-errors',
    description: 'A fault whose read fails (BIO_ERROR on page 1) and a laundering whose write fails (EIO on page 0).',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 12288 },
    faults: { readErrorPages: [1], writeErrorPages: [0] },
    initial: { object: true, mappings: 1, pages: [{ pindex: 0, dirty: true }] },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages', pindex: 1, rahead: 1 }] },
      { name: 'T2', ops: [{ op: 'putpages', pindex: 0, dirty: false }] },
    ],
  }),
  scenario({
    name: 'msync-write-error',
    description:
      'msync(MS_SYNC) launders a dirty page synchronously (vm_object_page_clean with OBJPC_SYNC: VM_PAGER_PUT_SYNC, so VOP_WRITE gets IO_SYNC and returns the error) and its write fails (EIO on page 0), while a fault reads page 1.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    faults: { writeErrorPages: [0] },
    initial: { object: true, mappings: 1, pages: [{ pindex: 0, dirty: true }] },
    threads: [
      { name: 'T1', ops: [{ op: 'putpages', pindex: 0, dirty: false, flags: ['PUT_SYNC'] }] },
      { name: 'T2', ops: [{ op: 'getpages', pindex: 1 }] },
    ],
  }),
  scenario({
    name: 'msync-bad-sector',
    description:
      'msync(MS_SYNC) launders two dirty pages in one synchronous put; one sector of the second page fails to write (a bad sector), so one page reaches the disk and the other does not.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    faults: { writeErrorBlocks: [9] },
    initial: { object: true, mappings: 1, pages: [{ pindex: 0, dirty: true }, { pindex: 1, dirty: true }] },
    threads: [{ name: 'T1', ops: [{ op: 'putpages', pindex: 0, count: 2, dirty: false, flags: ['PUT_SYNC'] }] }],
  }),
  scenario({
    name: 'msync-enospc-hole',
    description:
      'msync(MS_SYNC) of a page stored to through a mapping over a hole, on a full filesystem: ffs_balloc fails with ENOSPC, nothing is written, while a fault reads the page before it.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192, holes: [1] },
    faults: { noSpace: true },
    initial: { object: true, mappings: 1, pages: [{ pindex: 1, dirty: true }] },
    threads: [
      { name: 'T1', ops: [{ op: 'putpages', pindex: 1, dirty: false, flags: ['PUT_SYNC'] }] },
      { name: 'T2', ops: [{ op: 'getpages', pindex: 0 }] },
    ],
  }),
  scenario({
    name: 'short-write',
    description: 'Laundering two dirty pages when VOP_WRITE stops after 1000 bytes.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    faults: { shortWriteBytes: 1000 },
    initial: { object: true, mappings: 1, pages: [{ pindex: 0 }, { pindex: 1 }] },
    threads: [
      { name: 'T1', ops: [{ op: 'putpages', pindex: 0, count: 2 }] },
      { name: 'T2', ops: [{ op: 'getpages', pindex: 0 }] },
    ],
  }),
  scenario({
    name: 'small-block-fs',
    description: 'A filesystem with 1K blocks (vnode_pager_input_smlfs): a fault on the EOF page with a hole in it against a truncation into that page.',
    fs: { flavor: 'small', f_iosize: 1024 },
    file: { size: 3000, holes: [1] },
    initial: { object: true, mappings: 1 },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages', pindex: 0 }] },
      { name: 'T2', ops: [{ op: 'setsize', size: 1500 }] },
    ],
  }),
  scenario({
    name: 'partly-valid-page-small-block',
    description:
      'A page fault on a page of a 2K-block file that a read(2) through the buffer cache left partly valid (its first 2K block only), while sendfile asks whether the pager has the page.',
    fs: { flavor: 'small', f_iosize: 2048 },
    file: { size: 12288 },
    initial: { object: true, mappings: 1, pages: [{ pindex: 1, validMask: 0x0f }] },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages', pindex: 1 }] },
      { name: 'T2', ops: [{ op: 'haspage', pindex: 1 }] },
    ],
  }),
  scenario({
    name: 'getpages-async-small-block',
    description: "sendfile on a filesystem with 1K blocks whose VOP_GETPAGES_ASYNC is vnode_pager_local_getpages_async (ext2fs), against a reclaim that waits for the pages.",
    fs: { flavor: 'small', f_iosize: 1024 },
    file: { size: 8192 },
    initial: { object: true, mappings: 1 },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages_async', pindex: 1 }] },
      { name: 'T2', ops: [{ op: 'vgone' }] },
    ],
  }),
  scenario({
    name: 'sparse-small-block-sendfile',
    description:
      'sendfile over a page of a 2K-block file whose first block is a hole and second is data (found by the scenario generator): sendfile_swapin asks vm_pager_has_page first and zero-fills a page the pager says it lacks.',
    fs: { flavor: 'small', f_iosize: 2048 },
    file: { size: 8192, holes: [2] },
    initial: { object: true, mappings: 1 },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages_async', pindex: 1 }] },
      { name: 'T2', ops: [{ op: 'haspage', pindex: 1 }] },
    ],
  }),
  scenario({
    name: 'getpages-async-bmap-error',
    description: 'sendfile meets a block whose VOP_BMAP fails (an unreadable indirect block) while another thread faults on the page before it.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    faults: { bmapErrorBlocks: [1] },
    initial: { object: true, mappings: 1 },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages_async', pindex: 1 }] },
      { name: 'T2', ops: [{ op: 'getpages', pindex: 0 }] },
    ],
  }),
  scenario({
    name: 'nobmap-fs',
    description: 'A filesystem without VOP_BMAP (vnode_pager_input_old through VOP_READ): a fault on the EOF page against a truncation.',
    fs: { flavor: 'nobmap', f_iosize: 4096 },
    file: { size: 6000 },
    initial: { object: true, mappings: 1 },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages', pindex: 1 }] },
      { name: 'T2', ops: [{ op: 'setsize', size: 5000 }] },
    ],
  }),
  scenario({
    name: 'sparse-file',
    description: 'A fault on a hole (zero fill) while another thread asks whether the pager has the page.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 16384, holes: [1] },
    initial: { object: true, mappings: 1 },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages', pindex: 1 }] },
      { name: 'T2', ops: [{ op: 'haspage', pindex: 1 }, { op: 'getpages', pindex: 2, rbehind: 1 }] },
    ],
  }),
  /* ---- three and four threads (issue 15 item 6) ---- */
  scenario({
    name: 'alloc-race-3',
    description: 'alloc-race with three creators: three read-only opens under the shared vnode lock race in vnode_pager_alloc; two of them lose, discard their objects and retry.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: false },
    /* Exhaustive: 1,780 executions with the refcount reduction (checker/refcount.ts); not complete in 60 s without it. */
    threads: [1, 2, 3].map((i) => ({ name: `T${i}`, ops: [{ op: 'create_vobject' as const, vnodeLock: 'shared' as const }] })),
  }),
  scenario({
    name: 'alloc-race-4',
    description: 'alloc-race with four creators under the shared vnode lock: three lose the race in vnode_pager_alloc and retry.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: false },
    /* Exhaustive DPOR is not complete in 90 s (over 50,000 executions with the spec; issue 15: SPIN needs 7.7M states); one preemption: 1,656 executions. */
    bounds: { preemptions: 1 },
    threads: [1, 2, 3, 4].map((i) => ({ name: `T${i}`, ops: [{ op: 'create_vobject' as const, vnodeLock: 'shared' as const }] })),
  }),
  scenario({
    name: 'create-vs-destroy-vs-alloc',
    description:
      'open(2) creates the object (vnode_create_vobject, exclusive vnode lock) while a forced reclaim destroys it (vgone: VOP_RECLAIM, vnode_destroy_vobject) and an mmap takes and drops a reference (vnode_pager_alloc under the shared vnode lock, then munmap), on a vnode whose object has a resident page.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: true, pages: [{ pindex: 0 }] },
    /* The reclaim is vgone's: a filesystem reclaims a vnode by itself (destroy_vobject) only without use references, and the mmap holds one. */
    threads: [
      { name: 'T1', ops: [{ op: 'create_vobject' }] },
      { name: 'T2', ops: [{ op: 'vgone' }] },
      { name: 'T3', ops: [{ op: 'alloc' }, { op: 'deallocate' }] },
    ],
  }),
  scenario({
    name: 'opens-vs-vgone-vs-alloc',
    description:
      'Four threads on one vnode whose object has a resident page: two opens (vnode_create_vobject, exclusive vnode lock), a forced reclaim (vgone) and an mmap that takes and drops a reference (vnode_pager_alloc under the shared vnode lock, then munmap).',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: true, pages: [{ pindex: 0 }] },
    threads: [
      { name: 'T1', ops: [{ op: 'create_vobject' }] },
      { name: 'T2', ops: [{ op: 'vgone' }] },
      { name: 'T3', ops: [{ op: 'alloc' }, { op: 'deallocate' }] },
      { name: 'T4', ops: [{ op: 'create_vobject' }] },
    ],
  }),
  scenario({
    name: 'two-faults-vs-truncate',
    description:
      'Two page faults on page 1 of a two-page file (shared vnode lock) race with a truncation to one page (vnode_pager_setsize under the exclusive vnode lock): a fault may read the page, find it busy or valid, or find it past the new end.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: true, mappings: 1, pages: [{ pindex: 0 }] },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages', pindex: 1 }] },
      { name: 'T2', ops: [{ op: 'getpages', pindex: 1 }] },
      { name: 'T3', ops: [{ op: 'setsize', size: 4096 }] },
    ],
  }),
  scenario({
    name: 'two-faults-vs-pagedaemon',
    description:
      'The page daemon launders dirty page 0 (vm_pageout_flush: sbusy, vm_pager_put_pages under the exclusive vnode lock) while one fault reads page 1 from disk and another faults on page 0 itself.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: true, mappings: 1, pages: [{ pindex: 0, dirty: true }] },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages', pindex: 1 }] },
      { name: 'T2', ops: [{ op: 'getpages', pindex: 0 }] },
      { name: 'T3', ops: [{ op: 'putpages', pindex: 0, dirty: false }] },
    ],
  }),
  /* H3's, from the hunt (traces/findings/): */
  scenario({
    name: 'nobmap-sendfile-read-error',
    description:
      'sendfile reads a page whose sector fails on a filesystem with no VOP_BMAP and no VOP_GETPAGES_ASYNC of its own (vop_stdgetpages_async: the read, then the iodone), while another sendfile asks about the next page.',
    fs: { flavor: 'nobmap', f_iosize: 4096 },
    file: { size: 8192 },
    faults: { readErrorPages: [0] },
    initial: { object: true, mappings: 1 },
    threads: [
      { name: 'T1', ops: [{ op: 'getpages_async', pindex: 0 }] },
      { name: 'T2', ops: [{ op: 'haspage', pindex: 1 }] },
    ],
  }),
  scenario({
    name: 'small-block-haspage-run-past-hole',
    description:
      'Two sendfile haspage questions on a file with 512-byte blocks, all on one contiguous run except a hole in the second block of page 1: the run from page 0 enters page 1 and stops at the hole.',
    fs: { flavor: 'small', f_iosize: 512 },
    file: { size: 8192, holes: [9] },
    initial: { object: true, mappings: 1 },
    threads: [
      { name: 'T1', ops: [{ op: 'haspage', pindex: 0 }] },
      { name: 'T2', ops: [{ op: 'haspage', pindex: 1 }] },
    ],
  }),
  scenario({
    name: 'truncate-then-launder-enospc',
    description:
      'A file whose page 1 is a hole written through a mapping is truncated to 4609 bytes (one byte into the page\'s second sector) and the page daemon launders the page on a full filesystem (ENOSPC), while a fault reads page 0.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192, holes: [1] },
    faults: { noSpace: true },
    initial: { object: true, mappings: 1, pages: [{ pindex: 1, dirty: true }] },
    threads: [
      { name: 'T1', ops: [{ op: 'setsize', size: 4609 }, { op: 'putpages', pindex: 1, dirty: false }] },
      { name: 'T2', ops: [{ op: 'getpages', pindex: 0 }] },
    ],
  }),
  scenario({
    name: 'nfs-attr-setsize-vs-vgone',
    description:
      "The NFS client's attribute cache update (ncl_loadattrcache: vnode_pager_setsize without the exclusive vnode lock, which is why the seed's ASSERT_VOP_ELOCKED is commented out) first with the size the object has, then shrinking, while the vnode is reclaimed (seed 402-416: no object, a dead one, an unchanged size).",
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: true },
    threads: [
      { name: 'T1', ops: [{ op: 'vgone' }] },
      { name: 'T2', ops: [{ op: 'setsize', size: 8192, vnodeLock: 'none' }, { op: 'setsize', size: 4096, vnodeLock: 'none' }] },
    ],
  }),
];

/**
 * Probes: scenarios whose callers step outside the locking the 2017 callers
 * follow, kept because they reach code that contract hides (the seed's own
 * OBJ_DEAD wait in vnode_pager_alloc exists for such callers). Each says
 * which rule it breaks. Findings made only here are judged with that in mind.
 */
export const PROBES: readonly Scenario[] = [
  scenario({
    name: 'unlocked-alloc-vs-vgone',
    description:
      'vnode_pager_alloc from a caller holding no vnode lock (in-tree 2017 callers hold it; the seed still has the OBJ_DEAD "vadead" wait for such callers) against a forced reclaim.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: true },
    threads: [
      { name: 'T1', ops: [{ op: 'alloc', vnodeLock: 'none' }, { op: 'deallocate' }] },
      { name: 'T2', ops: [{ op: 'vgone' }] },
    ],
  }),
  scenario({
    name: 'unlocked-alloc-race',
    description: 'Two vnode_pager_alloc callers holding no vnode lock create the object at once and drop their references.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 8192 },
    initial: { object: false },
    threads: [
      { name: 'T1', ops: [{ op: 'alloc', vnodeLock: 'none' }, { op: 'deallocate' }] },
      { name: 'T2', ops: [{ op: 'alloc', vnodeLock: 'none' }, { op: 'deallocate' }] },
    ],
  }),
  scenario({
    name: 'unlocked-haspage-vs-setsize',
    description: 'vm_pager_has_page without the vnode lock (no 2017 caller asks a vnode object so) against a truncation: VOP_BMAP answers for the old size.',
    fs: { flavor: 'block', f_iosize: 4096 },
    file: { size: 16384 },
    initial: { object: true, mappings: 1 },
    threads: [
      { name: 'T1', ops: [{ op: 'haspage', pindex: 1, vnodeLock: 'none' }] },
      { name: 'T2', ops: [{ op: 'setsize', size: 4096 }] },
    ],
  }),
];

export function catalogScenario(name: string): Scenario {
  const s = [...CATALOG, ...PROBES].find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario "${name}"; accepted: ${[...CATALOG, ...PROBES].map((x) => x.name).join(', ')}`);
  return s;
}
