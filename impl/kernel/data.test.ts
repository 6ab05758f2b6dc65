import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEV_BSIZE, ZERO, fillRange, isZero, sameBytes, slice, zeroRange } from './data.ts';

/* A block built as the kernel builds them: a token, then ranges overwritten with other tokens or zeros. */
const tok = fc.constantFrom('Z', 'd7.0', 'd7.3', 'G5', 'd12.1');
const range = fc.tuple(fc.integer({ min: 0, max: DEV_BSIZE }), fc.integer({ min: 0, max: DEV_BSIZE })).map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a]));
const block = fc.tuple(tok, fc.array(fc.tuple(range, tok), { maxLength: 5 })).map(([t, fills]) => fills.reduce((b, [[f, e], x]) => fillRange(b, f, e, x), t as string));

describe('data tokens compared in place', () => {
  it('isZero agrees with the bytes slice describes', () => {
    fc.assert(
      fc.property(block, range, (b, [from, to]) => {
        const segs = slice(b, from, to);
        const allZero = from < to && segs.split('|').every((s) => s.startsWith(`${ZERO}@`));
        if (from < to) expect(isZero(b, from, to)).toBe(allZero);
      }),
    );
  });

  it('sameBytes is equality of the described bytes', () => {
    fc.assert(
      fc.property(block, block, range, (a, b, [from, to]) => {
        expect(sameBytes(a, b, from, to)).toBe(slice(a, from, to) === slice(b, from, to));
      }),
    );
  });

  it('examples', () => {
    const tail = zeroRange('d7.3', 100, DEV_BSIZE);
    expect(isZero(tail, 100, DEV_BSIZE)).toBe(true);
    expect(isZero(tail, 99, DEV_BSIZE)).toBe(false);
    expect(isZero(ZERO)).toBe(true);
    expect(sameBytes(tail, 'd7.3', 0, 100)).toBe(true);
    expect(sameBytes(tail, 'd7.3', 0, 101)).toBe(false);
    expect(sameBytes('d7.3', 'd7.4', 0, 0)).toBe(true);
  });
});
