/*
 * Re-finds every finding of properties/findings.ts on the seed, minimizes its
 * counterexample and pins it as traces/findings/NAME.json, with the rendered
 * interleaving in traces/findings/NAME.trace.txt.
 *   npx tsx properties/pin-findings.ts [NAME...]
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { replay } from '../checker/counterexample.ts';
import { FINDINGS, reproduce, withoutThreads } from './findings.ts';
import { catalogScenario } from './catalog.ts';
import { buildProgram } from './program.ts';
import { renderSteps } from './render.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'traces', 'findings');
const only = process.argv.slice(2);
for (const f of FINDINGS) {
  if (only.length > 0 && !only.includes(f.name)) continue;
  /* A finding of the caller model no longer reproduces: its scenario is what is kept. */
  if (f.verdict === 'caller-model') continue;
  const r = reproduce(f);
  if (!r) {
    console.error(`${f.name}: not reproduced on the seed`);
    process.exitCode = 1;
    continue;
  }
  const cex = r.counterexample;
  writeFileSync(join(dir, `${f.name}.json`), JSON.stringify(cex, null, 1) + '\n');
  const s = catalogScenario(f.scenario);
  const rp = replay(buildProgram(s), cex, { withoutThreads: (names) => { const x = withoutThreads(s, names); return x ? buildProgram(x) : null; } });
  if (rp.status !== 'replayed' || !rp.same) {
    console.error(`${f.name}: pinned counterexample does not replay`);
    process.exitCode = 1;
    continue;
  }
  writeFileSync(join(dir, `${f.name}.trace.txt`), renderSteps(rp.result));
  console.log(`${f.name}: ${cex.schedule.length} steps, ${cex.preemptions} preemptions, dropped [${cex.dropped?.join(', ') ?? ''}]`);
}
