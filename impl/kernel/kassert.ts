/*
 * KASSERT and panic of sys/systm.h (INVARIANTS on), for the port and the
 * kernel model: the C's condition, the C's printf format, its arguments.
 * The message is formatted only when the assertion fails (as the C macro
 * evaluates its message only then); the arguments themselves are evaluated
 * at every call, so they must be plain reads (pointers are passed as the
 * object's name, which is what the port prints for %p).
 */
import { KernelAssertion } from '../../checker/op.ts';

/** A printf argument: a number, or a string (a name standing for a pointer, or %s text). */
export type KArg = string | number | null | undefined;

/**
 * The subset of the kernel's printf(9) the seed's messages use: %s %d %p %jd
 * %ju %lu and the like print the argument as is; %x in hex; %% a percent.
 */
export function kprintf(fmt: string, args: readonly KArg[]): string {
  let i = 0;
  return fmt.replace(/%[-#0 +]*\d*(?:\.\d+)?(?:hh|h|ll|l|j|z|t|q)?([a-zA-Z%])/g, (_m, conv: string) => {
    if (conv === '%') return '%';
    const a = args[i++];
    return conv === 'x' && typeof a === 'number' ? a.toString(16) : String(a);
  });
}

/** KASSERT(exp, (fmt, ...)): a KernelAssertion naming fn and the seed line when exp is false. */
export function KASSERT(exp: boolean, fn: string, line: number | undefined, fmt: string, a?: KArg, b?: KArg, c?: KArg, d?: KArg, e?: KArg): asserts exp {
  if (!exp) throw new KernelAssertion('KASSERT', fn, kprintf(fmt, [a, b, c, d, e]), line);
}

/** panic(fmt, ...). */
export function panic(fn: string, line: number | undefined, fmt: string, a?: KArg, b?: KArg, c?: KArg, d?: KArg, e?: KArg): never {
  throw new KernelAssertion('panic', fn, kprintf(fmt, [a, b, c, d, e]), line);
}
