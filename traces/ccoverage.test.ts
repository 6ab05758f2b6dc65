import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explore, makeStrategy, type StrategySpec } from '../checker/explore.ts';
import type { ExecutionResult, ExecutionView, ThreadView } from '../checker/runtime.ts';
import type { Strategy } from '../checker/strategy.ts';
import { seedLines } from '../seed/seed.ts';
import { checkedProgram } from './checked.ts';
import { CCollector, cCoverageText, cSummary, kassertLines, lineViews, loadCCoverage, mayHoldPort, portSection, sitesAndBranches, unreachedLines, type CCoverageData } from './ccoverage.ts';
import { tinyScenario } from './testkit.ts';

/** Explores the tiny scenario with the collector's wrapper, and counts the same things independently in onExecution. */
function run(spec: StrategySpec, name = 'tiny@seed') {
  const s = tinyScenario();
  const { program } = checkedProgram(s, 'seed', { spec: true, races: false });
  const c = new CCollector();
  c.exploring(name);
  const inner: Strategy = makeStrategy(spec);
  const oracle = new Map<number, number>();
  let counted = 0;
  const out = explore(program, {
    strategy: c.wrap(inner),
    stopOnViolation: false,
    races: false,
    onExecution: (r) => {
      if (inner.lastRepeated === true) return;
      counted++;
      const reached = new Set(r.steps.map((x) => x.line).filter((x): x is number => x !== undefined));
      // A KASSERT that failed was reached at its line.
      const st = r.result;
      if (st.status === 'violation' && st.violation.kind === 'assertion' && st.violation.assertion === 'KASSERT' && st.violation.line !== undefined) reached.add(st.violation.line);
      for (const l of reached) oracle.set(l, (oracle.get(l) ?? 0) + 1);
    },
  });
  c.explored();
  return { out, data: c.data('a test'), oracle, counted };
}

describe('C coverage: the steps mechanism', () => {
  it('counts, per seed line, the executions the explorer counts that have a step there (dpor)', () => {
    const { out, data, oracle, counted } = run({ kind: 'dpor' });
    expect(out.stats.executions).toBe(counted);
    expect(data.runs).toEqual([{ name: 'tiny@seed', executions: out.stats.executions }]);
    expect(out.stats.executions).toBeGreaterThan(1);
    const got = Object.entries(data.lines).map(([l, n]) => [Number(l), n[0]!]);
    expect(got).toEqual([...oracle].sort((a, b) => a[0] - b[0]));
    // The search itself is unchanged by the wrapper.
    const plain = explore(checkedProgram(tinyScenario(), 'seed', { spec: true, races: false }).program, { strategy: { kind: 'dpor' }, stopOnViolation: false, races: false });
    expect(plain.stats.executions).toBe(out.stats.executions);
    expect(plain.stats.cut).toBe(out.stats.cut);
  });

  it('leaves out the re-runs of an iterative bound (bounded)', () => {
    const { out, data, oracle, counted } = run({ kind: 'bounded', maxPreemptions: 1 });
    expect(out.stats.repeated).toBeGreaterThan(0);
    expect(data.runs[0]!.executions).toBe(out.stats.executions);
    expect(counted).toBe(out.stats.executions);
    expect(Object.entries(data.lines).map(([l, n]) => [Number(l), n[0]!])).toEqual([...oracle].sort((a, b) => a[0] - b[0]));
  });

  it('records a preemption where the thread that ran last was ready and another was picked', () => {
    const c = new CCollector();
    c.exploring('fake');
    const t = (tid: number, line?: number): ThreadView => ({ tid, name: `T${tid}`, enabled: true, op: { kind: 'yield', label: 'x', fp: [], ...(line !== undefined ? { line } : {}) } });
    const picks = [1, 1, 0];
    const inner = {
      name: 'fake',
      exhaustive: false,
      complete: false,
      beginExecution: () => true,
      endExecution: () => {},
      pickThread: () => picks.shift()!,
      pickChoice: () => 0,
      counters: () => ({}),
      info: () => ({ strategy: 'fake', bounds: {} }),
    } satisfies Strategy;
    const w = c.wrap(inner);
    w.beginExecution();
    const view = (lastTid: number) => ({ steps: [], threads: [], lastTid }) as ExecutionView;
    expect(w.pickThread([t(0, 120), t(1, 224)], view(0))).toBe(1); // T0 ready at 120, T1 runs: a preemption at 120
    expect(w.pickThread([t(1, 225)], view(1))).toBe(1); // T1 alone: none
    expect(w.pickThread([t(0, 120)], view(1))).toBe(0); // T1 finished or blocked: a switch, not a preemption
    w.endExecution({ result: { status: 'ok' }, steps: [{ tid: 0, kind: 'yield', label: 'x', line: 120, fp: [] }], world: undefined, threadNames: [] } as ExecutionResult<unknown>);
    c.explored();
    const d = c.data('fake');
    expect(d.preemptions).toEqual({ '120': [1] });
    expect(d.lines).toEqual({ '120': [1] });
  });
});

describe('C coverage: V8 block coverage read at the port\'s citations', () => {
  // A script as the bundle lays it out, and ranges as V8 reports them: a range per block whose count differs from its parent's.
  const src = [
    '// impl/kernel/other.ts',
    'function helper() {}',
    '// impl/vnode_pager.ts',
    'function* vnode_pager_alloc(k, vp) {',
    '  if (vp.v_object !== null) {',
    '    yield* VM_OBJECT_WLOCK(k, vp.v_object, 225);',
    '  }',
    '  KASSERT(vp.v_usecount !== 0, fn, 232, "vnode_pager_alloc: no vnode reference");',
    '  if (k.patched("a-repair")) return null;',
    '  return null;',
    '}',
    '// properties/other.ts',
    '',
  ].join('\n');
  const fnStart = src.indexOf('function* vnode_pager_alloc');
  const thenStart = src.indexOf('{', src.indexOf('if (vp.v_object'));
  const thenEnd = src.indexOf('}', thenStart) + 1;
  const fnEnd = src.indexOf('\n}', fnStart) + 2;
  const fns = [{ functionName: 'vnode_pager_alloc', isBlockCoverage: true, ranges: [{ startOffset: fnStart, endOffset: fnEnd, count: 5 }, { startOffset: thenStart, endOffset: thenEnd, count: 2 }] }];

  it('finds the port in a bundle, its sites and its ifs, with their counts', () => {
    const sec = portSection('file:///x/node_modules/.cache/pagercheck/cli-0.mjs', src)!;
    expect(src.slice(sec.from, sec.to)).toMatch(/^function\* vnode_pager_alloc[\s\S]*\n}$/);
    const r = sitesAndBranches(src, sec, fns);
    expect(r.sites).toEqual([
      { line: 225, kind: 'call', hits: 2 },
      { line: 232, kind: 'kassert', hits: 5 },
    ]);
    // The variant's `if (k.patched(...))` is not a branch of the C.
    expect(r.branches).toEqual([{ fn: 'vnode_pager_alloc', near: 225, cond: 'vp.v_object !== null', evaluated: 5, taken: 2 }]);
    expect(portSection('file:///x/impl/vnode_pager.ts', 'abc')).toEqual({ from: 0, to: 3 });
    expect(portSection('file:///x/other.mjs', 'abc')).toBeNull();
  });
});

describe('C coverage: the data and its renderings', () => {
  const { data } = run({ kind: 'dpor' });

  it('says which lines were reached, which were not, and why', () => {
    const views = lineViews(data);
    expect(views).toHaveLength(seedLines().length - 1);
    const v225 = views.find((v) => v.line === 225)!;
    expect(v225.executions).toBe(data.lines['225']![0]);
    expect(v225.unreached).toBe(false);
    const un = new Map(unreachedLines(data).flatMap(([reason, ls]) => ls.map((l) => [l, reason] as const)));
    // The tiny scenario never reaches getpages; a line of it is listed as not reached, with the catalog-gap reason.
    expect(un.get(1046)).toMatch(/no reason recorded/);
    // 283 (a panic) has its reason.
    const withPanic: CCoverageData = { ...data, sites: [{ line: 283, kind: 'call', hits: [0] }] };
    expect(new Map(unreachedLines(withPanic).flatMap(([r, ls]) => ls.map((l) => [l, r] as const))).get(283)).toMatch(/^panic on a second dealloc/);
    const s = cSummary(data);
    expect(s.kasserts.total).toBe(kassertLines().length);
    expect(s.kasserts.reached).toBeNull(); // only the V8 mechanism can tell
    expect(s.lines.reached).toBe(Object.keys(data.lines).length);
    const text = cCoverageText(data);
    expect(text).toMatch(new RegExp(`\\n  225 +${data.lines['225']![0]} `));
    expect(text).toContain('not reached:');
  });

  it('is written and read back; a bad file is refused in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagercheck-ccov-'));
    try {
      const f = join(dir, 'coverage.c.json');
      writeFileSync(f, JSON.stringify(data));
      expect(loadCCoverage(f)).toEqual(data);
      writeFileSync(f, JSON.stringify({ ...data, lines: { abc: [1] } }));
      expect(() => loadCCoverage(f)).toThrow(/^.*coverage\.c\.json: lines\.abc: /);
      writeFileSync(f, '{');
      expect(() => loadCCoverage(f)).toThrow(/not a readable JSON file .*; accepted: a C coverage file written by pagercheck \(coverage\.c\.json\)$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the scripts V8 coverage is read from', () => {
  // The command runs bundled: from dist/ (npm run build) or, after a source change, the run-time rebuild.
  it('are the port under tsx and the command bundles wherever they were built', () => {
    expect(mayHoldPort('file:///x/repo/impl/vnode_pager.ts')).toBe(true);
    expect(mayHoldPort('file:///x/repo/dist/cli-2a92b0f354c26eb6.mjs')).toBe(true);
    expect(mayHoldPort('file:///x/repo/node_modules/.cache/pagercheck/cli-2a92b0f354c26eb6.mjs')).toBe(true);
    expect(mayHoldPort('file:///x/repo/impl/kernel/vm_page.ts')).toBe(false);
    expect(mayHoldPort('node:internal/main')).toBe(false);
  });
});
