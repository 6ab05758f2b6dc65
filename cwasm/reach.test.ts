/*
 * cwasm/reach.ts's table of the entry functions each operation reaches,
 * against what runs actually reach: every entry a (bounded) run of the seed
 * port makes a step in is one the table names for that scenario, and a
 * scenario run on c is refused only at a function the table names and c
 * does not run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explore } from '../checker/index.ts';
import { CATALOG, PROBES, catalogScenario } from '../properties/catalog.ts';
import { buildProgram } from '../properties/program.ts';
import { seedFunctionAt } from '../seed/seed.ts';
import { RUNNING } from './cport.ts';
import { OP_REACHES, cRefusal, notRunningOnC, reachedFunctions } from './reach.ts';

const NAMES = new Set(Object.values(OP_REACHES).flatMap((r) => [...r.always, ...(r.ifDirty ?? [])]));
const ALL = [...CATALOG, ...PROBES];

function reachedByRun(s: (typeof ALL)[number], variant: string, maxExecutions: number): { fns: Set<string>; errors: string[] } {
  const fns = new Set<string>();
  const errors: string[] = [];
  explore(buildProgram(s, { variant }), {
    strategy: { kind: 'dpor' },
    maxExecutions,
    races: false,
    stopOnViolation: false,
    onExecution: (r) => {
      for (const st of r.steps) {
        const f = st.line !== undefined ? seedFunctionAt(st.line) : null;
        if (f !== null && NAMES.has(f)) fns.add(f);
      }
      if (r.result.status === 'error') errors.push(r.result.error);
    },
  });
  return { fns, errors };
}

describe('which entry functions a scenario reaches (cwasm/reach.ts)', () => {
  it('names only functions that run on c or that cwasm/cport.ts refuses under that name', () => {
    const cport = readFileSync(new URL('./cport.ts', import.meta.url), 'utf8');
    for (const n of NAMES) if (!RUNNING.includes(n)) expect(cport, n).toContain(`refused('${n}')`);
  });

  it.each(ALL.map((s) => [s.name, s] as const))('%s: every entry a run of the seed port steps in is in the table', (_n, s) => {
    const predicted = new Set(reachedFunctions(s).map((r) => r.fn));
    const { fns } = reachedByRun(s, 'seed', 15);
    expect([...fns].filter((f) => !predicted.has(f))).toEqual([]);
  });

  it('is tight where it matters: a scenario on a dirty object through vgone reaches putpages, and one without stores does not', () => {
    const dirty = ALL.find((s) => s.threads.some((t) => t.ops.some((o) => o.op === 'vgone')) && s.initial.pages.some((p) => p.dirty))!;
    expect(reachedFunctions(dirty).map((r) => r.fn)).toContain('vnode_pager_putpages');
    expect(reachedByRun(dirty, 'seed', 15).fns).toContain('vnode_pager_putpages');
    const clean = ALL.find((s) => s.threads.some((t) => t.ops.some((o) => o.op === 'vgone')) && !s.initial.pages.some((p) => p.dirty) && !s.threads.some((t) => t.ops.some((o) => o.op === 'dirty' || o.op === 'putpages')))!;
    expect(reachedFunctions(clean).map((r) => r.fn)).not.toContain('vnode_pager_putpages');
  });

  it('refuses from the operations alone, naming the first operation that reaches a function not running, as RUNNING grows', () => {
    const s = catalogScenario('create-vs-vgone');
    const without = RUNNING.filter((f) => f !== 'vnode_pager_putpages' && f !== 'vnode_pager_generic_putpages');
    expect(notRunningOnC(s, without)).toEqual({ fn: 'vnode_pager_putpages', op: 'T2 op #1 (vgone)' });
    expect(cRefusal(s, without)).toMatch(/^create-vs-vgone: T2 op #1 \(vgone\) reaches vnode_pager_putpages, which does not run on variant c \(the compiled seed\) yet; running: vnode_create_vobject, /);
    // With every name it reaches running, it runs.
    expect(notRunningOnC(s, [...without, 'vnode_pager_putpages', 'vnode_pager_generic_putpages'])).toBeNull();
    // A scenario of lifecycle operations only never waits for getpages or putpages.
    expect(reachedFunctions(catalogScenario('alloc-race')).filter((r) => /getpages|putpages/.test(r.fn))).toEqual([]);
  });

  it.each(ALL.filter((s) => notRunningOnC(s) !== null).map((s) => [s.name, s] as const))('%s on c: a refusal names a function the table gives and c does not run', (_n, s) => {
    const missing = new Set(reachedFunctions(s).map((r) => r.fn).filter((f) => !RUNNING.includes(f)));
    const { errors } = reachedByRun(s, 'c', 3);
    for (const e of errors) {
      const m = /variant c: (\w+) does not run on the compiled seed/.exec(e);
      if (m) expect(missing).toContain(m[1]);
    }
  });
});
