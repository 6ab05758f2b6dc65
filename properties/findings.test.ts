import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseCounterexample, replay } from '../checker/counterexample.ts';
import { FINDINGS, findingScenario, withoutThreads } from './findings.ts';
import { catalogScenario } from './catalog.ts';
import { buildProgram } from './program.ts';
import { runScenario } from './run.ts';
import { propertyOfViolation } from './properties.ts';
import { REPAIRS } from '../impl/variants.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'traces', 'findings');

function replayOn(name: string, variant: string) {
  const f = FINDINGS.find((x) => x.name === name)!;
  const cex = parseCounterexample(readFileSync(join(dir, `${f.name}.json`), 'utf8'));
  const s = catalogScenario(f.scenario);
  return {
    f,
    cex,
    out: replay(buildProgram(s, { variant }), cex, {
      withoutThreads: (names) => {
        const x = withoutThreads(s, names);
        return x ? buildProgram(x, { variant }) : null;
      },
    }),
  };
}

describe('findings on the seed', () => {
  for (const f of FINDINGS) {
    if (f.verdict === 'caller-model') {
      describe(f.name, () => {
        it('is written up, with the scenario the hunt shrank', () => {
          const md = readFileSync(join(dir, `${f.name}.md`), 'utf8');
          expect(md).toContain(`# ${f.name}`);
          expect(md).toMatch(/Verdict/);
          expect(findingScenario(f).name).toBe(f.scenario);
          expect(f.repair).toEqual([]);
        });
        for (const variant of ['seed', 'repaired'])
          it(`no longer happens on ${variant}: the caller model is fixed`, () => {
            const r = runScenario({ scenario: findingScenario(f), variant });
            expect(r.complete).toBe(true);
            expect(r.executions).toBeGreaterThan(0);
            expect(r.violations.map((c) => c.violation).filter(f.matches)).toEqual([]);
          });
      });
      continue;
    }
    describe(f.name, () => {
      it('is written up and pinned', () => {
        const md = readFileSync(join(dir, `${f.name}.md`), 'utf8');
        expect(md).toContain(`# ${f.name}`);
        expect(md).toMatch(/Verdict/);
        expect(existsSync(join(dir, `${f.name}.json`))).toBe(true);
      });

      it('reproduces from its pinned trace on the seed', () => {
        const { cex, out } = replayOn(f.name, 'seed');
        expect(out.status).toBe('replayed');
        if (out.status !== 'replayed') return;
        expect(out.same).toBe(true);
        expect(f.matches(cex.violation)).toBe(true);
        expect(propertyOfViolation(cex.violation)).toBe(f.property);
      });

      if (f.verdict !== 'caller-contract') {
        it('names repairs declared in impl/variants.ts, and the repaired variant no longer shows it', () => {
          expect(f.repair.length).toBeGreaterThan(0);
          for (const p of f.repair) expect(REPAIRS.map((x) => x.name)).toContain(p);
          const r = runScenario({ scenario: catalogScenario(f.scenario), variant: 'repaired' });
          expect(r.complete).toBe(true);
          expect(r.violations.filter((c) => f.matches(c.violation))).toEqual([]);
        });
      } else {
        it('is a broken precondition of the caller: the repaired variant still shows it', () => {
          const { out } = replayOn(f.name, 'repaired');
          expect(out.status === 'replayed' && out.same).toBe(true);
        });
      }
    });
  }
});
