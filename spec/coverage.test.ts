/*
 * Path coverage as a test: every covering path of every machine is driven on
 * the port (spec/coverage.ts) in lock-step with the monitor. The port must be
 * driven to every state and transition, except the transitions listed with a
 * reason, and each list must be exact: a listed transition the port starts
 * reaching fails here, so the list is updated.
 *
 * The same runs are the "sometimes" witnesses: every state of every machine
 * is reached by some run of the port, or the spec describes something the
 * port never does, and this fails loudly.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MACHINE_NAMES, type MachineName } from './catalog.ts';
import { UNDRIVABLE, coverageReport, runCoverage, type MachineCoverage } from './coverage.ts';

/**
 * Transitions that a defect of the port (not of the seed) keeps the search
 * from driving today. Each must still fail for the reason given; fix the
 * port, then delete the entry.
 */
const BLOCKED_BY_PORT: Readonly<Record<MachineName, Readonly<Record<string, { readonly reason: string; readonly message: RegExp }>>>> = {
  objectLifecycle: {},
  pageValidity: {},
  writeMappings: {},
  asyncGetpages: {},
};

let coverage: MachineCoverage[] = [];
beforeAll(() => {
  coverage = runCoverage();
}, 300_000);

const of = (name: MachineName) => coverage.find((c) => c.machine === name)!;

describe.each(MACHINE_NAMES)('%s', (name) => {
  it('is driven to every state and transition except the listed ones', () => {
    const c = of(name);
    expect(c.states.missing, coverageReport([c])).toEqual([]);
    const listed = [...Object.keys(UNDRIVABLE[name]), ...Object.keys(BLOCKED_BY_PORT[name])].sort();
    expect([...c.transitions.missing].sort(), coverageReport([c])).toEqual(listed);
    expect(c.transitions.covered.length + listed.length).toBe(c.transitions.total);
  });

  it('cannot be driven to a transition listed as undrivable: its path was tried and not realized', () => {
    const c = of(name);
    for (const [id, reason] of Object.entries(UNDRIVABLE[name])) {
      expect(reason.length).toBeGreaterThan(20);
      const p = c.paths.find((x) => x.path.name === `transition:${id}`);
      expect(p, id).toBeDefined();
      expect(p!.realization?.kind, id).toBe('unrealized');
      expect(p!.realization?.findings, id).toEqual([]);
    }
  });

  it('meets no conformance finding on the way, except the port defects listed, each still there', () => {
    const c = of(name);
    const blocked = BLOCKED_BY_PORT[name];
    for (const p of c.paths) {
      const r = p.realization;
      if (r === null) continue;
      expect(['realized', 'unrealized'], `${p.path.name}: ${coverageReport([c])}`).toContain(r.kind);
      for (const f of r.findings) {
        const known = Object.values(blocked).some((b) => b.message.test(f.violation.message));
        expect(known, `${p.path.name}: ${JSON.stringify(f.violation)}`).toBe(true);
      }
    }
    for (const [id, b] of Object.entries(blocked)) {
      const p = c.paths.find((x) => x.path.name === `transition:${id}`);
      expect(p?.realization?.kind, id).toBe('unrealized');
      expect(
        p!.realization!.findings.some((f) => b.message.test(f.violation.message)),
        `${id} is no longer blocked by "${b.reason}": delete it from BLOCKED_BY_PORT`,
      ).toBe(true);
    }
  });

  it('reports, for each state and transition covered, the paths that covered it', () => {
    const c = of(name);
    for (const s of c.states.covered) expect(c.by.get(`state:${s}`)?.length, s).toBeGreaterThan(0);
    for (const t of c.transitions.covered) expect(c.by.get(`transition:${t}`)?.length, t).toBeGreaterThan(0);
    for (const p of c.paths) if (p.realization === null) expect(c.by.get(p.path.name), p.path.name).toContain(p.coveredBy);
  });
});

describe('sometimes: every state of every machine is reached by some run of the port', () => {
  it.each(MACHINE_NAMES)('%s', (name) => {
    const c = of(name);
    const unwitnessed = c.states.missing;
    expect(unwitnessed, `states no run of the port reaches: ${unwitnessed.join(', ')}`).toEqual([]);
    expect(c.states.covered.length).toBe(c.states.total);
  });
});
