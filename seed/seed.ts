/*
 * The vendored seed (seed/vnode_pager.c) and what is derived from it: its
 * lines, its function table, each function's text and a hash of it. The one
 * place that reads the C; the port's citations, the renderers, the report
 * and the coverage map all go through here.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The FreeBSD revision of the vendored file. */
export const SEED_REVISION = '99429157e8615dc3b7f11afbe3ed92de7476a5db';
export const SEED_FILE = 'sys/vm/vnode_pager.c';
export const SEED_PATH = fileURLToPath(new URL('./vnode_pager.c', import.meta.url));

export interface SeedFunction {
  readonly name: string;
  /** The line of the return type (FreeBSD style puts the name on the next line). */
  readonly first: number;
  /** The line of the closing brace. */
  readonly last: number;
  readonly isStatic: boolean;
}

let text: readonly string[] | undefined;

/** The seed's lines, 1-based: `seedLines()[n]` is seed line n; index 0 is ''. */
export function seedLines(): readonly string[] {
  if (text === undefined) text = ['', ...readFileSync(SEED_PATH, 'utf8').replace(/\n$/, '').split('\n')];
  return text;
}

/** Seed line n as written, or undefined past the file. */
export function seedLine(n: number): string | undefined {
  const lines = seedLines();
  return n >= 1 && n < lines.length ? lines[n] : undefined;
}

/**
 * Function definitions in style(9) form: a return type alone on its line,
 * the name at column 0 followed by `(`, the parameter list possibly
 * continued, a `{` alone at column 0, and a `}` alone at column 0 closing it.
 */
export function parseFunctions(lines: readonly string[]): SeedFunction[] {
  const out: SeedFunction[] = [];
  for (let i = 2; i < lines.length; i++) {
    const m = /^([A-Za-z_]\w*)\(/.exec(lines[i]!);
    if (m === null) continue;
    const type = lines[i - 1]!;
    if (!/^[A-Za-z_][\w\s*]*$/.test(type)) continue;
    let open = i;
    while (open < lines.length && lines[open] !== '{') {
      if (lines[open]!.endsWith(';')) break; // a prototype, not a definition
      open++;
    }
    if (lines[open] !== '{') continue;
    let close = open + 1;
    while (close < lines.length && lines[close] !== '}') close++;
    if (close >= lines.length) continue;
    out.push({ name: m[1]!, first: i - 1, last: close, isStatic: /^static\b/.test(type) });
    i = close;
  }
  return out;
}

let functions: readonly SeedFunction[] | undefined;

/** Every function of the seed, in line order, parsed from the C. */
export function seedFunctions(): readonly SeedFunction[] {
  if (functions === undefined) functions = parseFunctions(seedLines());
  return functions;
}

/** The seed function named `name`; throws for a name the seed does not define. */
export function seedFunction(name: string): SeedFunction {
  const f = seedFunctions().find((g) => g.name === name);
  if (f === undefined) throw new Error(`the seed defines no function ${name}`);
  return f;
}

/** The seed function whose lines hold `line`, or null (a line between functions, or past the file). */
export function seedFunctionAt(line: number): string | null {
  const fs = seedFunctions();
  let lo = 0;
  let hi = fs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = fs[mid]!;
    if (line < f.first) hi = mid - 1;
    else if (line > f.last) lo = mid + 1;
    else return f.name;
  }
  return null;
}

/** The text of a seed function, its lines joined with '\n'. */
export function functionText(name: string): string {
  const f = seedFunction(name);
  return seedLines().slice(f.first, f.last + 1).join('\n');
}

/** A short hash of a seed function's text (sha256, 16 hex digits): what the port records to notice upstream change. */
export function functionHash(name: string): string {
  return createHash('sha256').update(functionText(name)).digest('hex').slice(0, 16);
}
