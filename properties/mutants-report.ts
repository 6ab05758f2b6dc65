/*
 * The mutation report: per mutant, killed or not, by which scenario, strategy
 * and property, with the executions and time it took.
 *   npm run mutants            (or: npx tsx properties/mutants-report.ts [MUTANT...])
 */
import { allMutants, hunt } from './mutants.ts';

const only = process.argv.slice(2);
const rows = allMutants()
  .filter((m) => only.length === 0 || only.includes(m))
  .map((m) => hunt(m));
const w = Math.max(...rows.map((r) => r.mutant.length));
console.log(`${'mutant'.padEnd(w)}  killed  scenario                          strategy              property                           execs    ms  (all: execs, ms)`);
for (const r of rows)
  console.log(
    `${r.mutant.padEnd(w)}  ${(r.killed ? 'yes' : r.error ? 'ERROR' : 'NO').padEnd(6)}  ${(r.scenario ?? '-').padEnd(32)}  ${(r.strategy ?? '-').padEnd(20)}  ${(r.property ?? '-').padEnd(33)}  ${String(r.executions).padStart(5)} ${String(r.ms).padStart(5)}  (${r.totalExecutions}, ${r.totalMs})`,
  );
for (const r of rows) if (r.error) console.log(`${r.mutant}: harness error in ${r.scenario}: ${r.error}`);
const killed = rows.filter((r) => r.killed).length;
console.log(`\nmutation score: ${killed}/${rows.length}`);
if (killed < rows.length) process.exitCode = 1;
