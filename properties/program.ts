/*
 * A Scenario + a variant name -> a checker Program<Observed>.
 *
 * setup() builds the world (makeWorld), puts it in the scenario's initial
 * state with the world fixtures (no thread runs for it), records the
 * baseline the end checks return to, and spawns one kernel thread per
 * scenario thread. Each thread runs its operations through the callers of
 * impl/callers/ (one file per 2017 kernel routine, each saying what it keeps
 * and leaves out and the locks it holds):
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
 * This file keeps what belongs to the scenario: the initial state, the
 * thread's held references, step notes, and the check that a page reported
 * written is on disk (no-lost-writes, at vm_pageout_clean's afterPut).
 */
import type { Ctx, KThread, Op as KOp } from '../checker/op.ts';
import type { Monitor, Program } from '../checker/runtime.ts';
import { makeWorld, attachObject, residentPage, type World } from '../impl/kernel/world.ts';
import type { FaultPlan } from '../impl/kernel/kernel.ts';
import type { KEvent, Observer } from '../impl/kernel/observe.ts';
import { DEV_BSIZE, PAGE_SIZE, isZero, slice, type Block } from '../impl/kernel/data.ts';
import { disk_read } from '../impl/kernel/disk.ts';
import { vfs_inode } from '../impl/kernel/vfs.ts';
import type { vnode } from '../impl/kernel/vnode.ts';
import type { vm_object } from '../impl/kernel/vm_object.ts';
import { VM_PAGE_BITS_ALL } from '../impl/kernel/vm_page.ts';
import { VM_PAGER_OK } from '../impl/kernel/vm_pager.ts';
import { skipped, type CallerResult } from '../impl/callers/result.ts';
import { store, vm_fault_dirty } from '../impl/callers/store.ts';
import { ffs_truncate } from '../impl/callers/ffs_truncate.ts';
import { vm_fault_getpages } from '../impl/callers/vm_fault.ts';
import { sendfile_has_page, sendfile_swapin } from '../impl/callers/sendfile.ts';
import { vm_pageout_clean, type PutSnapshot } from '../impl/callers/vm_pageout.ts';
import { vm_pager_allocate } from '../impl/callers/vm_pager_allocate.ts';
import { vm_map_entry_deallocate, vm_map_process_deferred } from '../impl/callers/vm_map.ts';
import { vm_mmap_vnode } from '../impl/callers/vm_mmap.ts';
import { ufs_open } from '../impl/callers/vop_open.ts';
import { ufs_reclaim } from '../impl/callers/vop_reclaim.ts';
import { vgone_locked } from '../impl/callers/vgone.ts';
import { variantByName } from '../impl/variants.ts';
import { PUT_FLAG_BITS, opText, type Op, type Scenario } from './scenario.ts';
import type { AsyncRequest, Baseline, Observed, OpOutcome, StepNote } from './observed.ts';
import { PROPERTIES } from './properties.ts';
import { fileSector, truthAnswers } from './truth.ts';
import { classifyCrash } from './crash.ts';

export { RC_NAMES } from '../impl/callers/result.ts';

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
  /** Monitors the program carries (checker/runtime.ts Monitor): the spec in lock-step, witness collection. */
  readonly monitors?: readonly Monitor<Observed>[];
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
  return {
    name: `${s.name}@${variantName}`,
    invariants,
    finals,
    /* A TypeError or RangeError of a kernel thread is a panic of the kernel, not a harness error (properties/crash.ts). */
    classifyThrown: classifyCrash,
    ...(opts.monitors && opts.monitors.length > 0 ? { monitors: opts.monitors } : {}),
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
        ...(s.faults.noSpace !== undefined ? { noSpace: s.faults.noSpace } : {}),
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
      /* The pager's answers are checked against the disk where their callers get them (properties/truth.ts). */
      w.k.pagerAnswers = truthAnswers(o, (f) => o.failures.push(f));
      const vp = w.vp;
      readErrorSectors.push(...pageSectors(w, vp, s.faults.readErrorPages));
      writeErrorSectors.push(...pageSectors(w, vp, s.faults.writeErrorPages));
      /* Single bad sectors, by file block; a block in a hole has no sector. */
      for (const b of s.faults.readErrorBlocks ?? []) if (fileSector(vp, b * DEV_BSIZE) !== -1) readErrorSectors.push(fileSector(vp, b * DEV_BSIZE));
      for (const b of s.faults.writeErrorBlocks ?? []) if (fileSector(vp, b * DEV_BSIZE) !== -1) writeErrorSectors.push(fileSector(vp, b * DEV_BSIZE));

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
          const m = residentPage(w, obj, p.pindex, { valid: p.valid ? (p.validMask ?? VM_PAGE_BITS_ALL) : 0 });
          if (p.dirty) store(w, vp, obj, m);
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

type Result = CallerResult;

function* runOp(o: ObservedState, th: ThreadState, op: Op): KThread<Result> {
  const k = o.k;
  const vp = o.vp;
  switch (op.op) {
    case 'alloc':
      return yield* vm_pager_allocate(k, vp, op.size, op.vnodeLock, th.held);
    case 'deallocate': {
      const obj = th.held.pop();
      if (obj === undefined) return skipped('no reference held');
      return yield* vm_map_entry_deallocate(k, obj);
    }
    case 'create_vobject':
      return yield* ufs_open(k, vp, op.isize, op.vnodeLock);
    case 'destroy_vobject':
      return yield* ufs_reclaim(k, vp);
    case 'vgone':
      return yield* vgone_locked(k, vp);
    case 'setsize':
      return yield* ffs_truncate(o.w, vp, op.size, op.vnodeLock);
    case 'getpages': {
      const obj = objectOf(th);
      if (!obj) return skipped('no mapping');
      return yield* vm_fault_getpages(k, vp, obj, op);
    }
    case 'getpages_async': {
      const obj = objectOf(th);
      if (!obj) return skipped('no mapping');
      return yield* sendfile_swapin(k, vp, obj, op, () => newAsyncRequest(o, th));
    }
    case 'dirty': {
      const obj = objectOf(th);
      if (!obj) return skipped('no mapping');
      return yield* vm_fault_dirty(o.w, vp, obj, op.pindex);
    }
    case 'putpages': {
      const obj = objectOf(th);
      if (!obj) return skipped('no mapping');
      const flags = op.flags.reduce((a, f) => a | PUT_FLAG_BITS[f], 0);
      return yield* vm_pageout_clean(o.w, vp, obj, { pindex: op.pindex, count: op.count, flags, dirty: op.dirty, vnodeLock: op.vnodeLock }, (ob, snapshot, rtvals) => checkPutWritten(o, th, ob, snapshot, rtvals));
    }
    case 'haspage': {
      const obj = objectOf(th);
      if (!obj) return skipped('no mapping');
      return yield* sendfile_has_page(k, vp, obj, op);
    }
    case 'update_writecount': {
      const obj = objectOf(th);
      if (!obj) return skipped('no mapping');
      return yield* vm_mmap_vnode(k, vp, obj, op.bytes);
    }
    case 'release_writecount': {
      const obj = objectOf(th);
      if (!obj) return skipped('no mapping');
      return yield* vm_map_process_deferred(k, obj, op.bytes);
    }
    default: {
      const never: never = op;
      throw new Error(`unknown operation ${JSON.stringify(never)}`);
    }
  }
}

/** sendfile_swapin's request record, made when it calls the pager. */
function newAsyncRequest(o: ObservedState, th: ThreadState): AsyncRequest {
  const req: AsyncRequest = { id: o.async.length + 1, thread: th.name, returned: null, completions: 0, errors: [] };
  o.async.push(req);
  return req;
}

/** No lost write: each page reported written has its data on disk, or is still dirty. */
function checkPutWritten(o: ObservedState, th: ThreadState, obj: vm_object, snapshot: readonly PutSnapshot[], rtvals: readonly number[]): void {
  const w = o.w;
  const vp = o.vp;
  const count = snapshot.length;
  const ino = vfs_inode(vp);
  const bsize = w.mount.mnt_stat.f_iosize;
  const limit = Math.min(obj.un_pager.vnp.vnp_size, vp.va_size);
  for (let i = 0; i < count && !o.failures.some((f) => f.property === 'no-lost-writes'); i++) {
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
      /* A hole reads as zeros: file data that is all zeros (a file extended by truncation) is not lost in one. */
      if (onDisk === null ? !isZero(want, 0, to) : slice(onDisk, 0, to) !== slice(want, 0, to)) {
        o.failures.push({
          property: 'no-lost-writes',
          message: `${th.name}: vm_pager_put_pages reported ${m.name} written (VM_PAGER_OK), but file block ${off / DEV_BSIZE} (offset ${off}) holds ${onDisk === null ? 'no disk block (a hole)' : slice(onDisk, 0, to)} on disk where the file has ${slice(want, 0, to)}, and the page is clean`,
        });
        break;
      }
    }
  }
}

/** A readable one-line list of a scenario's threads. */
export function scenarioText(s: Scenario): string {
  return s.threads.map((t) => `${t.name}: ${t.ops.map(opText).join('; ')}`).join(' | ');
}


