/*
 * The pager switch (sys/vm/vm_pager.h, vm_pager.c, 2017).
 *
 * Kept: the pagertab indexed by object type (filled by registerPager: the
 * port registers vnodepagerops for OBJT_VNODE; deadpagerops serves
 * OBJT_DEAD), the dispatch routines with their lock assertions,
 * vm_pager_assert_in (INVARIANTS: write-locked, count > 0, every page xbusy,
 * not mapped, not fully valid, not dirty, of this object), the post-zeroing
 * in vm_pager_get_pages (each requested page that is not fully valid after a
 * successful read goes through vm_page_zero_invalid(m, TRUE); the async
 * variant does not zero), the return codes and put flags, and deadpagerops
 * (getpages FAIL, putpages all AGAIN, haspage FALSE with before/after 0,
 * dealloc and alloc no-ops).
 * Left out: the other pagers (default, swap, device, phys, sg, mgtdevice),
 * bogus_page (never put in a request here), the pbuf pool (buf.ts), the
 * trueos-only prot argument and OBJ2_GRAPHICS early return.
 *
 * Every pager routine is a generator (KThread) so that one table type serves
 * routines that yield (the vnode pager) and those that never do (dead pager).
 */
import { HarnessBug, KernelAssertion, type KThread } from '../../checker/op.ts';
import type { Kernel } from './kernel.ts';
import { OBJT_DEAD, VM_OBJECT_ASSERT_WLOCKED, objtype_name, type vm_object } from './vm_object.ts';
import { VM_PAGE_BITS_ALL, vm_page_lookup, vm_page_xbusied, vm_page_zero_invalid, pmap_page_is_mapped, type vm_page } from './vm_page.ts';
import type { pgiodone_t } from './buf.ts';
import type { vnode } from './vnode.ts';

/** An `int *` out-parameter (before/after, rbehind/rahead). */
export type Ref = { v: number };

/** A page handed to vm_pager_put_pages, as it was then. */
export interface PutBefore {
  readonly m: vm_page;
  readonly dirty: number;
  readonly data: readonly string[];
}

/**
 * Kernel.pagerAnswers: told what each dispatch routine answers, at the moment
 * its caller receives it (inside the caller's step), so that the answers can
 * be compared with the disk. Not part of FreeBSD; it only reads.
 */
export interface PagerAnswers {
  getPages(object: vm_object, m: readonly vm_page[], rv: number, rbehind: number, rahead: number): void;
  /** The iodone of an asynchronous request, before the caller's iodone runs. */
  getPagesDone(object: vm_object, m: readonly vm_page[], error: number): void;
  putPages(object: vm_object, before: readonly PutBefore[], rtvals: readonly number[], flags: number): void;
  hasPage(object: vm_object, pindex: number, has: boolean, before: number | null, after: number | null): void;
}

export const VM_PAGER_OK = 0;
export const VM_PAGER_BAD = 1;
export const VM_PAGER_FAIL = 2;
export const VM_PAGER_PEND = 3;
export const VM_PAGER_ERROR = 4;
export const VM_PAGER_AGAIN = 5;

export const VM_PAGER_PUT_SYNC = 0x1;
export const VM_PAGER_PUT_INVAL = 0x2;
export const VM_PAGER_PUT_NOREUSE = 0x4;
export const VM_PAGER_CLUSTER_OK = 0x8;

export interface pagerops {
  pgo_alloc(k: Kernel, handle: vnode | null, size: number, prot: number, offset: number, cred: unknown): KThread<vm_object | null>;
  pgo_dealloc(k: Kernel, object: vm_object): KThread<void>;
  pgo_getpages(k: Kernel, object: vm_object, m: vm_page[], count: number, rbehind: Ref | null, rahead: Ref | null): KThread<number>;
  pgo_getpages_async(k: Kernel, object: vm_object, m: vm_page[], count: number, rbehind: Ref | null, rahead: Ref | null, iodone: pgiodone_t, arg: unknown): KThread<number>;
  pgo_putpages(k: Kernel, object: vm_object, m: vm_page[], count: number, flags: number, rtvals: number[]): KThread<void>;
  pgo_haspage(k: Kernel, object: vm_object, pindex: number, before: Ref | null, after: Ref | null): KThread<boolean>;
}

const pagertab = new Map<number, pagerops>();

/** Fills pagertab[type]; a second registration for a type replaces the first (module reloads in tests). */
export function registerPager(type: number, ops: pagerops): void {
  pagertab.set(type, ops);
}

function ops_of(object: vm_object): pagerops {
  /* pagertab[OBJT_DEAD] is static; looked up here rather than registered at load to stay clear of the import cycle with vm_object.ts. */
  const ops = pagertab.get(object.type) ?? (object.type === OBJT_DEAD ? deadpagerops : undefined);
  if (!ops) throw new HarnessBug(`no pager registered for ${objtype_name(object.type)} (object ${object.name}); import impl/vnode_pager.ts before running vnode objects`);
  return ops;
}

/* ---- the dead pager ---- */

export const deadpagerops: pagerops = {
  *pgo_alloc() {
    return null;
  },
  *pgo_dealloc() {},
  *pgo_getpages() {
    return VM_PAGER_FAIL;
  },
  *pgo_getpages_async() {
    return VM_PAGER_FAIL;
  },
  *pgo_putpages(_k, _object, _m, count, _flags, rtvals) {
    for (let i = 0; i < count; i++) rtvals[i] = VM_PAGER_AGAIN;
  },
  *pgo_haspage(_k, _object, _pindex, before, after) {
    if (before) before.v = 0;
    if (after) after.v = 0;
    return false;
  },
};

/* ---- dispatch ---- */

/** Write-locked; calls the pager's dealloc chosen by the object's current type. */
export function* vm_pager_deallocate(k: Kernel, object: vm_object): KThread<void> {
  VM_OBJECT_ASSERT_WLOCKED(k, object, 'vm_pager_deallocate');
  yield* ops_of(object).pgo_dealloc(k, object);
}

/** INVARIANTS pre-check of a page-in request. */
function vm_pager_assert_in(k: Kernel, object: vm_object, m: vm_page[], count: number): void {
  const fn = 'vm_pager_assert_in';
  VM_OBJECT_ASSERT_WLOCKED(k, object, fn);
  if (!(count > 0)) throw new KernelAssertion('KASSERT', fn, 'vm_pager_assert_in: 0 count');
  for (let i = 0; i < count; i++) {
    const p = m[i];
    if (p === undefined) throw new HarnessBug(`vm_pager_assert_in: request of ${count} pages with only ${m.length} in the array`);
    if (!vm_page_xbusied(p)) throw new KernelAssertion('KASSERT', fn, `vm_page_assert_xbusied: page ${p.name} not exclusive busy`);
    if (pmap_page_is_mapped(p)) throw new KernelAssertion('KASSERT', fn, `vm_pager_assert_in: page ${p.name} is mapped`);
    if (p.valid === VM_PAGE_BITS_ALL) throw new KernelAssertion('KASSERT', fn, `vm_pager_assert_in: request for a valid page ${p.name}`);
    if (p.dirty !== 0) throw new KernelAssertion('KASSERT', fn, `vm_pager_assert_in: page ${p.name} is dirty`);
    if (p.object !== object) throw new KernelAssertion('KASSERT', fn, `vm_pager_assert_in: wrong object ${object.name}/${p.object?.name ?? 'NULL'}`);
  }
}

/**
 * Pages in m[0..count) through the object's pager. On VM_PAGER_OK every
 * requested page is fully valid: an invalid tail (the EOF page) is zeroed
 * here, not by the vnode pager.
 */
export function* vm_pager_get_pages(k: Kernel, object: vm_object, m: vm_page[], count: number, rbehind: Ref | null, rahead: Ref | null): KThread<number> {
  const fn = 'vm_pager_get_pages';
  let pindex = m[0]?.pindex ?? 0;
  vm_pager_assert_in(k, object, m, count);
  const r = yield* ops_of(object).pgo_getpages(k, object, m, count, rbehind, rahead);
  if (r !== VM_PAGER_OK) {
    k.pagerAnswers?.getPages(object, m.slice(0, count), r, rbehind?.v ?? 0, rahead?.v ?? 0);
    return r;
  }
  for (let i = 0; i < count; i++) {
    const mi = m[i]!;
    /* A pager that replaced a page must have updated the array. */
    if (mi !== vm_page_lookup(object, pindex++)) throw new KernelAssertion('KASSERT', fn, `vm_pager_get_pages: mismatch page ${mi.name} pindex ${pindex - 1}`);
    /* Zero out partially filled data. */
    if (mi.valid !== VM_PAGE_BITS_ALL) vm_page_zero_invalid(k, mi, true);
  }
  k.pagerAnswers?.getPages(object, m.slice(0, count), VM_PAGER_OK, rbehind?.v ?? 0, rahead?.v ?? 0);
  return VM_PAGER_OK;
}

/** The iodone as the pager calls it, with the answer told to Kernel.pagerAnswers first. */
function* answeredIodone(answers: PagerAnswers, object: vm_object, iodone: pgiodone_t, k: Kernel, arg: unknown, m: vm_page[], count: number, error: number): KThread<void> {
  answers.getPagesDone(object, m.slice(0, count), error);
  yield* iodone(k, arg, m, count, error);
}

export function* vm_pager_get_pages_async(
  k: Kernel,
  object: vm_object,
  m: vm_page[],
  count: number,
  rbehind: Ref | null,
  rahead: Ref | null,
  iodone: pgiodone_t,
  arg: unknown,
): KThread<number> {
  vm_pager_assert_in(k, object, m, count);
  const answers = k.pagerAnswers;
  const done: pgiodone_t = answers === null ? iodone : (kk, a, pages, cnt, error) => answeredIodone(answers, object, iodone, kk, a, pages, cnt, error);
  return yield* ops_of(object).pgo_getpages_async(k, object, m, count, rbehind, rahead, done, arg);
}

export function* vm_pager_put_pages(k: Kernel, object: vm_object, m: vm_page[], count: number, flags: number, rtvals: number[]): KThread<void> {
  VM_OBJECT_ASSERT_WLOCKED(k, object, 'vm_pager_put_pages');
  const answers = k.pagerAnswers;
  const before: PutBefore[] | null = answers === null ? null : [];
  if (before !== null) for (let i = 0; i < count; i++) before.push({ m: m[i]!, dirty: m[i]!.dirty, data: m[i]!.data.slice() });
  yield* ops_of(object).pgo_putpages(k, object, m, count, flags, rtvals);
  if (answers !== null) answers.putPages(object, before!, rtvals.slice(0, count), flags);
}

/*
 * The answer is judged against the block map, the pager's size and the
 * vnode's state as they are in the step that receives it; an unlocked caller
 * holds nothing that orders that step against a truncation or a reclaim, so
 * the step declares those reads (atomic: the observer's, not a race), or DPOR
 * would take the orders on either side of such a writer as one.
 */
function answerReads(k: Kernel, object: vm_object): void {
  k.ctx.touch(`${object.name}.vnp_size`, false, true);
  const vp = object.handle;
  if (vp === null) return;
  for (const f of ANSWER_VNODE_FIELDS) k.ctx.touch(`${vp.name}.${f}`, false, true);
}
const ANSWER_VNODE_FIELDS = ['blkmap', 'v_iflag', 'v_type'] as const;

export function* vm_pager_has_page(k: Kernel, object: vm_object, pindex: number, before: Ref | null, after: Ref | null): KThread<boolean> {
  VM_OBJECT_ASSERT_WLOCKED(k, object, 'vm_pager_has_page');
  const has = yield* ops_of(object).pgo_haspage(k, object, pindex, before, after);
  const answers = k.pagerAnswers;
  if (answers !== null) {
    answerReads(k, object);
    answers.hasPage(object, pindex, has, before?.v ?? null, after?.v ?? null);
  }
  return has;
}
