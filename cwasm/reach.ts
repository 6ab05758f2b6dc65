/*
 * Which of the seed's entry functions a scenario's operations reach, decided
 * from the operations alone (a static table per operation kind), so that a
 * scenario on variant `c` that would call a function not yet running there
 * is refused before the search starts instead of failing at the first call.
 *
 * The names are the entries cwasm/cport.ts dispatches (the pager table, the
 * generic pager routines and the callers' entry points): a name runs on `c`
 * when it is in RUNNING. cwasm/reach.test.ts checks the table against what
 * runs of the seed port actually reach, and that every name it lists is
 * either running or refused by cport.ts under that name.
 */
import type { OpName, Scenario } from '../properties/scenario.ts';
import { RUNNING } from './cport.ts';

/** The page-out path of vm_object_page_clean (vm_pageout_flush -> vm_pager_put_pages -> VOP_PUTPAGES). */
const PUTPAGES = ['vnode_pager_putpages', 'vnode_pager_generic_putpages'] as const;

interface Reach {
  /** Reached whenever the operation runs (as far as its path gets). */
  readonly always: readonly string[];
  /** Reached when a page of the object can be dirty: terminating or inactivating the object cleans it. */
  readonly ifDirty?: readonly string[];
}

export const OP_REACHES: Readonly<Record<OpName, Reach>> = {
  alloc: { always: ['vnode_pager_alloc'] },
  /* The last reference: vm_object_vndeallocate -> vrele -> vinactive cleans the pages (OBJPC_NOSYNC). */
  deallocate: { always: ['vnode_pager_dealloc'], ifDirty: PUTPAGES },
  create_vobject: { always: ['vnode_create_vobject', 'vnode_pager_alloc'] },
  /* VOP_RECLAIM -> vnode_destroy_vobject -> vm_object_terminate: vm_object_page_clean(OBJPC_SYNC), then the pager's dealloc. */
  destroy_vobject: { always: ['vnode_destroy_vobject', 'vnode_pager_dealloc'], ifDirty: PUTPAGES },
  vgone: { always: ['vnode_destroy_vobject', 'vnode_pager_dealloc'], ifDirty: PUTPAGES },
  setsize: { always: ['vnode_pager_setsize'] },
  /* vm_pager_get_pages -> VOP_GETPAGES: the local filesystem's (ufs) or vop_stdgetpages (no VOP_BMAP) -> generic_getpages. */
  getpages: { always: ['vnode_pager_getpages', 'vnode_pager_local_getpages', 'vnode_pager_generic_getpages'] },
  /* sendfile asks vm_pager_has_page first; VOP_GETPAGES_ASYNC goes to the local async routine or through vop_stdgetpages_async. */
  getpages_async: { always: ['vnode_pager_haspage', 'vnode_pager_getpages_async', 'vnode_pager_local_getpages_async', 'vnode_pager_generic_getpages'] },
  dirty: { always: [] },
  putpages: { always: PUTPAGES },
  haspage: { always: ['vnode_pager_haspage'] },
  update_writecount: { always: ['vnode_pager_update_writecount'] },
  release_writecount: { always: ['vnode_pager_release_writecount'] },
};

/** A page of the scenario's object can be dirty: one starts dirty, or a thread stores to one (`dirty`, `putpages`). */
export function mayDirty(s: Scenario): boolean {
  return s.initial.pages.some((p) => p.dirty) || s.threads.some((t) => t.ops.some((o) => o.op === 'dirty' || o.op === 'putpages'));
}

export interface Reached {
  readonly fn: string;
  /** The first operation that reaches it: `THREAD op #i (KIND)`. */
  readonly op: string;
}

/** Every entry function the scenario's operations reach, in thread and operation order, each with the first operation reaching it. */
export function reachedFunctions(s: Scenario): Reached[] {
  const dirty = mayDirty(s);
  const out = new Map<string, string>();
  for (const t of s.threads)
    t.ops.forEach((o, i) => {
      const r = OP_REACHES[o.op];
      for (const fn of [...r.always, ...(dirty ? (r.ifDirty ?? []) : [])]) if (!out.has(fn)) out.set(fn, `${t.name} op #${i + 1} (${o.op})`);
    });
  return [...out].map(([fn, op]) => ({ fn, op }));
}

/** The first function the scenario reaches that does not run on the compiled seed (`running`: cport.ts RUNNING), or null when all of them run. */
export function notRunningOnC(s: Scenario, running: readonly string[] = RUNNING): Reached | null {
  return reachedFunctions(s).find((r) => !running.includes(r.fn)) ?? null;
}

/** The one-line refusal of a scenario on variant `c` (null: it runs there). */
export function cRefusal(s: Scenario, running: readonly string[] = RUNNING): string | null {
  const r = notRunningOnC(s, running);
  return r === null ? null : `${s.name}: ${r.op} reaches ${r.fn}, which does not run on variant c (the compiled seed) yet; running: ${running.join(', ')}`;
}
