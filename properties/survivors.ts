/*
 * Why a generated mutant of the port survives the kill suite: equivalent
 * (with the argument), or what the harness misses. Rules first (a whole
 * class with one argument), then single mutants by function, mutator,
 * original and replacement text (line numbers move as the port changes).
 */
import { MUTATIONS, REPAIRS } from '../impl/variants.ts';

export interface SurvivorClass {
  readonly kind: 'equivalent' | 'missing';
  readonly why: string;
}

export interface SurvivorKey {
  /** Port function (impl/citations.ts portFunctions). */
  readonly fn: string;
  readonly mutator: string;
  readonly original: string;
  readonly replacement: string;
  /** The whole source line of the mutant's start. */
  readonly line: string;
}

const HAND_MUTANTS = new Set(MUTATIONS.map((m) => `'${m.name}'`));
const REPAIR_NAMES = new Set(REPAIRS.map((m) => `'${m.name}'`));

type Rule = (k: SurvivorKey) => SurvivorClass | null;

const RULES: readonly Rule[] = [
  (k) =>
    k.mutator === 'StringLiteral' && HAND_MUTANTS.has(k.original)
      ? { kind: 'equivalent', why: 'names a hand-written mutant variant (impl/variants.ts), which no kill run enables: patched("") and patched(name) are both false on the seed and the repaired variant' }
      : null,
];

/** Single mutants: `${fn}|${mutator}|${original}|${replacement}`. */
const SINGLE: Readonly<Record<string, SurvivorClass>> = {};

export function classifySurvivor(k: SurvivorKey): SurvivorClass | null {
  for (const r of RULES) {
    const c = r(k);
    if (c) return c;
  }
  return SINGLE[`${k.fn}|${k.mutator}|${k.original}|${k.replacement}`] ?? null;
}

export { REPAIR_NAMES };
