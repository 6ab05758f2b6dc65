/*
 * The disk: sector-addressed contents (DEV_BSIZE sectors) behind a bufobj,
 * and the faults a scenario allows on it.
 *
 * Kept: a sector never written reads as "d<sector>.0"; a write stores the
 * exact block it was given (so the tokens a page carried reach the disk
 * unchanged, and a stale or lost write stays visible) and bumps the sector's
 * write generation; read errors and write errors on chosen sectors (the
 * whole transfer then fails with BIO_ERROR and moves no data, as a failed
 * command leaves the buffer undefined and the medium unchanged). One bad
 * sector fails the whole transfer that covers it, as a disk reports one
 * error per command.
 * Left out: the GEOM stack, queueing and reordering (each buffer is one
 * command completed by its own I/O thread), partial completion, retries,
 * sector sizes other than the one the disk is made with.
 */
import { HarnessBug } from '../../checker/op.ts';
import { DEV_BSIZE, fillRange, slice, type Block } from './data.ts';
import type { Kernel } from './kernel.ts';

export class disk {
  /** Contents per sector; a sector never written holds "d<sector>.0". */
  readonly sectors = new Map<number, Block>();
  /** Write generation per sector. */
  readonly gen = new Map<number, number>();
  /** First sector not yet given to any file: where the filesystem allocates blocks for writes into holes. */
  nextFree = 0;
  constructor(
    /** The bufobj name VOP_BMAP hands out ("da0"). */
    readonly name: string,
    /** Sector size of the device (bo_bsize). */
    readonly bo_bsize = 512,
  ) {}
}

export function disk_read(d: disk, sector: number): Block {
  return d.sectors.get(sector) ?? `d${sector}.0`;
}

export function disk_write(d: disk, sector: number, b: Block): void {
  d.sectors.set(sector, b);
  d.gen.set(sector, (d.gen.get(sector) ?? 0) + 1);
}

/** Looks up the device of a bufobj name. */
export function disk_of_bo(k: Kernel, bo: string): disk {
  const d = k.disks.find((x) => x.name === bo);
  if (!d) throw new HarnessBug(`no disk behind bufobj "${bo}"`);
  return d;
}

/** bo->bo_bsize. */
export function bo_bsize(k: Kernel, bo: string): number {
  return disk_of_bo(k, bo).bo_bsize;
}

/**
 * dst with bytes [from, to) taken from the same bytes of src (both are
 * DEV_BSIZE blocks at the same alignment): what a partial-block copy does.
 */
export function blockCopy(dst: Block, src: Block, from: number, to: number): Block {
  if (from === 0 && to === DEV_BSIZE) return src;
  let out = dst;
  const desc = slice(src, from, to);
  if (desc === '') return out;
  for (const seg of desc.split('|')) {
    const atI = seg.lastIndexOf('@');
    const [f, t] = seg
      .slice(atI + 1)
      .split('-')
      .map(Number) as [number, number];
    out = fillRange(out, f, t, seg.slice(0, atI));
  }
  return out;
}
