/*
 * Variant `c`: the kernel's pager table and the callers' entry points run
 * the compiled seed (cwasm/vnode_pager.wasm) instead of the port. The
 * functions not yet running on it (their callees or fields are not yet
 * provided by cwasm/imports.ts and cwasm/fields.ts) are refused in one line
 * naming them (CRefused).
 */
import type { KThread } from '../checker/op.ts';
import type { Kernel } from '../impl/kernel/kernel.ts';
import type { vm_object } from '../impl/kernel/vm_object.ts';
import type { vnode } from '../impl/kernel/vnode.ts';
import type { Ref, pagerops } from '../impl/kernel/vm_pager.ts';
import type { VnodeHooks } from '../impl/kernel/vnode.ts';
import type { GenericPager, vop_getpages_args, vop_getpages_async_args } from '../impl/kernel/vfs.ts';
import type { pgiodone_t } from '../impl/kernel/buf.ts';
import type { vm_page } from '../impl/kernel/vm_page.ts';
import { CIodone, cinstance, type CInstance } from './runtime.ts';

/** The seed's functions that run on the compiled seed. */
export const RUNNING: readonly string[] = [
  'vnode_create_vobject',
  'vnode_destroy_vobject',
  'vnode_pager_alloc',
  'vnode_pager_dealloc',
  'vnode_pager_haspage',
  'vnode_pager_setsize',
  'vnode_pager_update_writecount',
  'vnode_pager_release_writecount',
  'vnode_pager_getpages',
  'vnode_pager_getpages_async',
  'vnode_pager_local_getpages',
  'vnode_pager_local_getpages_async',
  'vnode_pager_generic_getpages',
  'vnode_pager_generic_getpages_done',
  'vnode_pager_generic_getpages_done_async',
  'vnode_pager_input_smlfs',
  'vnode_pager_input_old',
  'vnode_pager_addr',
  'vnode_pager_putpages',
  'vnode_pager_generic_putpages',
  'vnode_pager_putpages_ioflags',
  'vnode_pager_undirty_pages',
];

export class CRefused extends Error {}

function refuse(fn: string): never {
  throw new CRefused(`variant c: ${fn} does not run on the compiled seed yet; running: ${RUNNING.join(', ')}`);
}

function* haspage(k: Kernel, object: vm_object, pindex: number, before: Ref | null, after: Ref | null): KThread<boolean> {
  const c = cinstance(k);
  const f = c.pagerop('pgo_haspage');
  const out = c.scratchInts(2);
  const m = c.i32;
  m[out >> 2] = before?.v ?? 0;
  m[(out >> 2) + 1] = after?.v ?? 0;
  const r = yield* c.run(() => f(c.handle(object), BigInt(pindex), before ? out : 0, after ? out + 4 : 0), (v) => v !== 0);
  if (before) before.v = c.i32[out >> 2]!;
  if (after) after.v = c.i32[(out >> 2) + 1]!;
  return r;
}

function* setsize(k: Kernel, vp: vnode, nsize: number): KThread<void> {
  const c = cinstance(k);
  const f = c.ex.vnode_pager_setsize as (vp: number, n: bigint) => void;
  yield* c.run(() => f(c.handle(vp), BigInt(nsize)), () => undefined);
}

function* writecount(name: string, k: Kernel, object: vm_object, start: number, end: number): KThread<void> {
  const c = cinstance(k);
  const f = c.ex[name] as (o: number, s: number, e: number) => void;
  yield* c.run(() => f(c.handle(object), start, end), () => undefined);
}

function* create_vobject(k: Kernel, vp: vnode, isize: number): KThread<number> {
  const c = cinstance(k);
  const f = c.ex.vnode_create_vobject as (vp: number, size: bigint, td: number) => number;
  return yield* c.run(() => f(c.handle(vp), BigInt(isize), c.curthread()), (v) => v as number);
}

function* alloc(k: Kernel, handle: vnode | null, size: number, prot: number, offset: number): KThread<vm_object | null> {
  const c = cinstance(k);
  const f = c.pagerop('pgo_alloc');
  return yield* c.run(() => f(c.handle(handle), BigInt(size), prot, BigInt(offset), 0), (v) => c.object<vm_object>(v as number));
}

function* dealloc(k: Kernel, object: vm_object): KThread<void> {
  const c = cinstance(k);
  const f = c.pagerop('pgo_dealloc');
  yield* c.run(() => f(c.handle(object)), () => undefined);
}

function* destroy_vobject(k: Kernel, vp: vnode): KThread<void> {
  const c = cinstance(k);
  const f = c.ex.vnode_destroy_vobject as (vp: number) => void;
  yield* c.run(() => f(c.handle(vp)), () => undefined);
}

/*
 * The arguments of a getpages call in the C's memory: the page array and
 * the rbehind / rahead words (0 for NULL), copied back into the Refs after.
 */
interface PagesArgs {
  readonly m: number;
  readonly rb: number;
  readonly ra: number;
}

function pagesArgs(c: CInstance, m: readonly vm_page[], count: number, rbehind: Ref | null, rahead: Ref | null): PagesArgs {
  const at = c.scratchInts(count + 2);
  const w = c.i32;
  for (let i = 0; i < count; i++) w[(at >> 2) + i] = c.handle(m[i]);
  const rb = at + 4 * count;
  w[rb >> 2] = rbehind?.v ?? 0;
  w[(rb >> 2) + 1] = rahead?.v ?? 0;
  return { m: at, rb: rbehind ? rb : 0, ra: rahead ? rb + 4 : 0 };
}

function pagesBack(c: CInstance, a: PagesArgs, rbehind: Ref | null, rahead: Ref | null): void {
  if (rbehind) rbehind.v = c.i32[a.rb >> 2]!;
  if (rahead) rahead.v = c.i32[a.ra >> 2]!;
}

function* getpages(k: Kernel, object: vm_object, m: vm_page[], count: number, rbehind: Ref | null, rahead: Ref | null): KThread<number> {
  const c = cinstance(k);
  const f = c.pagerop('pgo_getpages');
  const a = pagesArgs(c, m, count, rbehind, rahead);
  const r = yield* c.run(() => f(c.handle(object), a.m, count, a.rb, a.ra), (v) => v as number);
  pagesBack(c, a, rbehind, rahead);
  return r;
}

/*
 * pgo_getpages_async: the request's number and each iodone call reported
 * (ASYNC_ISSUE, ASYNC_DONE) as the port does around the seed's function
 * (impl/vnode_pager.ts vnode_pager_getpages_async).
 */
function* getpages_async(k: Kernel, object: vm_object, m: vm_page[], count: number, rbehind: Ref | null, rahead: Ref | null, iodone: pgiodone_t, arg: unknown): KThread<number> {
  const issued = k.kernelStatic('async_requests', () => ({ n: 0 }));
  const req = ++issued.n;
  k.observer.emit({ type: 'ASYNC_ISSUE', req, obj: object.name });
  const observed: pgiodone_t = (k2, a2, pages, n, error) => asyncObserved(req, iodone, k2, a2, pages, n, error);
  const c = cinstance(k);
  const f = c.pagerop('pgo_getpages_async');
  const a = pagesArgs(c, m, count, rbehind, rahead);
  const io = c.handle(new CIodone(observed, arg));
  const r = yield* c.run(() => f(c.handle(object), a.m, count, a.rb, a.ra, c.pgiodoneIndex, io), (v) => v as number);
  pagesBack(c, a, rbehind, rahead);
  return r;
}

function* asyncObserved(req: number, iodone: pgiodone_t, k: Kernel, arg: unknown, pages: vm_page[], n: number, error: number): KThread<void> {
  k.observer.emit({ type: 'ASYNC_DONE', req, error });
  yield* iodone(k, arg, pages, n, error);
}

/* vnode_pager_generic_getpages (the default VOP_GETPAGES of a filesystem without its own). */
function* generic_getpages(k: Kernel, vp: vnode, m: vm_page[], count: number, rbehind: Ref | null, rahead: Ref | null, iodone: pgiodone_t | null, arg: unknown): KThread<number> {
  const c = cinstance(k);
  const f = c.ex.vnode_pager_generic_getpages as (...a: number[]) => number;
  const a = pagesArgs(c, m, count, rbehind, rahead);
  const io = iodone === null ? 0 : c.handle(new CIodone(iodone, arg));
  const r = yield* c.run(() => f(c.handle(vp), a.m, count, a.rb, a.ra, iodone === null ? 0 : c.pgiodoneIndex, io), (v) => v as number);
  pagesBack(c, a, rbehind, rahead);
  return r;
}

/* VOP_GETPAGES(_ASYNC) of a local filesystem: the C's struct vop_getpages(_async)_args in its memory. */
function* local_getpages(k: Kernel, ap: vop_getpages_args | vop_getpages_async_args, async: boolean): KThread<number> {
  const c = cinstance(k);
  const name = async ? 'vnode_pager_local_getpages_async' : 'vnode_pager_local_getpages';
  const f = c.ex[name] as (ap: number) => number;
  const a = pagesArgs(c, ap.a_m, ap.a_count, ap.a_rbehind, ap.a_rahead);
  const s = c.scratchInts(7);
  const w = c.i32;
  w.set([c.handle(ap.a_vp), a.m, ap.a_count, a.rb, a.ra], s >> 2);
  if (async) {
    const aa = ap as vop_getpages_async_args;
    w[(s >> 2) + 5] = c.pgiodoneIndex;
    w[(s >> 2) + 6] = c.handle(new CIodone(aa.a_iodone, aa.a_arg));
  }
  const r = yield* c.run(() => f(s), (v) => v as number);
  pagesBack(c, a, ap.a_rbehind, ap.a_rahead);
  return r;
}

/* The page array and rtvals of a putpages call in the C's memory; rtvals copied back into the caller's array after. */
function* putpagesCall(c: CInstance, m: readonly vm_page[], count: number, rtvals: number[], call: (m: number, rt: number) => unknown): KThread<number> {
  const at = c.scratchInts(2 * count);
  const w = c.i32;
  for (let i = 0; i < count; i++) {
    w[(at >> 2) + i] = c.handle(m[i]);
    w[(at >> 2) + count + i] = rtvals[i] ?? 0;
  }
  const r = yield* c.run(() => call(at, at + 4 * count), (v) => (v ?? 0) as number);
  for (let i = 0; i < count; i++) rtvals[i] = c.i32[(at >> 2) + count + i]!;
  return r;
}

function* putpages(k: Kernel, object: vm_object, m: vm_page[], count: number, flags: number, rtvals: number[]): KThread<void> {
  const c = cinstance(k);
  const f = c.pagerop('pgo_putpages');
  yield* putpagesCall(c, m, count, rtvals, (ma, rt) => f(c.handle(object), ma, count, flags, rt));
}

function* generic_putpages(k: Kernel, vp: vnode, m: vm_page[], bytecount: number, flags: number, rtvals: number[]): KThread<number> {
  const c = cinstance(k);
  const f = c.ex.vnode_pager_generic_putpages as (...a: number[]) => number;
  return yield* putpagesCall(c, m, Math.trunc(bytecount / 4096), rtvals, (ma, rt) => f(c.handle(vp), ma, bytecount, flags, rt));
}

function* undirty_pages(k: Kernel, ma: vm_page[], rtvals: number[], written: number): KThread<void> {
  const c = cinstance(k);
  const f = c.ex.vnode_pager_undirty_pages as (...a: number[]) => void;
  yield* putpagesCall(c, ma, Math.ceil(written / 4096), rtvals, (m, rt) => f(m, rt, written));
}

/* Generators that refuse when first resumed (the kernel's tables call them as threads). */
export function* refused(fn: string): KThread<never> {
  refuse(fn);
}

export const cPagerops: pagerops = {
  pgo_alloc: alloc,
  pgo_dealloc: dealloc,
  pgo_getpages: getpages,
  pgo_getpages_async: getpages_async,
  pgo_putpages: putpages,
  pgo_haspage: haspage,
};

export const cHooks: VnodeHooks = { vnode_destroy_vobject: destroy_vobject };

export const cGeneric: Partial<GenericPager> = {
  getpages: generic_getpages,
  putpages: generic_putpages,
  local_getpages: (k, ap) => local_getpages(k, ap, false),
  local_getpages_async: (k, ap) => local_getpages(k, ap, true),
};

/** The callers' entry points (impl/port.ts PortExports): the C's where it runs, else refused. */
export const cEntries = {
  vnode_pager_setsize: setsize,
  vnode_create_vobject: create_vobject,
  vnode_destroy_vobject: destroy_vobject,
  vnode_pager_alloc: alloc,
  vnode_pager_undirty_pages: undirty_pages,
  vnode_pager_update_writecount: (k: Kernel, object: vm_object, start: number, end: number) => writecount('vnode_pager_update_writecount', k, object, start, end),
  vnode_pager_release_writecount: (k: Kernel, object: vm_object, start: number, end: number) => writecount('vnode_pager_release_writecount', k, object, start, end),
};
