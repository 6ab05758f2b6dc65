/*
 * Parsing of CLI arguments into checked values. Every rejection is one line
 * saying what was wrong and what is accepted (a BadInput, exit code 2).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { InvalidArgumentError } from 'commander';
import { InputRefused, readInputText } from '../checker/input.ts';
import { CATALOG, PROBES, catalogScenario } from '../properties/catalog.ts';
import { MAX_EXECUTIONS, MAX_PREEMPTIONS, MAX_STEPS, ScenarioError, parseScenario, type Scenario } from '../properties/scenario.ts';
import { allVariants, variantByName } from '../impl/variants.ts';

/** Bad arguments or files: exit code 2. */
export class BadInput extends Error {
  override name = 'BadInput';
}

/** Most worker threads per core: more only adds start-up time and memory (each loads the model). */
export const WORKERS_PER_CORE = 4;
/** Longest duration: setTimeout and setInterval take at most 2^31-1 ms and fire at once past it. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * The range of every numeric option, [min, max] (inclusive). README.md's
 * "Bounds" section states them; out of range is exit 2 before anything runs.
 */
export const OPTION_BOUNDS = {
  '--max-executions': [1, MAX_EXECUTIONS],
  '--max-steps': [1, MAX_STEPS],
  '--preemptions': [0, MAX_PREEMPTIONS],
  '--depth': [1, 64],
  '--seed': [0, 2 ** 32 - 1],
  '--workers': [0, WORKERS_PER_CORE * os.availableParallelism()],
  '--tasks': [1, 10_000],
  '--width': [16, 400],
  '--random-phase': [0, 1_000_000],
  // Durations, in ms.
  '--time-budget': [1, MAX_DURATION_MS],
  '--minimize': [0, MAX_DURATION_MS],
  '--checkpoint-interval': [100, 24 * 3_600_000],
} as const satisfies Record<string, readonly [number, number]>;
export type BoundedOption = keyof typeof OPTION_BOUNDS;

/** A whole number in [min, max], for commander's argParser; `option` picks its range from OPTION_BOUNDS. */
export function wholeNumber(min: number | BoundedOption, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  const [lo, hi] = typeof min === 'number' ? [min, max] : OPTION_BOUNDS[min];
  const accepted = hi === Number.MAX_SAFE_INTEGER ? `a whole number >= ${lo}` : `a whole number >= ${lo} and <= ${hi}`;
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < lo || n > hi) throw new InvalidArgumentError(`expected ${accepted}`);
    return n;
  };
}

/** "30" (seconds), "30s", "500ms", "2m", "1.5h" -> milliseconds, from 0 up to MAX_DURATION_MS. */
export function duration(v: string): number {
  return durationIn(0, MAX_DURATION_MS)(v);
}

/** A duration parser for an option's range (OPTION_BOUNDS), in ms. */
export function durationIn(min: number | BoundedOption, max = MAX_DURATION_MS): (v: string) => number {
  const [lo, hi] = typeof min === 'number' ? [min, max] : OPTION_BOUNDS[min];
  return (v) => {
    const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/.exec(v.trim());
    if (!m) throw new InvalidArgumentError('expected a duration such as 30s, 500ms, 2m (a bare number is seconds)');
    const n = Number(m[1]);
    const unit = m[2] ?? 's';
    const ms = Math.round(unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'h' ? n * 3_600_000 : n * 60_000);
    if (!Number.isFinite(ms) || ms < lo || ms > hi) throw new InvalidArgumentError(`${v.trim().slice(0, 24)} is out of range; expected a duration from ${msText(lo)} to ${msText(hi)}`);
    return ms;
  };
}

function msText(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 1000) return `${ms}ms`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${(ms / 3_600_000).toFixed(1)}h`;
}

/** Scenario arguments: catalog names or scenario JSON files; none means the whole catalog. */
export function resolveScenarios(args: readonly string[]): Scenario[] {
  if (args.length === 0 || (args.length === 1 && args[0] === 'all')) return [...CATALOG];
  const out: Scenario[] = [];
  for (const a of args) {
    if (a.endsWith('.json') || a.includes('/')) out.push(scenarioFile(a));
    else {
      try {
        out.push(catalogScenario(a));
      } catch {
        throw new BadInput(
          `unknown scenario "${a}"; accepted: a catalog name (${CATALOG.map((s) => s.name).join(', ')}), a probe (${PROBES.map((s) => s.name).join(', ')}), "all", or a scenario .json file`,
        );
      }
    }
  }
  const names = new Set<string>();
  for (const s of out) {
    if (names.has(s.name)) throw new BadInput(`scenario "${s.name}" given twice; accepted: each scenario once`);
    names.add(s.name);
  }
  return out;
}

function scenarioFile(file: string): Scenario {
  if (!existsSync(file)) throw new BadInput(`${file}: no such file; accepted: a catalog scenario name or a scenario .json file`);
  let text: string;
  try {
    text = readInputText(file);
  } catch (e) {
    if (e instanceof InputRefused) throw new BadInput(`${file}: ${e.reason}; accepted: a catalog scenario name or a scenario .json file`);
    const code = (e as NodeJS.ErrnoException).code;
    throw new BadInput(`${file}: cannot read (${code === 'EISDIR' ? 'a directory' : (code ?? (e as Error).message)}); accepted: a catalog scenario name or a scenario .json file`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new BadInput(`${file}: not JSON (${(e as Error).message.split('\n')[0]}); accepted: a scenario as JSON (see properties/scenario.ts)`);
  }
  try {
    return parseScenario(v);
  } catch (e) {
    if (e instanceof ScenarioError) throw new BadInput(`${file}: ${e.message}`);
    throw e;
  }
}

/** Variant names, comma-separated; "all" is every variant that is not a mutant. */
export function resolveVariants(spec: string): string[] {
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new BadInput(`--variant: no variant given; accepted: ${variantNames()}`);
  const out: string[] = [];
  for (const n of names) {
    if (n === 'all') {
      for (const v of allVariants()) if (v.kind !== 'mutant' && !out.includes(v.name)) out.push(v.name);
      continue;
    }
    try {
      variantByName(n);
    } catch (e) {
      throw new BadInput((e as Error).message.replace(/accepted: (.*)$/, `accepted: $1 (comma-separated), or all`));
    }
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

export function variantNames(): string {
  return allVariants()
    .map((v) => v.name)
    .join(', ');
}
