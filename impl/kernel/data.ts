/*
 * Contents of memory and disk as data tokens, one per DEV_BSIZE block, so
 * that stale data, lost writes and garbage past EOF are observable without
 * carrying bytes around.
 *
 * A block is a canonical string: a single token when the whole 512 bytes
 * carry it ("d7.3" = disk block 7, write generation 3; "Z" = zeros; "G5" =
 * garbage left in page frame 5), or segments "tok@from-to|tok@from-to" when
 * parts differ (zeroing the tail of a block past EOF gives "d7.3@0-100|Z@100-512").
 * Byte ranges inside a block are exact, as pmap_zero_page_area and
 * vm_page_set_valid_range zero sub-block ranges.
 */
export const DEV_BSIZE = 512;
export const DEV_BSHIFT = 9;
export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
export const PAGE_MASK = PAGE_SIZE - 1;
export const BLOCKS_PER_PAGE = PAGE_SIZE / DEV_BSIZE;

export type Block = string;
export const ZERO: Block = 'Z';

interface Seg {
  tok: string;
  from: number;
  to: number;
}

function parse(b: Block): Seg[] {
  if (!b.includes('@')) return [{ tok: b, from: 0, to: DEV_BSIZE }];
  return b.split('|').map((s) => {
    const at = s.lastIndexOf('@');
    const [from, to] = s.slice(at + 1).split('-').map(Number) as [number, number];
    return { tok: s.slice(0, at), from, to };
  });
}

function unparse(segs: Seg[]): Block {
  const merged: Seg[] = [];
  for (const s of segs) {
    if (s.from >= s.to) continue;
    const last = merged[merged.length - 1];
    if (last && last.tok === s.tok && last.to === s.from) last.to = s.to;
    else merged.push({ ...s });
  }
  if (merged.length === 1) return merged[0]!.tok;
  return merged.map((s) => `${s.tok}@${s.from}-${s.to}`).join('|');
}

/** The block with bytes [from, to) replaced by token tok (0 <= from <= to <= 512). */
export function fillRange(b: Block, from: number, to: number, tok: string): Block {
  if (from < 0 || to > DEV_BSIZE || from > to) throw new RangeError(`fillRange [${from},${to}) outside a block`);
  if (from === to) return b;
  if (from === 0 && to === DEV_BSIZE) return tok;
  const out: Seg[] = [];
  for (const s of parse(b)) {
    if (s.to <= from || s.from >= to) out.push(s);
    else {
      if (s.from < from) out.push({ tok: s.tok, from: s.from, to: from });
      if (s.to > to) out.push({ tok: s.tok, from: to, to: s.to });
    }
  }
  out.push({ tok, from, to });
  out.sort((a, c) => a.from - c.from);
  return unparse(out);
}

export function zeroRange(b: Block, from: number, to: number): Block {
  return fillRange(b, from, to, ZERO);
}

/** Bytes [from, to) of the block, as a canonical block-relative description, for comparisons. */
export function slice(b: Block, from: number, to: number): string {
  const out: Seg[] = [];
  for (const s of parse(b)) {
    const f = Math.max(s.from, from);
    const t = Math.min(s.to, to);
    if (f < t) out.push({ tok: s.tok, from: f, to: t });
  }
  return out.map((s) => `${s.tok}@${s.from}-${s.to}`).join('|');
}

/** Decimal number in b[i, j), read in place (property checks call this at every step; no substrings). */
function num(b: string, i: number, j: number): number {
  let n = 0;
  for (; i < j; i++) n = n * 10 + (b.charCodeAt(i) - 48);
  return n;
}

/** True when bytes [from, to) of the block are all zero. */
export function isZero(b: Block, from = 0, to = DEV_BSIZE): boolean {
  if (!b.includes('@')) return DEV_BSIZE <= from || 0 >= to || b === ZERO;
  // Walk "tok@f-t|..." in place: the same test as parse(b).every(...), without allocating.
  let i = 0;
  while (i < b.length) {
    let bar = b.indexOf('|', i);
    if (bar < 0) bar = b.length;
    const at = b.lastIndexOf('@', bar);
    const dash = b.indexOf('-', at);
    const sf = num(b, at + 1, dash);
    const st = num(b, dash + 1, bar);
    const zero = at - i === ZERO.length && b.startsWith(ZERO, i);
    if (!(st <= from || sf >= to || zero)) return false;
    i = bar + 1;
  }
  return true;
}

/** True when bytes [from, to) of blocks a and b hold the same data (slice(a, from, to) === slice(b, from, to)). */
export function sameBytes(a: Block, b: Block, from: number, to: number): boolean {
  if (a === b) return true;
  // Blocks are canonical: two different whole-block tokens differ on every non-empty range.
  if (!a.includes('@') && !b.includes('@')) return from >= to;
  return slice(a, from, to) === slice(b, from, to);
}

/**
 * Zero bytes [off, off+len) of a run of blocks (a page is 8 blocks), as
 * bzero/pmap_zero_page_area do. Returns a new array.
 */
export function zeroBytes(blocks: readonly Block[], off: number, len: number): Block[] {
  const out = blocks.slice();
  let p = off;
  const end = off + len;
  while (p < end) {
    const bi = p >> DEV_BSHIFT;
    const bo = p & (DEV_BSIZE - 1);
    const n = Math.min(DEV_BSIZE - bo, end - p);
    const cur = out[bi];
    if (cur === undefined) throw new RangeError(`zeroBytes past the end (${end} > ${blocks.length * DEV_BSIZE})`);
    out[bi] = zeroRange(cur, bo, bo + n);
    p += n;
  }
  return out;
}
