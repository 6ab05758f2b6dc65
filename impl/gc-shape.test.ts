/*
 * Two code shapes make every execution's world outlive it in V8's young
 * generation (measured with --trace-gc-nvp: a third to three quarters of all
 * bytes allocated survived scavenges, and the GC threads took the second
 * core a parallel run needs):
 *  - a generator function expression or declaration inside another
 *    function: each closure gets its own prototype and instance map, kept in
 *    old space, whose pointers back to the closure keep its context alive;
 *  - a module-level WeakMap keyed by per-execution objects: scavenges keep
 *    its entries.
 * The model code (impl/, the scenario program) uses module-level generators
 * called through arrows, and Kernel.kernelStatic / fields instead. This test
 * finds the two shapes with the TypeScript parser.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

function sources(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.startsWith('testkit_')) out.push(p);
    }
  };
  walk(path.join(ROOT, 'impl'));
  out.push(path.join(ROOT, 'properties', 'program.ts'));
  return out;
}

const isFunction = (n: ts.Node): boolean =>
  ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n);

/** "file:line what" for each nested generator function and each WeakMap construction. */
function gcShapeFindings(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const where = (n: ts.Node): string => `${path.relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
  const visit = (n: ts.Node, insideFunction: boolean): void => {
    const generator = (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n)) && n.asteriskToken !== undefined;
    if (generator && insideFunction) found.push(`${where(n)} generator function inside a function`);
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'WeakMap') found.push(`${where(n)} new WeakMap`);
    ts.forEachChild(n, (c) => visit(c, insideFunction || isFunction(n)));
  };
  visit(sf, false);
  return found;
}

describe('model code shapes that defeat the young-generation GC', () => {
  it('finds both shapes (the check can fail)', () => {
    const bad = 'function* outer() { const f = function* () { yield 1; }; yield* f(); }\nfunction g() { function* h() {} return h; }\nconst m = new WeakMap();\nconst ok = function* () {};\n';
    expect(gcShapeFindings(path.join(ROOT, 'impl', 'x.ts'), bad)).toEqual([
      'impl/x.ts:1 generator function inside a function',
      'impl/x.ts:2 generator function inside a function',
      'impl/x.ts:3 new WeakMap',
    ]);
  });

  it('impl/ and properties/program.ts have neither', () => {
    const files = sources();
    expect(files.length).toBeGreaterThan(10);
    const found = files.flatMap((f) => gcShapeFindings(f, fs.readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });
});
