/*
 * Parsing of CLI arguments into checked values. Every rejection is one line
 * saying what was wrong and what is accepted (a BadInput, exit code 2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { CATALOG, PROBES, catalogScenario } from '../properties/catalog.ts';
import { ScenarioError, parseScenario, type Scenario } from '../properties/scenario.ts';
import { allVariants, variantByName } from '../impl/variants.ts';

/** Bad arguments or files: exit code 2. */
export class BadInput extends Error {
  override name = 'BadInput';
}

/** A whole number >= min, for commander's argParser. */
export function wholeNumber(min: number): (v: string) => number {
  return (v) => {
    if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    return n;
  };
}

/** "30" (seconds), "30s", "500ms", "2m", "1.5h" -> milliseconds. */
export function duration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError('expected a duration such as 30s, 500ms, 2m (a bare number is seconds)');
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'h' ? n * 3_600_000 : n * 60_000;
  return Math.round(ms);
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
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
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
  if (names.length === 0) throw new BadInput(`no variant given; accepted: ${variantNames()}`);
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
