/*
 * Ground truth: the disk and the file's contents. The properties here compare
 * what the pager answers its callers, and what it leaves in memory, with what
 * the disk holds and what the file should hold (the world's `expected`, which
 * every store through a mapping updates). Two kinds of checks:
 *  - state checks over the world (step or end), like properties.ts's;
 *  - answer checks made by the caller the moment the pager returns
 *    (program.ts calls checkGetpagesAnswer, checkPutpagesAnswer,
 *    checkHaspageAnswer), which record a failure that the property's step
 *    check then reports, as no-lost-writes does.
 * A check that needs pages at rest looks only at unbusied pages of objects
 * nobody holds locked (see properties.ts).
 */
import { OBJT_DEAD, OBJT_VNODE, type vm_object } from '../impl/kernel/vm_object.ts';
import { VM_PAGE_BITS_ALL, VPB_UNBUSIED, type vm_page } from '../impl/kernel/vm_page.ts';
import { DEV_BSIZE, PAGE_SIZE, ZERO, isZero, sameBytes, slice, type Block } from '../impl/kernel/data.ts';
import { disk_read } from '../impl/kernel/disk.ts';
import { vfs_inode } from '../impl/kernel/vfs.ts';
import { VM_PAGER_AGAIN, VM_PAGER_BAD, VM_PAGER_ERROR, VM_PAGER_OK, VM_PAGER_PUT_INVAL, VM_PAGER_PUT_SYNC, type PagerAnswers, type PutBefore } from '../impl/kernel/vm_pager.ts';
import type { Observed } from './observed.ts';
import { VBAD, VI_DOOMED, type vnode } from '../impl/kernel/vnode.ts';
import type { Property } from './properties.ts';

/** What a failed answer check records (Observed.failures). */
export interface Failure {
  readonly property: string;
  readonly message: string;
}

const BLOCKS = PAGE_SIZE / DEV_BSIZE;

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

function fsBsize(vp: vnode): number {
  return vp.v_mount.mnt_stat.f_iosize;
}

/** Disk address (DEV_BSIZE units) of file byte offset off, or -1 in a hole or past the block map. */
export function fileSector(vp: vnode, off: number): number {
  const ino = vfs_inode(vp);
  const bsize = fsBsize(vp);
  const addr = ino.blkmap[Math.floor(off / bsize)] ?? -1;
  return addr === -1 ? -1 : addr + (off % bsize) / DEV_BSIZE;
}

/** What the disk holds for the DEV_BSIZE file block at byte offset off: its sector, or zeros for a hole. */
export function diskBlock(vp: vnode, off: number): Block {
  const s = fileSector(vp, off);
  return s === -1 ? ZERO : disk_read(vfs_inode(vp).d, s);
}

function busied(m: vm_page): boolean {
  return m.busy_lock !== VPB_UNBUSIED;
}

function liveObjects(o: Observed): vm_object[] {
  const out: vm_object[] = [];
  for (const obj of o.k.objects) if (!obj.destroyed && obj.type === OBJT_VNODE && obj.handle === o.vp && o.attached.has(obj.name)) out.push(obj);
  return out;
}

/** Objects of the vnode that a reclaim disconnected (OBJT_DEAD) while references remained. */
function deadObjects(o: Observed): vm_object[] {
  const out: vm_object[] = [];
  for (const obj of o.k.objects) if (!obj.destroyed && obj.type === OBJT_DEAD && o.attached.has(obj.name)) out.push(obj);
  return out;
}

/** True when a resident page of one of objs holds DEV_BSIZE block j of page pindex valid, dirty and equal to want. */
function heldDirty(objs: readonly vm_object[], pindex: number, j: number, want: Block, to: number): boolean {
  for (const obj of objs) {
    const m = obj.memq.find((x) => x.pindex === pindex);
    if (m && (m.valid & (1 << j)) !== 0 && (m.dirty & (1 << j)) !== 0 && sameBytes(m.data[j]!, want, 0, to)) return true;
  }
  return false;
}

/* Per scenario (a run's constant), not per execution: the step check must not allocate. */
const sizesOf = new WeakMap<object, number[]>();

/** Sizes the file may have: its initial size and every size a truncate or extend of the scenario sets. */
function allowedSizes(o: Observed): number[] {
  let sizes = sizesOf.get(o.scenario);
  if (sizes === undefined) {
    sizes = [o.scenario.file.size];
    for (const t of o.scenario.threads) for (const op of t.ops) if (op.op === 'setsize') sizes.push(op.size);
    sizesOf.set(o.scenario, sizes);
  }
  return sizes;
}

/** True when the scenario's fault plan lets a write to this sector fail or stop short. */
function writeMayFail(o: Observed, sector: number): boolean {
  const f = o.k.faults;
  return f.shortWriteBytes !== undefined || f.noSpace === true || (f.writeErrorSectors?.includes(sector) ?? false);
}

/** True when the fault plan or a reclaim can make a read fail: read errors, BMAP errors, a dead vnode. */
function readMayFail(o: Observed): boolean {
  const f = o.k.faults;
  return (f.readErrorSectors?.length ?? 0) > 0 || (f.bmapErrorBlocks?.length ?? 0) > 0 || o.vp.v_type === VBAD || (o.vp.v_iflag & VI_DOOMED) !== 0;
}

function failuresOf(o: Observed, name: string): string | null {
  for (const f of o.failures) if (f.property === name) return f.message;
  return null;
}

/* ---- state checks ---- */

/**
 * clean-data-is-on-disk: the dirty bits tell the truth. A valid block at rest
 * that is not dirty holds what the disk holds there (zeros in a hole): no
 * block is cleaned before its data reaches the disk, and none is read in from
 * anywhere but the disk.
 */
export function cleanDataIsOnDisk(o: Observed): string | null {
  const vp = o.vp;
  for (const obj of liveObjects(o)) {
    if (obj.lock.wowner !== null) continue;
    const limit = Math.min(obj.un_pager.vnp.vnp_size, vp.va_size);
    for (const m of obj.memq) {
      if (busied(m)) continue;
      const clean = m.valid & ~m.dirty;
      if (clean === 0) continue;
      for (let j = 0; j < BLOCKS; j++) {
        if ((clean & (1 << j)) === 0) continue;
        const off = m.pindex * PAGE_SIZE + j * DEV_BSIZE;
        if (off >= limit) break;
        const to = Math.min(DEV_BSIZE, limit - off);
        const disk = diskBlock(vp, off);
        if (sameBytes(m.data[j]!, disk, 0, to)) continue;
        const have = slice(m.data[j]!, 0, to);
        const want = slice(disk, 0, to);
        if (have !== want) return `${m.name} block ${j} (file offset ${off}) is valid and clean with ${have}, but the disk holds ${want}`;
      }
    }
  }
  return null;
}

/**
 * no-data-lost (end): every block of the file whose data is not on the disk
 * is still held, valid and dirty, by a resident page of the vnode's object:
 * nothing a program wrote is dropped (freed, invalidated or cleaned) unwritten.
 * Blocks a planned write error or short write may have kept off the disk are
 * excused once their page is gone (a reclaim after EIO loses the data in the
 * kernel too).
 */
export function noDataLost(o: Observed): string | null {
  const vp = o.vp;
  const size = vp.va_size;
  const objs = liveObjects(o);
  for (let off = 0; off < size; off += DEV_BSIZE) {
    const want = o.fileBlock(off);
    if (want === null) break;
    const to = Math.min(DEV_BSIZE, size - off);
    const disk = diskBlock(vp, off);
    if (sameBytes(want, disk, 0, to)) continue;
    const pindex = Math.floor(off / PAGE_SIZE);
    const j = (off % PAGE_SIZE) / DEV_BSIZE;
    if (heldDirty(objs, pindex, j, want, to)) continue;
    /*
     * vgone flushes (vinactive, vinvalbuf V_SAVE) and then disconnects the
     * object while mappings still hold it (vnode_destroy_vobject: "woe to the
     * process"); a store through such a mapping after the flush stays in the
     * dead object's page and never reaches the file. The kernel allows that.
     */
    if (heldDirty(deadObjects(o), pindex, j, want, to)) continue;
    /* A hole (sector -1) too: ENOSPC or a short write keeps its allocation and data off the disk. */
    if (writeMayFail(o, fileSector(vp, off))) continue;
    return `file block ${off / DEV_BSIZE} (offset ${off}) should hold ${slice(want, 0, to)}, the disk holds ${slice(disk, 0, to)}, and no resident page holds it dirty: the data is lost`;
  }
  return null;
}

/**
 * nothing-written-past-eof: the file's size changes only by truncate or
 * extend, no block lies allocated wholly past EOF, and the bytes past EOF in
 * the last block stay zero on disk (a later extend would expose them).
 */
export function nothingWrittenPastEof(o: Observed): string | null {
  const vp = o.vp;
  const size = vp.va_size;
  const sizes = allowedSizes(o);
  if (!sizes.includes(size)) return `${vp.name}.va_size is ${size}; only ${sizes.join(', ')} are set by the scenario's truncates: a write extended the file`;
  const ino = vfs_inode(vp);
  const bsize = fsBsize(vp);
  for (let lbn = Math.ceil(size / bsize); lbn < ino.blkmap.length; lbn++)
    if (ino.blkmap[lbn] !== -1) return `${vp.name} block ${lbn} is allocated (sector ${ino.blkmap[lbn]}) but lies wholly past EOF (${size})`;
  if (size % bsize === 0 || size === 0) return null;
  const lbn = Math.floor(size / bsize);
  const addr = ino.blkmap[lbn] ?? -1;
  if (addr === -1) return null;
  for (let off = Math.floor(size / DEV_BSIZE) * DEV_BSIZE; off < (lbn + 1) * bsize; off += DEV_BSIZE) {
    const b = disk_read(ino.d, addr + (off % bsize) / DEV_BSIZE);
    const from = Math.max(0, size - off);
    if (!isZero(b, from, DEV_BSIZE)) return `sector ${addr + (off % bsize) / DEV_BSIZE} (file offset ${off}) holds ${slice(b, from, DEV_BSIZE)} past EOF (${size}) on disk; expected zeros`;
  }
  return null;
}

/* ---- answer checks (called by the caller model when the pager returns) ---- */

/**
 * getpages-answer-truthful: when vm_pager_get_pages (or the iodone of an
 * asynchronous request) reports success, every page handed in is resident,
 * fully valid, and holds the file's data with zeros past EOF; and so does
 * every read-behind/read-ahead page left valid. An error is reported only
 * when one can have happened (a read or BMAP error of the fault plan, a
 * reclaimed vnode).
 */
export function checkGetpagesAnswer(o: Observed, who: string, obj: vm_object, pages: readonly vm_page[], rv: number | 'iodone-ok' | 'iodone-error', rbehind = 0, rahead = 0): Failure | null {
  const name = 'getpages-answer-truthful';
  const ok = rv === VM_PAGER_OK || rv === 'iodone-ok';
  const what = typeof rv === 'number' ? `vm_pager_get_pages returned ${rv === VM_PAGER_OK ? 'VM_PAGER_OK' : `rc ${rv}`}` : rv === 'iodone-ok' ? 'the iodone was told no error' : 'the iodone was told an error';
  if (!ok) {
    if (readMayFail(o)) return null;
    return { property: name, message: `${who}: ${what}, but no read can fail here (no read or BMAP error planned, vnode not reclaimed)` };
  }
  /* vm_pager_get_pages zero-fills the EOF page, so it must be fully valid; an iodone may see its tail past EOF invalid. */
  const limit = Math.min(obj.un_pager.vnp.vnp_size, o.vp.va_size);
  for (const m of pages) {
    if (m.object !== obj) return { property: name, message: `${who}: ${what}, but ${m.name} is no longer in ${obj.name}` };
    const need = typeof rv === 'number' ? VM_PAGE_BITS_ALL : validBelow(m.pindex, limit);
    if ((m.valid & need) !== need) return { property: name, message: `${who}: ${what}, but ${m.name} has valid 0x${m.valid.toString(16)}; expected 0x${need.toString(16)}` };
  }
  const extra: vm_page[] = [];
  if (pages.length > 0) {
    const first = pages[0]!.pindex;
    const last = pages[pages.length - 1]!.pindex;
    for (const m of obj.memq)
      if (!busied(m) && m.valid !== 0 && ((m.pindex >= first - rbehind && m.pindex < first) || (m.pindex > last && m.pindex <= last + rahead))) extra.push(m);
  }
  for (const m of [...pages, ...extra]) {
    if (m.object !== obj) continue;
    const bad = pageContentsWrong(o, obj, m);
    if (bad) return { property: name, message: `${who}: ${what}, but ${bad}` };
  }
  return null;
}

/** Valid bits of the blocks of page pindex that hold bytes below limit. */
function validBelow(pindex: number, limit: number): number {
  let bits = 0;
  for (let j = 0; j < BLOCKS; j++) if (pindex * PAGE_SIZE + j * DEV_BSIZE < limit) bits |= 1 << j;
  return bits;
}

/** A valid block of m that does not hold the file's data (zeros past EOF), described; null when all do. */
function pageContentsWrong(o: Observed, obj: vm_object, m: vm_page): string | null {
  /*
   * Zeros past the pager's EOF (vnp_size): a truncate without the vnode lock
   * (the NFS client) may have moved the inode's size already, which the pager
   * learns only from vnode_pager_setsize.
   */
  const vnp = obj.un_pager.vnp.vnp_size;
  const limit = Math.min(vnp, o.vp.va_size);
  for (let j = 0; j < BLOCKS; j++) {
    if ((m.valid & (1 << j)) === 0) continue;
    const off = m.pindex * PAGE_SIZE + j * DEV_BSIZE;
    const blk = m.data[j]!;
    const past = Math.max(0, Math.min(DEV_BSIZE, vnp - off));
    if (past < DEV_BSIZE && !isZero(blk, past, DEV_BSIZE)) return `${m.name} block ${j} (file offset ${off}) is valid and holds ${slice(blk, past, DEV_BSIZE)} past EOF (vnp_size ${vnp})`;
    const to = Math.max(0, Math.min(DEV_BSIZE, limit - off));
    if (to === 0) continue;
    const want = o.fileBlock(off);
    if (want === null || sameBytes(blk, want, 0, to)) continue;
    if (slice(blk, 0, to) !== slice(want, 0, to)) return `${m.name} block ${j} (file offset ${off}) is valid with ${slice(blk, 0, to)}, but the file holds ${slice(want, 0, to)}`;
  }
  return null;
}

/**
 * putpages-rtvals-truthful: what vm_pager_put_pages reports for each page is
 * what happened to it. VM_PAGER_OK of a synchronous put: every block below
 * EOF that was dirty is on disk with the page's data (an asynchronous put only
 * hands the data over; no-lost-writes covers it). VM_PAGER_AGAIN or VM_PAGER_ERROR: every such
 * block that is not on disk is still dirty. VM_PAGER_BAD: the page lies wholly
 * past EOF. (Pages past EOF are the pager's to clean.)
 */
export function checkPutpagesAnswer(o: Observed, who: string, obj: vm_object, snaps: readonly PutBefore[], rtvals: readonly number[], flags: number): Failure | null {
  /* Only a synchronous put (IO_SYNC: PUT_SYNC or PUT_INVAL) promises the disk; an asynchronous one hands the data to the filesystem. */
  const sync = (flags & (VM_PAGER_PUT_SYNC | VM_PAGER_PUT_INVAL)) !== 0;
  const name = 'putpages-rtvals-truthful';
  const vp = o.vp;
  const limit = Math.min(obj.un_pager.vnp.vnp_size, vp.va_size);
  for (let i = 0; i < snaps.length; i++) {
    const { m, dirty, data } = snaps[i]!;
    const rv = rtvals[i]!;
    const base = m.pindex * PAGE_SIZE;
    if (rv === VM_PAGER_BAD) {
      if (base < limit) return { property: name, message: `${who}: vm_pager_put_pages reported ${m.name} VM_PAGER_BAD, but it lies below EOF (${limit})` };
      continue;
    }
    for (let j = 0; j < BLOCKS; j++) {
      if ((dirty & (1 << j)) === 0) continue;
      const off = base + j * DEV_BSIZE;
      if (off >= limit) break;
      const to = Math.min(DEV_BSIZE, limit - off);
      const disk = diskBlock(vp, off);
      const onDisk = fileSector(vp, off) !== -1 && sameBytes(disk, data[j]!, 0, to);
      if (onDisk) continue;
      if (rv === VM_PAGER_OK && sync)
        return { property: name, message: `${who}: vm_pager_put_pages reported ${m.name} VM_PAGER_OK, but its dirty block ${j} (file offset ${off}) is not on disk (disk ${slice(disk, 0, to)}, page ${slice(data[j]!, 0, to)})` };
      if ((rv === VM_PAGER_AGAIN || rv === VM_PAGER_ERROR) && (m.object !== obj || (m.dirty & (1 << j)) === 0))
        return { property: name, message: `${who}: vm_pager_put_pages reported ${m.name} ${rv === VM_PAGER_AGAIN ? 'VM_PAGER_AGAIN' : 'VM_PAGER_ERROR'}, and its block ${j} (file offset ${off}) is neither on disk nor dirty any more` };
    }
  }
  return null;
}

/**
 * haspage-agrees-with-bmap: vm_pager_has_page's answer is the block map's.
 * FALSE: the page lies past EOF, the vnode is doomed, or every block of the
 * page below EOF is a hole (else sendfile zero-fills data). TRUE: some block
 * of the page below EOF is allocated (or VOP_BMAP failed, which the pager
 * reports as TRUE). before/after: every page in [pindex - before, pindex +
 * after] lies below EOF and each of its blocks sits on disk right where one
 * contiguous read starting at the page's first block would find it.
 */
export function checkHaspageAnswer(o: Observed, who: string, obj: vm_object, pindex: number, has: boolean, before: number | null, after: number | null): Failure | null {
  const name = 'haspage-agrees-with-bmap';
  const vp = o.vp;
  const vnp = obj.un_pager.vnp.vnp_size;
  const base = pindex * PAGE_SIZE;
  const bsize = fsBsize(vp);
  const doomed = vp.v_type === VBAD || (vp.v_iflag & VI_DOOMED) !== 0;
  /* A filesystem without VOP_BMAP (EOPNOTSUPP) or a planned BMAP error: the pager answers TRUE, unchecked. */
  const bmapError = vp.v_mount.flavor === 'nobmap' || (o.k.faults.bmapErrorBlocks ?? []).some((b) => b * bsize < base + PAGE_SIZE && (b + 1) * bsize > base);
  if (base >= vnp || doomed) {
    if (has && !doomed) return { property: name, message: `${who}: vm_pager_has_page(${obj.name}, ${pindex}) is TRUE, but the page lies past EOF (vnp_size ${vnp})` };
    return null;
  }
  if (bmapError) return null;
  let anyBlock = false;
  for (let off = base; off < Math.min(base + PAGE_SIZE, vnp); off += DEV_BSIZE) if (fileSector(vp, off) !== -1) anyBlock = true;
  if (!has) {
    if (anyBlock) return { property: name, message: `${who}: vm_pager_has_page(${obj.name}, ${pindex}) is FALSE, but the page has allocated blocks below EOF: a caller zero-fills file data` };
    return null;
  }
  if (!anyBlock) return { property: name, message: `${who}: vm_pager_has_page(${obj.name}, ${pindex}) is TRUE, but every block of the page below EOF is a hole` };
  const first = fileSector(vp, base);
  if (first === -1) return null; // the run is measured from the page's first block; a leading hole gives no run to check
  const runCheck = (q: number, dir: string): Failure | null => {
    const qb = q * PAGE_SIZE;
    if (q < 0 || qb >= vnp) return { property: name, message: `${who}: vm_pager_has_page(${obj.name}, ${pindex}) reports ${dir} up to page ${q}, which lies outside the file (vnp_size ${vnp})` };
    for (let off = qb; off < Math.min(qb + PAGE_SIZE, vnp); off += DEV_BSIZE) {
      const want = first + (off - base) / DEV_BSIZE;
      const s = fileSector(vp, off);
      if (s !== want)
        return { property: name, message: `${who}: vm_pager_has_page(${obj.name}, ${pindex}) reports ${dir} covering page ${q}, but file offset ${off} is ${s === -1 ? 'a hole' : `at sector ${s}`}, not at sector ${want} where a contiguous read would take it` };
    }
    return null;
  };
  for (let q = pindex - 1; before !== null && q >= pindex - before; q--) {
    const f = runCheck(q, `${before} pages before`);
    if (f) return f;
  }
  for (let q = pindex + 1; after !== null && q <= pindex + after; q++) {
    const f = runCheck(q, `${after} pages after`);
    if (f) return f;
  }
  return null;
}

/**
 * The answer checks as the kernel's Kernel.pagerAnswers: each answer of the
 * pager switch about the scenario's vnode object is checked where its caller
 * receives it, and the first failure per property is recorded.
 */
export function truthAnswers(o: Observed, record: (f: Failure) => void): PagerAnswers {
  const ours = (obj: vm_object): boolean => obj.type === OBJT_VNODE && obj.handle === o.vp;
  const who = (): string => o.k.ctx.threadName(o.k.ctx.tid);
  const note = (f: Failure | null): void => {
    if (f !== null && failuresOf(o, f.property) === null) record(f);
  };
  return {
    getPages(obj, m, rv, rbehind, rahead) {
      if (ours(obj)) note(checkGetpagesAnswer(o, who(), obj, m, rv, rbehind, rahead));
    },
    getPagesDone(obj, m, error) {
      if (ours(obj)) note(checkGetpagesAnswer(o, who(), obj, m, error === 0 ? 'iodone-ok' : 'iodone-error'));
    },
    putPages(obj, before, rtvals, flags) {
      if (ours(obj)) note(checkPutpagesAnswer(o, who(), obj, before, rtvals, flags));
    },
    hasPage(obj, pindex, has, before, after) {
      if (ours(obj)) note(checkHaspageAnswer(o, who(), obj, pindex, has, before, after));
    },
  };
}

/*
 * The object's idea of EOF (vnp_size, and size in pages) at rest against the
 * filesystem's: vnode_create_vobject sizes a new object from VOP_GETATTR,
 * vnode_pager_setsize follows every truncate and extend. A caller that gives
 * vnode_pager_alloc a size of its own (a scenario's alloc.size or
 * create_vobject.isize other than the file's) is taken at its word: no check.
 */
function callerGivesSize(o: Observed): boolean {
  return o.scenario.threads.some((t) => t.ops.some((op) => (op.op === 'alloc' && op.size !== undefined) || (op.op === 'create_vobject' && op.isize !== 0 && op.isize !== o.scenario.file.size)));
}

export function objectSizeIsFileSize(o: Observed): string | null {
  if (callerGivesSize(o)) return null;
  const obj = o.vp.v_object;
  if (obj === null || !liveObjects(o).includes(obj)) return null;
  const size = o.fsSize();
  const vnp = obj.un_pager.vnp.vnp_size;
  if (vnp !== size) return `${obj.name}: vnp_size is ${vnp}, but the file is ${size} bytes`;
  const pages = Math.ceil(vnp / PAGE_SIZE);
  if (obj.size !== pages) return `${obj.name}: size is ${obj.size} pages, but vnp_size ${vnp} takes ${pages}`;
  return null;
}

/*
 * What vnode_create_vobject leaves its caller: VOP_OPEN of a regular file
 * returns with the vnode's object attached (the C asserts it at 152, which
 * a broken path around it would skip). The caller records the object it
 * saw under its vnode lock (impl/callers/vop_open.ts); a reclaim of the
 * scenario may take the object away after that lock is dropped: no check.
 */
export function openAttachesAnObject(o: Observed): string | null {
  if (o.scenario.threads.some((t) => t.ops.some((op) => op.op === 'vgone' || op.op === 'destroy_vobject'))) return null;
  for (const r of o.outcomes) {
    if (r.op.op !== 'create_vobject' || r.result !== 'done') continue;
    if (r.detail?.['object'] === null) return `${r.thread}'s open (op ${r.index}) returned from vnode_create_vobject with no object on ${o.vp.name}`;
    if (r.detail?.['rc'] !== 0) return `${r.thread}'s open (op ${r.index}): vnode_create_vobject returned ${String(r.detail?.['rc'])}, not 0`;
  }
  return null;
}

/* ---- the properties ---- */

export const TRUTH_PROPERTIES: readonly Property[] = [
  {
    name: 'clean-data-is-on-disk',
    statement: 'a valid block of a resident page at rest that is not dirty holds what the disk holds there (zeros in a hole): dirty bits are cleared only for data that reached the disk',
    kind: 'always',
    lines: [...range(1233, 1258), ...range(1323, 1343), ...range(419, 472), ...range(1074, 1138), ...range(835, 847)],
    check: { at: 'step', check: cleanDataIsOnDisk },
  },
  {
    name: 'no-data-lost',
    statement: 'once every thread has finished, each block of the file that is not on disk is held valid and dirty by a resident page of the vnode object, or of the object a forced reclaim disconnected under a mapping (unless a planned write fault kept it off the disk)',
    kind: 'always',
    lines: [...range(419, 472), ...range(1148, 1180), ...range(1192, 1296), ...range(1323, 1343)],
    check: { at: 'end', check: noDataLost },
  },
  {
    name: 'nothing-written-past-eof',
    statement: 'the file size changes only by truncate or extend, no block is allocated wholly past EOF, and the bytes past EOF in the last block stay zero on disk',
    kind: 'always',
    lines: [...range(1233, 1265), ...range(1267, 1276)],
    check: { at: 'step', check: nothingWrittenPastEof },
  },
  {
    name: 'getpages-answer-truthful',
    statement: 'a getpages that reports success (VM_PAGER_OK, or an iodone told no error) leaves every page handed in resident, fully valid and holding the file (zeros past EOF), as are the read-behind/ahead pages it left valid; an error is reported only when a read can have failed',
    kind: 'always',
    lines: [...range(738, 1056), ...range(1074, 1138), ...range(697, 711), ...range(516, 603), ...range(608, 667)],
    check: { at: 'step', check: (o) => failuresOf(o, 'getpages-answer-truthful') },
  },
  {
    name: 'putpages-rtvals-truthful',
    statement: 'a synchronous vm_pager_put_pages (PUT_SYNC, PUT_INVAL) reports VM_PAGER_OK only for pages whose dirty blocks below EOF are on disk; any put reports AGAIN/ERROR only for pages whose unwritten blocks stay dirty, and BAD only for pages wholly past EOF',
    kind: 'always',
    lines: [...range(1148, 1180), ...range(1192, 1296), ...range(1323, 1343)],
    check: { at: 'step', check: (o) => failuresOf(o, 'putpages-rtvals-truthful') },
  },
  {
    name: 'haspage-agrees-with-bmap',
    statement: 'vm_pager_has_page is FALSE only for a page past EOF, of a doomed vnode or wholly in holes, TRUE only for a page with an allocated block, and its before/after pages lie below EOF, contiguous on disk with the page',
    kind: 'always',
    lines: range(310, 380),
    check: { at: 'step', check: (o) => failuresOf(o, 'haspage-agrees-with-bmap') },
  },
  {
    name: 'object-size-is-file-size',
    statement: "once every thread has finished, the vnode's live object has vnp_size equal to the file size and size the pages that size takes: a new object is sized from the file, and every truncate and extend reaches the pager (unless a caller gave its own size)",
    kind: 'always',
    lines: [...range(132, 142), ...range(236, 241), ...range(395, 474)],
    check: { at: 'end', check: objectSizeIsFileSize },
  },
  {
    name: 'open-attaches-an-object',
    statement: 'vnode_create_vobject returns 0 to VOP_OPEN with an object attached to the vnode (unless a reclaim of the scenario may have removed it since)',
    kind: 'always',
    lines: range(110, 155),
    check: { at: 'end', check: openAttachesAnObject },
  },
];
