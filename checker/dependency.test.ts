import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { conflicts, dependent, dependentFp, ResourceTable, unionFp } from './dependency.ts';
import type { Access } from './op.ts';

describe('dependency: same resource, at least one write', () => {
  it('defines conflicts on single accesses', () => {
    expect(conflicts({ res: 'x', write: true }, { res: 'x', write: false })).toBe(true);
    expect(conflicts({ res: 'x', write: false }, { res: 'x', write: false })).toBe(false);
    expect(conflicts({ res: 'x', write: true }, { res: 'y', write: true })).toBe(false);
    // atomic does not weaken dependency
    expect(conflicts({ res: 'x', write: true, atomic: true }, { res: 'x', write: false, atomic: true })).toBe(true);
  });

  it('makes lock operations, and sleep with wakeup on a channel, dependent', () => {
    const lock = [{ res: 'lock:obj1', write: true }];
    const sleepOnChan = [{ res: 'chan:obj1', write: true }, { res: 'lock:obj1', write: true }];
    const wakeupChan = [{ res: 'chan:obj1', write: true }];
    const resume = [{ res: 'chan:obj1', write: false }];
    expect(dependent(lock, lock)).toBe(true);
    expect(dependent(sleepOnChan, wakeupChan)).toBe(true);
    expect(dependent(resume, wakeupChan)).toBe(true);
    expect(dependent(resume, resume)).toBe(false);
    expect(dependent([], lock)).toBe(false);
  });

  const access: fc.Arbitrary<Access> = fc.record({ res: fc.constantFrom('a', 'b', 'c', 'lock:m'), write: fc.boolean(), atomic: fc.boolean() });
  const fp = fc.array(access, { maxLength: 4 });

  it('the interned form is the same relation, and union keeps every conflict', () => {
    fc.assert(
      fc.property(fp, fp, fp, (a, b, c) => {
        const t = new ResourceTable();
        const [ca, cb, cc] = [t.compile(a), t.compile(b), t.compile(c)];
        expect(dependentFp(ca, cb)).toBe(dependent(a, b));
        expect(dependentFp(unionFp(ca, cb), cc)).toBe(dependent([...a, ...b], c));
      }),
      { numRuns: 500 },
    );
  });
});
