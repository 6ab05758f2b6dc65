/*
 * The simulated kernel: the world a scenario runs in. One instance per
 * execution; every object in it is named in creation order ("vp1", "obj1",
 * "pbuf1") so runs are reproducible.
 *
 * Globals of the kernel that the seed reads (vnode_pbuf_freecnt,
 * runningbufspace, vm_cnt) live here.
 */
import type { Ctx } from '../../checker/op.ts';
import { SleepQueues, mtx } from './sync.ts';
import { nullObserver, type Observer } from './observe.ts';
import { SEED, type Variant } from '../variants.ts';
import type { vm_object } from './vm_object.ts';
import type { vnode } from './vnode.ts';
import type { disk } from './disk.ts';
import type { buf } from './buf.ts';
import type { PagerAnswers } from './vm_pager.ts';

/** Faults a scenario allows. Each is data; whether it fires may be left to the scheduler (`'choose'`). */
export interface FaultPlan {
  /** Disk sectors whose reads fail with BIO_ERROR. */
  readonly readErrorSectors?: readonly number[];
  /** Disk sectors whose writes fail (EIO) . */
  readonly writeErrorSectors?: readonly number[];
  /** A write that stops short: at most this many bytes of each VOP_WRITE reach the disk. */
  readonly shortWriteBytes?: number;
  /** vm_page_alloc fails for these (object-relative) pindexes; 'choose' leaves each allocation to the scheduler. */
  readonly pageAllocFail?: readonly number[] | 'choose';
  /** Size of the pbuf free counters (sync, async); small values exhaust the pool. */
  readonly pbufs?: { readonly sync: number; readonly async: number };
  /** Logical blocks (f_iosize units) whose VOP_BMAP fails with EIO, as an unreadable indirect block would. */
  readonly bmapErrorBlocks?: readonly number[];
  /** The filesystem has no free block: ffs_balloc of a hole fails with ENOSPC. */
  readonly noSpace?: boolean;
}

export interface KernelConfig {
  readonly variant?: Variant;
  readonly observer?: Observer;
  readonly faults?: FaultPlan;
  /** vm_cnt.v_free_count at start (pages). */
  readonly freePages?: number;
}

export class Kernel {
  readonly sleepq = new SleepQueues();
  readonly variant: Variant;
  readonly observer: Observer;
  readonly faults: FaultPlan;
  private readonly patches: ReadonlySet<string>;
  private readonly counters = new Map<string, number>();

  /** vm_cnt: v_free_count read unlocked by vnode_pager_putpages (seed 1168). */
  readonly vm_cnt = { v_free_count: 1000, v_pageout_free_min: 34, v_free_reserved: 67 };
  /* vm_pager.c pbuf counters (vm_pager_bufferinit with nswbuf = 256 would give 129 / 128). */
  vnode_pbuf_freecnt: number;
  vnode_async_pbuf_freecnt: number;
  /** Free pbufs (the global free list, bswlist; TAILQ head first). */
  readonly pbuf_free: buf[] = [];
  /** pbuf_mtx: protects the pbuf counters and the free list (vm_pager.c). */
  readonly pbuf_mtx = new mtx('pbuf_mtx');
  /** bswneeded: a getpbuf sleeps ("wswbuf1") for an empty free list. */
  bswneeded = 0;
  /** nswbuf: pbufs in the pool; made on first use, in name order, which is the order a full list hands them out. */
  nswbuf = 256;
  npbufs = 0;
  /** The kernel message buffer: what printf() said, in order. */
  readonly msgbuf: string[] = [];
  /** vfs_bio.c runningbufspace (bytes of I/O in flight). */
  runningbufspace = 0;
  /** Told every answer of the pager switch as its caller gets it (property checks); never changes control flow. */
  pagerAnswers: PagerAnswers | null = null;

  /** Every object and vnode ever created, for invariants. */
  readonly objects: vm_object[] = [];
  readonly vnodes: vnode[] = [];
  readonly disks: disk[] = [];
  private readonly serial = new Map<string, number>();
  /** Next physical page frame number. */
  nextPhys = 1;

  constructor(
    readonly ctx: Ctx,
    cfg: KernelConfig = {},
  ) {
    this.variant = cfg.variant ?? SEED;
    this.observer = cfg.observer ?? nullObserver;
    this.faults = cfg.faults ?? {};
    this.patches = new Set(this.variant.patches);
    if (cfg.freePages !== undefined) this.vm_cnt.v_free_count = cfg.freePages;
    this.vnode_pbuf_freecnt = this.faults.pbufs?.sync ?? 129;
    this.vnode_async_pbuf_freecnt = this.faults.pbufs?.async ?? 128;
  }

  /** True when the selected variant applies the named patch (impl/variants.ts). */
  patched(name: string): boolean {
    return this.patches.has(name);
  }

  /** Next name with a prefix: "obj" -> "obj1", "obj2", ... */
  newName(prefix: string): string {
    const n = (this.serial.get(prefix) ?? 0) + 1;
    this.serial.set(prefix, n);
    return `${prefix}${n}`;
  }

  /** VM_CNT_INC / VM_CNT_ADD. */
  VM_CNT_ADD(name: string, n: number): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
  }
  VM_CNT_INC(name: string): void {
    this.VM_CNT_ADD(name, 1);
  }
  counter(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  /**
   * A file-scope `static` of the port (one per kernel, made by init on first
   * use). Kept on the kernel rather than in a module-level WeakMap keyed by
   * it: V8's young-generation GC keeps WeakMap entries alive, so each
   * execution's whole world would outlive it until a full GC.
   */
  kernelStatic<T>(name: string, init: () => T): T {
    let v = this.statics.get(name) as T | undefined;
    if (v === undefined) this.statics.set(name, (v = init()));
    return v;
  }
  private readonly statics = new Map<string, unknown>();
}
