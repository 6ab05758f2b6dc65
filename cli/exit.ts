/*
 * The command's exit codes, in one place; README.md and every command's
 * --help state them (cli/main.ts EXIT_CODES).
 */
/** Nothing violated. */
export const EXIT_OK = 0;
/** A violation was found (main job: one that properties/expectations.ts does not expect; any with --strict). */
export const EXIT_VIOLATION = 1;
/** Bad input: an argument, a scenario, trace, shard report or checkpoint file. */
export const EXIT_BAD_INPUT = 2;
/** An internal error of the harness. */
export const EXIT_INTERNAL = 3;
/**
 * Nothing violated, but a run proved nothing: it explored nothing, or its
 * exhaustive search (dpor, dfs, bounded, the split search) stopped before its
 * end, at the time budget or at --max-executions (cli/summary.ts stoppedEarly).
 */
export const EXIT_INCOMPLETE = 4;
/** Interrupted (Ctrl-C, SIGTERM) before any violation (main job: any unexpected one) was found. */
export const EXIT_INTERRUPTED = 130;

export type ExitCode = typeof EXIT_OK | typeof EXIT_VIOLATION | typeof EXIT_BAD_INPUT | typeof EXIT_INTERNAL | typeof EXIT_INCOMPLETE | typeof EXIT_INTERRUPTED;
