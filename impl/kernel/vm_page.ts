/*
 * vm_page: the resident page (sys/vm/vm_page.h, vm_page.c, amd64 pmap, 2017).
 *
 * Kept: pindex, the valid and dirty masks with one bit per DEV_BSIZE block
 * (VM_PAGE_BITS_ALL = 0xff) and vm_page_bits' arithmetic, the busy lock
 * (busy_lock with the SHARED/EXCLUSIVE/WAITERS bits and the sharer count),
 * contents as data tokens per block (a new page holds its frame's garbage
 * "G<phys>", since vm_page_alloc does not zero), pmap mapped and
 * write-mapped state, the object's sorted page list (memq) for
 * TAILQ_PREV/TAILQ_NEXT, and these routines with their 2017 behaviour and
 * messages:
 *  - vm_page_alloc(VM_ALLOC_NORMAL): never sleeps; fails when
 *    v_free_count <= v_free_reserved or when the scenario's fault plan says
 *    so; returns an xbusy page with valid = dirty = 0 and garbage contents;
 *    the first resident page of a vnode object takes a hold on the vnode;
 *  - vm_page_set_valid_range / vm_page_set_validclean with the partial-block
 *    edge zeroing and the "is dirty" KASSERT; vm_page_clear_dirty,
 *    vm_page_undirty (INVARIANTS: object locked or xbusy), vm_page_dirty,
 *    vm_page_zero_invalid;
 *  - vm_page_readahead_finish (r292373: KASSERT valid, activate if someone
 *    waits on the busy lock else deactivate, then xunbusy);
 *  - busy: xbusy/sbusy (panic if they cannot busy), xunbusy/sunbusy (wake
 *    waiters), vm_page_busy_sleep (sets WAITERS and sleeps on the page,
 *    dropping the object lock, or returns at once if the page was unbusied);
 *  - vm_page_free: the "freeing busy/free/wired/mapped page" checks,
 *    removal from the object (an xbusy page is unbusied and its waiters
 *    woken; the last resident page of a vnode object drops its vnode hold),
 *    valid and dirty cleared, the frame returned to v_free_count.
 * Left out: page queues and LRU (activate/deactivate only note the queue),
 * the page lock (the object lock covers what the seed touches; the page
 * lock's atomicity of busy-sleep against unbusy is kept by making each a
 * single step), hold_count, PG_ZERO, VPO_NOSYNC, pmap modify bits
 * (pmap_clear_modify), reservations, physical addresses, the radix trie (the
 * sorted memq serves lookups), the pagedaemon wakeups, allocation classes
 * other than VM_ALLOC_NORMAL.
 *
 * Scheduling points: vm_page_alloc is one 'alloc' step (it reads and updates
 * v_free_count and may consult the scheduler for a fault); each busy
 * transition is one step on "<page>.busy"; busy sleep is a sleep step and a
 * wake step. Page contents are declared as "<page>.data" whenever written.
 */
import { HarnessBug, KernelAssertion, type KThread, type Op } from '../../checker/op.ts';
import { rw_wowned } from './sync.ts';
import { DEV_BSHIFT, DEV_BSIZE, PAGE_SIZE, zeroBytes, type Block } from './data.ts';
import type { vm_object } from './vm_object.ts';
import type { Kernel } from './kernel.ts';

export const VM_PAGE_BITS_ALL = 0xff;
/* busy_lock encoding as vm_page.h */
export const VPB_BIT_SHARED = 0x1;
export const VPB_BIT_EXCLUSIVE = 0x2;
export const VPB_BIT_WAITERS = 0x4;
export const VPB_SHARERS_SHIFT = 3;
export const VPB_ONE_SHARER = 1 << VPB_SHARERS_SHIFT;
export const VPB_UNBUSIED = VPB_BIT_SHARED;
export const VPB_SINGLE_EXCLUSIVER = VPB_BIT_EXCLUSIVE;
export const PGA_WRITEABLE = 0x01;
export const VM_ALLOC_NORMAL = 0;
/** OBJT_VNODE, restated here so that this file needs no value from vm_object.ts (the two import each other). */
const OBJT_VNODE = 2;

export type PageQueue = 'none' | 'active' | 'inactive' | 'laundry';

export class vm_page {
  object: vm_object | null;
  /** Page frame number, for names and garbage tokens ("G<phys>"). */
  readonly phys: number;
  /** The page's name at allocation ("obj1.p3"): its sleep channel and the stem of its resources. */
  readonly wchan: string;
  private _valid = 0;
  private _dirty = 0;
  busy_lock = VPB_UNBUSIED;
  aflags = 0;
  /** Number of pmap mappings (pmap_page_is_mapped when > 0). */
  mapped = 0;
  wire_count = 0;
  queue: PageQueue = 'none';
  /** Returned to the free lists (VM_PAGE_IS_FREE). */
  free = false;
  /** Contents, one token per DEV_BSIZE block. */
  data: Block[];

  constructor(
    readonly k: Kernel,
    object: vm_object,
    readonly pindex: number,
    phys: number,
  ) {
    this.object = object;
    this.phys = phys;
    this.wchan = `${object.name}.p${pindex}`;
    // A freshly allocated page is not zeroed: it holds whatever the frame held.
    const g = `G${phys}`;
    this.data = [g, g, g, g, g, g, g, g];
  }

  get name(): string {
    return `${this.object?.name ?? 'noobj'}.p${this.pindex}`;
  }
  get valid(): number {
    return this._valid;
  }
  set valid(v: number) {
    this._valid = v & VM_PAGE_BITS_ALL;
    this.notify();
  }
  get dirty(): number {
    return this._dirty;
  }
  set dirty(v: number) {
    this._dirty = v & VM_PAGE_BITS_ALL;
    this.notify();
  }
  /** Emit the page's bits to the observer (also after busy changes). */
  notify(): void {
    if (!this.object) return;
    this.k.observer.emit({
      type: 'PAGE_BITS',
      obj: this.object.name,
      pindex: this.pindex,
      valid: this._valid,
      dirty: this._dirty,
      xbusy: (this.busy_lock & VPB_BIT_EXCLUSIVE) !== 0,
      sbusy: (this.busy_lock & VPB_BIT_SHARED) !== 0 ? this.busy_lock >>> VPB_SHARERS_SHIFT : 0,
    });
  }
}

/** Fields of an Op made inside a kernel routine: its name and, when the port called it, the seed line. */
function at(fn: string, line: number | undefined): { fn: string; line?: number } {
  return line !== undefined ? { fn, line } : { fn };
}

/** VM_OBJECT_ASSERT_WLOCKED, said the way vm_object.ts says it. */
function assert_wlocked(k: Kernel, obj: vm_object, fn: string, line?: number): void {
  if (!rw_wowned(k, obj.lock)) throw new KernelAssertion('lock', fn, `Lock vm object ${obj.name} not exclusively locked`, line);
}

/** Declares a write of the page's contents in the running step. */
export function page_data_touch(k: Kernel, m: vm_page): void {
  k.ctx.touch(`${m.wchan}.data`, true);
}

/* ---- bits ---- */

/**
 * The DEV_BSIZE chunks that [base, base + size) touches, even partly:
 * bits first..last of the page's mask.
 */
export function vm_page_bits(base: number, size: number): number {
  if (base + size > PAGE_SIZE) throw new KernelAssertion('KASSERT', 'vm_page_bits', `vm_page_bits: illegal base/size ${base}/${size}`);
  if (size === 0) return 0;
  const first_bit = base >> DEV_BSHIFT;
  const last_bit = (base + size - 1) >> DEV_BSHIFT;
  return ((2 << last_bit) - (1 << first_bit)) & VM_PAGE_BITS_ALL;
}

/** The shared edge zeroing of set_valid_range and set_validclean: partial blocks not yet valid. */
function zero_invalid_edges(k: Kernel, m: vm_page, base: number, size: number): void {
  const frag = base - (base % DEV_BSIZE);
  if (frag !== base && (m.valid & (1 << (base >> DEV_BSHIFT))) === 0) pmap_zero_page_area(k, m, frag, base - frag);
  const endoff = base + size;
  const efrag = endoff - (endoff % DEV_BSIZE);
  if (efrag !== endoff && (m.valid & (1 << (endoff >> DEV_BSHIFT))) === 0) pmap_zero_page_area(k, m, endoff, DEV_BSIZE - (endoff & (DEV_BSIZE - 1)));
}

function page_object(m: vm_page, fn: string): vm_object {
  if (m.object === null) throw new HarnessBug(`${fn} on ${m.name}, which belongs to no object`);
  return m.object;
}

export function vm_page_set_valid_range(k: Kernel, m: vm_page, base: number, size: number): void {
  const fn = 'vm_page_set_valid_range';
  assert_wlocked(k, page_object(m, fn), fn);
  if (size === 0) return;
  zero_invalid_edges(k, m, base, size);
  if ((~m.valid & vm_page_bits(base, size) & m.dirty) !== 0) throw new KernelAssertion('KASSERT', fn, `vm_page_set_valid_range: page ${m.name} is dirty`);
  m.valid |= vm_page_bits(base, size);
}

/** As set_valid_range, then clears the dirty bits of the range (whole chunks, even partly covered ones). */
export function vm_page_set_validclean(k: Kernel, m: vm_page, base: number, size: number): void {
  const fn = 'vm_page_set_validclean';
  assert_wlocked(k, page_object(m, fn), fn);
  if (size === 0) return;
  zero_invalid_edges(k, m, base, size);
  const pagebits = vm_page_bits(base, size);
  m.valid |= pagebits;
  if (base === 0 && size === PAGE_SIZE) m.dirty = 0;
  else m.dirty &= ~pagebits;
}

export function vm_page_clear_dirty(k: Kernel, m: vm_page, base: number, size: number): void {
  const fn = 'vm_page_clear_dirty';
  assert_wlocked(k, page_object(m, fn), fn);
  m.dirty &= ~vm_page_bits(base, size);
}

/** INVARIANTS' VM_PAGE_OBJECT_LOCK_ASSERT: the object lock unless the page is xbusy. */
export function vm_page_undirty(k: Kernel, m: vm_page): void {
  if (!vm_page_xbusied(m) && m.object !== null) assert_wlocked(k, m.object, 'vm_page_undirty');
  m.dirty = 0;
}

/** vm_page_dirty_KBI: only a fully valid page can be dirtied. */
export function vm_page_dirty(_k: Kernel, m: vm_page): void {
  if (m.valid !== VM_PAGE_BITS_ALL) throw new KernelAssertion('KASSERT', 'vm_page_dirty', 'vm_page_dirty: page is invalid!');
  m.dirty = VM_PAGE_BITS_ALL;
}

/** Zeroes each run of invalid chunks; with setvalid, the page becomes fully valid. */
export function vm_page_zero_invalid(k: Kernel, m: vm_page, setvalid: boolean): void {
  const fn = 'vm_page_zero_invalid';
  assert_wlocked(k, page_object(m, fn), fn);
  const nb = PAGE_SIZE / DEV_BSIZE;
  for (let b = 0, i = 0; i <= nb; ++i) {
    if (i === nb || (m.valid & (1 << i)) !== 0) {
      if (i > b) pmap_zero_page_area(k, m, b << DEV_BSHIFT, (i - b) << DEV_BSHIFT);
      b = i + 1;
    }
  }
  if (setvalid) m.valid = VM_PAGE_BITS_ALL;
}

/* ---- allocation, lookup, free ---- */

/**
 * vm_page_alloc(object, pindex, VM_ALLOC_NORMAL). Object write-locked.
 * Never sleeps: NULL when free pages are at the reserve or a fault fires.
 */
export function* vm_page_alloc(k: Kernel, object: vm_object, pindex: number, req: number, line?: number): KThread<vm_page | null> {
  const fn = 'vm_page_alloc';
  yield { kind: 'alloc', label: `vm_page_alloc(${object.name}, ${pindex})`, ...at(fn, line), fp: [{ res: 'vm_cnt.v_free_count', write: true, atomic: true }] };
  void req;
  assert_wlocked(k, object, fn, line);
  const mpred = vm_page_lookup(object, pindex);
  if (mpred !== null) throw new KernelAssertion('KASSERT', fn, 'vm_page_alloc: pindex already allocated', line);
  const plan = k.faults.pageAllocFail;
  let fail: boolean;
  if (plan === 'choose') fail = k.ctx.choose(2, `vm_page_alloc(${object.name}, ${pindex}) fails`) === 1;
  else fail = plan !== undefined && plan.includes(pindex);
  if (fail || k.vm_cnt.v_free_count <= k.vm_cnt.v_free_reserved) return null;
  k.vm_cnt.v_free_count--;

  const m = new vm_page(k, object, pindex, k.nextPhys++);
  m.busy_lock = VPB_SINGLE_EXCLUSIVER;
  let i = 0;
  while (i < object.memq.length && object.memq[i]!.pindex < pindex) i++;
  object.memq.splice(i, 0, m);
  if (object.memq.length === 1 && object.type === OBJT_VNODE && object.handle !== null) {
    /* vm_page_insert: the first resident page holds the vnode (vhold; the vnode is already held here). */
    const vp = object.handle;
    k.ctx.touch(`${vp.name}.v_holdcnt`, true, true, { seen: vp.v_holdcnt, delta: 1, floor: null });
    if (vp.v_holdcnt <= 0) throw new HarnessBug(`vm_page_alloc: first page of ${object.name} on ${vp.name} with no hold; the model keeps vhold's free-list path out of vm_page_insert`);
    vp.v_holdcnt++;
  }
  k.observer.emit({ type: 'PAGE_INSERT', obj: object.name, pindex });
  m.notify();
  return m;
}

/** Object locked (read or write); ignores busy state. */
export function vm_page_lookup(object: vm_object, pindex: number): vm_page | null {
  for (const m of object.memq) {
    if (m.pindex === pindex) return m;
    if (m.pindex > pindex) break;
  }
  return null;
}

/** TAILQ_PREV(m, pglist, listq): the previous resident page, whatever its pindex. */
export function vm_page_prev(m: vm_page): vm_page | null {
  const q = m.object?.memq;
  if (!q) return null;
  const i = q.indexOf(m);
  return i > 0 ? q[i - 1]! : null;
}

/** TAILQ_NEXT(m, listq): the next resident page, whatever its pindex. */
export function vm_page_next(m: vm_page): vm_page | null {
  const q = m.object?.memq;
  if (!q) return null;
  const i = q.indexOf(m);
  return i >= 0 && i + 1 < q.length ? q[i + 1]! : null;
}

/**
 * vm_page_free -> vm_page_free_toq. Object write-locked when the page has
 * one. Wakes the page's busy waiters if it was xbusy. Plain (no step of its
 * own): it runs inside the caller's step.
 */
export function vm_page_free(k: Kernel, m: vm_page): void {
  /* %p: the page as it was named while resident. */
  const pname = m.wchan;
  if (pmap_page_is_mapped(m)) throw new KernelAssertion('KASSERT', 'vm_page_free_toq', `vm_page_free_toq: freeing mapped page ${pname}`);
  if (m.free) throw new KernelAssertion('panic', 'vm_page_free_toq', `vm_page_free: freeing free page ${pname}`);
  if (vm_page_sbusied(m)) throw new KernelAssertion('panic', 'vm_page_free_toq', `vm_page_free: freeing busy page ${pname}`);
  m.queue = 'none';
  const object = m.object;
  if (object !== null) {
    /* vm_page_remove */
    assert_wlocked(k, object, 'vm_page_remove');
    if (vm_page_xbusied(m)) {
      k.ctx.touch(`${m.wchan}.busy`, true, true);
      m.busy_lock = VPB_UNBUSIED;
      k.ctx.touch(`chan:${m.wchan}`, true);
      k.sleepq.wakeAll(m.wchan);
    }
    const i = object.memq.indexOf(m);
    if (i >= 0) object.memq.splice(i, 1);
    k.observer.emit({ type: 'PAGE_REMOVE', obj: object.name, pindex: m.pindex });
    if (object.memq.length === 0 && object.type === OBJT_VNODE && object.handle !== null) {
      /* vdrop of the hold the first page took: an atomic decrement while others hold the vnode. */
      const vp = object.handle;
      k.ctx.touch(`${vp.name}.v_holdcnt`, true, true, { seen: vp.v_holdcnt, delta: -1, floor: null });
      if (vp.v_holdcnt <= 1) throw new HarnessBug(`vm_page_free: last page of ${object.name} drops the last hold of ${vp.name}; the model keeps vdrop's free path out of vm_page_remove`);
      vp.v_holdcnt--;
    }
    m.object = null;
  }
  m.valid = 0;
  m.dirty = 0;
  if (m.wire_count !== 0) throw new KernelAssertion('panic', 'vm_page_free_toq', `vm_page_free: freeing wired page ${pname}`);
  m.free = true;
  k.ctx.touch('vm_cnt.v_free_count', true, true);
  k.vm_cnt.v_free_count++;
}

/* ---- queues ---- */

export function vm_page_activate(_k: Kernel, m: vm_page): void {
  if (m.wire_count === 0) m.queue = 'active';
}

export function vm_page_deactivate(_k: Kernel, m: vm_page): void {
  if (m.wire_count === 0) m.queue = 'inactive';
}

/**
 * After a read-ahead or read-behind page is filled: park it on a queue
 * (active if someone waits for it) and release its busy lock.
 */
export function* vm_page_readahead_finish(k: Kernel, m: vm_page, line?: number): KThread<void> {
  if (m.valid === 0) throw new KernelAssertion('KASSERT', 'vm_page_readahead_finish', `vm_page_readahead_finish: ${m.name} is invalid`, line);
  if ((m.busy_lock & VPB_BIT_WAITERS) !== 0) vm_page_activate(k, m);
  else vm_page_deactivate(k, m);
  yield* vm_page_xunbusy(k, m, line);
}

/* ---- busy lock ---- */

export function vm_page_xbusied(m: vm_page): boolean {
  return (m.busy_lock & VPB_BIT_EXCLUSIVE) !== 0;
}
export function vm_page_sbusied(m: vm_page): boolean {
  return (m.busy_lock & VPB_BIT_SHARED) !== 0 && m.busy_lock !== VPB_UNBUSIED;
}
export function vm_page_busied(m: vm_page): boolean {
  return m.busy_lock !== VPB_UNBUSIED;
}

export function vm_page_assert_sbusied(_k: Kernel, m: vm_page, fn: string, line?: number): void {
  if (!vm_page_sbusied(m)) throw new KernelAssertion('KASSERT', fn, `vm_page_assert_sbusied: page ${m.name} not shared busy @ vnode_pager.c:${line ?? '?'}`, line);
}

export function vm_page_assert_xbusied(_k: Kernel, m: vm_page, fn: string, line?: number): void {
  if (!vm_page_xbusied(m)) throw new KernelAssertion('KASSERT', fn, `vm_page_assert_xbusied: page ${m.name} not exclusive busy @ ${fn}`, line);
}

function busyOp(m: vm_page, what: string, fn: string, line: number | undefined): Op {
  return { kind: 'access', label: `${what}(${m.name})`, ...at(fn, line), fp: [{ res: `${m.wchan}.busy`, write: true, atomic: true }] };
}

export function* vm_page_xbusy(k: Kernel, m: vm_page, line?: number): KThread<void> {
  yield busyOp(m, 'vm_page_xbusy', 'vm_page_xbusy', line);
  if (m.busy_lock !== VPB_UNBUSIED) throw new KernelAssertion('panic', 'vm_page_xbusy', `vm_page_xbusy: page ${m.name} failed exclusive busing`, line);
  m.busy_lock = VPB_SINGLE_EXCLUSIVER;
  m.notify();
}

/** Releases the exclusive busy lock and wakes the page's waiters (one step, as the page lock makes it). */
export function* vm_page_xunbusy(k: Kernel, m: vm_page, line?: number): KThread<void> {
  yield { ...busyOp(m, 'vm_page_xunbusy', 'vm_page_xunbusy', line), fp: [{ res: `${m.wchan}.busy`, write: true, atomic: true }, { res: `chan:${m.wchan}`, write: true }] };
  vm_page_assert_xbusied(k, m, 'vm_page_xunbusy_hard', line);
  const waiters = (m.busy_lock & VPB_BIT_WAITERS) !== 0;
  m.busy_lock = VPB_UNBUSIED;
  if (waiters) k.sleepq.wakeAll(m.wchan);
  m.notify();
}

export function* vm_page_sbusy(k: Kernel, m: vm_page, line?: number): KThread<void> {
  yield busyOp(m, 'vm_page_sbusy', 'vm_page_sbusy', line);
  if ((m.busy_lock & VPB_BIT_SHARED) === 0) throw new KernelAssertion('panic', 'vm_page_sbusy', `vm_page_sbusy: page ${m.name} failed shared busying`, line);
  m.busy_lock += VPB_ONE_SHARER;
  m.notify();
}

export function* vm_page_sunbusy(k: Kernel, m: vm_page, line?: number): KThread<void> {
  yield { ...busyOp(m, 'vm_page_sunbusy', 'vm_page_sunbusy', line), fp: [{ res: `${m.wchan}.busy`, write: true, atomic: true }, { res: `chan:${m.wchan}`, write: true }] };
  if (!vm_page_sbusied(m)) throw new KernelAssertion('KASSERT', 'vm_page_sunbusy', `vm_page_assert_sbusied: page ${m.name} not shared busy @ vm_page_sunbusy`, line);
  const x = m.busy_lock;
  if (x >>> VPB_SHARERS_SHIFT > 1) m.busy_lock = x - VPB_ONE_SHARER;
  else {
    m.busy_lock = VPB_UNBUSIED;
    if ((x & VPB_BIT_WAITERS) !== 0) k.sleepq.wakeAll(m.wchan);
  }
  m.notify();
}

/**
 * Waits for the page's busy lock to be released. The caller holds the object
 * lock; it is dropped (and not re-taken). If the page is already unbusied the
 * routine returns at once, as the kernel's re-check under the page lock does.
 */
export function* vm_page_busy_sleep(k: Kernel, m: vm_page, wmesg: string, line?: number): KThread<void> {
  const fn = 'vm_page_busy_sleep';
  const obj = page_object(m, fn);
  yield {
    kind: 'sleep',
    label: `vm_page_busy_sleep(${m.name}, "${wmesg}")`,
    ...at(fn, line),
    fp: [
      { res: obj.lock.res, write: true },
      { res: `${m.wchan}.busy`, write: true, atomic: true },
      { res: `chan:${m.wchan}`, write: true },
    ],
  };
  assert_wlocked(k, obj, fn, line);
  obj.lock.wowner = null;
  if (m.busy_lock === VPB_UNBUSIED) return;
  m.busy_lock |= VPB_BIT_WAITERS;
  const me = k.ctx.tid;
  k.sleepq.enqueue(m.wchan, me);
  yield {
    kind: 'wake',
    label: `wake from "${wmesg}" on ${m.wchan}`,
    ...at(fn, line),
    fp: [{ res: `chan:${m.wchan}`, write: false }],
    enabled: () => k.sleepq.isWoken(me),
    waitsFor: () => `the busy lock of ${m.name} ("${wmesg}")`,
  };
  k.sleepq.resume(me);
}

/* ---- pmap (amd64) ---- */

/** Zeroes the whole page through the direct map; valid and dirty untouched. */
export function pmap_zero_page(k: Kernel, m: vm_page): void {
  page_data_touch(k, m);
  m.data = m.data.map(() => 'Z');
}

export function pmap_zero_page_area(k: Kernel, m: vm_page, off: number, size: number): void {
  if (off < 0 || size < 0 || off + size > PAGE_SIZE) throw new HarnessBug(`pmap_zero_page_area(${m.name}, ${off}, ${size}) outside the page`);
  page_data_touch(k, m);
  m.data = zeroBytes(m.data, off, size);
}

export function pmap_page_is_mapped(m: vm_page): boolean {
  return m.mapped > 0;
}

export function pmap_page_is_write_mapped(m: vm_page): boolean {
  return (m.aflags & PGA_WRITEABLE) !== 0;
}

/** A user mapping of the page (scenarios use it); writable sets PGA_WRITEABLE. */
export function pmap_enter(_k: Kernel, m: vm_page, writable: boolean): void {
  m.mapped++;
  if (writable) m.aflags |= PGA_WRITEABLE;
}

export function pmap_remove_all(_k: Kernel, m: vm_page): void {
  m.mapped = 0;
  m.aflags &= ~PGA_WRITEABLE;
}

export function pmap_remove_write(_k: Kernel, m: vm_page): void {
  m.aflags &= ~PGA_WRITEABLE;
}
