/*
 * The named properties of the vnode pager. Each has a one-line statement, a
 * kind ('always': must hold in every execution; 'sometimes': a witness that a
 * situation is reachable, so a scenario that never reaches it is vacuous for
 * it), the seed lines it guards, and how it is checked:
 *  - 'step': after every step of an execution;
 *  - 'end': once every thread has finished;
 *  - 'checker': reported by the runtime itself (KernelAssertion, deadlock,
 *    step bound);
 *  - 'witness': a predicate over a finished execution.
 *
 * Checks that need a quiescent view (page data, page validity) look only at
 * objects whose lock is free and at pages nobody has busied: a busy page or a
 * locked object is in the middle of a change the kernel protects.
 */
import type { Violation } from '../checker/runtime.ts';
import { OBJT_VNODE, OBJT_DEAD, type vm_object } from '../impl/kernel/vm_object.ts';
import { VPB_UNBUSIED, type vm_page } from '../impl/kernel/vm_page.ts';
import { DEV_BSIZE, PAGE_SIZE, isZero, sameBytes, slice } from '../impl/kernel/data.ts';
import type { Observed, StepNote } from './observed.ts';
import type { vnode } from '../impl/kernel/vnode.ts';
import { TRUTH_PROPERTIES } from './truth.ts';

export type PropertyKind = 'always' | 'sometimes';

export type Check =
  | { readonly at: 'step'; check(o: Observed): string | null }
  | { readonly at: 'end'; check(o: Observed): string | null }
  | { readonly at: 'step+end'; step(o: Observed): string | null; end(o: Observed): string | null }
  | { readonly at: 'checker'; readonly violations: readonly Violation['kind'][] }
  | { readonly at: 'witness'; reached(o: Observed): boolean };

export interface Property {
  readonly name: string;
  readonly statement: string;
  readonly kind: PropertyKind;
  /** Seed lines (vnode_pager.c.txt) the property guards. */
  readonly lines: readonly number[];
  readonly check: Check;
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

function busied(m: vm_page): boolean {
  return m.busy_lock !== VPB_UNBUSIED;
}

/** A vnode object of vp that has been attached and not destroyed. */
function isLiveOf(o: Observed, obj: vm_object, vp: vnode): boolean {
  return !obj.destroyed && obj.type === OBJT_VNODE && obj.handle === vp && o.attached.has(obj.name);
}

/** Live objects of the scenario's file that nobody holds locked: their pages and sizes are at rest. */
function quiescent(o: Observed): vm_object[] {
  const out: vm_object[] = [];
  for (const obj of o.k.objects) if (isLiveOf(o, obj, o.vp) && obj.lock.wowner === null) out.push(obj);
  return out;
}

function blockBits(j: number): number {
  return 1 << j;
}

function failuresOf(o: Observed, name: string): string | null {
  const f = o.failures.find((x) => x.property === name);
  return f ? f.message : null;
}

/* ---- always ---- */

const oneLiveObject: Property = {
  name: 'one-live-object-per-vnode',
  statement: 'a vnode has at most one live vm object, v_object never names a freed or foreign object, and a discarded object is OBJT_DEAD with no references',
  kind: 'always',
  lines: [...range(120, 130), ...range(223, 270), ...range(281, 307), ...range(162, 194)],
  check: {
    at: 'step',
    check(o) {
      // Runs at every step: count before building any message.
      for (const vp of o.k.vnodes) {
        let n = 0;
        for (const obj of o.k.objects) if (isLiveOf(o, obj, vp)) n++;
        if (n > 1) {
          const live = o.k.objects.filter((obj) => isLiveOf(o, obj, vp));
          return `${vp.name} has ${live.length} live vm objects: ${live.map((x) => x.name).join(', ')}`;
        }
        const cur = vp.v_object;
        if (cur) {
          if (cur.destroyed) return `${vp.name}.v_object names ${cur.name}, which was freed (vm_object_destroy)`;
          if (cur.type === OBJT_VNODE && cur.handle !== vp) return `${vp.name}.v_object names ${cur.name}, whose handle is ${cur.handle?.name ?? 'NULL'}`;
        }
      }
      for (const name of o.discarded) {
        const obj = o.k.objects.find((x) => x.name === name);
        if (!obj) continue;
        if (obj.type !== OBJT_DEAD || obj.ref_count !== 0) return `discarded ${obj.name} is type ${obj.type} with ref_count ${obj.ref_count}; expected OBJT_DEAD with no references`;
        if (o.attached.has(obj.name)) return `discarded ${obj.name} was attached to a vnode`;
        for (const vp of o.k.vnodes) if (vp.v_object === obj) return `discarded ${obj.name} is ${vp.name}.v_object`;
      }
      for (const obj of o.k.objects) if (obj.destroyed && obj.ref_count !== 0) return `${obj.name} was freed with ref_count ${obj.ref_count}`;
      return null;
    },
  },
};

const refsHoldUse: Property = {
  name: 'object-refs-hold-vnode-refs',
  statement: 'each reference on a vnode object holds one vnode use reference: at rest, v_usecount = the references not from objects + the ref_count of the objects whose handle is the vnode',
  kind: 'always',
  lines: [142, 143, 144, 145, 146, 147, 148, 149, 150, 262, 268, 287, 288, 305, 306],
  check: {
    at: 'end',
    check(o) {
      const b = o.baseline;
      if (!b) return 'the initial state was never completed';
      const objs = o.k.objects.filter((obj) => !obj.destroyed && obj.handle === o.vp);
      const refs = objs.reduce((a, obj) => a + obj.ref_count, 0);
      const want = b.usecount + refs;
      if (o.vp.v_usecount !== want)
        return `${o.vp.name}.v_usecount is ${o.vp.v_usecount}, expected ${want} (${b.usecount} not from objects + ${objs.map((x) => `${x.name}.ref_count ${x.ref_count}`).join(' + ') || 'no object'})`;
      if (o.vp.v_holdcnt < o.vp.v_usecount) return `${o.vp.name}.v_holdcnt ${o.vp.v_holdcnt} is below v_usecount ${o.vp.v_usecount}: a use reference without its hold`;
      return null;
    },
  },
};

const noValidPastEof: Property = {
  name: 'no-valid-page-past-eof',
  statement: 'no resident page at rest lies wholly past EOF with valid bits, the valid blocks of the EOF page read as zeros past EOF, and no page wholly past EOF is dirty (the EOF page may be: a store through a mapping dirties all of it)',
  kind: 'always',
  lines: [...range(419, 472), ...range(1099, 1128), ...range(993, 999)],
  check: {
    at: 'step',
    check(o) {
      for (const obj of quiescent(o)) {
        const vnp = obj.un_pager.vnp.vnp_size;
        const eofPages = Math.ceil(vnp / PAGE_SIZE);
        for (const m of obj.memq) {
          if (busied(m) || (m.valid === 0 && m.dirty === 0)) continue;
          if (m.pindex >= eofPages) return `${m.name} is ${m.valid !== 0 ? `valid (0x${m.valid.toString(16)})` : `dirty (0x${m.dirty.toString(16)})`} but lies past EOF (vnp_size ${vnp})`;
          const base = m.pindex * PAGE_SIZE;
          if (base + PAGE_SIZE <= vnp) continue;
          for (let j = 0; j < 8; j++) {
            if ((m.valid & blockBits(j)) === 0) continue;
            const boff = base + j * DEV_BSIZE;
            if (boff + DEV_BSIZE <= vnp) continue;
            const from = Math.max(0, vnp - boff);
            const blk = m.data[j]!;
            if (!isZero(blk, from, DEV_BSIZE)) return `${m.name} block ${j} is valid and holds ${slice(blk, from, DEV_BSIZE)} past EOF (vnp_size ${vnp}); expected zeros`;
          }
        }
      }
      return null;
    },
  },
};

const validIsFileData: Property = {
  name: 'valid-data-is-file-data',
  statement: "a valid block of a resident page at rest, clean or dirty, holds the file's data: no stale or garbage data becomes valid, and a store's data stays in its page",
  kind: 'always',
  lines: [...range(516, 603), ...range(608, 667), ...range(835, 847), ...range(1074, 1138), 775, 776, 777, 778],
  check: {
    at: 'step',
    check(o) {
      const fsSize = o.fsSize();
      for (const obj of quiescent(o)) {
        const limit = Math.min(obj.un_pager.vnp.vnp_size, fsSize);
        for (const m of obj.memq) {
          if (busied(m)) continue;
          /* Dirty blocks too: a store puts the file's new data in the page (program.ts store), so the page holds it. */
          const valid = m.valid;
          if (valid === 0) continue;
          for (let j = 0; j < 8; j++) {
            if ((valid & blockBits(j)) === 0) continue;
            const boff = m.pindex * PAGE_SIZE + j * DEV_BSIZE;
            if (boff >= limit) continue;
            const file = o.fileBlock(boff);
            if (file === null) continue;
            const to = Math.min(DEV_BSIZE, limit - boff);
            if (sameBytes(m.data[j]!, file, 0, to)) continue;
            const have = slice(m.data[j]!, 0, to);
            const want = slice(file, 0, to);
            if (have !== want) return `${m.name} block ${j} (file offset ${boff}) is valid and ${(m.dirty & blockBits(j)) !== 0 ? 'dirty' : 'clean'} with ${have}, but the file holds ${want}`;
          }
        }
      }
      return null;
    },
  },
};

const noLostWrites: Property = {
  name: 'no-lost-writes',
  statement: 'a page putpages reports written (VM_PAGER_OK) has its data on disk, or is still dirty: no write is reported done and lost',
  kind: 'always',
  lines: [...range(1148, 1180), ...range(1192, 1296), ...range(1322, 1343)],
  check: { at: 'step', check: (o) => failuresOf(o, 'no-lost-writes') },
};

function writecountStep(o: Observed): string | null {
  const b = o.baseline;
  if (!b) return null;
  let contrib = 0;
  for (const obj of o.k.objects) {
    if (obj.destroyed) continue;
    const wm = obj.un_pager.vnp.writemappings;
    if (wm < 0) return `${obj.name}.writemappings is ${wm}`;
    if (obj.handle === o.vp && obj.type === OBJT_VNODE && wm > 0) contrib++;
  }
  const want = b.writecount + contrib;
  if (o.vp.v_writecount !== want)
    return `${o.vp.name}.v_writecount is ${o.vp.v_writecount}, expected ${want} (${b.writecount} from opens + ${contrib} from objects with writemappings > 0)`;
  return null;
}

/* Per scenario (a run's constant): whether its writable mappings all come undone on the same object. */
const balancedOf = new WeakMap<object, boolean>();

/**
 * True when every thread unmaps each writable mapping it makes (update_writecount and release_writecount of the
 * same size) and takes no other object reference in between, so both act on the same object.
 */
function mappingsBalanced(o: Observed): boolean {
  let b = balancedOf.get(o.scenario);
  if (b === undefined) {
    b = o.scenario.threads.every((t) => {
      if (t.ops.some((x) => x.op === 'alloc' || x.op === 'deallocate')) return !t.ops.some((x) => x.op === 'update_writecount' || x.op === 'release_writecount');
      const open: number[] = [];
      for (const x of t.ops) {
        if (x.op === 'update_writecount') open.push(x.bytes);
        else if (x.op === 'release_writecount') {
          const i = open.indexOf(x.bytes);
          if (i < 0) return false;
          open.splice(i, 1);
        }
      }
      return open.length === 0;
    });
    balancedOf.set(o.scenario, b);
  }
  return b;
}

/** writemappings of obj when the threads started: its last WRITEMAPPINGS event of the setup, else 0. */
function initialWritemappings(o: Observed, obj: vm_object): number {
  const setupEnd = o.steps.length > 0 ? o.steps[0]!.evFrom : o.events.length;
  let wm = 0;
  for (let i = 0; i < setupEnd; i++) {
    const e = o.events[i]!;
    if (e.type === 'WRITEMAPPINGS' && e.obj === obj.name) wm = e.writemappings;
  }
  return wm;
}

const writecount: Property = {
  name: 'writecount-matches-writemappings',
  statement:
    "an object's writemappings is never negative, it contributes 1 to its vnode's v_writecount exactly when writemappings > 0, and when every writable mapping a thread makes it unmaps, a live object's writemappings ends where it started",
  kind: 'always',
  lines: [...range(296, 301), ...range(1345, 1422)],
  check: {
    at: 'step+end',
    step: writecountStep,
    end(o) {
      const s = writecountStep(o);
      if (s !== null) return s;
      if (!mappingsBalanced(o)) return null;
      for (const obj of o.k.objects) {
        if (obj.destroyed || obj.type !== OBJT_VNODE || obj.handle !== o.vp) continue;
        const start = initialWritemappings(o, obj);
        if (obj.un_pager.vnp.writemappings !== start)
          return `${obj.name}.writemappings is ${obj.un_pager.vnp.writemappings} once every writable mapping was unmapped; it started at ${start}`;
      }
      return null;
    },
  },
};

const pbufsReturn: Property = {
  name: 'pbufs-and-runningbufspace-return',
  statement: 'pbuf free counters stay within their pools and, with runningbufspace, return to their starting values once all I/O is done',
  kind: 'always',
  lines: [...range(555, 587), ...range(788, 812), 820, 821, 839, 1032, 1049, 1050, 1051, 1052, 1053, 1067, 1068, 1069, 1070, 1071],
  check: {
    at: 'step+end',
    step(o) {
      const b = o.baseline;
      if (!b) return null;
      const k = o.k;
      if (k.vnode_pbuf_freecnt < 0 || k.vnode_pbuf_freecnt > b.pbufSync) return `vnode_pbuf_freecnt is ${k.vnode_pbuf_freecnt}, outside 0..${b.pbufSync}`;
      if (k.vnode_async_pbuf_freecnt < 0 || k.vnode_async_pbuf_freecnt > b.pbufAsync) return `vnode_async_pbuf_freecnt is ${k.vnode_async_pbuf_freecnt}, outside 0..${b.pbufAsync}`;
      if (k.runningbufspace < 0) return `runningbufspace is ${k.runningbufspace}`;
      return null;
    },
    end(o) {
      const b = o.baseline;
      if (!b) return 'the initial state was never completed';
      const k = o.k;
      if (k.vnode_pbuf_freecnt !== b.pbufSync) return `vnode_pbuf_freecnt ended at ${k.vnode_pbuf_freecnt}, started at ${b.pbufSync}: a pbuf leaked`;
      if (k.vnode_async_pbuf_freecnt !== b.pbufAsync) return `vnode_async_pbuf_freecnt ended at ${k.vnode_async_pbuf_freecnt}, started at ${b.pbufAsync}: a pbuf leaked`;
      if (k.runningbufspace !== b.runningbufspace) return `runningbufspace ended at ${k.runningbufspace}, started at ${b.runningbufspace}`;
      return null;
    },
  },
};

const asyncOnce: Property = {
  name: 'async-iodone-exactly-once',
  statement: 'an asynchronous getpages request the pager accepts (VM_PAGER_OK) calls its completion exactly once; one it refuses never does',
  kind: 'always',
  lines: [697, 698, 699, 700, 701, 702, 703, 704, 705, 706, 707, 708, 709, 710, 711, 775, 776, 777, 778, 797, 798, 799, 800, 801, 802, 803, 804, 805, 806, 807, 808, 809, 810, 819, 828, 1036, 1037, 1038, 1039, 1040, 1041, 1042, 1043, ...range(1058, 1072)],
  check: {
    at: 'step+end',
    step(o) {
      for (const r of o.async) if (r.completions > 1) return `async getpages request #${r.id} of ${r.thread} completed ${r.completions} times`;
      return null;
    },
    end(o) {
      for (const r of o.async) {
        if (r.returned === null) return `async getpages request #${r.id} of ${r.thread} never returned`;
        const want = r.returned === 0 ? 1 : 0;
        if (r.completions !== want)
          return `async getpages request #${r.id} of ${r.thread} returned ${r.returned} and completed ${r.completions} times; expected ${want}`;
      }
      return null;
    },
  },
};

const released: Property = {
  name: 'busy-and-pip-released',
  statement: 'once every thread has finished, no page is busy, no object has paging in progress, and no lock is held',
  kind: 'always',
  lines: [...range(738, 1056), ...range(1058, 1138), 286],
  check: {
    at: 'end',
    check(o) {
      for (const obj of o.k.objects) {
        if (obj.destroyed) continue;
        if (obj.paging_in_progress !== 0) return `${obj.name}.paging_in_progress is ${obj.paging_in_progress} after all threads finished`;
        if (obj.lock.wowner !== null) return `${obj.name}'s lock is still held by ${o.k.ctx.threadName(obj.lock.wowner)}`;
        for (const m of obj.memq) if (busied(m)) return `${m.name} is still busy (busy_lock 0x${m.busy_lock.toString(16)}) after all threads finished`;
      }
      for (const vp of o.k.vnodes) {
        if (vp.v_lock.xowner !== null || vp.v_lock.sharers.length > 0) return `${vp.name}'s lock is still held after all threads finished`;
        if (vp.v_interlock.owner !== null) return `${vp.name}'s interlock is still held after all threads finished`;
      }
      return null;
    },
  },
};

const assertions: Property = {
  name: 'kernel-assertions-hold',
  statement: 'every KASSERT, panic check and lock assertion of the port and the kernel holds',
  kind: 'always',
  lines: [152, 194, 232, 251, 365, 591, 663, 691, 707, 764, 766, 836, 841, 862, 891, 975, 980, 997, 1016, 1017, 1024, 1111, 1113, 1125, 1177, 1250, 1251],
  check: { at: 'checker', violations: ['assertion'] },
};

const noHang: Property = {
  name: 'no-thread-blocked-forever',
  statement: 'no execution ends with a thread blocked forever (deadlock, lost wakeup) or runs without bound',
  kind: 'always',
  lines: [127, 128, 129, 228, 229, 286, 292, 293, 577, 790, 1047],
  check: { at: 'checker', violations: ['deadlock', 'step-bound'] },
};

/* ---- sometimes: witnesses ---- */

function anyLine(o: Observed, lines: readonly number[], pred: (s: StepNote) => boolean = () => true): boolean {
  return o.steps.some((s) => s.line !== undefined && lines.includes(s.line) && pred(s));
}

const wCreatedWhileSleeping: Property = {
  name: 'witness-created-while-sleeping',
  statement: 'vnode_pager_alloc finds the vnode given an object while it allocated its own, discards its own and retries',
  kind: 'sometimes',
  lines: range(244, 257),
  /* The discard made at seed 250-256 (a repaired variant may discard elsewhere, for another reason). */
  check: { at: 'witness', reached: (o) => o.steps.some((s) => s.line === 250 && o.events.slice(s.evFrom, s.evTo).some((e) => e.type === 'OBJ_DISCARD')) },
};

const wDisconnectWait: Property = {
  name: 'witness-disconnect-wait',
  statement: 'a thread finds the vnode object OBJ_DEAD, sets OBJ_DISCONNECTWNT and sleeps until vnode_pager_dealloc wakes it',
  kind: 'sometimes',
  lines: [127, 128, 228, 229, 291, 292, 293],
  check: {
    at: 'witness',
    reached: (o) => o.events.some((e) => e.type === 'OBJ_DISCONNECT_WAIT') && o.events.some((e) => e.type === 'OBJ_DISCONNECT_WAKE'),
  },
};

/**
 * The read-behind loop (seed 914-926) met a page it could not allocate after
 * allocating at least one: the array is shifted down (seed 919-923). Seen as a
 * getpages operation whose vm_page_alloc steps at seed line 917 include a
 * failure (no PAGE_INSERT in the step) after a success.
 */
export function readBehindShift(o: Observed): boolean {
  const byOp = new Map<string, StepNote[]>();
  for (const s of o.steps) {
    if (s.opIndex < 0 || s.line !== 917 || s.kind !== 'alloc') continue;
    const key = `${s.tid}:${s.opIndex}`;
    const l = byOp.get(key);
    if (l) l.push(s);
    else byOp.set(key, [s]);
  }
  for (const allocs of byOp.values()) {
    let ok = 0;
    for (const s of allocs) {
      if (o.events.slice(s.evFrom, s.evTo).some((e) => e.type === 'PAGE_INSERT')) ok++;
      else if (ok > 0) return true;
      else break;
    }
  }
  return false;
}

const wReadBehindShift: Property = {
  name: 'witness-readbehind-shift',
  statement: 'the read-behind loop of generic_getpages fails to allocate a page after allocating some, and shifts the page array down',
  kind: 'sometimes',
  lines: range(914, 931),
  check: { at: 'witness', reached: readBehindShift },
};

const wSparseZero: Property = {
  name: 'witness-sparse-zero-fill',
  statement: 'generic_getpages meets a hole (b_blkno == -1) and fills the page with zeros instead of reading',
  kind: 'sometimes',
  lines: range(835, 847),
  check: { at: 'witness', reached: (o) => anyLine(o, [839, 840, 841, 843, 844, 845, 846]) },
};

const wDeallocWithRefs: Property = {
  name: 'witness-reclaim-with-references',
  statement: 'vnode_destroy_vobject meets an object that still has references and deallocates the pager under them ("woe to the process")',
  kind: 'sometimes',
  lines: [188, 189, 190, 191, 192, ...range(287, 306)],
  check: { at: 'witness', reached: (o) => o.events.some((e) => e.type === 'OBJ_DEALLOC' && e.refs > 0) },
};

const wSmallFs: Property = {
  name: 'witness-small-block-input',
  statement: 'a read goes through vnode_pager_input_smlfs (f_iosize below PAGE_SIZE)',
  kind: 'sometimes',
  lines: range(516, 603),
  check: { at: 'witness', reached: (o) => anyLine(o, range(528, 602)) },
};

const wInputOld: Property = {
  name: 'witness-input-old',
  statement: 'a read goes through vnode_pager_input_old (VOP_BMAP returns EOPNOTSUPP)',
  kind: 'sometimes',
  lines: range(608, 667),
  check: { at: 'witness', reached: (o) => anyLine(o, range(618, 666)) },
};

/**
 * A setsize operation to a size inside a page changed the bits of the page at
 * the new EOF during one of its steps (the zeroing at seed 435-469 runs inside
 * the step that holds the object lock).
 */
export function shrinkZeroesTail(o: Observed): boolean {
  for (const s of o.steps) {
    if (s.opIndex < 0 || s.evFrom === s.evTo) continue;
    const name = o.k.ctx.threadName(s.tid);
    const op = o.scenario.threads.find((t) => t.name === name)?.ops[s.opIndex];
    if (op?.op !== 'setsize' || op.size % PAGE_SIZE === 0) continue;
    const eofPage = Math.floor(op.size / PAGE_SIZE);
    if (o.events.slice(s.evFrom, s.evTo).some((e) => e.type === 'PAGE_BITS' && e.pindex === eofPage && e.valid !== 0)) return true;
  }
  return false;
}

const wShrinkZeroTail: Property = {
  name: 'witness-shrink-zeroes-tail',
  statement: 'vnode_pager_setsize shrinks into a valid page and zeroes its tail past the new EOF',
  kind: 'sometimes',
  lines: range(435, 469),
  check: { at: 'witness', reached: shrinkZeroesTail },
};

const wReleaseAfterReclaim: Property = {
  name: 'witness-release-writecount-after-reclaim',
  statement: 'vnode_pager_release_writecount or update_writecount finds the object no longer OBJT_VNODE (the vnode was reclaimed) and returns',
  kind: 'sometimes',
  lines: [1353, 1354, 1355, 1356, 1388, 1389, 1390, 1391],
  check: {
    at: 'witness',
    reached: (o) =>
      o.outcomes.some((x) => (x.op.op === 'release_writecount' || x.op.op === 'update_writecount') && x.detail?.['typeAfter'] === OBJT_DEAD) ||
      anyLine(o, [1354, 1355, 1389, 1390]),
  },
};

export const PROPERTIES: readonly Property[] = [
  oneLiveObject,
  refsHoldUse,
  noValidPastEof,
  validIsFileData,
  noLostWrites,
  writecount,
  pbufsReturn,
  asyncOnce,
  released,
  assertions,
  noHang,
  ...TRUTH_PROPERTIES,
  wCreatedWhileSleeping,
  wDisconnectWait,
  wReadBehindShift,
  wSparseZero,
  wDeallocWithRefs,
  wSmallFs,
  wInputOld,
  wShrinkZeroTail,
  wReleaseAfterReclaim,
];

export const ALWAYS = PROPERTIES.filter((p) => p.kind === 'always');
export const WITNESSES = PROPERTIES.filter((p) => p.kind === 'sometimes');

export function propertyByName(name: string): Property {
  const p = PROPERTIES.find((x) => x.name === name);
  if (!p) throw new Error(`unknown property "${name}"; accepted: ${PROPERTIES.map((x) => x.name).join(', ')}`);
  return p;
}

/** The property a checker violation belongs to. */
export function propertyOfViolation(v: Violation): string {
  switch (v.kind) {
    case 'invariant':
    case 'final':
      return v.property;
    case 'assertion':
      return 'kernel-assertions-hold';
    case 'deadlock':
    case 'step-bound':
      return 'no-thread-blocked-forever';
    case 'data-race':
      return 'data-race';
    case 'spec':
      return `spec-conformance:${v.machine}`;
    default: {
      const never: never = v;
      return String(never);
    }
  }
}

