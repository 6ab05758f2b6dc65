/*
 * A crash of the port is a panic. A TypeError (a NULL or undefined
 * dereference, calling what is not a function) or a RangeError (an index or
 * byte range out of bounds, data.ts's fillRange) thrown while a kernel thread
 * runs is what a kernel would do with a NULL pointer or a bad index: a
 * panic, reported as kernel-assertions-hold at the seed line where it
 * happened. Every other error (HarnessBug, a plain Error of the model's own
 * consistency checks) stays a harness error.
 *
 * The line: the innermost frame of the stack that is a seed function names
 * the function; the thread's last scheduling point gives the line when it is
 * in that function, else the function's first line. Without a seed function
 * on the stack (a crash in a kernel routine called from a caller model), the
 * last scheduling point's function and line.
 */
import { KernelAssertion } from '../checker/op.ts';
import type { ThrownAt } from '../checker/runtime.ts';
import { seedFunctions, type SeedFunction } from '../seed/seed.ts';

let table: ReadonlyMap<string, SeedFunction> | null | undefined;

/** Seed functions by name; null when the seed's text cannot be read (a bundle without it): the step's site is used then. */
function seedTable(): ReadonlyMap<string, SeedFunction> | null {
  if (table === undefined) {
    try {
      table = new Map(seedFunctions().map((f) => [f.name, f]));
    } catch {
      table = null;
    }
  }
  return table;
}

/** The innermost seed function on the error's stack. */
function portFunction(e: Error): SeedFunction | null {
  const t = seedTable();
  if (t === null || typeof e.stack !== 'string') return null;
  for (const line of e.stack.split('\n').slice(1)) {
    const m = /^\s*at (?:Generator\.next \()?(?:\S+\.)?([A-Za-z_][A-Za-z0-9_]*)/.exec(line);
    if (m === null) continue;
    const f = t.get(m[1]!);
    if (f !== undefined) return f;
  }
  return null;
}

/** Program.classifyThrown of the pager's programs. */
export function classifyCrash(e: unknown, at: ThrownAt): KernelAssertion | null {
  if (!(e instanceof TypeError || e instanceof RangeError)) return null;
  const f = portFunction(e);
  const opLine = at.op.line;
  let fn: string;
  let line: number | undefined;
  if (f !== null) {
    fn = f.name;
    line = opLine !== undefined && opLine >= f.first && opLine <= f.last ? opLine : f.first;
  } else {
    fn = at.op.fn ?? 'kernel';
    line = opLine;
  }
  const what = e instanceof TypeError ? 'NULL dereference' : 'index out of range';
  return new KernelAssertion('panic', fn, `${what} in ${at.thread}: ${e.name}: ${e.message}`, line);
}
