/*
 * A Scenario + a variant name -> a checker Program<Observed>.
 *
 * setup() builds the world (makeWorld), puts it in the scenario's initial
 * state with the world fixtures (no thread runs for it), records the
 * baseline the end checks return to, and spawns one kernel thread per
 * scenario thread. Each thread runs its operations through the port and the
 * kernel the way the 2017 callers do, with their locks:
 *  - getpages: vm_fault (vm_fault.c): vnode lock shared (vget in
 *    vm_fault_hold), object lock, pip, pages found or allocated and
 *    exclusive-busied, vm_pager_get_pages under the object lock, the pages
 *    unbusied on success and freed on failure;
 *  - getpages_async: sendfile_swapin (kern_sendfile.c): vnode lock shared,
 *    vm_page_grab_pages, valid pages skipped, vm_pager_has_page for the run
 *    length (a hole is zero-filled), vm_pager_get_pages_async with an iodone
 *    that unbusies the pages it is given and records the completion;
 *  - putpages: vm_pageout_clean + vm_pageout_flush (vm_pageout.c): vnode lock
 *    exclusive, a run of dirty valid unbusied pages, sbusy, pip,
 *    vm_pager_put_pages, each page settled by its rtval;
 *  - setsize: the filesystem's truncate/extend (ffs_truncate): the inode's
 *    size and block map change (the partial last block's tail is zeroed on
 *    disk, blocks past EOF freed), then vnode_pager_setsize;
 *  - haspage: vm_pager_has_page under the object lock;
 *  - update_writecount under the exclusive vnode lock (vm_mmap_vnode),
 *    release_writecount with no lock (vm_map_entry_delete's deferred path);
 *  - alloc / deallocate, create_vobject, destroy_vobject, vgone: as the
 *    scenario's parameters say.
 * Departures are stated where they are made.
 */
import type { Ctx, KThread, Op as KOp } from '../checker/op.ts';
import { KernelAssertion } from '../checker/op.ts';
import type { Program } from '../checker/runtime.ts';
import { makeWorld, attachObject, residentPage, type World } from '../impl/kernel/world.ts';
import type { FaultPlan, Kernel } from '../impl/kernel/kernel.ts';
import type { KEvent, Observer } from '../impl/kernel/observe.ts';
import { DEV_BSIZE, PAGE_SIZE, ZERO, zeroRange, slice, type Block } from '../impl/kernel/data.ts';
import { disk_read, disk_write } from '../impl/kernel/disk.ts';
import { vfs_inode } from '../impl/kernel/vfs.ts';
import { LK_EXCLUSIVE, LK_RETRY, LK_SHARED } from '../impl/kernel/sync.ts';
import { vn_lock, VOP_UNLOCK, vgone, type vnode } from '../impl/kernel/vnode.ts';
import { OBJ_DEAD, VM_OBJECT_WLOCK, VM_OBJECT_WUNLOCK, vm_object_deallocate, vm_object_pip_add, vm_object_pip_wakeup, type vm_object } from '../impl/kernel/vm_object.ts';
import {
  VM_ALLOC_NORMAL,
  VM_PAGE_BITS_ALL,
  page_data_touch,
  pmap_remove_write,
  pmap_zero_page,
  vm_page_alloc,
  vm_page_bits,
  vm_page_busied,
  vm_page_busy_sleep,
  vm_page_dirty,
  vm_page_free,
  vm_page_lookup,
  vm_page_sbusy,
  vm_page_sunbusy,
  vm_page_undirty,
  vm_page_xbusy,
  vm_page_xunbusy,
  type vm_page,
} from '../impl/kernel/vm_page.ts';
import {
  VM_PAGER_AGAIN,
  VM_PAGER_BAD,
  VM_PAGER_ERROR,
  VM_PAGER_FAIL,
  VM_PAGER_OK,
  VM_PAGER_PEND,
  vm_pager_get_pages,
  vm_pager_get_pages_async,
  vm_pager_has_page,
  vm_pager_put_pages,
  type Ref,
} from '../impl/kernel/vm_pager.ts';
import {
  vnode_create_vobject,
  vnode_destroy_vobject,
  vnode_pager_alloc,
  vnode_pager_release_writecount,
  vnode_pager_setsize,
  vnode_pager_update_writecount,
} from '../impl/vnode_pager.ts';
import { variantByName } from '../impl/variants.ts';
import { PUT_FLAG_BITS, opText, type Op, type Scenario } from './scenario.ts';
import type { AsyncRequest, Baseline, Observed, OpOutcome, StepNote } from './observed.ts';
import { PROPERTIES } from './properties.ts';

export const RC_NAMES: Readonly<Record<number, string>> = {
  [VM_PAGER_OK]: 'VM_PAGER_OK',
  [VM_PAGER_BAD]: 'VM_PAGER_BAD',
  [VM_PAGER_FAIL]: 'VM_PAGER_FAIL',
  [VM_PAGER_PEND]: 'VM_PAGER_PEND',
  [VM_PAGER_ERROR]: 'VM_PAGER_ERROR',
  [VM_PAGER_AGAIN]: 'VM_PAGER_AGAIN',
};
const rcName = (rc: number): string => RC_NAMES[rc] ?? `rc ${rc}`;

const VM_PROT_ALL = 7;

/** The mutable form of Observed that the program fills. */
class ObservedState implements Observed {
  readonly events: KEvent[] = [];
  readonly steps: StepNote[] = [];
  readonly outcomes: OpOutcome[] = [];
  readonly async: AsyncRequest[] = [];
  readonly attached = new Set<string>();
  readonly discarded: string[] = [];
  readonly failures: { property: string; message: string }[] = [];
  baseline: Baseline | null = null;
  w!: World;
  constructor(
    readonly scenario: Scenario,
    readonly variant: string,
  ) {}
  get k() {
    return this.w.k;
  }
  get vp(): vnode {
    return this.w.vp;
  }
  fileBlock(off: number): Block | null {
    const exp = this.w.expected(this.vp);
    return exp[Math.floor(off / DEV_BSIZE)] ?? null;
  }
  fsSize(): number {
    return this.vp.va_size;
  }
}

export interface ProgramOptions {
  /** Variant of the port (impl/variants.ts); default 'seed'. */
  readonly variant?: string;
  /** Also told every kernel event (e.g. a spec conformance monitor). */
  readonly observer?: Observer;
  /** Called at the end of every execution that finishes without a violation (witness collection). */
  readonly onEnd?: (o: Observed) => void;
  /** Properties to check; default all of PROPERTIES. */
  readonly properties?: readonly string[];
}

/** File pages -> disk sectors (DEV_BSIZE) holding them, holes skipped. */
function pageSectors(w: World, vp: vnode, pages: readonly number[]): number[] {
  const ino = vfs_inode(vp);
  const bsize = w.mount.mnt_stat.f_iosize;
  const out: number[] = [];
  for (const p of pages)
    for (let b = 0; b < PAGE_SIZE / DEV_BSIZE; b++) {
      const off = p * PAGE_SIZE + b * DEV_BSIZE;
      if (off >= vp.va_size) break;
      const addr = ino.blkmap[Math.floor(off / bsize)] ?? -1;
      if (addr !== -1) out.push(addr + (off % bsize) / DEV_BSIZE);
    }
  return out;
}

export function buildProgram(s: Scenario, opts: ProgramOptions = {}): Program<Observed> {
  const variantName = opts.variant ?? 'seed';
  const variant = variantByName(variantName);
  const selected = opts.properties ? PROPERTIES.filter((p) => opts.properties!.includes(p.name)) : PROPERTIES;
  const invariants: { name: string; check(o: Observed): string | null }[] = [];
  const finals: { name: string; check(o: Observed): string | null }[] = [];
  for (const p of selected) {
    const c = p.check;
    if (c.at === 'step') invariants.push({ name: p.name, check: c.check });
    else if (c.at === 'end') finals.push({ name: p.name, check: c.check });
    else if (c.at === 'step+end') {
      invariants.push({ name: p.name, check: c.step });
      finals.push({ name: p.name, check: c.end });
    }
  }
  if (opts.onEnd) {
    const onEnd = opts.onEnd;
    finals.push({
      name: 'witnesses',
      check(o) {
        onEnd(o);
        return null;
      },
    });
  }

  return {
    name: `${s.name}@${variantName}`,
    invariants,
    finals,
    setup(ctx: Ctx): Observed {
      const o = new ObservedState(s, variantName);
      const extra = opts.observer;
      const observer: Observer = {
        emit(e) {
          o.events.push(e);
          if (e.type === 'OBJ_ATTACH') o.attached.add(e.obj);
          else if (e.type === 'OBJ_DISCARD') o.discarded.push(e.obj);
          extra?.emit(e);
        },
      };
      /* Sectors are known only once the layout is made; the plan is filled in place right after. */
      const readErrorSectors: number[] = [];
      const writeErrorSectors: number[] = [];
      const faults: FaultPlan = {
        readErrorSectors,
        writeErrorSectors,
        ...(s.faults.shortWriteBytes !== undefined ? { shortWriteBytes: s.faults.shortWriteBytes } : {}),
        ...(s.faults.pageAllocFail !== undefined ? { pageAllocFail: s.faults.pageAllocFail } : {}),
        ...(s.faults.pbufs !== undefined ? { pbufs: s.faults.pbufs } : {}),
        ...(s.faults.bmapErrorBlocks !== undefined ? { bmapErrorBlocks: s.faults.bmapErrorBlocks } : {}),
      };
      const w = makeWorld(ctx, {
        flavor: s.fs.flavor,
        f_iosize: s.fs.f_iosize,
        fileSize: s.file.size,
        holes: s.file.holes,
        ...(s.file.runs ? { runs: s.file.runs } : {}),
        faults,
        variant,
        observer,
      });
      o.w = w;
      const vp = w.vp;
      readErrorSectors.push(...pageSectors(w, vp, s.faults.readErrorPages));
      writeErrorSectors.push(...pageSectors(w, vp, s.faults.writeErrorPages));

      let mapObj: vm_object | null = null;
      if (s.initial.object) {
        const obj = attachObject(w, vp);
        mapObj = obj;
        for (let i = 0; i < s.initial.mappings; i++) {
          /* vm_object_reference: a reference on a vnode object carries a vnode use reference (vref). */
          obj.ref_count++;
          vp.v_usecount++;
          vp.v_holdcnt++;
          w.k.observer.emit({ type: 'OBJ_REFS', obj: obj.name, refs: obj.ref_count });
        }
        if (s.initial.writeMapped) {
          obj.un_pager.vnp.writemappings = Math.max(PAGE_SIZE, Math.ceil(s.file.size / PAGE_SIZE) * PAGE_SIZE);
          vp.v_writecount++;
          w.k.observer.emit({ type: 'WRITEMAPPINGS', obj: obj.name, writemappings: obj.un_pager.vnp.writemappings });
          w.k.observer.emit({ type: 'WRITECOUNT', vp: vp.name, v_writecount: vp.v_writecount });
        }
        for (const p of s.initial.pages) {
          /* A page read in by an earlier fault is fully valid (vm_pager_get_pages zero-fills the EOF page). */
          const m = residentPage(w, obj, p.pindex, { valid: p.valid ? VM_PAGE_BITS_ALL : 0 });
          if (p.dirty) store(o, obj, m);
        }
      }
      const objRefs = w.k.objects.filter((x) => x.handle === vp).reduce((a, x) => a + x.ref_count, 0);
      const wmContrib = w.k.objects.filter((x) => x.handle === vp && x.un_pager.vnp.writemappings > 0).length;
      o.baseline = {
        usecount: vp.v_usecount - objRefs,
        writecount: vp.v_writecount - wmContrib,
        pbufSync: w.k.vnode_pbuf_freecnt,
        pbufAsync: w.k.vnode_async_pbuf_freecnt,
        runningbufspace: w.k.runningbufspace,
      };

      for (const t of s.threads) {
        const th: ThreadState = { name: t.name, held: [], mapObj };
        ctx.spawn(t.name, () => runThread(o, th, t.ops));
      }
      return o;
    },
  };
}

interface ThreadState {
  readonly name: string;
  /** Object references taken by this thread's `alloc`s, newest last. */
  readonly held: vm_object[];
  /** The object the address space's mappings reference (initial.mappings). */
  readonly mapObj: vm_object | null;
}

function objectOf(th: ThreadState): vm_object | null {
  return th.held[th.held.length - 1] ?? th.mapObj;
}

/** Runs a kernel thread body, noting each of its steps with the events it emitted. */
function* traced<R>(o: ObservedState, opIndex: number, g: KThread<R>): KThread<R> {
  let r = g.next();
  while (!r.done) {
    const op: KOp = r.value;
    yield op;
    const evFrom = o.events.length;
    const tid = o.k.ctx.tid;
    r = g.next();
    // Every step of every execution: fields assigned, not spread.
    const note: { -readonly [K in keyof StepNote]: StepNote[K] } = { tid, kind: op.kind, label: op.label, opIndex, evFrom, evTo: o.events.length };
    if (op.line !== undefined) note.line = op.line;
    if (op.fn !== undefined) note.fn = op.fn;
    o.steps.push(note);
  }
  return r.value;
}

function* runThread(o: ObservedState, th: ThreadState, ops: readonly Op[]): KThread<void> {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const out = yield* traced(o, i, runOp(o, th, op));
    o.outcomes.push({ thread: th.name, index: i, op, result: out.result, ...(out.detail ? { detail: out.detail } : {}) });
  }
}

interface Result {
  result: string;
  detail?: Record<string, unknown>;
}

const done = (detail?: Record<string, unknown>): Result => (detail ? { result: 'done', detail } : { result: 'done' });
const skipped = (why: string): Result => ({ result: `skipped: ${why}` });

function* runOp(o: ObservedState, th: ThreadState, op: Op): KThread<Result> {
  const k = o.k;
  const vp = o.vp;
  switch (op.op) {
    case 'alloc': {
      const at = { fn: 'vm_pager_allocate' };
      if (op.vnodeLock !== 'none') yield* vn_lock(k, vp, (op.vnodeLock === 'shared' ? LK_SHARED : LK_EXCLUSIVE) | LK_RETRY, at);
      const obj = yield* vnode_pager_alloc(k, vp, op.size ?? vp.va_size, VM_PROT_ALL, 0, null);
      if (op.vnodeLock !== 'none') yield* VOP_UNLOCK(k, vp, 0, at);
      if (obj === null) return skipped('vnode_pager_alloc returned NULL');
      th.held.push(obj);
      return done({ object: obj.name });
    }
    case 'deallocate': {
      const obj = th.held.pop();
      if (obj === undefined) return skipped('no reference held');
      yield* vm_object_deallocate(k, obj);
      return done({ object: obj.name });
    }
    case 'create_vobject': {
      const at = { fn: 'VOP_OPEN' };
      yield* vn_lock(k, vp, (op.vnodeLock === 'shared' ? LK_SHARED : LK_EXCLUSIVE) | LK_RETRY, at);
      const r = yield* vnode_create_vobject(k, vp, op.isize, null);
      yield* VOP_UNLOCK(k, vp, 0, at);
      return done({ rc: r, object: vp.v_object?.name ?? null });
    }
    case 'destroy_vobject': {
      const at = { fn: 'VOP_RECLAIM' };
      yield* vn_lock(k, vp, LK_EXCLUSIVE | LK_RETRY, at);
      yield* vnode_destroy_vobject(k, vp);
      yield* VOP_UNLOCK(k, vp, 0, at);
      return done();
    }
    case 'vgone': {
      const at = { fn: 'vgone' };
      yield* vn_lock(k, vp, LK_EXCLUSIVE | LK_RETRY, at);
      yield* vgone(k, vp);
      yield* VOP_UNLOCK(k, vp, 0, at);
      return done();
    }
    case 'setsize': {
      const at = { fn: 'ffs_truncate' };
      if (op.vnodeLock === 'exclusive') yield* vn_lock(k, vp, LK_EXCLUSIVE | LK_RETRY, at);
      yield* fs_resize(o, vp, op.size);
      yield* vnode_pager_setsize(k, vp, op.size);
      if (op.vnodeLock === 'exclusive') yield* VOP_UNLOCK(k, vp, 0, at);
      return done();
    }
    case 'getpages':
      return yield* fault(o, th, op);
    case 'getpages_async':
      return yield* sendfile_swapin(o, th, op);
    case 'dirty': {
      const obj = objectOf(th);
      if (!obj) return skipped('no mapping');
      yield* VM_OBJECT_WLOCK(k, obj, { fn: 'vm_fault' });
      const m = vm_page_lookup(obj, op.pindex);
      let r: Result;
      if (m && m.valid === VM_PAGE_BITS_ALL && !vm_page_busied(m)) {
        store(o, obj, m);
        r = done();
      } else r = skipped(m ? 'page busy or not fully valid' : 'page not resident');
      yield* VM_OBJECT_WUNLOCK(k, obj, { fn: 'vm_fault' });
      return r;
    }
    case 'putpages':
      return yield* pageout(o, th, op);
    case 'haspage': {
      const obj = objectOf(th);
      if (!obj) return skipped('no mapping');
      const at = { fn: 'sendfile_swapin' };
      if (op.vnodeLock === 'shared') yield* vn_lock(k, vp, LK_SHARED | LK_RETRY, at);
      yield* VM_OBJECT_WLOCK(k, obj, at);
      const before: Ref | null = op.before ? { v: 0 } : null;
      const after: Ref | null = op.after ? { v: 0 } : null;
      const has = yield* vm_pager_has_page(k, obj, op.pindex, before, after);
      yield* VM_OBJECT_WUNLOCK(k, obj, at);
      if (op.vnodeLock === 'shared') yield* VOP_UNLOCK(k, vp, 0, at);
      return done({ has, before: before?.v ?? null, after: after?.v ?? null });
    }
    case 'update_writecount': {
      const obj = objectOf(th);
      if (!obj) return skipped('no mapping');
      const at = { fn: 'vm_mmap_vnode' };
      yield* vn_lock(k, vp, LK_EXCLUSIVE | LK_RETRY, at);
      yield* vnode_pager_update_writecount(k, obj, 0, op.bytes);
      yield* VOP_UNLOCK(k, vp, 0, at);
      return done({ typeAfter: obj.type, writemappings: obj.un_pager.vnp.writemappings });
    }
    case 'release_writecount': {
      const obj = objectOf(th);
      if (!obj) return skipped('no mapping');
      yield* vnode_pager_release_writecount(k, obj, 0, op.bytes);
      return done({ typeAfter: obj.type, writemappings: obj.un_pager.vnp.writemappings });
    }
    default: {
      const never: never = op;
      throw new Error(`unknown operation ${JSON.stringify(never)}`);
    }
  }
}

/**
 * A store through a writable mapping into a resident, valid page: the bytes
 * below EOF get new data (recorded by the world as the file's content), and
 * the page is dirty. Bytes past EOF are left alone, as a well-behaved program
 * does. Caller holds the object lock.
 */
function store(o: ObservedState, obj: vm_object, m: vm_page): void {
  const w = o.w;
  const vp = o.vp;
  const limit = Math.min(obj.un_pager.vnp.vnp_size, vp.va_size);
  page_data_touch(w.k, m);
  let any = false;
  for (let j = 0; j < PAGE_SIZE / DEV_BSIZE; j++) {
    const fblock = m.pindex * (PAGE_SIZE / DEV_BSIZE) + j;
    if (fblock * DEV_BSIZE >= limit) break;
    w.newData(vp, fblock);
    m.data[j] = w.expected(vp)[fblock]!;
    any = true;
  }
  if (any) vm_page_dirty(w.k, m);
}

/**
 * The filesystem's size change (ffs_truncate), before it tells the pager:
 * shrinking zeroes the tail of the new last block on disk and frees the
 * blocks past EOF; growing zeroes the old last block's tail (BA_CLRBUF) so
 * the new bytes read as zeros. One step on the inode.
 */
function* fs_resize(o: ObservedState, vp: vnode, nsize: number): KThread<void> {
  const w = o.w;
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

type GetpagesOp = Extract<Op, { op: 'getpages' }>;
type AsyncOp = Extract<Op, { op: 'getpages_async' }>;
type PutOp = Extract<Op, { op: 'putpages' }>;

/** vm_fault's page-in: see the file comment. */
/*
 * Helpers the operations call through arrows, kept at module level: a
 * generator function expression per call gets its own prototype and map,
 * which keep the execution's world alive through young-generation GCs
 * (see getpages_async_observed in impl/vnode_pager.ts).
 */
function* unlockObjectAndVnode(k: Kernel, obj: vm_object, vp: vnode, vnodeLocked: boolean, at: { fn: string }): KThread<void> {
  yield* VM_OBJECT_WUNLOCK(k, obj, at);
  if (vnodeLocked) yield* VOP_UNLOCK(k, vp, 0, at);
}

/** sendfile_iodone: unbusy the pages handed back, note the error. */
function* sendfile_iodone(req: AsyncRequest, k: Kernel, pages: vm_page[], cnt: number, error: number): KThread<void> {
  req.completions++;
  if (error !== 0) req.errors.push(error);
  for (let x = 0; x < cnt; x++) yield* vm_page_xunbusy(k, pages[x]!);
}

function* fault(o: ObservedState, th: ThreadState, op: GetpagesOp): KThread<Result> {
  const k = o.k;
  const vp = o.vp;
  const obj = objectOf(th);
  if (!obj) return skipped('no mapping');
  const at = { fn: 'vm_fault' };
  const locked = op.vnodeLock === 'shared';
  if (locked) yield* vn_lock(k, vp, LK_SHARED | LK_RETRY, at);
  const unlockAll = (): KThread<void> => unlockObjectAndVnode(k, obj, vp, locked, at);
  yield* VM_OBJECT_WLOCK(k, obj, at);
  const ma: vm_page[] = [];
  for (;;) {
    /* vm_fault: a dying object is a protection failure. */
    if ((obj.flags & OBJ_DEAD) !== 0) {
      yield* unlockAll();
      return skipped('object is OBJ_DEAD');
    }
    const first = op.pindex < obj.size ? vm_page_lookup(obj, op.pindex) : null;
    if (first && vm_page_busied(first)) {
      /* Wait for the busy page ("vmpfw") and look again. */
      yield* vm_page_busy_sleep(k, first, 'vmpfw');
      yield* VM_OBJECT_WLOCK(k, obj, at);
      continue;
    }
    break;
  }
  if (op.pindex >= obj.size) {
    yield* unlockAll();
    return skipped(`pindex ${op.pindex} is past the object's ${obj.size} pages`);
  }
  vm_object_pip_add(k, obj, 1);
  for (let i = 0; i < op.count; i++) {
    const pidx = op.pindex + i;
    if (pidx >= obj.size) break;
    let m = vm_page_lookup(obj, pidx);
    if (m) {
      /* A busy or fully valid page ends the run. */
      if (vm_page_busied(m) || m.valid === VM_PAGE_BITS_ALL) break;
      yield* vm_page_xbusy(k, m);
    } else {
      m = yield* vm_page_alloc(k, obj, pidx, VM_ALLOC_NORMAL);
      /* vm_fault would wait for free pages (VM_WAIT) and retry; the scenario stops the run here. */
      if (m === null) break;
    }
    ma.push(m);
  }
  if (ma.length === 0) {
    yield* vm_object_pip_wakeup(k, obj);
    yield* unlockAll();
    return skipped('page resident and valid, or no page could be allocated');
  }
  const rb: Ref = { v: op.rbehind };
  const ra: Ref = { v: op.rahead };
  const rv = yield* vm_pager_get_pages(k, obj, ma, ma.length, rb, ra);
  if (rv === VM_PAGER_OK) {
    for (const m of ma) yield* vm_page_xunbusy(k, m);
  } else {
    /*
     * vm_fault frees the busy page on VM_PAGER_ERROR / BAD; on
     * VM_PAGER_FAIL (the dead pager) it would zero-fill the page of the
     * top-level object. The model frees the pages in every case.
     */
    for (const m of ma) if (m.object === obj) vm_page_free(k, m);
  }
  yield* vm_object_pip_wakeup(k, obj);
  yield* unlockAll();
  return { result: rcName(rv), detail: { count: ma.length, rbehind: rb.v, rahead: ra.v } };
}

/** sendfile_swapin: see the file comment. */
function* sendfile_swapin(o: ObservedState, th: ThreadState, op: AsyncOp): KThread<Result> {
  const k = o.k;
  const vp = o.vp;
  const obj = objectOf(th);
  if (!obj) return skipped('no mapping');
  const at = { fn: 'sendfile_swapin' };
  yield* vn_lock(k, vp, LK_SHARED | LK_RETRY, at);
  /* sendfile_getobj: VOP_GETATTR's size, EBADF on a dying object. */
  const objSize = vp.va_size;
  yield* VM_OBJECT_WLOCK(k, obj, at);
  const unlockAll = (): KThread<void> => unlockObjectAndVnode(k, obj, vp, true, at);
  if ((obj.flags & OBJ_DEAD) !== 0) {
    yield* unlockAll();
    return skipped('object is OBJ_DEAD (EBADF)');
  }
  const npagesWanted = Math.min(op.count, Math.max(0, Math.ceil(objSize / PAGE_SIZE) - op.pindex));
  /* vm_page_grab_pages: each page found (waiting while busy, "pgrbwt") or allocated, exclusive-busied. */
  const pa: vm_page[] = [];
  for (let i = 0; i < npagesWanted; ) {
    const pidx = op.pindex + i;
    const m = vm_page_lookup(obj, pidx);
    if (m) {
      if (vm_page_busied(m)) {
        yield* vm_page_busy_sleep(k, m, 'pgrbwt');
        yield* VM_OBJECT_WLOCK(k, obj, at);
        continue;
      }
      yield* vm_page_xbusy(k, m);
      pa.push(m);
    } else {
      const n = yield* vm_page_alloc(k, obj, pidx, VM_ALLOC_NORMAL);
      if (n === null) break;
      pa.push(n);
    }
    i++;
  }
  const validFor = (m: vm_page): boolean => {
    const xf = Math.min(PAGE_SIZE, objSize - m.pindex * PAGE_SIZE);
    if (xf <= 0) return true;
    const bits = vm_page_bits(0, xf);
    return (m.valid & bits) === bits;
  };
  const npages = pa.length;
  const reqs: number[] = [];
  for (let i = 0; i < npages; ) {
    const m = pa[i]!;
    if (validFor(m)) {
      yield* vm_page_xunbusy(k, m);
      i++;
      continue;
    }
    const a: Ref = { v: 0 };
    const has = yield* vm_pager_has_page(k, obj, m.pindex, null, a);
    if (!has) {
      pmap_zero_page(k, m);
      m.valid = VM_PAGE_BITS_ALL;
      yield* vm_page_xunbusy(k, m);
      i++;
      continue;
    }
    let count = Math.min(a.v + 1, npages - i);
    for (let j = i + count - 1; j > i && validFor(pa[j]!); j--) count--;
    /* A valid page inside the run would become bogus_page, which the model leaves out: the run ends before it. */
    for (let j = i + 1; j < i + count; j++)
      if (validFor(pa[j]!)) {
        count = j - i;
        break;
      }
    const req: AsyncRequest = { id: o.async.length + 1, thread: th.name, returned: null, completions: 0, errors: [] };
    o.async.push(req);
    const last = i + count === npages;
    const ra: Ref | null = last ? { v: op.rahead } : null;
    const rb: Ref | null = op.rbehind > 0 ? { v: op.rbehind } : null;
    const iodone = (kk: typeof k, _arg: unknown, pages: vm_page[], cnt: number, error: number): KThread<void> => sendfile_iodone(req, kk, pages, cnt, error);
    const rv = yield* vm_pager_get_pages_async(k, obj, pa.slice(i, i + count), count, rb, ra, iodone, req);
    req.returned = rv;
    reqs.push(rv);
    if (rv !== VM_PAGER_OK) throw new KernelAssertion('KASSERT', 'sendfile_swapin', `sendfile_swapin: pager fail obj ${obj.name} page ${m.name}`);
    i += count;
  }
  yield* unlockAll();
  return done({ pages: npages, requests: reqs.map(rcName) });
}

/** vm_pageout_clean + vm_pageout_flush: see the file comment. */
function* pageout(o: ObservedState, th: ThreadState, op: PutOp): KThread<Result> {
  const k = o.k;
  const vp = o.vp;
  const w = o.w;
  const obj = objectOf(th);
  if (!obj) return skipped('no mapping');
  const at = { fn: 'vm_pageout_flush' };
  const locked = op.vnodeLock === 'exclusive';
  if (locked) yield* vn_lock(k, vp, LK_EXCLUSIVE | LK_RETRY, at);
  yield* VM_OBJECT_WLOCK(k, obj, at);
  const ma: vm_page[] = [];
  for (let i = 0; i < op.count; i++) {
    const m = vm_page_lookup(obj, op.pindex + i);
    if (!m || vm_page_busied(m) || m.valid !== VM_PAGE_BITS_ALL) break;
    if (op.dirty) store(o, obj, m);
    /* The laundry run holds dirty pages only. */
    if (m.dirty === 0) break;
    ma.push(m);
  }
  if (ma.length === 0) {
    yield* VM_OBJECT_WUNLOCK(k, obj, at);
    if (locked) yield* VOP_UNLOCK(k, vp, 0, at);
    return skipped('no dirty valid unbusied page');
  }
  const count = ma.length;
  const snapshot = ma.map((m) => ({ m, dirty: m.dirty, data: m.data.slice() }));
  for (const m of ma) pmap_remove_write(k, m);
  for (const m of ma) yield* vm_page_sbusy(k, m);
  vm_object_pip_add(k, obj, count);
  const rtvals: number[] = Array.from({ length: count }, () => VM_PAGER_ERROR);
  const flags = op.flags.reduce((a, f) => a | PUT_FLAG_BITS[f], 0);
  yield* vm_pager_put_pages(k, obj, ma, count, flags, rtvals);

  /* No lost write: each page reported written has its data on disk, or is still dirty. */
  const ino = vfs_inode(vp);
  const bsize = w.mount.mnt_stat.f_iosize;
  const limit = Math.min(obj.un_pager.vnp.vnp_size, vp.va_size);
  for (let i = 0; i < count && o.failures.length === 0; i++) {
    if (rtvals[i] !== VM_PAGER_OK) continue;
    const snap = snapshot[i]!;
    const m = snap.m;
    for (let j = 0; j < PAGE_SIZE / DEV_BSIZE; j++) {
      if ((snap.dirty & (1 << j)) === 0) continue;
      const off = m.pindex * PAGE_SIZE + j * DEV_BSIZE;
      if (off >= limit) continue;
      if (m.object === obj && (m.dirty & (1 << j)) !== 0) continue;
      const want = w.expected(vp)[off / DEV_BSIZE];
      if (want === undefined) continue;
      const addr = ino.blkmap[Math.floor(off / bsize)] ?? -1;
      const to = Math.min(DEV_BSIZE, limit - off);
      const onDisk = addr === -1 ? null : disk_read(ino.d, addr + (off % bsize) / DEV_BSIZE);
      if (onDisk === null || slice(onDisk, 0, to) !== slice(want, 0, to)) {
        o.failures.push({
          property: 'no-lost-writes',
          message: `${th.name}: vm_pager_put_pages reported ${m.name} written (VM_PAGER_OK), but file block ${off / DEV_BSIZE} (offset ${off}) holds ${onDisk === null ? 'no disk block (a hole)' : slice(onDisk, 0, to)} on disk where the file has ${slice(want, 0, to)}, and the page is clean`,
        });
        break;
      }
    }
  }

  /* vm_pageout_flush's settling of each page. */
  for (let i = 0; i < count; i++) {
    const m = ma[i]!;
    const st = rtvals[i]!;
    if (st === VM_PAGER_BAD) vm_page_undirty(k, m);
    if (st !== VM_PAGER_PEND) {
      yield* vm_object_pip_wakeup(k, obj);
      yield* vm_page_sunbusy(k, m);
    }
  }
  yield* VM_OBJECT_WUNLOCK(k, obj, at);
  if (locked) yield* VOP_UNLOCK(k, vp, 0, at);
  return { result: rtvals.every((r) => r === VM_PAGER_OK) ? 'VM_PAGER_OK' : rtvals.map(rcName).join(','), detail: { rtvals: rtvals.map(rcName), count } };
}

/** A readable one-line list of a scenario's threads. */
export function scenarioText(s: Scenario): string {
  return s.threads.map((t) => `${t.name}: ${t.ops.map(opText).join('; ')}`).join(' | ');
}


