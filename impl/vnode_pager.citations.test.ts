/*
 * Every seed line the port cites is held to seed/vnode_pager.c (issue 11
 * item 2): line arguments hold the called name, KASSERT / panic sites hold
 * the assertion with the port's message, trailing `/* NNN *\/` comments hold
 * the statement's callee or assigned field, and every citation lies in the
 * function it ports. The order of callees per function is pinned as a diff.
 * The checks live in impl/citations.ts; the first block shows each can fail.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seedFunctions, seedLine } from '../seed/seed.ts';
import { ALIASES, PORT_PATH, analyzePort, calleeOrderDiffs, checkCitations, messageMatches, portLineToSeedLine, statementLines } from './citations.ts';

const PORT = readFileSync(PORT_PATH, 'utf8');
const analysis = analyzePort();

/** The port with one exact fragment replaced (it must occur once). */
function edited(from: string, to: string): string {
  expect(PORT.split(from).length - 1, `fragment ${from}`).toBe(1);
  return PORT.replace(from, to);
}

const problemsOf = (text: string): string[] => checkCitations(analyzePort(text)).map((p) => `seed ${p.seed.join('-')}: ${p.what}`);

describe('the citation checks can fail', () => {
  it('a line argument off by one (the 906 the issue names)', () => {
    expect(problemsOf(edited('VM_OBJECT_WLOCK(k, object, 907)', 'VM_OBJECT_WLOCK(k, object, 906)'))).toEqual([expect.stringMatching(/^seed 906: the C at 906 holds none of VM_OBJECT_WLOCK/)]);
  });
  it('a line in another function', () => {
    expect(problemsOf(edited('vrele(k, vp, 150)', 'vrele(k, vp, 1150)'))).toEqual(['seed 1150: seed line 1150 is in vnode_pager_putpages, not vnode_create_vobject']);
  });
  it('a KASSERT format that is not the C\'s', () => {
    expect(problemsOf(edited("'vnode_create_vobject: NULL object'", "'vnode_create_vobject: no object'"))).toEqual([
      'seed 152: format "vnode_create_vobject: no object" is not the C\'s "vnode_create_vobject: NULL object"',
    ]);
    expect(problemsOf(edited("'%s: requested %d pages'", "'%s: requested %u pages'"))).toEqual([expect.stringContaining('is not the C\'s "%s: requested %d pages"')]);
  });
  it('a KASSERT cited at a line without one, and a panic cited as a KASSERT', () => {
    expect(problemsOf(edited("fn, 152, 'vnode_create_vobject: NULL object'", "fn, 150, 'vnode_create_vobject: NULL object'"))).toEqual([expect.stringMatching(/^seed 150: no KASSERT or panic at seed 150/)]);
    expect(problemsOf(edited("if (vp === null) panic(fn, 283, 'vnode_pager_dealloc: pager already dealloced');", "KASSERT(vp !== null, fn, 283, 'vnode_pager_dealloc: pager already dealloced');"))).toEqual([
      'seed 283: the port raises KASSERT where the C has panic',
    ]);
  });
  it('a trailing comment on the wrong line', () => {
    expect(problemsOf(edited('object.ref_count--; /* 148 */', 'object.ref_count--; /* 149 */'))).toEqual([expect.stringMatching(/^seed 149: the C at 149 holds none of ref_count/)]);
  });
  it('a repair\'s citation is checked for its function only', () => {
    // Inside `if (k.patched('alloc-recheck-v_object'))`: 225 stays in vnode_pager_alloc, any line there passes...
    expect(problemsOf(edited('yield* VM_OBJECT_WUNLOCK(k, object, 225);\n          continue;', 'yield* VM_OBJECT_WUNLOCK(k, object, 226);\n          continue;'))).toEqual([]);
    // ...but not a line of another function.
    expect(problemsOf(edited('yield* VM_OBJECT_WUNLOCK(k, object, 225);\n          continue;', 'yield* VM_OBJECT_WUNLOCK(k, object, 120);\n          continue;'))).toEqual([
      'seed 120: seed line 120 is in vnode_create_vobject, not vnode_pager_alloc',
    ]);
  });
  it('an inline KernelAssertion\'s message compares by its literal parts', () => {
    const inline = edited(
      "KASSERT(vp.v_usecount !== 0, fn, 232, 'vnode_pager_alloc: no vnode reference');",
      "if (vp.v_usecount === 0) throw new KernelAssertion('KASSERT', fn, `vnode_pager_alloc: no ${vp.name} reference`, 232);",
    );
    expect(problemsOf(inline)).toEqual([expect.stringContaining('does not match the C')]);
  });
  it('message pieces compare in order, conversions aside', () => {
    expect(messageMatches(['vp ', ' obj ', ''], ['vp ', ' obj ', ''])).toBe(true);
    expect(messageMatches([' obj ', 'vp '], ['vp ', ' obj ', ''])).toBe(false);
    expect(messageMatches(['vp '], ['vp ', ' obj ', ''])).toBe(false);
  });
  it('a C statement spans its continuation lines', () => {
    // seed 1024-1027: KASSERT(IDX_TO_OFF(...) == ..., ("wrong offsets ...", ...));
    expect(statementLines(1026)[0]).toBe(1024);
    expect(seedLine(statementLines(1024).at(-1)!)).toMatch(/;\s*$/);
  });
  it('a change of callee order on either side breaks the pinned diff', () => {
    const swapped = edited(
      '  yield* VM_OBJECT_WUNLOCK(k, object, 689);\n  const rtval = yield* VOP_GETPAGES(k, vp, m, count, rbehind, rahead);',
      '  const rtval = yield* VOP_GETPAGES(k, vp, m, count, rbehind, rahead);\n  yield* VM_OBJECT_WUNLOCK(k, object, 689);',
    );
    expect(calleeOrderDiffs(analyzePort(swapped)).get('vnode_pager_getpages')).toEqual(['+ VOP_GETPAGES', '- VOP_GETPAGES@690']);
  });
});

describe('the port cites the seed right', () => {
  it('finds the citations of every kind', () => {
    const kinds = new Map<string, number>();
    for (const c of analysis.citations) kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
    // Enough of each kind that a parser regression (nothing found) cannot pass.
    expect(kinds.get('call')).toBeGreaterThan(100);
    expect(kinds.get('assert')).toBeGreaterThan(35);
    expect(kinds.get('comment')).toBeGreaterThan(40);
    expect(kinds.get('step')).toBeGreaterThanOrEqual(1);
    expect(analysis.functions.map((f) => f.name).sort()).toEqual(seedFunctions().map((f) => f.name).sort());
  });
  it('every citation holds what it names', () => {
    const problems = checkCitations(analysis).map((p) => `impl/vnode_pager.ts:${p.tsLine} seed ${p.seed.join('-')}: ${p.what}`);
    expect(problems).toEqual([]);
  });
  it('each alias says why', () => {
    for (const [name, a] of Object.entries(ALIASES)) if (a.c[0] !== name) expect(a.why, name).not.toBe('');
  });
  it('maps port lines to seed lines (for the C pane and the coverage map)', () => {
    const map = portLineToSeedLine();
    const tsLine = PORT.split('\n').findIndex((l) => l.includes('VM_OBJECT_WLOCK(k, object, 907)')) + 1;
    expect(map.get(tsLine)).toBe(907);
    expect(map.size).toBeGreaterThan(150);
  });
});

/*
 * Known differences of callee order, per ported function: '- name@line' is
 * a call of the C that the port makes otherwise, '+ name' one the port
 * makes where the C does not. Names only one side has are left out before
 * the diff (the port's touch/emit, the C's CTR3 tracing).
 */
const KNOWN_ORDER_DIFFS: Record<string, { diff: string[]; why: string }> = {
  vnode_pager_input_smlfs: {
    diff: ['- sf_buf_kva@591'],
    why: 'bzero(sf_buf_kva(sf) + i * bsize, bsize): the port zeroes the page through bzero_page, which has the page, not the sf_buf address',
  },
  vnode_pager_input_old: {
    diff: ['- sf_buf_kva@656'],
    why: 'bzero(sf_buf_kva(sf) + count, PAGE_SIZE - count): as in input_smlfs, bzero_page zeroes the tail through the page',
  },
};

describe('the order of callees matches the C', () => {
  const diffs = calleeOrderDiffs(analysis);
  it.each(seedFunctions().map((f) => f.name))('%s', (name) => {
    expect(diffs.get(name)).toEqual(KNOWN_ORDER_DIFFS[name]?.diff ?? []);
  });
});
