/*
 * Plain-text rendering of one execution: one line per step, then how it
 * ended. Stable (it depends only on the execution), so two runs of the same
 * schedule render byte for byte the same; traces/ has the richer views.
 */
import type { ExecutionResult, StepRecord } from './runtime.ts';

function stepLine(i: number, s: StepRecord, names: readonly string[]): string {
  const who = names[s.tid] ?? `#${s.tid}`;
  const where = s.line !== undefined ? ` (seed line ${s.line})` : s.fn !== undefined ? ` (${s.fn})` : '';
  const fp = s.fp.length > 0 ? ` [${s.fp.map((a) => `${a.write ? 'w' : 'r'}${a.atomic ? 'a' : ''} ${a.res}`).join(', ')}]` : '';
  const ch = s.choices !== undefined ? ` choices=${s.choices.join(',')}` : '';
  return `${String(i).padStart(4)}  ${who.padEnd(10)} ${s.label}${where}${ch}${fp}`;
}

export function formatExecution(result: ExecutionResult<unknown>, title?: string): string {
  const lines: string[] = [];
  if (title !== undefined) lines.push(title);
  if (result.setupChoices !== undefined) lines.push(`setup choices=${result.setupChoices.join(',')}`);
  result.steps.forEach((s, i) => lines.push(stepLine(i, s, result.threadNames)));
  const r = result.result;
  if (r.status === 'ok') lines.push('ok: every thread finished, all checks held');
  else if (r.status === 'violation') lines.push(`violation (${r.violation.kind}) at step ${r.violation.step}: ${r.violation.message}`);
  else lines.push(`error at step ${r.step}: ${r.error.split('\n')[0]}`);
  return lines.join('\n') + '\n';
}
