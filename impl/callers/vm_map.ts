/*
 * The map's side of a mapping going away (vm/vm_map.c of 2017):
 * vm_map_entry_deallocate's vm_object_deallocate of the entry's object, and
 * vm_map_process_deferred's vnode_pager_release_writecount for a writable
 * shared mapping of a vnode (vm_map_entry_delete defers it until the map
 * lock is dropped).
 * Kept: the calls and their arguments (offset 0, the mapping's bytes). Left
 * out: the map, its entries and the pmap.
 *
 * Locks: none (the map lock is dropped before the deferred work runs; the
 * object lock is taken inside the callee).
 */
import type { KThread } from '../../checker/op.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { vm_object_deallocate, type vm_object } from '../kernel/vm_object.ts';
import { vnode_pager_release_writecount } from '../port.ts';
import { done, type CallerResult } from './result.ts';

/** vm_map_entry_deallocate: drop the entry's object reference. */
export function* vm_map_entry_deallocate(k: Kernel, obj: vm_object): KThread<CallerResult> {
  yield* vm_object_deallocate(k, obj);
  return done({ object: obj.name });
}

/** vm_map_process_deferred: the writable mapping of `bytes` is gone. */
export function* vm_map_process_deferred(k: Kernel, obj: vm_object, bytes: number): KThread<CallerResult> {
  yield* vnode_pager_release_writecount(k, obj, 0, bytes);
  return done({ typeAfter: obj.type, writemappings: obj.un_pager.vnp.writemappings });
}
