/*
 * The disk: sector-addressed contents (DEV_BSIZE sectors) and the faults a
 * scenario allows. Every write bumps a per-sector generation, so contents are
 * tokens "d<sector>.<gen>" and a stale or lost write is visible.
 * [functions: filled in by the kernel work]
 */
import type { Block } from './data.ts';

export class disk {
  /** Contents per sector; a sector never written holds "d<sector>.0". */
  readonly sectors = new Map<number, Block>();
  /** Write generation per sector. */
  readonly gen = new Map<number, number>();
  /** Sector size of the device (bo_bsize). */
  constructor(
    readonly name: string,
    readonly bo_bsize = 512,
  ) {}
}
