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

const isRepair = (quoted: string): boolean => REPAIR_NAMES.has(quoted);
const patchedName = (text: string): string | null => /k\.patched\(('[^']+')\)/.exec(text)?.[1] ?? null;

const RULES: readonly Rule[] = [
  (k) =>
    k.mutator === 'StringLiteral' && HAND_MUTANTS.has(k.original)
      ? { kind: 'equivalent', why: 'names a hand-written mutant variant (impl/variants.ts), which no kill run enables: patched("") and patched(name) are both false on the seed and the repaired variant' }
      : null,
  (k) => {
    const n = patchedName(k.original);
    return k.mutator === 'ConditionalExpression' && n !== null && HAND_MUTANTS.has(n) && k.original.startsWith('!') && k.replacement === 'true'
      ? { kind: 'equivalent', why: `!k.patched(${n}) is true on every variant the kill runs use (no hand-written mutant is enabled)` }
      : null;
  },
  (k) => {
    const n = patchedName(k.original);
    return k.mutator === 'ConditionalExpression' && n !== null && isRepair(n) && k.original === `k.patched(${n})` && k.replacement === 'true'
      ? { kind: 'equivalent', why: `turns the repair ${n} on for the seed too: the seed then runs the repaired variant's code here, which its own runs show adds no violation; a mutant that removes a defect has no defect to detect` }
      : null;
  },
  (k) => {
    const n = patchedName(k.line);
    const disables =
      n !== null && isRepair(n) && ((k.mutator === 'ConditionalExpression' && k.original === `k.patched(${n})` && k.replacement === 'false') || (k.mutator === 'StringLiteral' && k.original === n) || (k.mutator === 'BlockStatement' && k.replacement === '{}'));
    return disables
      ? { kind: 'missing', why: `turns the repair ${n} off on the repaired variant (it becomes the seed here): no kill run within the execution cap shows that finding's violation; its pinned counterexample (traces/findings/) as a kill run would` }
      : null;
  },
  (k) =>
    k.line.includes('k.ctx.touch(') && (k.mutator === 'StringLiteral' || k.mutator === 'BooleanLiteral')
      ? { kind: 'missing', why: "a DPOR annotation of the model, not C: a wrong resource name or read/write/atomic flag makes the reduction drop interleavings, which shows as fewer executions, never as a violation of its own; killing it needs a run compared with an unreduced search (dfs) of the same scenario" }
      : null,
  (k) =>
    /\bwmesg\b|'vadead'|VM_OBJECT_SLEEP\(/.test(k.line) && k.mutator === 'StringLiteral' && k.original === "'vadead'"
      ? { kind: 'equivalent', why: 'a sleep\'s wait message: it only names the step (labels, renderings, OBJ_DISCONNECT_WAIT.wmesg, which no property reads); sleep and wakeup match on the channel' }
      : null,
  (k) =>
    k.line.includes('k.observer.emit(') && (k.mutator === 'ObjectLiteral' || k.mutator === 'StringLiteral')
      ? { kind: 'missing', why: 'an observer event that the properties of these runs do not need here; the spec machines (traces/checked.ts, objectLifecycle) follow it, but the kill runs do not check conformance (the layer rule keeps traces/ out of properties/)' }
      : null,
  (k) =>
    k.line.includes('KASSERT(') && k.mutator === 'StringLiteral'
      ? { kind: 'missing', why: 'the message of an assertion that no kill run makes fail (its condition mutant to `true` survives too); and messages are not compared, only property names' }
      : null,
  (k) =>
    k.line.includes('KASSERT(') && k.mutator === 'ConditionalExpression' && k.replacement === 'true'
      ? { kind: 'missing', why: 'an assertion that holds in every kill run: disabling it is only visible with a caller or interleaving that breaks it (on the seed none does here)' }
      : null,
  (k) =>
    k.mutator === 'StringLiteral' && /^\s*const fn = '/.test(k.line)
      ? { kind: 'missing', why: 'the function name assertions of this function report; only read when one fails (none does in the kill runs) and messages are not compared' }
      : null,
];

/** Single mutants: `${fn}|${mutator}|${original}|${replacement}`. */
const SINGLE: Readonly<Record<string, SurvivorClass>> = {
  'vnode_pager_alloc|ConditionalExpression|handle === null|false': {
    kind: 'missing',
    why: 'no caller passes a NULL handle (vm_pager_allocate for pageout to a vnode); a probe with one would see the TypeError of read_v_object(NULL) as a panic',
  },
};

export function classifySurvivor(k: SurvivorKey): SurvivorClass | null {
  for (const r of RULES) {
    const c = r(k);
    if (c) return c;
  }
  return SINGLE[`${k.fn}|${k.mutator}|${k.original}|${k.replacement}`] ?? null;
}

