import { describe, expect, it } from 'vitest';
import { analyzePort } from '../impl/citations.ts';
import { seedLine } from '../seed/seed.ts';
import { SEED_FUNCTIONS, cStatement, portCitations, portLine, portLinesCiting, seedContext, seedFunctionAt } from './seedmap.ts';

describe('the C of a seed line', () => {
  it('is the statement there, continued while its parentheses are open', () => {
    expect(cStatement(944)).toBe('VM_OBJECT_WLOCK(object);');
    expect(cStatement(232)).toBe('KASSERT(vp->v_usecount != 0, ("vnode_pager_alloc: no vnode reference"));');
    expect(cStatement(797)).toMatch(/^error = VOP_BMAP\(vp, foff \/ bsize, .*&before\);$/);
    expect(cStatement(0)).toBe('');
    expect(cStatement(100_000)).toBe('');
  });

  it('comes with the lines around it inside its function', () => {
    const c = seedContext(944);
    expect(c.map((x) => x.line)).toEqual([940, 941, 942, 943, 944, 945, 946, 947, 948]);
    expect(c[4]!.text).toBe(seedLine(944));
    const f = SEED_FUNCTIONS.find((g) => g.name === 'vnode_create_vobject')!;
    for (const x of seedContext(f.first + 1)) expect(seedFunctionAt(x.line)).toBe('vnode_create_vobject');
  });
});

describe("the port's lines citing a seed line", () => {
  it('hold the number where the port passes it or names it', () => {
    for (const n of [120, 944, 1098, 232, 766]) {
      const ts = portLinesCiting(n);
      expect(ts.length, `seed line ${n}`).toBeGreaterThan(0);
      for (const l of ts) expect(portLine(l)).toContain(String(n));
    }
    expect(portLine(portLinesCiting(944)[0]!)).toMatch(/yield\* VM_OBJECT_WLOCK\(k, object, 944\)/);
  });

  it('agree with the parser of impl/citations.ts (the scan avoids loading TypeScript at run time)', () => {
    const scan = portCitations();
    const parsed = analyzePort().citations;
    // Every citation the parser finds, the scan finds within its statement (a call may span lines), and no other.
    for (const c of parsed)
      for (const s of c.seed) expect(scan.some((x) => x.seed === s && x.tsLine >= c.tsLine && x.tsLine <= c.tsLine + 3), `port line ${c.tsLine} cites ${s}`).toBe(true);
    for (const x of scan) expect(parsed.some((c) => c.seed.includes(x.seed) && x.tsLine >= c.tsLine && x.tsLine <= c.tsLine + 3), `port line ${x.tsLine} cites ${x.seed}`).toBe(true);
  });
});
