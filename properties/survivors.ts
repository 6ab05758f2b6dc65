/*
 * Why a generated mutant of the port survives the kill suite: equivalent
 * (with the argument), or what the harness misses. Single mutants by
 * function, mutator, original and replacement text first (line numbers move
 * as the port changes), then rules (a whole class with one argument).
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
  /** 1-based column of the mutant's start in `line` (absent: rules that need it do not apply). */
  readonly column?: number;
  /** The two source lines before `line` (absent: rules that need them do not apply). */
  readonly before?: string;
}

/** Which argument (0-based) of the `k.ctx.touch(` call on the line the column falls in; -1 outside its arguments. */
export function touchArgument(line: string, column: number): number {
  const open = line.indexOf('k.ctx.touch(');
  if (open < 0) return -1;
  let i = open + 'k.ctx.touch('.length;
  const at = column - 1;
  if (at < i) return -1;
  let arg = 0;
  let depth = 0;
  let quote: string | null = null;
  for (; i < line.length; i++) {
    const c = line[i]!;
    if (i === at) return arg;
    if (quote !== null) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      if (depth === 0) return -1;
      depth--;
    } else if (c === ',' && depth === 0) arg++;
  }
  return -1;
}

const HAND_MUTANTS = new Set(MUTATIONS.map((m) => `'${m.name}'`));
const REPAIR_NAMES = new Set(REPAIRS.map((m) => `'${m.name}'`));

type Rule = (k: SurvivorKey) => SurvivorClass | null;

const isRepair = (quoted: string): boolean => REPAIR_NAMES.has(quoted);
const patchedName = (text: string): string | null => /k\.patched\(('[^']+')\)/.exec(text)?.[1] ?? null;

const RULES: readonly Rule[] = [
  (k) =>
    k.mutator === 'StringLiteral' && /vm_object_pip_wait\(|VM_OBJECT_SLEEP\(/.test(k.line) && /^'[a-z]{4,8}'$/.test(k.original)
      ? { kind: 'equivalent', why: "a sleep's wait message: it only names the step (labels, renderings); sleep and wakeup match on the channel, and no property reads it" }
      : null,
  (k) =>
    k.fn === 'vnode_destroy_vobject' && (/OBJ_DISCONNECTWNT|OBJ_DETACH/.test(k.line) || k.original === '(obj.flags & OBJ_DEAD) === 0' || k.original.includes('Waiters were already handled'))
      ? {
          kind: 'missing',
          why: "the don't-double-terminate branch (seed 172-186: an unreferenced object already OBJ_DEAD at reclaim), or its choice: no catalog caller reaches it (issue 13 item 3 lists it unreachable); a reclaim racing the last vm_object_deallocate's termination of the object would",
        }
      : null,
  (k) => {
    if (k.fn !== 'vnode_pager_alloc' || k.mutator !== 'StringLiteral' || k.original !== '`${vp.name}.v_object`' || k.before === undefined) return null;
    if (k.before.includes("k.patched('alloc-recheck-v_object')")) return { kind: 'equivalent', why: OBJECT_LOCK_ORDERS_RECHECK };
    if (k.before.includes('VI_LOCK(k, vp, 244)'))
      return {
        kind: 'missing',
        why: "the footprint of the re-check of v_object under the interlock (245): vnode_pager_dealloc clears v_object under the vnode and object locks, not the interlock, so only this footprint orders the two; a run needs another thread's object attached and reclaimed between this thread's first read (224) and the re-check, three threads (two allocs, a vgone) without the vnode lock: no catalog scenario has them",
      };
    return null;
  },
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
      ? k.before?.includes('reachable without the interlock') && n === "'alloc-vref-under-object-lock'"
        ? {
            kind: 'missing',
            why: "turns off the new-object half of the repair 'alloc-vref-under-object-lock' (vref after the interlock is dropped, as the seed does): its finding's scenario has an object already, so the repair run takes the other half; an unlocked alloc that creates the object while the vnode is reclaimed (initial.object false, vgone) kills it (measured: seed vrefact assertion, seed+repair none), but on the repaired variant that probe shows spec-conformance:objectLifecycle (the OBJ_DISCARD of repair alloc-refuses-doomed-vnode), to be triaged before it joins the catalog"
          }
        : { kind: 'missing', why: `turns the repair ${n} off: no kill run reaches this site with the interleaving its finding needs (the seed with ${n} alone runs its findings' scenarios, capped)` }
      : null;
  },
  (k) => {
    if (k.mutator !== 'BooleanLiteral' || k.column === undefined || !k.line.includes('k.ctx.touch(')) return null;
    const arg = touchArgument(k.line, k.column);
    if (arg === 1 && k.original === 'false' && k.replacement === 'true')
      return { kind: 'equivalent', why: 'a DPOR footprint that says write where the step reads: every pair it made dependent before stays dependent, so DPOR explores a superset of the interleavings; the end states and violations are the same (only executions are added)' };
    if (arg === 2)
      return { kind: 'missing', why: 'the atomic flag of a footprint only exempts the access from data-race reports (checker/dependency.ts); no kill run runs the race detector, which would report a plain unlocked access' };
    return null;
  },
  (k) =>
    k.line.includes('k.ctx.touch(') && (k.mutator === 'StringLiteral' || k.mutator === 'BooleanLiteral')
      ? { kind: 'missing', why: 'a DPOR footprint made weaker (another resource, or a write declared a read): the unreduced kill runs (every end state a preemption-bounded search reaches must be reached by DPOR) reach no end state that depends on the order this footprint orders' }
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

const ALLOC_USECOUNT =
  'every caller passes a vnode it holds a use reference on (open: the reference namei took, around VOP_OPEN -> vnode_create_vobject; vm_mmap_vnode: after vget; the unlocked probes alike), and no other thread can drop that reference during the call, so v_usecount is never 0 at 232';
const ALLOC_PRIVATE =
  'the object was allocated at 238 by this thread with one reference and no other thread can reach it before 259 attaches it (it is on no vnode, and the global object list gives no references), so ref_count is 1 at 251';

const ALLOC_USECOUNT_READ = `the footprint (or its count annotation) of the unlocked read of v_usecount at 232, whose value only the assertion there uses; ${'every caller passes a vnode it holds a use reference on, so the assertion holds in every order of this read with the other use-count changes'}: DPOR dropping or adding orders of it changes no end state and no violation`;
const INTERLOCK_ORDERS_IFLAG =
  'the read of v_iflag (VI_DOOMED) is made under the vnode interlock, and every writer of v_iflag holds the interlock too (vgonel asserts it; v_incr_usecount takes it): the interlock\'s own footprint orders the read with every write, so this one adds no order DPOR needs';
const OBJECT_LOCK_ORDERS_RECHECK =
  'the re-read of v_object under the object lock (repair alloc-recheck-v_object) only asks whether v_object is still the object found: the one write that makes it differ is vnode_pager_dealloc\'s clear under that same object lock (ordered by the lock), and every later write (another attach) also leaves it different, so the branch taken does not depend on orders the footprint adds';

const DEALLOC_HAS_HANDLE =
  'vnode_pager_dealloc is reached only through the pager switch for an OBJT_VNODE object (vm_pager_deallocate from vm_object_terminate or vnode_destroy_vobject), and an OBJT_VNODE object always has its vnode: dealloc itself clears handle and type together (289-290), so the panic at 283 cannot be reached';

/** Single mutants: `${fn}|${mutator}|${original}|${replacement}`. */
const SINGLE: Readonly<Record<string, SurvivorClass>> = {
  'vnode_pager_dealloc|ConditionalExpression|vp === null|false': { kind: 'equivalent', why: DEALLOC_HAS_HANDLE },
  "vnode_pager_dealloc|StringLiteral|'vnode_pager_dealloc: pager already dealloced'|\"\"": { kind: 'equivalent', why: `the message of a panic that cannot be reached: ${DEALLOC_HAS_HANDLE}` },
  "vnode_pager_dealloc|StringLiteral|'vnode_pager_dealloc'|\"\"": {
    kind: 'missing',
    why: 'a name only the assertions of this function print when one fails: the panic at 283 cannot be reached, and the lock assertion at 295 holds in every kill run (every path to dealloc holds the vnode lock exclusively); a caller that reaches vm_object_terminate without it would show it',
  },
  'vnode_destroy_vobject|ConditionalExpression|obj === null|false': {
    kind: 'missing',
    why: 'a reclaim of a vnode that has no object (never opened for I/O): no catalog scenario reclaims one; with it, the NULL dereference of the mutant would be reported as a panic',
  },
  "vnode_destroy_vobject|StringLiteral|'vnode_destroy_vobject'|\"\"": {
    kind: 'missing',
    why: "not understood: the seed's unlocked-alloc-vs-vgone fails the assertion at 194 in the baseline and the kill key names the assertion's function, so an empty name should show as a new violation; left for a closer look",
  },
  "vnode_destroy_vobject|StringLiteral|'vp %p obj %p'|\"\"": {
    kind: 'missing',
    why: "the message of the assertion at 194, which the seed fails (finding alloc-attaches-to-reclaimed-vnode): kill keys leave messages out (they name objects, which differ from one interleaving to another), so only the property and place are compared",
  },
  'vnode_pager_alloc|StringLiteral|`${vp.name}.v_usecount`|``': { kind: 'equivalent', why: ALLOC_USECOUNT_READ },
  'vnode_pager_alloc|ObjectLiteral|{ seen: vp.v_usecount, delta: 0, floor: vp.v_usecount > 0 ? 1 : null }|{}': { kind: 'equivalent', why: ALLOC_USECOUNT_READ },
  'vnode_pager_alloc|ConditionalExpression|vp.v_usecount > 0|true': { kind: 'equivalent', why: ALLOC_USECOUNT_READ },
  'vnode_pager_alloc|ConditionalExpression|vp.v_usecount > 0|false': { kind: 'equivalent', why: ALLOC_USECOUNT_READ },
  'vnode_pager_alloc|EqualityOperator|vp.v_usecount > 0|vp.v_usecount >= 0': { kind: 'equivalent', why: ALLOC_USECOUNT_READ },
  'vnode_pager_alloc|EqualityOperator|vp.v_usecount > 0|vp.v_usecount <= 0': { kind: 'equivalent', why: ALLOC_USECOUNT_READ },
  'vnode_pager_alloc|StringLiteral|`${vp.name}.v_iflag`|``': { kind: 'equivalent', why: INTERLOCK_ORDERS_IFLAG },
  'vnode_pager_alloc|ConditionalExpression|vp.v_usecount !== 0|true': { kind: 'equivalent', why: ALLOC_USECOUNT },
  "vnode_pager_alloc|StringLiteral|'vnode_pager_alloc: no vnode reference'|\"\"": { kind: 'equivalent', why: `the message of an assertion that cannot fail: ${ALLOC_USECOUNT}` },
  'vnode_pager_alloc|ConditionalExpression|object.ref_count === 1|true': { kind: 'equivalent', why: ALLOC_PRIVATE },
  "vnode_pager_alloc|StringLiteral|'leaked ref %p %d'|\"\"": { kind: 'equivalent', why: `the message of an assertion that cannot fail: ${ALLOC_PRIVATE}` },
  "vnode_pager_alloc|StringLiteral|'vnode_pager_alloc'|\"\"": { kind: 'equivalent', why: `the function name only the assertions of this function print, and only when one fails; neither can: ${ALLOC_USECOUNT}; ${ALLOC_PRIVATE}` },
  'vnode_pager_alloc|ConditionalExpression|handle === null|false': {
    kind: 'equivalent',
    why: 'no caller of the era passes a NULL handle: vnode_create_vobject passes its vnode, vm_mmap_vnode (vm_pager_allocate(OBJT_VNODE, vp, ...)) the vnode it holds a reference on; the check is for a pageout-to-vnode use FreeBSD never grew, so the mutant changes no reachable execution',
  },
};

/** A single mutant's own argument first (it is more specific than a rule), then the rules. */
export function classifySurvivor(k: SurvivorKey): SurvivorClass | null {
  const one = SINGLE[`${k.fn}|${k.mutator}|${k.original}|${k.replacement}`];
  if (one) return one;
  for (const r of RULES) {
    const c = r(k);
    if (c) return c;
  }
  return null;
}

