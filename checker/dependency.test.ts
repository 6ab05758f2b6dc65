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

  it('knows the commuting kinds: shared lock operations commute with each other, adds with adds; the plain relation does not', () => {
    const shared = [{ res: 'lock:vn', write: true, commute: 'shared' as const }];
    const excl = [{ res: 'lock:vn', write: true }];
    const add = [{ res: 'n', write: true, atomic: true, commute: 'add' as const }];
    const read = [{ res: 'n', write: false }];
    const write = [{ res: 'n', write: true }];
    expect(dependent(shared, shared)).toBe(false);
    expect(dependent(shared, excl)).toBe(true);
    expect(dependent(add, add)).toBe(false);
    expect(dependent(add, read)).toBe(true);
    expect(dependent(add, write)).toBe(true);
    expect(dependent(shared, shared, 'plain')).toBe(true);
    expect(dependent(add, add, 'plain')).toBe(true);
    // A step that both reads and adds conflicts with an add (its read sees the order).
    expect(dependent([...add, ...read], add)).toBe(true);
  });

  const access: fc.Arbitrary<Access> = fc.oneof(
    fc.record({ res: fc.constantFrom('a', 'b', 'c', 'lock:m'), write: fc.boolean(), atomic: fc.boolean() }),
    fc.record({ res: fc.constantFrom('a', 'lock:m'), write: fc.constant(true), commute: fc.constantFrom('shared' as const, 'add' as const) }),
  );
  const fp = fc.array(access, { maxLength: 4 });

  it('the interned form is the same relation, and union keeps every conflict', () => {
    fc.assert(
      fc.property(fp, fp, fp, fc.constantFrom('commuting' as const, 'plain' as const), (a, b, c, relation) => {
        const t = new ResourceTable(relation);
        const [ca, cb, cc] = [t.compile(a), t.compile(b), t.compile(c)];
        expect(dependentFp(ca, cb)).toBe(dependent(a, b, relation));
        // The union of two steps' footprints conflicts with at least what either conflicts with.
        if (dependent(a, c, relation) || dependent(b, c, relation)) expect(dependentFp(unionFp(ca, cb), cc)).toBe(true);
        expect(dependentFp(t.compile([...a, ...b]), cc)).toBe(dependentFp(unionFp(ca, cb), cc));
      }),
      { numRuns: 500 },
    );
  });
});
