/*
 * vm_object: the VM object of a vnode (sys/vm/vm_object.h, vm_object.c, 2017).
 *
 * Kept: type (OBJT_VNODE, OBJT_DEAD), flags (OBJ_DEAD, OBJ_PIPWNT,
 * OBJ_DISCONNECTWNT, ...), ref_count, size (pages), handle, un_pager.vnp
 * (vnp_size in bytes, writemappings in bytes), paging_in_progress, the
 * ordered resident page list, the object rwlock, VM_OBJECT_SLEEP with PDROP.
 * Left out: shadow chains, swap charge and cred, colour, reservations,
 * generation counts, the radix trie (the sorted list serves lookups).
 * [functions: filled in by the kernel work]
 */
import { rwlock } from './sync.ts';
import type { vm_page } from './vm_page.ts';
import type { Kernel } from './kernel.ts';
import type { vnode } from './vnode.ts';

export const OBJT_DEFAULT = 0;
export const OBJT_SWAP = 1;
export const OBJT_VNODE = 2;
export const OBJT_DEAD = 5;
export type objtype_t = typeof OBJT_DEFAULT | typeof OBJT_SWAP | typeof OBJT_VNODE | typeof OBJT_DEAD;

export const OBJ_DEAD = 0x0008;
export const OBJ_PIPWNT = 0x0040;
export const OBJ_MIGHTBEDIRTY = 0x0100;
export const OBJ_COLORED = 0x1000;
export const OBJ_DISCONNECTWNT = 0x4000;

export class vm_object {
  type: objtype_t;
  flags = 0;
  /** Size in pages. */
  size: number;
  ref_count = 1;
  /** The vnode, for a vnode object; NULL once deallocated. */
  handle: vnode | null = null;
  paging_in_progress = 0;
  readonly un_pager = { vnp: { vnp_size: 0, writemappings: 0 } };
  /** Resident pages sorted by pindex (memq). */
  readonly memq: vm_page[] = [];
  readonly lock: rwlock;
  /** Freed to the zone (vm_object_destroy). Type-stable: the lock stays usable. */
  destroyed = false;

  constructor(
    readonly k: Kernel,
    /** "obj1", "obj2", ... in allocation order. */
    readonly name: string,
    type: objtype_t,
    size: number,
  ) {
    this.type = type;
    this.size = size;
    this.lock = new rwlock(name);
  }
  /** Sleep/wakeup channel of the object (wakeup(object)). */
  get wchan(): string {
    return this.name;
  }
  get resident_page_count(): number {
    return this.memq.length;
  }
}
