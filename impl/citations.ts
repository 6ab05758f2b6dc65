/*
 * The seed lines the port cites, read from impl/vnode_pager.ts with the
 * TypeScript parser, and the checks that hold them to seed/vnode_pager.c.
 * Used by impl/vnode_pager.citations.test.ts, and by anything that maps a
 * line of the port to a line of the C (portLineToSeedLine).
 *
 * A citation is one of:
 *  - a numeric argument passed for a callee parameter named `line` or `at`
 *    (VM_OBJECT_WLOCK(k, object, 121), read_v_object(k, vp, 120)), or a
 *    `line:` property of a step the port yields itself;
 *  - the line of a KASSERT / panic site: KASSERT(exp, fn, line, fmt, ...) and
 *    panic(fn, line, fmt, ...) of impl/kernel/kassert.ts (the format is
 *    compared with the C's), new KernelAssertion(kind, fn, msg, line) (its
 *    message's literal parts are), idiv's integer-divide panic;
 *  - a trailing comment `/* 148 *\/` or `/* 263-265: ... *\/` on a statement.
 * Code in the then-branch of an `if` whose condition asks k.patched('...')
 * of a repair (a named variant that is not a 'mut-' mutant) cites loosely:
 * only its function is checked. A mutant's condition guards the seed's own
 * statement, which is checked like any other.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import ts from 'typescript';
import { seedFunctionAt, seedFunctions, seedLines } from '../seed/seed.ts';

const IMPL = path.dirname(fileURLToPath(import.meta.url));
export const PORT_PATH = path.join(IMPL, 'vnode_pager.ts');

export type CitationKind = 'call' | 'step' | 'assert' | 'comment';

export interface Citation {
  readonly kind: CitationKind;
  /** 1-based line of the port where the cited construct starts. */
  readonly tsLine: number;
  /** Seed lines cited (a range comment gives several, in order). */
  readonly seed: readonly number[];
  /** The seed function the enclosing port function ports, or null in a helper. */
  readonly fn: string | null;
  /** Inside a repair's `if (k.patched(...))` branch: checked loosely. */
  readonly loose: boolean;
  /** Names the C statement should hold (any one suffices): callee, assigned field, declared variable. */
  readonly names: readonly string[];
  /** For 'assert': the port's message as literal pieces (interpolations removed), or null if not a literal. */
  readonly message: readonly string[] | null;
  /** For 'assert': the assertion kind the port raises. */
  readonly assertKind?: 'KASSERT' | 'panic';
  /** For 'assert' through impl/kernel/kassert.ts: the printf format the port passes, compared with the C's as is. */
  readonly format?: string;
}

/*
 * Port helpers whose C form is spelled differently. Each entry: the port's
 * name -> the names the C statement holds instead.
 */
export const ALIASES: Readonly<Record<string, { readonly c: readonly string[]; readonly why: string }>> = {
  read_v_object: { c: ['v_object'], why: 'the unlocked `vp->v_object` read, made a scheduling step of its own' },
  set_v_object: { c: ['v_object'], why: 'the store to `vp->v_object`, declared as a write of that resource' },
  wakeup_object: { c: ['wakeup'], why: 'wakeup(object) on the object\'s channel' },
  atomic_add_long_runningbufspace: { c: ['atomic_add_long'], why: 'atomic_add_long(&runningbufspace, ...) with the counter fixed' },
  idiv: { c: ['/', 'howmany'], why: 'C int division, written with the operator (a trap on zero is the panic)' },
  vp_doomed: { c: ['VI_DOOMED'], why: 'the unlocked read of vp->v_iflag & VI_DOOMED' },
  vp_object: { c: ['v_object'], why: 'vp->v_object read under the vnode lock' },
  vnp_size_unlocked: { c: ['vnp_size'], why: 'object->un_pager.vnp.vnp_size read without the object lock' },
  size_unlocked: { c: ['size'], why: 'object->size read without the object lock' },
  bzero_page: { c: ['bzero', 'pmap_zero_page_area'], why: 'bzero through the page\'s kernel address' },
  bzero_pages: { c: ['bzero'], why: 'bzero over the pbuf\'s KVA view of b_pages' },
  umin: { c: ['min'], why: 'libkern min(), unsigned' },
  pindex_sub: { c: ['-'], why: 'vm_pindex_t subtraction' },
  vm_object_color: { c: ['vm_object_color'], why: '' },
  VOP_GETPAGES: { c: ['VOP_GETPAGES'], why: '' },
  /* The port asserts the C's TAILQ_PREV / TAILQ_NEXT of listq through named helpers. */
  vm_page_prev: { c: ['TAILQ_PREV'], why: 'TAILQ_PREV(m, pglist, listq), the page before in the object' },
  vm_page_next: { c: ['TAILQ_NEXT'], why: 'TAILQ_NEXT(m, listq), the page after in the object' },
  getpages_async_observed: { c: [], why: 'the port\'s ASYNC_DONE report around the caller\'s iodone (no C)' },
  generic_getpages_sync_exit: { c: [], why: 'the repair generic-getpages-async-completes-synchronous-paths (no C)' },
};

/** C names for a port name: its aliases, or itself. */
export function cNames(portName: string): readonly string[] {
  return ALIASES[portName]?.c ?? [portName];
}

/** Parameter names that carry a seed line. */
const LINE_PARAMS = new Set(['line', 'at']);

/** name -> index of its line parameter, from the port and the kernel files it imports. */
function lineParameterIndex(files: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const file of files) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (n: ts.Node): void => {
      if (ts.isFunctionDeclaration(n) && n.name) {
        const idx = n.parameters.findIndex((p) => ts.isIdentifier(p.name) && LINE_PARAMS.has(p.name.text));
        if (idx >= 0 && !out.has(n.name.text)) out.set(n.name.text, idx);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

function kernelFiles(): string[] {
  const dir = path.join(IMPL, 'kernel');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** The name a call expression calls: `f(...)` -> f, `a.b.f(...)` -> f. */
export function calleeName(c: ts.CallExpression | ts.NewExpression): string | null {
  const e = c.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return null;
}

/* A mutant ('mut-...') guards the seed's own code, which is cited strictly; only repairs add code of their own. */
const isMutantName = (e: ts.Expression | undefined): boolean => e !== undefined && ts.isStringLiteral(e) && e.text.startsWith('mut-');

/** Is this `if` a repair's: does its condition ask k.patched('...') other than under `!`? */
function isRepairCondition(cond: ts.Expression): boolean {
  let found = false;
  const visit = (n: ts.Node, negated: boolean): void => {
    if (ts.isPrefixUnaryExpression(n) && n.operator === ts.SyntaxKind.ExclamationToken) {
      visit(n.operand, !negated);
      return;
    }
    if (ts.isCallExpression(n) && calleeName(n) === 'patched' && !negated && !isMutantName(n.arguments[0])) {
      found = true;
      return;
    }
    ts.forEachChild(n, (c) => visit(c, negated));
  };
  visit(cond, false);
  return found;
}

/** The literal pieces of a message expression: a string, or a template's text parts. */
function messagePieces(e: ts.Expression | undefined): string[] | null {
  if (e === undefined) return null;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [e.text];
  if (ts.isTemplateExpression(e)) return [e.head.text, ...e.templateSpans.map((s) => s.literal.text)];
  return null;
}

/** Names a statement carrying a trailing comment should find in the C. */
function statementNames(st: ts.Node): string[] {
  const names: string[] = [];
  const lhsName = (e: ts.Expression): void => {
    if (ts.isPropertyAccessExpression(e)) names.push(e.name.text);
    else if (ts.isIdentifier(e)) names.push(e.text);
    else if (ts.isElementAccessExpression(e)) lhsName(e.expression);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const nm = calleeName(n);
      if (nm !== null && nm !== 'patched' && nm !== 'emit' && nm !== 'touch') names.push(...cNames(nm));
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      lhsName(n.left);
    } else if ((ts.isPostfixUnaryExpression(n) || ts.isPrefixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) {
      lhsName(n.operand);
    } else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) {
      names.push(n.name.text);
    } else if (ts.isContinueStatement(n) || ts.isBreakStatement(n)) {
      if (n.label) names.push(n.label.text);
    } else if (ts.isReturnStatement(n)) {
      names.push('return');
    }
    ts.forEachChild(n, visit);
  };
  visit(st);
  return names;
}

const COMMENT_CITE = /^\/\*\s*(\d+)(?:-(\d+))?(?=[\s:*])/;

export interface PortAnalysis {
  readonly citations: readonly Citation[];
  /** Port functions that port a seed function: name, port line range. */
  readonly functions: readonly { readonly name: string; readonly from: number; readonly to: number }[];
  /** Per ported function: the calls it makes, in source order, repairs left out. */
  readonly calls: ReadonlyMap<string, readonly { readonly name: string; readonly tsLine: number }[]>;
}

/** Reads the port (or `text` standing for it) and collects its citations. */
export function analyzePort(text: string = readFileSync(PORT_PATH, 'utf8'), file: string = PORT_PATH): PortAnalysis {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const lineOf = (pos: number): number => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const lineIdx = lineParameterIndex([file, ...kernelFiles()]);
  const seedNames = new Set(seedFunctions().map((f) => f.name));
  const citations: Citation[] = [];
  const functions: { name: string; from: number; to: number }[] = [];
  const calls = new Map<string, { name: string; tsLine: number }[]>();
  /* A comment trails every node that ends where it starts (`if (c) return 0; /* 117 *\/`): the outermost statement takes it. */
  const commentsTaken = new Set<number>();

  const visit = (n: ts.Node, fn: string | null, loose: boolean): void => {
    if (ts.isFunctionDeclaration(n) && n.name) {
      const name = n.name.text;
      const ported = seedNames.has(name) ? name : null;
      if (ported) {
        functions.push({ name, from: lineOf(n.getStart(sf)), to: lineOf(n.end) });
        calls.set(name, []);
      }
      ts.forEachChild(n, (c) => visit(c, ported, false));
      return;
    }
    if (ts.isIfStatement(n) && isRepairCondition(n.expression)) {
      visit(n.expression, fn, loose);
      visit(n.thenStatement, fn, true);
      if (n.elseStatement) visit(n.elseStatement, fn, loose);
      return;
    }
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const name = calleeName(n);
      const args = n.arguments ?? ts.factory.createNodeArray();
      const tsLine = lineOf(n.getStart(sf));
      if (name !== null && fn !== null && !loose) {
        /* new KernelAssertion('KASSERT' | 'panic', ...) stands for the C's KASSERT / panic call. */
        if (ts.isCallExpression(n)) calls.get(fn)!.push({ name, tsLine });
        else if (name === 'KernelAssertion' && args[0] && ts.isStringLiteral(args[0])) calls.get(fn)!.push({ name: args[0].text, tsLine });
      }
      if (name === 'KernelAssertion') {
        const kindArg = args[0] && ts.isStringLiteral(args[0]) ? args[0].text : null;
        const lineArg = args[3];
        if (lineArg && ts.isNumericLiteral(lineArg) && (kindArg === 'KASSERT' || kindArg === 'panic'))
          citations.push({ kind: 'assert', tsLine, seed: [Number(lineArg.text)], fn, loose, names: [], message: messagePieces(args[2]), assertKind: kindArg });
      } else if ((name === 'KASSERT' || name === 'panic') && ts.isCallExpression(n)) {
        const lineArg = name === 'KASSERT' ? args[2] : args[1];
        const fmtArg = name === 'KASSERT' ? args[3] : args[2];
        const format = fmtArg && (ts.isStringLiteral(fmtArg) || ts.isNoSubstitutionTemplateLiteral(fmtArg)) ? fmtArg.text : undefined;
        if (lineArg && ts.isNumericLiteral(lineArg))
          citations.push({ kind: 'assert', tsLine, seed: [Number(lineArg.text)], fn, loose, names: [], message: format === undefined ? null : [format], assertKind: name, ...(format !== undefined ? { format } : {}) });
      } else if (name !== null) {
        const idx = lineIdx.get(name);
        const a = idx === undefined ? undefined : args[idx];
        if (a && ts.isNumericLiteral(a)) {
          const seed = [Number(a.text)];
          if (name === 'idiv') citations.push({ kind: 'assert', tsLine, seed, fn, loose, names: cNames(name), message: ['integer divide fault'], assertKind: 'panic' });
          else citations.push({ kind: 'call', tsLine, seed, fn, loose, names: cNames(name), message: null });
        }
      }
    }
    if (ts.isObjectLiteralExpression(n)) {
      const lineProp = n.properties.find((p) => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'line');
      const labelProp = n.properties.find((p) => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'label');
      if (lineProp && ts.isPropertyAssignment(lineProp) && ts.isNumericLiteral(lineProp.initializer)) {
        const label = labelProp && ts.isPropertyAssignment(labelProp) && ts.isStringLiteral(labelProp.initializer) ? labelProp.initializer.text : '';
        const names = label.match(/[A-Za-z_]\w*/g) ?? [];
        citations.push({ kind: 'step', tsLine: lineOf(n.getStart(sf)), seed: [Number(lineProp.initializer.text)], fn, loose, names, message: null });
      }
    }
    if (isStatementWithTrailingComment(n)) {
      const trailing = ts.getTrailingCommentRanges(text, n.end) ?? [];
      for (const r of trailing) {
        const m = COMMENT_CITE.exec(text.slice(r.pos, r.end));
        if (m === null || commentsTaken.has(r.pos)) continue;
        commentsTaken.add(r.pos);
        const from = Number(m[1]);
        const to = m[2] !== undefined ? Number(m[2]) : from;
        const seed: number[] = [];
        for (let l = from; l <= to; l++) seed.push(l);
        citations.push({ kind: 'comment', tsLine: lineOf(n.getStart(sf)), seed, fn, loose, names: statementNames(n), message: null });
      }
    }
    ts.forEachChild(n, (c) => visit(c, fn, loose));
  };
  visit(sf, null, false);
  citations.sort((a, b) => a.tsLine - b.tsLine);
  return { citations, functions, calls };
}

function isStatementWithTrailingComment(n: ts.Node): boolean {
  return (
    ts.isExpressionStatement(n) ||
    ts.isVariableStatement(n) ||
    ts.isReturnStatement(n) ||
    ts.isIfStatement(n) ||
    ts.isContinueStatement(n) ||
    ts.isBreakStatement(n) ||
    ts.isPropertyAssignment(n)
  );
}

/* ---- the C side ---- */

/** A seed line with comments and string literals blanked, for name searches. */
function codeOf(lines: readonly string[]): string[] {
  const out: string[] = [];
  let inComment = false;
  for (const raw of lines) {
    let s = '';
    for (let i = 0; i < raw.length; i++) {
      if (inComment) {
        if (raw[i] === '*' && raw[i + 1] === '/') {
          inComment = false;
          i++;
        }
        continue;
      }
      if (raw[i] === '/' && raw[i + 1] === '*') {
        inComment = true;
        i++;
        continue;
      }
      if (raw[i] === '/' && raw[i + 1] === '/') break;
      s += raw[i];
    }
    out.push(s);
  }
  return out;
}

let code: string[] | undefined;
/** Seed lines (1-based) with comments removed. */
export function seedCode(lines: readonly string[] = seedLines()): string[] {
  if (lines === seedLines()) return (code ??= codeOf(lines));
  return codeOf(lines);
}

/**
 * The lines of the C statement that spans seed line n: back to the line
 * after the previous `;`, `{`, `}` or label, forward to the line that ends
 * with `;`, `{` or `}`. Blank and comment-only lines stop the walk.
 */
export function statementLines(n: number, c: readonly string[] = seedCode()): number[] {
  const ends = (l: number): boolean => /[;{}:]\s*$/.test(c[l] ?? '') || /^\s*#/.test(c[l] ?? '');
  const blank = (l: number): boolean => (c[l] ?? '').trim() === '';
  if (blank(n)) return [n];
  let from = n;
  while (from - 1 >= 1 && !blank(from - 1) && !ends(from - 1) && n - from < 8) from--;
  let to = n;
  while (to < c.length - 1 && !ends(to) && !blank(to + 1) && to - n < 8) to++;
  const out: number[] = [];
  for (let l = from; l <= to; l++) out.push(l);
  return out;
}

function holdsName(textOfStatement: string, name: string): boolean {
  if (!/^\w+$/.test(name)) return textOfStatement.includes(name);
  return new RegExp(`\\b${name}\\b`).test(textOfStatement);
}

/** The C format string of the KASSERT / panic in a statement's text, as literal pieces, or null. */
export function cAssertion(stmt: string): { kind: 'KASSERT' | 'panic'; fmt: string; pieces: string[] } | null {
  const m = /\b(KASSERT|panic)\s*\(/.exec(stmt);
  if (m === null) return null;
  const strings = [...stmt.slice(m.index).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1]!);
  if (strings.length === 0) return { kind: m[1] as 'KASSERT' | 'panic', fmt: '', pieces: [] };
  // Adjacent literals concatenate; the format is the first run of them.
  const fmt = strings.join('').replace(/\\n/g, '\n').replace(/\\"/g, '"');
  return { kind: m[1] as 'KASSERT' | 'panic', fmt, pieces: fmt.split(/%[-#0 +]*\d*(?:\.\d+)?(?:hh|h|ll|l|j|z|t|q)?[a-zA-Z]/) };
}

/**
 * Do the port's literal pieces match the C format's, in order? The pieces
 * between conversions, trimmed, empty ones dropped, must be the same list
 * (the port fills the conversions with names where the C prints pointers).
 */
export function messageMatches(port: readonly string[], c: readonly string[]): boolean {
  const norm = (xs: readonly string[]): string[] => xs.map((x) => x.trim()).filter((x) => x !== '');
  const a = norm(port);
  const b = norm(c);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** One wrong citation: where, what, why. */
export interface CitationProblem {
  readonly tsLine: number;
  readonly seed: readonly number[];
  readonly what: string;
}

/** Checks every citation against the C; returns the problems found (none when the port cites right). */
export function checkCitations(a: PortAnalysis, lines: readonly string[] = seedLines()): CitationProblem[] {
  const c = seedCode(lines);
  const fnAt = (l: number): string | null => (lines === seedLines() ? seedFunctionAt(l) : null);
  const problems: CitationProblem[] = [];
  for (const cit of a.citations) {
    const where = (msg: string) => problems.push({ tsLine: cit.tsLine, seed: cit.seed, what: msg });
    if (cit.seed.some((l) => l < 1 || l >= lines.length)) {
      where(`seed line ${cit.seed.join('-')} is past the file`);
      continue;
    }
    if (cit.fn !== null && lines === seedLines()) {
      const outside = cit.seed.filter((l) => fnAt(l) !== cit.fn);
      if (outside.length > 0) {
        where(`seed line ${outside[0]} is in ${fnAt(outside[0]!) ?? 'no function'}, not ${cit.fn}`);
        continue;
      }
    }
    if (cit.loose) continue;
    const spans = [...new Set(cit.seed.flatMap((l) => statementLines(l, c)))].sort((x, y) => x - y);
    const stmt = spans.map((l) => c[l]).join('\n');
    if (cit.kind === 'assert') {
      if (cit.names.length > 0 && cit.assertKind === 'panic' && cit.message?.[0] === 'integer divide fault') {
        if (!cit.names.some((nm) => holdsName(stmt, nm))) where(`the C statement at ${cit.seed[0]} divides nothing: ${oneLine(stmt)}`);
        continue;
      }
      const ca = cAssertion(spans.map((l) => lines[l]).join('\n'));
      if (ca === null) {
        where(`no KASSERT or panic at seed ${cit.seed[0]}: ${oneLine(stmt)}`);
        continue;
      }
      if (ca.kind !== cit.assertKind) where(`the port raises ${cit.assertKind} where the C has ${ca.kind}`);
      else if (cit.format !== undefined) {
        if (cit.format !== ca.fmt) where(`format ${JSON.stringify(cit.format)} is not the C's ${JSON.stringify(ca.fmt)}`);
      } else if (cit.message !== null && !messageMatches(cit.message, ca.pieces))
        where(`message ${JSON.stringify(cit.message.join('…'))} does not match the C's ${JSON.stringify(ca.pieces.join('…'))}`);
      continue;
    }
    if (cit.names.length === 0) continue;
    if (!cit.names.some((nm) => holdsName(stmt, nm))) where(`the C at ${cit.seed.join('-')} holds none of ${cit.names.join(', ')}: ${oneLine(stmt)}`);
  }
  return problems;
}

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

/* ---- the callee order ---- */

const C_NOT_CALLS = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', 'defined']);

/** The names a seed function calls, in order, with their lines (its header's own name left out). */
export function seedCalls(name: string, lines: readonly string[] = seedLines()): { name: string; line: number }[] {
  const f = seedFunctions().find((g) => g.name === name);
  if (!f) throw new Error(`the seed defines no function ${name}`);
  const c = seedCode(lines);
  const out: { name: string; line: number }[] = [];
  const bodyStart = lines.indexOf('{', f.first);
  for (let l = bodyStart; l <= f.last; l++)
    for (const m of c[l]!.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) if (!C_NOT_CALLS.has(m[1]!)) out.push({ name: m[1]!, line: l });
  return out;
}

/** One step of a structural diff: '=' both, '-' C only, '+' port only. */
export interface DiffOp {
  readonly op: '=' | '-' | '+';
  readonly name: string;
  /** Seed line ('=' and '-') or port line ('+'). */
  readonly line: number;
}

/** Longest-common-subsequence diff of two name sequences. */
export function diffSequences(c: readonly { name: string; line: number }[], p: readonly { name: string; tsLine: number }[]): DiffOp[] {
  const n = c.length;
  const m = p.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i]![j] = c[i]!.name === p[j]!.name ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const out: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && c[i]!.name === p[j]!.name) {
      out.push({ op: '=', name: c[i]!.name, line: c[i]!.line });
      i++;
      j++;
    } else if (j < m && (i === n || L[i]![j + 1]! >= L[i + 1]![j]!)) {
      out.push({ op: '+', name: p[j]!.name, line: p[j]!.tsLine });
      j++;
    } else {
      out.push({ op: '-', name: c[i]!.name, line: c[i]!.line });
      i++;
    }
  }
  return out;
}

/**
 * Per ported function, the differences between the C's callees and the
 * port's, restricted to names both sides have (after aliases): '- name@seedline'
 * for a call only the C makes there, '+ name' for one only the port makes.
 */
export function calleeOrderDiffs(a: PortAnalysis = analyzePort(), lines: readonly string[] = seedLines()): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of a.functions) {
    const cs = seedCalls(f.name, lines);
    const ps = (a.calls.get(f.name) ?? []).flatMap((x) => cNames(x.name).slice(0, 1).map((nm) => ({ name: nm, tsLine: x.tsLine })));
    const cset = new Set(cs.map((x) => x.name));
    const pset = new Set(ps.map((x) => x.name));
    const cShared = cs.filter((x) => pset.has(x.name));
    const pShared = ps.filter((x) => cset.has(x.name));
    const d = diffSequences(cShared, pShared)
      .filter((x) => x.op !== '=')
      .map((x) => (x.op === '-' ? `- ${x.name}@${x.line}` : `+ ${x.name}`));
    out.set(f.name, d);
  }
  return out;
}

/* ---- the map for renderers ---- */

let lineMap: ReadonlyMap<number, number> | undefined;

/**
 * Port line -> seed line: every line of impl/vnode_pager.ts that cites the
 * C, with the (first) seed line it cites. Lines without a citation are
 * absent; a caller wanting the nearest may look at the enclosing function
 * (portFunctions).
 */
export function portLineToSeedLine(): ReadonlyMap<number, number> {
  if (lineMap === undefined) {
    const m = new Map<number, number>();
    for (const c of analyzePort().citations) if (!m.has(c.tsLine)) m.set(c.tsLine, c.seed[0]!);
    lineMap = m;
  }
  return lineMap;
}

/** The port's functions that port a seed function, with their port line ranges. */
export function portFunctions(): readonly { readonly name: string; readonly from: number; readonly to: number }[] {
  return analyzePort().functions;
}
