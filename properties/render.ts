/*
 * A compact rendering of one execution for findings: one line per step with
 * the thread, the step, and the seed line or kernel routine, then the
 * outcome. Stable: it depends only on the execution.
 */
import type { ExecutionResult } from '../checker/runtime.ts';

export function renderSteps(r: ExecutionResult<unknown>): string {
  const lines = r.steps.map((s, i) => {
    const who = (r.threadNames[s.tid] ?? `#${s.tid}`).padEnd(10);
    const where = s.line !== undefined ? `  seed ${s.line}` : s.fn !== undefined ? `  [${s.fn}]` : '';
    const ch = s.choices !== undefined ? `  choices ${s.choices.join(',')}` : '';
    return `${String(i).padStart(3)}  ${who} ${s.label}${where}${ch}`;
  });
  const st = r.result;
  if (st.status === 'ok') lines.push('ok');
  else if (st.status === 'violation') lines.push(`VIOLATION (${st.violation.kind}) at step ${st.violation.step}: ${st.violation.message}`);
  else lines.push(`ERROR at step ${st.step}: ${st.error.split('\n')[0]}`);
  return lines.join('\n') + '\n';
}
