/*
 * The port as the kernel and its callers reach it: the seed port
 * (vnode_pager.ts) for the seed and the repaired variants, and for a mutant a
 * copy of vnode_pager.ts's text with the mutant's edit applied
 * (impl/variants.ts Mutation.edit), so the mistake is data and not a branch
 * of the port's control flow.
 *
 * The copy is compiled by esbuild (transformSync: synchronous, so every
 * runner can select a mutant) and evaluated with this process's own kernel
 * modules as its imports: its threads yield the same Ops, throw the same
 * KernelAssertion and share the same kernel state as the seed port would.
 * Its registrations (pager table, VOP_RECLAIM hook, generic pager routines)
 * are kept with the copy instead of replacing the seed's.
 *
 * Dispatch: the kernel's tables hold the entries below, which pick the port of
 * the calling kernel's variant (k.variant) and return its generator as is
 * (no extra frame); the callers (impl/callers/) import their entry points
 * from here. A test or driver that imports vnode_pager.ts directly runs the
 * seed port whatever the kernel's variant.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runInThisContext } from 'node:vm';
import * as seedPort from './vnode_pager.ts';
import * as op from '../checker/op.ts';
import * as kassert from './kernel/kassert.ts';
import * as kernel from './kernel/kernel.ts';
import * as sync from './kernel/sync.ts';
import * as vm_object from './kernel/vm_object.ts';
import * as vm_pager from './kernel/vm_pager.ts';
import * as vnode from './kernel/vnode.ts';
import * as vm_page from './kernel/vm_page.ts';
import * as data from './kernel/data.ts';
import * as vfs from './kernel/vfs.ts';
import * as buf from './kernel/buf.ts';
import * as disk from './kernel/disk.ts';
import { OBJT_VNODE } from './kernel/vm_object.ts';
import { registerPager, type pagerops } from './kernel/vm_pager.ts';
import { registerVnodeHooks, type VnodeHooks } from './kernel/vnode.ts';
import { registerGenericPager, type GenericPager } from './kernel/vfs.ts';
import type { Kernel } from './kernel/kernel.ts';
import { applyMutation, mutationOf, type Mutation, type Variant } from './variants.ts';
import { cEntries, cGeneric, cHooks, cPagerops, refused } from '../cwasm/cport.ts';

type PortExports = typeof seedPort;

/** One port: its exports and what it registers with the kernel. */
export interface Port {
  readonly exports: PortExports;
  readonly pagerops: pagerops;
  readonly hooks: VnodeHooks;
  readonly generic: Partial<GenericPager>;
  /** The mutation applied, null for the seed port. */
  readonly mutation: string | null;
}

const PORT_FILE = fileURLToPath(new URL('./vnode_pager.ts', import.meta.url));

/** The port's imports, by the specifier it names them with. */
const IMPORTS: Readonly<Record<string, object>> = {
  '../checker/op.ts': op,
  './kernel/kassert.ts': kassert,
  './kernel/kernel.ts': kernel,
  './kernel/sync.ts': sync,
  './kernel/vm_object.ts': vm_object,
  './kernel/vm_pager.ts': vm_pager,
  './kernel/vnode.ts': vnode,
  './kernel/vm_page.ts': vm_page,
  './kernel/data.ts': data,
  './kernel/vfs.ts': vfs,
  './kernel/buf.ts': buf,
  './kernel/disk.ts': disk,
};

/** The specifiers a copy of the port is given modules for. */
export function providedImports(): readonly string[] {
  return Object.keys(IMPORTS);
}

/** The specifiers the port's text imports (a test checks a copy is given them all). */
export function portImports(source: string): string[] {
  return [...source.matchAll(/^\} from '([^']+)';|^import [^'\n]* from '([^']+)';/gm)].map((m) => m[1] ?? m[2]!);
}

/** `ns` with some names replaced: every other name reads through to ns (live). */
function overriding(ns: object, over: Record<string, unknown>): object {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(ns)) if (!(key in over)) Object.defineProperty(out, key, { enumerable: true, get: () => (ns as Record<string, unknown>)[key] });
  for (const [key, v] of Object.entries(over)) Object.defineProperty(out, key, { enumerable: true, value: v });
  return out;
}

/**
 * Compiles and evaluates `source` (a text of vnode_pager.ts) as a module of
 * its own; its registrations are returned, not made. `name` labels its stack
 * frames (crash.ts reads function names only).
 */
export function evaluatePort(source: string, name: string, mutation: string | null): Port {
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const { code } = esbuild.transformSync(source, { loader: 'ts', format: 'cjs', target: 'node20', sourcefile: name });
  let ops: pagerops | null = null;
  let hooks: VnodeHooks | null = null;
  let generic: Partial<GenericPager> = {};
  const imports: Record<string, object> = {
    ...IMPORTS,
    './kernel/vm_pager.ts': overriding(vm_pager, {
      registerPager: (type: number, o: pagerops) => {
        if (type === OBJT_VNODE) ops = o;
      },
    }),
    './kernel/vnode.ts': overriding(vnode, { registerVnodeHooks: (h: VnodeHooks) => (hooks = h) }),
    './kernel/vfs.ts': overriding(vfs, { registerGenericPager: (p: Partial<GenericPager>) => (generic = { ...generic, ...p }) }),
  };
  const require = (spec: string): object => {
    const m = imports[spec];
    if (m === undefined) throw new Error(`${name} imports ${spec}, which impl/port.ts does not provide; accepted: ${Object.keys(IMPORTS).join(', ')}`);
    return m;
  };
  const module = { exports: {} as Record<string, unknown> };
  const fn = runInThisContext(`(function (require, module, exports) {${code}\n})`, { filename: name }) as (r: typeof require, m: typeof module, e: object) => void;
  fn(require, module, module.exports);
  if (ops === null || hooks === null) throw new Error(`${name} registered no vnode pager or no VOP_RECLAIM hook`);
  return { exports: module.exports as unknown as PortExports, pagerops: ops, hooks, generic, mutation };
}

/** The seed port as loaded: what vnode_pager.ts registers at its end. */
const SEED_PORT: Port = {
  exports: seedPort,
  pagerops: seedPort.vnodepagerops,
  hooks: { vnode_destroy_vobject: seedPort.vnode_destroy_vobject },
  generic: {
    getpages: seedPort.vnode_pager_generic_getpages,
    putpages: seedPort.vnode_pager_generic_putpages,
    local_getpages: seedPort.vnode_pager_local_getpages,
    local_getpages_async: seedPort.vnode_pager_local_getpages_async,
  },
  mutation: null,
};

/*
 * Variant c: the compiled seed's entries (cwasm/cport.ts). Its exports are
 * the callers' entry points only; any other name of the port refuses.
 */
const C_PORT: Port = {
  exports: new Proxy(cEntries, {
    get: (t, name) => (name in t ? t[name as keyof typeof cEntries] : () => refused(String(name))),
  }) as unknown as PortExports,
  pagerops: cPagerops,
  hooks: cHooks,
  generic: cGeneric,
  mutation: null,
};

export function seedPortRecord(): Port {
  return SEED_PORT;
}

/** The port's text with mutation m applied (throws EditMismatch when the edit does not apply exactly once). */
export function mutatedSource(m: Mutation): string {
  return applyMutation(readFileSync(PORT_FILE, 'utf8'), m);
}

const mutants = new Map<string, Port>();
/* By name, not a WeakMap keyed by the Variant (impl/gc-shape.test.ts: the kernel model keeps no module-level WeakMap). */
const byVariant = new Map<string, Port>();

/** The port a variant runs: the seed port, or its mutant's copy (compiled once per process). */
export function portFor(v: Variant): Port {
  let p = byVariant.get(v.name);
  if (p !== undefined) return p;
  const m = mutationOf(v);
  if (v.kind === 'compiled') p = C_PORT;
  else if (m === null) p = SEED_PORT;
  else {
    p = mutants.get(m.name);
    if (p === undefined) {
      p = evaluatePort(mutatedSource(m), `vnode_pager.ts (${m.name})`, m.name);
      mutants.set(m.name, p);
    }
  }
  byVariant.set(v.name, p);
  return p;
}

function portOf(k: Kernel): Port {
  return byVariant.get(k.variant.name) ?? portFor(k.variant);
}

/* ---- the entries the callers import ---- */
export const vnode_create_vobject: PortExports['vnode_create_vobject'] = (k, ...a) => portOf(k).exports.vnode_create_vobject(k, ...a);
export const vnode_destroy_vobject: PortExports['vnode_destroy_vobject'] = (k, vp) => portOf(k).exports.vnode_destroy_vobject(k, vp);
export const vnode_pager_alloc: PortExports['vnode_pager_alloc'] = (k, ...a) => portOf(k).exports.vnode_pager_alloc(k, ...a);
export const vnode_pager_setsize: PortExports['vnode_pager_setsize'] = (k, ...a) => portOf(k).exports.vnode_pager_setsize(k, ...a);
export const vnode_pager_update_writecount: PortExports['vnode_pager_update_writecount'] = (k, ...a) => portOf(k).exports.vnode_pager_update_writecount(k, ...a);
export const vnode_pager_release_writecount: PortExports['vnode_pager_release_writecount'] = (k, ...a) => portOf(k).exports.vnode_pager_release_writecount(k, ...a);

/* ---- the kernel's tables: the entries of the calling kernel's port ---- */
const generic = (k: Kernel): Partial<GenericPager> => portOf(k).generic;
registerPager(OBJT_VNODE, {
  pgo_alloc: (k, ...a) => portOf(k).pagerops.pgo_alloc(k, ...a),
  pgo_dealloc: (k, object) => portOf(k).pagerops.pgo_dealloc(k, object),
  pgo_getpages: (k, ...a) => portOf(k).pagerops.pgo_getpages(k, ...a),
  pgo_getpages_async: (k, ...a) => portOf(k).pagerops.pgo_getpages_async(k, ...a),
  pgo_putpages: (k, ...a) => portOf(k).pagerops.pgo_putpages(k, ...a),
  pgo_haspage: (k, ...a) => portOf(k).pagerops.pgo_haspage(k, ...a),
});
registerVnodeHooks({ vnode_destroy_vobject: (k, vp) => portOf(k).hooks.vnode_destroy_vobject(k, vp) });
registerGenericPager({
  getpages: (k, ...a) => generic(k).getpages!(k, ...a),
  putpages: (k, ...a) => generic(k).putpages!(k, ...a),
  local_getpages: (k, ap) => generic(k).local_getpages!(k, ap),
  local_getpages_async: (k, ap) => generic(k).local_getpages_async!(k, ap),
});
