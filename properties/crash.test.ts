import { describe, expect, it } from 'vitest';
import { HarnessBug, type KThread } from '../checker/op.ts';
import { firstRunnable, runExecution, type Program } from '../checker/runtime.ts';
import { classifyCrash } from './crash.ts';
import { buildProgram } from './program.ts';
import { catalogScenario } from './catalog.ts';
import { propertyOfViolation } from './properties.ts';
import { seedFunction } from '../seed/seed.ts';

/* Named as the seed function so that the stack shows it, as the port's generators do. */
function* vnode_pager_haspage(kind: 'null' | 'range' | 'bug'): KThread<void> {
  yield { kind: 'access', label: 'VOP_BMAP(vp1, 2)', fn: 'vnode_pager_haspage', line: 346, fp: [] };
  if (kind === 'null') {
    const m = null as unknown as { pindex: number };
    void m.pindex;
  }
  if (kind === 'range') new Array(-1);
  throw new HarnessBug('model inconsistency');
}

function crashing(kind: 'null' | 'range' | 'bug', classify = true): Program<null> {
  return {
    name: 'crash',
    setup(ctx) {
      ctx.spawn('T1', () => vnode_pager_haspage(kind));
      return null;
    },
    ...(classify ? { classifyThrown: classifyCrash } : {}),
  };
}

describe('a crash of the port is a panic', () => {
  it('a NULL dereference is a failed assertion at the seed line of the thread in the port function', () => {
    const r = runExecution(crashing('null'), firstRunnable);
    expect(r.result.status).toBe('violation');
    if (r.result.status !== 'violation') return;
    const v = r.result.violation;
    expect(v).toMatchObject({ kind: 'assertion', assertion: 'panic', fn: 'vnode_pager_haspage', line: 346, tid: 0 });
    expect(v.message).toMatch(/^NULL dereference in T1: TypeError: Cannot read properties of null/);
    expect(propertyOfViolation(v)).toBe('kernel-assertions-hold');
  });

  it('an index out of range too; a step outside the function gives the function\'s first line', () => {
    const r = runExecution(crashing('range'), firstRunnable);
    expect(r.result.status === 'violation' && r.result.violation).toMatchObject({ kind: 'assertion', fn: 'vnode_pager_haspage', line: 346 });
    const at = { tid: 0, thread: 'T1', op: { kind: 'access' as const, label: 'x', fn: 'vm_fault', line: 12, fp: [] } };
    let e: unknown;
    try {
      vnodeHaspageCrash();
    } catch (x) {
      e = x;
    }
    expect(classifyCrash(e, at)).toMatchObject({ fn: 'vnode_pager_haspage', line: seedFunction('vnode_pager_haspage').first });
  });

  it('a bug of the model stays a harness error, and so does every crash without the classifier', () => {
    expect(runExecution(crashing('bug'), firstRunnable).result.status).toBe('error');
    expect(runExecution(crashing('null', false), firstRunnable).result.status).toBe('error');
  });

  it("the pager's programs classify crashes", () => {
    expect(buildProgram(catalogScenario('sparse-file')).classifyThrown).toBe(classifyCrash);
  });
});

function vnodeHaspageCrash(): void {
  // A frame named as the seed function, called from outside it.
  const f = function vnode_pager_haspage(): void {
    const m = undefined as unknown as { valid: number };
    void m.valid;
  };
  f();
}
