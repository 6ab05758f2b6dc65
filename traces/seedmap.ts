/*
 * Seed lines for people: the function a seed line is in, and where a step
 * runs. The function table is parsed from the vendored C (seed/seed.ts).
 */
import { readFileSync } from 'node:fs';
import { PORT_PATH, analyzePort } from '../impl/citations.ts';
import { seedFunctionAt, seedFunctions, seedLines, type SeedFunction } from '../seed/seed.ts';

export { seedFunctionAt, type SeedFunction };

/** vnode_pager.c at 99429157e861: every function, in line order. */
export const SEED_FUNCTIONS: readonly SeedFunction[] = seedFunctions();

/**
 * Where a step runs, for people: "vnode_pager_haspage:347" for a seed line,
 * "seed line 90" for a seed line outside every function, "(vm_fault)" for a
 * step of a caller outside the seed, "" when nothing is known.
 */
export function whereText(step: { readonly line?: number | undefined; readonly fn?: string | undefined }): string {
  if (step.line !== undefined) {
    const f = seedFunctionAt(step.line);
    return f !== null ? `${f}:${step.line}` : `seed line ${step.line}`;
  }
  if (step.fn !== undefined) return `(${step.fn})`;
  return '';
}

/**
 * The C statement at seed line n, for a step label: the line trimmed, with its
 * continuation lines while parentheses stay open (at most four lines); '' for
 * a blank line or one past the file.
 */
export function cStatement(n: number): string {
  const lines = seedLines();
  if (n < 1 || n >= lines.length) return '';
  let text = lines[n]!.trim();
  let depth = parenDepth(text);
  for (let i = n + 1; depth > 0 && i < lines.length && i < n + 4; i++) {
    const more = lines[i]!.trim();
    text += ` ${more}`;
    depth += parenDepth(more);
  }
  return text;
}

function parenDepth(s: string): number {
  let d = 0;
  for (const ch of s.replace(/"(?:[^"\\]|\\.)*"/g, '""')) d += ch === '(' ? 1 : ch === ')' ? -1 : 0;
  return d;
}

/** Lines `from..to` of the seed (clamped to the file), each with its number. */
export function seedExcerpt(from: number, to: number): { readonly line: number; readonly text: string }[] {
  const lines = seedLines();
  const out: { line: number; text: string }[] = [];
  for (let i = Math.max(1, from); i <= Math.min(lines.length - 1, to); i++) out.push({ line: i, text: lines[i]! });
  return out;
}

/**
 * The lines around seed line n inside its function (`radius` either side),
 * for the C pane of the report; just the line itself outside any function.
 */
export function seedContext(n: number, radius = 4): { readonly line: number; readonly text: string }[] {
  const f = SEED_FUNCTIONS.find((g) => n >= g.first && n <= g.last);
  if (f === undefined) return seedExcerpt(n, n);
  return seedExcerpt(Math.max(f.first, n - radius), Math.min(f.last, n + radius));
}

export const PORT_FILE = 'impl/vnode_pager.ts';
let portIndex: Map<number, number[]> | undefined;
let portText: readonly string[] | undefined;

/* Seed line -> the port's lines citing it, from the port's parsed citations (impl/citations.ts). */
function portLines(): Map<number, number[]> {
  if (portIndex !== undefined) return portIndex;
  const idx = new Map<number, number[]>();
  for (const c of analyzePort().citations)
    for (const n of c.seed) {
      const at = idx.get(n);
      if (at === undefined) idx.set(n, [c.tsLine]);
      else if (!at.includes(c.tsLine)) at.push(c.tsLine);
    }
  for (const l of idx.values()) l.sort((a, b) => a - b);
  return (portIndex = idx);
}

/** The port's lines (impl/vnode_pager.ts, 1-based) that cite seed line n, in file order; [] when none does. */
export function portLinesCiting(n: number): readonly number[] {
  return portLines().get(n) ?? [];
}

/** The port's line `n` as written (trimmed), '' past the file. */
export function portLine(n: number): string {
  portText ??= readFileSync(PORT_PATH, 'utf8').split('\n');
  return portText[n - 1]?.trim() ?? '';
}
