/*
 * A world: the kernel, one disk, one mount of a chosen flavour and the files
 * on it, each a vnode referenced once (v_usecount 1, v_holdcnt 1), plus the
 * file contents the scenario expects per DEV_BSIZE block, so properties can
 * compare pages and disk with the file.
 *
 * Layout: file data start at sector 64; the logical blocks of a file are
 * laid out one after the other, except that `runs` splits them into extents
 * of the given lengths (in f_iosize blocks) with a one-block gap between
 * extents, so VOP_BMAP's runs end there; `holes` are logical blocks with no
 * address (-1). For each hole a block is kept aside after all file data:
 * a write into the hole allocates it. Every sector first reads "d<sector>.0",
 * except that the bytes past EOF in the file's last block are zero on disk
 * (as FFS keeps them); the expected content of a file block is its sector's
 * token, "Z" in a hole, and zeros past EOF.
 *
 * The fixtures attachObject and residentPage build, without running any
 * thread, the state a scenario wants to start from: the VM object as
 * vnode_create_vobject leaves it (ref_count 0, vp->v_object set), and
 * resident pages with chosen valid/dirty/busy state.
 */
import type { Ctx, KThread } from '../../checker/op.ts';
import { firstRunnable, runExecution, type ExecutionResult, type Scheduler } from '../../checker/runtime.ts';
import { DEV_BSIZE, PAGE_SIZE, ZERO, zeroRange, type Block } from './data.ts';
import { disk } from './disk.ts';
import { Kernel, type FaultPlan } from './kernel.ts';
import type { Observer } from './observe.ts';
import type { Variant } from '../variants.ts';
import { MNTK_UNMAPPED_BUFS, mount, vfs_attach_inode, type FsFlavor, type inode } from './vfs.ts';
import { VI_ACTIVE, vnode } from './vnode.ts';
import { OBJT_VNODE, vm_object } from './vm_object.ts';
import { VPB_BIT_EXCLUSIVE, VPB_ONE_SHARER, VPB_UNBUSIED, vm_page } from './vm_page.ts';

export interface FileSpec {
  /** File size in bytes (va_size). */
  readonly size: number;
  /** Logical blocks (f_iosize units) that are holes. */
  readonly holes?: readonly number[];
  /** Lengths, in blocks, of the contiguous extents the file's blocks are split into; the rest forms one last extent. */
  readonly runs?: readonly number[];
}

export interface WorldOptions {
  readonly flavor: FsFlavor;
  readonly f_iosize: number;
  /** The single file's size, when `files` is not given. */
  readonly fileSize?: number;
  readonly holes?: readonly number[];
  readonly runs?: readonly number[];
  /** Several files (vp1, vp2, ...); replaces fileSize/holes/runs. */
  readonly files?: readonly FileSpec[];
  readonly faults?: FaultPlan;
  readonly variant?: Variant;
  readonly observer?: Observer;
  readonly freePages?: number;
  /** MNTK_UNMAPPED_BUFS on the mount (FFS sets it); default true. */
  readonly unmappedBufs?: boolean;
  readonly mnt_iosize_max?: number;
}

export interface FileState {
  readonly vp: vnode;
  readonly ino: inode;
  /** Expected contents per DEV_BSIZE block of the file, up to EOF. */
  readonly expected: Block[];
  /** Write generation handed out per sector by newData. */
  readonly gen: Map<number, number>;
}

export const FIRST_DATA_SECTOR = 64;

const ACCEPTED: Record<FsFlavor, readonly number[]> = {
  block: [4096, 8192, 16384, 32768, 65536],
  small: [512, 1024, 2048],
  nobmap: [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536],
};

export class World {
  readonly files: FileState[] = [];
  constructor(
    readonly k: Kernel,
    readonly disk: disk,
    readonly mount: mount,
  ) {}
  /** The first file's vnode. */
  get vp(): vnode {
    return this.files[0]!.vp;
  }
  get vnodes(): vnode[] {
    return this.files.map((f) => f.vp);
  }
  file(vp: vnode): FileState {
    const f = this.files.find((x) => x.vp === vp);
    if (!f) throw new Error(`world: ${vp.name} is not a file of this world`);
    return f;
  }
  /** Expected contents of vp per DEV_BSIZE block, up to EOF. */
  expected(vp: vnode): readonly Block[] {
    return this.file(vp).expected;
  }
  /**
   * New data for DEV_BSIZE block `fblock` of vp, as a user write through a
   * mapping would put into the page: a fresh token "d<sector>.<gen>" of the
   * sector the block lives in (or will, for a hole), recorded as expected.
   */
  newData(vp: vnode, fblock: number): Block {
    const f = this.file(vp);
    const bsize = this.mount.mnt_stat.f_iosize;
    const lbn = Math.floor((fblock * DEV_BSIZE) / bsize);
    const addr = f.ino.blkmap[lbn] ?? -1;
    const base = addr !== -1 ? addr : f.ino.reserve.get(lbn);
    if (base === undefined) throw new Error(`world: block ${fblock} of ${vp.name} is past its last block`);
    const s = base + ((fblock * DEV_BSIZE) % bsize) / DEV_BSIZE;
    const g = (f.gen.get(s) ?? 0) + 1;
    f.gen.set(s, g);
    const tok = `d${s}.${g}`;
    const tail = vp.va_size - fblock * DEV_BSIZE;
    if (fblock < f.expected.length) f.expected[fblock] = tail < DEV_BSIZE ? zeroRange(tok, tail, DEV_BSIZE) : tok;
    return tok;
  }
}

/** Builds the world; ctx is the Program's setup context. Bad options give a one-line error. */
export function makeWorld(ctx: Ctx, opts: WorldOptions): World {
  const { flavor, f_iosize } = opts;
  if (!(flavor in ACCEPTED)) throw new Error(`makeWorld: unknown flavor "${String(flavor)}"; accepted: block, small, nobmap`);
  if (!ACCEPTED[flavor].includes(f_iosize)) throw new Error(`makeWorld: f_iosize ${f_iosize} is not accepted for flavor '${flavor}'; accepted: ${ACCEPTED[flavor].join(', ')}`);
  const specs: readonly FileSpec[] = opts.files ?? [{ size: opts.fileSize ?? f_iosize * 4, ...(opts.holes ? { holes: opts.holes } : {}), ...(opts.runs ? { runs: opts.runs } : {}) }];
  if (specs.length === 0) throw new Error('makeWorld: files is empty; give at least one file');
  for (const s of specs) {
    if (!Number.isInteger(s.size) || s.size < 0) throw new Error(`makeWorld: file size ${s.size} must be a non-negative integer`);
    for (const r of s.runs ?? []) if (!Number.isInteger(r) || r <= 0) throw new Error(`makeWorld: run length ${r} must be a positive integer`);
  }

  const k = new Kernel(ctx, {
    ...(opts.variant ? { variant: opts.variant } : {}),
    ...(opts.observer ? { observer: opts.observer } : {}),
    ...(opts.faults ? { faults: opts.faults } : {}),
    ...(opts.freePages !== undefined ? { freePages: opts.freePages } : {}),
  });
  const d = new disk('da0');
  k.disks.push(d);
  const mp = new mount('mnt1', flavor, f_iosize);
  if (opts.unmappedBufs ?? true) mp.mnt_kern_flag |= MNTK_UNMAPPED_BUFS;
  if (opts.mnt_iosize_max !== undefined) mp.mnt_iosize_max = opts.mnt_iosize_max;
  const w = new World(k, d, mp);
  const spb = f_iosize / DEV_BSIZE;

  let next = FIRST_DATA_SECTOR;
  const pending: { vp: vnode; ino: inode; holes: number[] }[] = [];
  for (const s of specs) {
    const nblocks = Math.ceil(s.size / f_iosize);
    const holes = new Set(s.holes ?? []);
    for (const h of holes) if (!Number.isInteger(h) || h < 0 || h >= nblocks) throw new Error(`makeWorld: hole ${h} is not a block of a ${s.size}-byte file (blocks 0-${nblocks - 1})`);
    const runs = s.runs ?? [];
    const blkmap: number[] = [];
    let ri = 0;
    let inRun = 0;
    for (let lbn = 0; lbn < nblocks; lbn++) {
      if (ri < runs.length && inRun === runs[ri]) {
        next += spb; // the gap that ends the extent
        ri++;
        inRun = 0;
      }
      inRun++;
      if (holes.has(lbn)) blkmap.push(-1);
      else {
        blkmap.push(next);
        next += spb;
      }
    }
    next += spb; // keep files apart
    const vp = new vnode(k, k.newName('vp'), mp, s.size);
    vp.v_usecount = 1;
    vp.v_holdcnt = 1;
    vp.v_iflag = VI_ACTIVE;
    k.vnodes.push(vp);
    const ino: inode = { d, blkmap, reserve: new Map() };
    vfs_attach_inode(vp, ino);
    pending.push({ vp, ino, holes: [...holes].sort((a, b) => a - b) });
  }
  for (const p of pending) {
    for (const h of p.holes) {
      p.ino.reserve.set(h, next);
      next += spb;
    }
  }
  d.nextFree = next;

  for (const p of pending) {
    const size = p.vp.va_size;
    const nb = Math.ceil(size / DEV_BSIZE);
    const expected: Block[] = [];
    for (let b = 0; b < nb; b++) {
      const lbn = Math.floor((b * DEV_BSIZE) / f_iosize);
      const addr = p.ino.blkmap[lbn]!;
      let tok: Block = addr === -1 ? ZERO : `d${addr + ((b * DEV_BSIZE) % f_iosize) / DEV_BSIZE}.0`;
      const tail = size - b * DEV_BSIZE;
      if (tail < DEV_BSIZE) tok = zeroRange(tok, tail, DEV_BSIZE);
      expected.push(tok);
    }
    /* FFS keeps the bytes past EOF in the last block zero on disk. */
    const lastLbn = Math.ceil(size / f_iosize) - 1;
    const addr = lastLbn >= 0 ? p.ino.blkmap[lastLbn]! : -1;
    if (addr !== -1) {
      for (let s = 0; s < spb; s++) {
        const from = lastLbn * f_iosize + s * DEV_BSIZE;
        if (from + DEV_BSIZE <= size) continue;
        d.sectors.set(addr + s, from >= size ? ZERO : zeroRange(`d${addr + s}.0`, size - from, DEV_BSIZE));
      }
    }
    w.files.push({ vp: p.vp, ino: p.ino, expected, gen: new Map() });
  }
  return w;
}

/* ---- fixtures ---- */

/**
 * The vnode's VM object as vnode_create_vobject leaves it: OBJT_VNODE, size
 * in pages covering va_size, vnp_size = va_size, handle = vp, ref_count 0
 * (the creation reference was dropped), vp->v_object set.
 */
export function attachObject(w: World, vp: vnode): vm_object {
  const k = w.k;
  const size = vp.va_size;
  const obj = new vm_object(k, k.newName('obj'), OBJT_VNODE, Math.ceil(size / PAGE_SIZE));
  obj.un_pager.vnp.vnp_size = size;
  obj.handle = vp;
  obj.ref_count = 0;
  vp.v_object = obj;
  k.objects.push(obj);
  k.observer.emit({ type: 'OBJ_ALLOCATE', obj: obj.name, vp: vp.name, size: obj.size });
  k.observer.emit({ type: 'OBJ_ATTACH', obj: obj.name, vp: vp.name });
  k.observer.emit({ type: 'OBJ_REFS', obj: obj.name, refs: 0 });
  return obj;
}

export interface PageInit {
  readonly valid?: number;
  readonly dirty?: number;
  /** 'x': exclusive busy (as vm_fault hands pages to getpages); 's': one sharer (as putpages gets them). Default: unbusied. */
  readonly busy?: 'x' | 's' | 'none';
  readonly mapped?: boolean;
  readonly writeMapped?: boolean;
}

/**
 * A resident page of obj at pindex, inserted as vm_page_alloc would, whose
 * valid blocks hold the file's expected contents (zeros past EOF) and whose
 * invalid blocks hold the frame's garbage.
 */
export function residentPage(w: World, obj: vm_object, pindex: number, init: PageInit = {}): vm_page {
  const k = w.k;
  if (obj.memq.some((p) => p.pindex === pindex)) throw new Error(`residentPage: ${obj.name} already has a page at ${pindex}`);
  const m = new vm_page(k, obj, pindex, k.nextPhys++);
  k.vm_cnt.v_free_count--;
  const valid = init.valid ?? 0;
  const vp = obj.handle;
  const exp = vp ? w.expected(vp) : [];
  for (let i = 0; i < PAGE_SIZE / DEV_BSIZE; i++) if ((valid & (1 << i)) !== 0) m.data[i] = exp[pindex * 8 + i] ?? ZERO;
  let i = 0;
  while (i < obj.memq.length && obj.memq[i]!.pindex < pindex) i++;
  obj.memq.splice(i, 0, m);
  if (obj.memq.length === 1 && vp) vp.v_holdcnt++;
  m.busy_lock = init.busy === 'x' ? VPB_BIT_EXCLUSIVE : init.busy === 's' ? VPB_UNBUSIED + VPB_ONE_SHARER : VPB_UNBUSIED;
  if (init.mapped || init.writeMapped) m.mapped = 1;
  if (init.writeMapped) m.aflags |= 0x01;
  k.observer.emit({ type: 'PAGE_INSERT', obj: obj.name, pindex });
  m.valid = valid;
  m.dirty = init.dirty ?? 0;
  return m;
}

/**
 * Runs threads in a fresh world under a scheduler (first-runnable by
 * default): setup builds the starting state, each thread body gets the world.
 */
export function runWorld(
  opts: WorldOptions,
  setup: (w: World) => void,
  threads: Readonly<Record<string, (w: World) => KThread>>,
  sched: Scheduler = firstRunnable,
  maxSteps = 10_000,
): ExecutionResult<World> {
  return runExecution(
    {
      name: 'world',
      setup(ctx) {
        const w = makeWorld(ctx, opts);
        setup(w);
        for (const [name, body] of Object.entries(threads)) ctx.spawn(name, () => body(w));
        return w;
      },
    },
    sched,
    { maxSteps },
  );
}
