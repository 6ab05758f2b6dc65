/*
 * The slices `npm run mutation` hands to Stryker (kept apart from
 * mutation.ts so the kill suite does not load the TypeScript parser).
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { PORT_PATH } from '../impl/citations.ts';
import { PORT } from './mutation.ts';

/*
 * Stryker places the mutant of a labeled loop between the label and the loop
 * (`retry: if (...) {...} else for (;;)`), which makes `continue retry` a
 * syntax error. So each slice leaves out the span from such a label to its
 * loop's body: the loop's own mutants and those of nodes enclosing the span
 * (the function body's block) are not generated; the rest is.
 */
interface Pos {
  readonly line: number;
  readonly col: number;
}
export function labeledLoopHeads(text: string = readFileSync(PORT_PATH, 'utf8')): { from: Pos; to: Pos; label: string }[] {
  const sf = ts.createSourceFile(PORT_PATH, text, ts.ScriptTarget.Latest, true);
  const out: { from: Pos; to: Pos; label: string }[] = [];
  const pos = (p: number): Pos => {
    const lc = sf.getLineAndCharacterOfPosition(p);
    return { line: lc.line + 1, col: lc.character };
  };
  const visit = (n: ts.Node): void => {
    if (ts.isLabeledStatement(n) && ts.isIterationStatement(n.statement, false)) {
      const body = (n.statement as ts.IterationStatement).statement;
      out.push({ from: pos(n.getStart(sf)), to: pos(body.getStart(sf)), label: n.label.text });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Stryker mutate patterns for line ranges, each cut around the labeled loop heads inside it. */
export function mutatePatterns(ranges: readonly { from: number; to: number }[], text?: string): { patterns: string[]; cuts: string[] } {
  const heads = labeledLoopHeads(text);
  const patterns: string[] = [];
  const cuts: string[] = [];
  for (const r of ranges) {
    let start: Pos = { line: r.from, col: 0 };
    for (const h of heads.filter((x) => x.from.line >= r.from && x.to.line <= r.to)) {
      patterns.push(`${PORT}:${start.line}:${start.col}-${h.from.line}:${h.from.col}`);
      cuts.push(`${h.label}: at ${h.from.line}:${h.from.col}-${h.to.line}:${h.to.col}`);
      start = h.to;
    }
    patterns.push(`${PORT}:${start.line}:${start.col}-${r.to}:${Number.MAX_SAFE_INTEGER}`);
  }
  return { patterns, cuts };
}

