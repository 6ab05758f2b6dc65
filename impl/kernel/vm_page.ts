/*
 * vm_page: the resident page (sys/vm/vm_page.h, vm_page.c, 2017).
 *
 * Kept: pindex, the valid and dirty masks with one bit per DEV_BSIZE block
 * (VM_PAGE_BITS_ALL = 0xff), the busy lock (exclusive / shared), contents as
 * data tokens per block, pmap mapped and write-mapped state, the object's
 * sorted page list (vm_object.memq) for TAILQ_PREV/TAILQ_NEXT.
 * Left out: page queues and LRU (activate/deactivate only note the queue),
 * the page lock (object lock covers what the seed touches), PG_ZERO,
 * reservations, physical addresses, the radix trie.
 * [functions: see below the struct; filled in by the kernel work]
 */
import type { Block } from './data.ts';
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
export const PGA_WRITEABLE = 0x01;
export const VM_ALLOC_NORMAL = 0;

export type PageQueue = 'none' | 'active' | 'inactive' | 'laundry';

export class vm_page {
  object: vm_object | null;
  /** Page frame number, for names and garbage tokens ("G<phys>"). */
  readonly phys: number;
  private _valid = 0;
  private _dirty = 0;
  busy_lock = VPB_UNBUSIED;
  aflags = 0;
  /** Number of pmap mappings (pmap_page_is_mapped when > 0). */
  mapped = 0;
  wire_count = 0;
  queue: PageQueue = 'none';
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
    // A freshly allocated page is not zeroed: it holds whatever the frame held.
    this.data = Array.from({ length: 8 }, () => `G${phys}`);
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
