/*
 * What a caller in impl/callers/ returns to the scenario program: a result
 * word (the pager's return code, 'done', or 'skipped: why') and details the
 * outcome records. Shared by every caller so the outcomes read the same.
 */
import type { KThread } from '../../checker/op.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { VM_OBJECT_WUNLOCK, type vm_object } from '../kernel/vm_object.ts';
import { VOP_UNLOCK, type vnode } from '../kernel/vnode.ts';
import { VM_PAGER_AGAIN, VM_PAGER_BAD, VM_PAGER_ERROR, VM_PAGER_FAIL, VM_PAGER_OK, VM_PAGER_PEND } from '../kernel/vm_pager.ts';

export interface CallerResult {
  result: string;
  detail?: Record<string, unknown>;
}

export const RC_NAMES: Readonly<Record<number, string>> = {
  [VM_PAGER_OK]: 'VM_PAGER_OK',
  [VM_PAGER_BAD]: 'VM_PAGER_BAD',
  [VM_PAGER_FAIL]: 'VM_PAGER_FAIL',
  [VM_PAGER_PEND]: 'VM_PAGER_PEND',
  [VM_PAGER_ERROR]: 'VM_PAGER_ERROR',
  [VM_PAGER_AGAIN]: 'VM_PAGER_AGAIN',
};
export const rcName = (rc: number): string => RC_NAMES[rc] ?? `rc ${rc}`;

export const done = (detail?: Record<string, unknown>): CallerResult => (detail ? { result: 'done', detail } : { result: 'done' });
export const skipped = (why: string): CallerResult => ({ result: `skipped: ${why}` });

/** The vnode lock mode a caller holds around its call ('none': nobody takes it). */
export type VnodeLockMode = 'none' | 'shared' | 'exclusive';

/*
 * Helpers the callers call through arrows, kept at module level: a
 * generator function expression per call gets its own prototype and map,
 * which keep the execution's world alive through young-generation GCs
 * (see getpages_async_observed in impl/vnode_pager.ts, impl/gc-shape.test.ts).
 */
export function* unlockObjectAndVnode(k: Kernel, obj: vm_object, vp: vnode, vnodeLocked: boolean, at: { fn: string }): KThread<void> {
  yield* VM_OBJECT_WUNLOCK(k, obj, at);
  if (vnodeLocked) yield* VOP_UNLOCK(k, vp, 0, at);
}
