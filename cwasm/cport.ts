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
import type { GenericPager } from '../impl/kernel/vfs.ts';
import { cinstance } from './runtime.ts';

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

/* Generators that refuse when first resumed (the kernel's tables call them as threads). */
export function* refused(fn: string): KThread<never> {
  refuse(fn);
}

export const cPagerops: pagerops = {
  pgo_alloc: alloc,
  pgo_dealloc: dealloc,
  pgo_getpages: () => refused('vnode_pager_getpages'),
  pgo_getpages_async: () => refused('vnode_pager_getpages_async'),
  pgo_putpages: () => refused('vnode_pager_putpages'),
  pgo_haspage: haspage,
};

export const cHooks: VnodeHooks = { vnode_destroy_vobject: destroy_vobject };

export const cGeneric: Partial<GenericPager> = {
  getpages: () => refused('vnode_pager_generic_getpages'),
  putpages: () => refused('vnode_pager_generic_putpages'),
  local_getpages: () => refused('vnode_pager_local_getpages'),
  local_getpages_async: () => refused('vnode_pager_local_getpages_async'),
};

/** The callers' entry points (impl/port.ts PortExports): the C's where it runs, else refused. */
export const cEntries = {
  vnode_pager_setsize: setsize,
  vnode_create_vobject: create_vobject,
  vnode_destroy_vobject: destroy_vobject,
  vnode_pager_alloc: alloc,
  vnode_pager_update_writecount: (k: Kernel, object: vm_object, start: number, end: number) => writecount('vnode_pager_update_writecount', k, object, start, end),
  vnode_pager_release_writecount: (k: Kernel, object: vm_object, start: number, end: number) => writecount('vnode_pager_release_writecount', k, object, start, end),
};
