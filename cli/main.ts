/*
 * pagercheck CLI entry. Exit codes: 0 nothing violated, 1 a violation was
 * found, 2 bad input (arguments, trace or scenario files), 3 an internal error
 * of the harness.
 */
export const EXIT_OK = 0;
export const EXIT_VIOLATION = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERNAL = 3;

export async function main(argv: readonly string[]): Promise<number> {
  process.stderr.write(`pagercheck: not built yet (${argv.join(' ')})\n`);
  return EXIT_INTERNAL;
}
