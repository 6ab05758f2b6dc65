/*
 * Why a generated mutant of the port survives the kill suite: equivalent
 * (with the argument), or what the harness misses. Single mutants by
 * function, mutator, original and replacement text first (line numbers move
 * as the port changes), then rules (a whole class with one argument).
 */
import { MUTATIONS, REPAIRS } from '../impl/variants.ts';

/**
 * equivalent: no execution tells the mutant apart from the port (the argument
 * says why); unreachable: the mutant only changes code that no caller of the
 * era reaches (the argument is one about callers and locks), so it is left
 * out of the score like an equivalent one but counted apart; missing: what
 * the harness would need to kill it.
 */
export interface SurvivorClass {
  readonly kind: 'equivalent' | 'unreachable' | 'missing';
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
    k.fn === 'vnode_destroy_vobject' &&
    (/OBJ_DISCONNECTWNT|OBJ_DETACH/.test(k.line) || (k.original === '(obj.flags & OBJ_DEAD) === 0' && k.replacement === 'true') || k.original.includes('Waiters were already handled'))
      ? { kind: 'unreachable', why: `the don't-double-terminate branch (seed 172-186), or a choice that differs from the seed's only when the branch would be taken: ${DEAD_AT_RECLAIM}` }
      : null,
  (k) =>
    k.fn === 'vnode_create_vobject' && (/OBJ_DISCONNECT_WAIT/.test(k.line) || (k.original === '(object.flags & OBJ_DEAD) === 0' && k.replacement === 'true'))
      ? { kind: 'unreachable', why: `the "vodead" wait (seed 121-130), or a choice that differs from the seed's only when it would run: ${DEAD_AT_CREATE}` }
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
      ? { kind: 'missing', why: 'an observer event that neither the properties nor the spec machines the kill runs follow in lock-step (traces/mutation-env.ts) tell apart here: the event is emptied or renamed where no machine or property needs it' }
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

/*
 * Why an OBJ_DEAD object is never the v_object that a holder of the vnode
 * lock finds (2017): OBJ_DEAD is set by vm_object_terminate alone, and for an
 * OBJT_VNODE object only vnode_destroy_vobject calls it (173);
 * vm_object_deallocate hands a vnode object's last reference to
 * vm_object_vndeallocate, which drops it without terminating. That caller
 * holds the vnode lock exclusively from before it terminates until
 * vnode_pager_dealloc has cleared v_object (inside the termination), so
 * nobody else holding the lock, shared or exclusive, can see the dead object
 * attached.
 */
const DEAD_ATTACHED =
  'OBJ_DEAD is set only by vm_object_terminate, which for a vnode object only vnode_destroy_vobject calls (173; vm_object_deallocate gives a vnode object\'s last reference to vm_object_vndeallocate, which never terminates), and that thread holds the vnode lock exclusively from before the termination until vnode_pager_dealloc has cleared v_object within it';
const DEAD_AT_RECLAIM = `the branch needs an unreferenced OBJ_DEAD object still attached to a vnode whose lock this thread holds exclusively (asserted at 165, and VOP_RECLAIM's callers hold it): ${DEAD_ATTACHED}, so no second reclaim can meet it`;
const DEAD_AT_CREATE = `the loop body needs v_object to be an OBJ_DEAD object while this thread holds the vnode lock (every VOP_OPEN caller holds it; 126 unlocks it): ${DEAD_ATTACHED}, which excludes this thread's shared or exclusive hold`;

/*
 * vnode_create_vobject from 142 to 152 runs under the caller's vnode lock,
 * which keeps reclaim (the only path that clears v_object: vnode_pager_dealloc,
 * under the exclusive vnode lock) out; vnode_pager_alloc returns the object
 * that is v_object (found at 224, or attached at 259).
 */
const CREATE_HOLDS_OBJECT =
  'the caller\'s vnode lock (exclusive, or shared for a read-only open) is held from 142 to 152; the only store that clears v_object is vnode_pager_dealloc\'s (302), made under the exclusive vnode lock, and vnode_pager_alloc returns only the object that v_object holds (found at 224 or attached at 259): v_object is that object at 152 in every execution, whatever other thread runs';

const ALLOC_PRIVATE =
  'the object was allocated at 238 by this thread with one reference and no other thread can reach it before 259 attaches it (it is on no vnode, and the global object list gives no references), so ref_count is 1 at 251';

/*
 * Reviewed (issue 13): that v_usecount is never 0 at 232, because every
 * caller passes a vnode it holds a use reference on, holds for every caller holding the
 * vnode lock (reclaim is kept out for the whole call) and on the repaired
 * variant, but not for the unlocked probes on the seed: with two unlocked
 * allocs and a vgone, the seed's vnode_pager_dealloc drops a use reference
 * for a reference a racing alloc took at 262 and has not yet backed at 268
 * (finding alloc-object-ref-without-vnode-ref), which consumes the caller's
 * own, and the other alloc's read at 232 sees 0 (measured: the assertion
 * fails on the seed within 2,993 executions, not on the repaired variant).
 * So the mutants resting on it are not equivalent: they wait on such a probe,
 * which waits on the spec fix for unlocked callers (objectLifecycle).
 */
const ALLOC_USECOUNT_UNLOCKED =
  "the argument that v_usecount is never 0 at 232 (every caller holds a use reference) holds for callers with the vnode lock and on the repaired variant, not on the seed with unlocked callers: with two unlocked allocs and a vgone, vnode_pager_dealloc drops a use reference for the object reference a racing alloc took at 262 before its vrefact at 268 (finding alloc-object-ref-without-vnode-ref), and the other alloc's read at 232 sees 0 (measured on the seed, 2,993 executions); a probe with those three threads would tell it apart, but DPOR does not finish it within the unreduced runs' cap, the explore cap may not reach it, and unlocked probes wait on the spec fix for unlocked callers (objectLifecycle's noObject state)";
const ALLOC_USECOUNT_READ = `the footprint (or its count annotation) of the unlocked read of v_usecount at 232, whose value only the assertion there uses: ${ALLOC_USECOUNT_UNLOCKED}`;
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
    kind: 'equivalent',
    why: "the text of the lock assertion at 165 (ASSERT_VOP_ELOCKED's str; the function's own name, `const fn`, is another mutant, killed at 194): vnode_destroy_vobject is reached only from VOP_RECLAIM, whose callers (vgonel, which asserts it; a filesystem's own reclaim) hold the vnode lock exclusively and which asserts it itself first, so the assertion cannot fail and its text is never printed",
  },
  'vnode_create_vobject|ConditionalExpression|(object = yield* read_v_object(k, vp, 120)) !== null|false': {
    kind: 'equivalent',
    why: `skips the look-up of an existing object: vnode_pager_alloc (142) makes the same look-up under the same vnode lock, and for a live object takes a reference and a vnode use reference (vrefact) that 147-150 drop again (v_usecount stays above 0: the caller's own reference), so the object, its ref_count, v_usecount and the answer end as the seed leaves them; VOP_GETATTR (isize 0) is only asked, its size unused for an existing object; a dead object is not reachable there: ${DEAD_ATTACHED}`,
  },
  'vnode_create_vobject|ConditionalExpression|vp.v_object !== null|true': { kind: 'equivalent', why: `the assertion at 152 cannot fail: ${CREATE_HOLDS_OBJECT}` },
  "vnode_create_vobject|StringLiteral|'vnode_create_vobject: NULL object'|\"\"": { kind: 'equivalent', why: `the message of the assertion at 152, which cannot fail: ${CREATE_HOLDS_OBJECT}` },
  "vnode_create_vobject|StringLiteral|'vnode_create_vobject'|\"\"": { kind: 'equivalent', why: `the function name only the assertion at 152 prints, which cannot fail: ${CREATE_HOLDS_OBJECT}` },
  'vnode_create_vobject|StringLiteral|`${vp.name}.v_object`|``': {
    kind: 'equivalent',
    why: `the footprint of the read at 152 made weaker: the value read cannot change while the caller holds the vnode lock (${CREATE_HOLDS_OBJECT}), so no order of this read with another thread's access changes what it reads`,
  },
  'vnode_create_vobject|ConditionalExpression|!vn_isdisk(vp) && vn_canvmio(vp) === false|false': {
    kind: 'missing',
    why: 'a vnode that cannot do VM I/O (a directory with vfs.vmiodirenable=0), and a property that such a vnode gets no object: the world\'s vnode is always a regular file (a reclaimed, VBAD one never gets here: ufs_open leaves it to dead_vnodeops)',
  },
  'vnode_create_vobject|BooleanLiteral|!vn_isdisk(vp)|vn_isdisk(vp)': {
    kind: 'missing',
    why: 'a disk vnode (VCHR, g_vfs_open) or one that cannot do VM I/O: for a regular file both sides of the && are false either way; the world has neither',
  },
  'vnode_create_vobject|ConditionalExpression|size === 0|true': {
    kind: 'missing',
    why: "a caller whose isize differs from what VOP_GETATTR answers: a disk vnode (g_vfs_open passes the provider's mediasize); for a regular file ufs_open passes the inode's size, which VOP_GETATTR returns under the same lock; the world has no disk vnode",
  },
  'vnode_create_vobject|ConditionalExpression|vn_isdisk(vp)|false': { kind: 'missing', why: 'a disk vnode opened with isize 0 (its object sized IDX_TO_OFF(INT_MAX)), and a property on the object\'s size: the world has no disk vnode' },
  'vnode_create_vobject|BlockStatement|{ size = IDX_TO_OFF(INT_MAX); }|{}': { kind: 'missing', why: 'a disk vnode opened with isize 0 (its object sized IDX_TO_OFF(INT_MAX)), and a property on the object\'s size: the world has no disk vnode' },
  'vnode_create_vobject|ConditionalExpression|va.error !== 0|false': {
    kind: 'missing',
    why: "a VOP_GETATTR that fails on a live vnode (a filesystem whose getattr can fail): the model's fails only on a reclaimed vnode, which returns at 117-118 before (vn_canvmio is false for VBAD)",
  },
  'vnode_pager_alloc|StringLiteral|`${vp.name}.v_usecount`|``': { kind: 'missing', why: ALLOC_USECOUNT_READ },
  'vnode_pager_alloc|ObjectLiteral|{ seen: vp.v_usecount, delta: 0, floor: vp.v_usecount > 0 ? 1 : null }|{}': { kind: 'missing', why: ALLOC_USECOUNT_READ },
  'vnode_pager_alloc|ConditionalExpression|vp.v_usecount > 0|true': { kind: 'missing', why: ALLOC_USECOUNT_READ },
  'vnode_pager_alloc|ConditionalExpression|vp.v_usecount > 0|false': { kind: 'missing', why: ALLOC_USECOUNT_READ },
  'vnode_pager_alloc|EqualityOperator|vp.v_usecount > 0|vp.v_usecount >= 0': { kind: 'missing', why: ALLOC_USECOUNT_READ },
  'vnode_pager_alloc|EqualityOperator|vp.v_usecount > 0|vp.v_usecount <= 0': { kind: 'missing', why: ALLOC_USECOUNT_READ },
  'vnode_pager_alloc|StringLiteral|`${vp.name}.v_iflag`|``': { kind: 'equivalent', why: INTERLOCK_ORDERS_IFLAG },
  'vnode_pager_alloc|ConditionalExpression|vp.v_usecount !== 0|true': { kind: 'missing', why: `the assertion at 232: ${ALLOC_USECOUNT_UNLOCKED}` },
  "vnode_pager_alloc|StringLiteral|'vnode_pager_alloc: no vnode reference'|\"\"": { kind: 'missing', why: `the message of the assertion at 232: ${ALLOC_USECOUNT_UNLOCKED}` },
  'vnode_pager_alloc|ConditionalExpression|object.ref_count === 1|true': { kind: 'equivalent', why: ALLOC_PRIVATE },
  "vnode_pager_alloc|StringLiteral|'leaked ref %p %d'|\"\"": { kind: 'equivalent', why: `the message of an assertion that cannot fail: ${ALLOC_PRIVATE}` },
  "vnode_pager_alloc|StringLiteral|'vnode_pager_alloc'|\"\"": { kind: 'missing', why: `the function name only the assertions at 232 and 251 print; 251 cannot fail (${ALLOC_PRIVATE}), 232 can: ${ALLOC_USECOUNT_UNLOCKED}` },
  'vnode_pager_alloc|ConditionalExpression|handle === null|false': {
    kind: 'equivalent',
    why: 'no caller of the era passes a NULL handle: vnode_create_vobject passes its vnode, vm_mmap_vnode (vm_pager_allocate(OBJT_VNODE, vp, ...)) the vnode it holds a reference on; the check is for a pageout-to-vnode use FreeBSD never grew, so the mutant changes no reachable execution',
  },
};

const SETSIZE_ROUNDUP =
  "the roundup of the first block past EOF made wrong by one sector: it differs only when the new size is a sector boundary inside a page or one byte short of one (base % DEV_BSIZE of 0 or 511), leaving one more block past EOF dirty; the catalog truncates to 5000, 6000, 4609 and page boundaries, and no property says setsize clears the dirty bits of the blocks wholly past EOF (no-valid-page-past-eof lets the EOF page stay dirty)";
/*
 * vnode_pager_setsize: object.size is OFF_TO_IDX(vnp_size + PAGE_MASK) from
 * vnode_pager_alloc's 238/240 on, and every setsize stores both together
 * (471-472); v_object only ever holds OBJT_VNODE objects (dealloc makes one
 * OBJT_DEAD under the object lock, which 406 checks once it holds that lock).
 */
const SETSIZE_SIZES = "object.size is OFF_TO_IDX(vnp_size + PAGE_MASK) for every vnode object (vnode_pager_alloc sets both at 238/240 and setsize stores both together at 471-472)";
const SETSIZE_TYPE =
  "v_object only ever holds an OBJT_VNODE object: vnode_pager_dealloc turns it OBJT_DEAD (289-290) under the object lock, which 406 checks after taking that lock, and alloc's discarded object (253) is never attached";
const SETSIZE_SINGLE: Readonly<Record<string, SurvivorClass>> = {
  "vnode_pager_setsize|ConditionalExpression|nsize === object.un_pager.vnp.vnp_size|false": {
    kind: 'equivalent',
    why: `no early return for an unchanged size: the rest skips the shrink branch (nsize < vnp_size is false) and stores the same vnp_size and the same object size (${SETSIZE_SIZES}); only steps and an OBJ_SETSIZE event to the same size are added`,
  },
  "vnode_pager_setsize|BlockStatement|{ /* Hasn't changed size. */ yield* VM_OBJECT_WUNLOCK(k, object, 416); return; }|{}": {
    kind: 'equivalent',
    why: `no early return for an unchanged size: the rest skips the shrink branch and stores the same vnp_size and object size (${SETSIZE_SIZES}), then unlocks at 473`,
  },
  "vnode_pager_setsize|EqualityOperator|nsize < object.un_pager.vnp.vnp_size|nsize <= object.un_pager.vnp.vnp_size": { kind: 'equivalent', why: 'the two differ only for nsize == vnp_size, which returned at 416' },
  "vnode_pager_setsize|ConditionalExpression|nobjsize < object.size|true": {
    kind: 'equivalent',
    why: `in the shrink branch nobjsize <= object.size always (${SETSIZE_SIZES}), and for nobjsize == object.size vm_object_page_remove(object, n, n) removes nothing (its end is not 0): only a paging-in-progress add and wakeup are added`,
  },
  "vnode_pager_setsize|EqualityOperator|nobjsize < object.size|nobjsize <= object.size": {
    kind: 'equivalent',
    why: 'for nobjsize == object.size, vm_object_page_remove(object, n, n) removes nothing (its end is not 0): only a paging-in-progress add and wakeup are added',
  },
  "vnode_pager_setsize|ConditionalExpression|nsize % PAGE_SIZE !== 0|true": {
    kind: 'equivalent',
    why: 'for a page-aligned new size the page looked up is the first one past EOF, which vm_object_page_remove has just freed (425: nobjsize < object.size for every shrink to a page boundary) under the object lock still held, or left wired with no valid bits: the lookup finds none, or one that fails m.valid !== 0',
  },
  "vnode_pager_setsize|ArithmeticOperator|nsize % PAGE_SIZE|nsize * PAGE_SIZE": {
    kind: 'equivalent',
    why: 'differs from the seed only for a page-aligned nonzero size (nsize * PAGE_SIZE is 0 only for 0), where the page looked up was freed at 425 or left wired without valid bits: no page passes the test',
  },
  "vnode_pager_setsize|ConditionalExpression|object.type === OBJT_VNODE|true": { kind: 'equivalent', why: `the assertion at 410 cannot fail: ${SETSIZE_TYPE}` },
  "vnode_pager_setsize|StringLiteral|'not vnode-backed object %p'|\"\"": { kind: 'equivalent', why: `the message of the assertion at 410, which cannot fail: ${SETSIZE_TYPE}` },
  "vnode_pager_setsize|StringLiteral|'vnode_pager_setsize'|\"\"": { kind: 'equivalent', why: `the function name only the assertion at 410 prints, which cannot fail: ${SETSIZE_TYPE}` },
  "vnode_pager_setsize|ConditionalExpression|nsize < object.un_pager.vnp.vnp_size|true": {
    kind: 'missing',
    why: 'a growth taken as a shrink zeroes, validates and undirties the EOF page past the new EOF: it differs only where that page holds stored bytes past the old EOF (a store through a mapping past EOF, then a truncation upwards), which no catalog scenario has, and there it removes a violation rather than adding one',
  },
  "vnode_pager_setsize|ConditionalExpression|m.valid !== 0|true": {
    kind: 'missing',
    why: 'an entirely invalid page at the new EOF during a shrink (a page a fault has allocated and busied before it takes the vnode lock, as vm_fault of 2017 does): the mutant makes part of it valid; no catalog scenario truncates into such a page',
  },
  "vnode_pager_setsize|ArithmeticOperator|base + DEV_BSIZE - 1|base + DEV_BSIZE + 1": { kind: 'missing', why: SETSIZE_ROUNDUP },
  "vnode_pager_setsize|ArithmeticOperator|DEV_BSIZE - 1|DEV_BSIZE + 1": { kind: 'missing', why: SETSIZE_ROUNDUP },
};

/*
 * The writecount pair. A writable shared mapping has a nonzero size (mmap
 * refuses len 0, the map entry spans whole pages), so every update_writecount
 * changes writemappings, and release_writecount releases what a mapping added.
 */
const WRITECOUNT_NONZERO =
  "every call changes writemappings by a nonzero amount (a mapping spans at least a page; release_writecount passes a mapping's range swapped), and writemappings never goes below 0 (each release gives back what one mapping added), so old_wm === 0 implies a nonzero new value and a zero new value implies old_wm !== 0";
const WRITECOUNT_LOCKED =
  "update_writecount's callers hold the vnode lock exclusively: vm_mmap_vnode takes it LK_EXCLUSIVE for a write-counted mapping, release_writecount takes it at 1409 before calling it, so the lock assertions at 1361 and 1366 cannot fail";
const WRITECOUNT_SLOW =
  "release_writecount's slow path (1404-1421) makes the same subtraction through update_writecount under the vnode lock, with no 0 transition when writemappings was not inc; it differs only if the vnode is reclaimed between 1406 and 1352, when the object is OBJT_DEAD and update_writecount leaves it alone, and vnode_pager_dealloc has already zeroed writemappings and dropped v_writecount";
const WRITECOUNT_FINISHED =
  "a vn_start_write left without its vn_finished_write: the model counts no writers on the mount (suspension is not modelled, impl/kernel/vnode.ts), so nothing sees it; a quiescence property on the mount's write count would";
const WRITECOUNT_SINGLE: Readonly<Record<string, SurvivorClass>> = {
  "vnode_pager_update_writecount|ConditionalExpression|object.un_pager.vnp.writemappings !== 0|true": { kind: 'equivalent', why: WRITECOUNT_NONZERO },
  "vnode_pager_update_writecount|ConditionalExpression|old_wm !== 0|true": { kind: 'equivalent', why: WRITECOUNT_NONZERO },
  "vnode_pager_update_writecount|StringLiteral|'v_writecount inc'|\"\"": { kind: 'equivalent', why: `the text of a lock assertion that cannot fail: ${WRITECOUNT_LOCKED}` },
  "vnode_pager_update_writecount|StringLiteral|'v_writecount dec'|\"\"": { kind: 'equivalent', why: `the text of a lock assertion that cannot fail: ${WRITECOUNT_LOCKED}` },
  "vnode_pager_update_writecount|StringLiteral|'vnode_pager_update_writecount'|\"\"": { kind: 'equivalent', why: `the function name only its lock assertions print: ${WRITECOUNT_LOCKED}` },
  "vnode_pager_release_writecount|ConditionalExpression|object.un_pager.vnp.writemappings !== inc|false": { kind: 'equivalent', why: WRITECOUNT_SLOW },
  "vnode_pager_release_writecount|BlockStatement|{ object.un_pager.vnp.writemappings -= inc; /* 1399 */ k.observer.emit({ type: 'WRITEMAPPINGS', obj: object.name, writemappings: object.un_pager.vnp.writemappings }); yield* VM_OBJECT_WUNLOCK(k, object, 1400); return; }|{}": {
    kind: 'equivalent',
    why: `the fast path removed, every release takes the slow path: ${WRITECOUNT_SLOW}`,
  },
  "vnode_pager_release_writecount|ObjectLiteral|{ v: null }|{}": { kind: 'equivalent', why: 'vn_start_write (1408) always stores the write mount, or NULL for a reclaimed vnode, before mp is read: the initial value is never read' },
  "vnode_pager_release_writecount|ConditionalExpression|mp.v !== null|true": { kind: 'equivalent', why: 'vn_finished_write(NULL) returns at once, in 2017 and in the model' },
  "vnode_pager_release_writecount|ConditionalExpression|mp.v !== null|false": { kind: 'missing', why: WRITECOUNT_FINISHED },
  "vnode_pager_release_writecount|EqualityOperator|mp.v !== null|mp.v === null": { kind: 'missing', why: WRITECOUNT_FINISHED },
  "vnode_pager_release_writecount|ArithmeticOperator|end - start|end + start": {
    kind: 'missing',
    why: "the caller model releases the range [0, bytes) (impl/callers/vm_map.ts), where end + start equals end - start; a map entry's range starts at its virtual address, which a caller with a nonzero start would pass",
  },
};

const PUT_NO_STALE =
  "every filesystem of 2017 has a VOP_PUTPAGES that does not answer EOPNOTSUPP (vop_stdputpages, the default, calls vnode_pager_generic_putpages), so the assertion at 1177 cannot fail and its text and function name are never printed";
const PUT_SBUSY =
  'every caller (vm_pageout_flush, for the page daemon and msync) sbusies the pages and removes their write mappings (pmap_remove_write) before vm_pager_put_pages, and a store cannot remap a page while it is sbusy';
const PUT_RTVALS_SET =
  'rtvals need not be preset: every path but the meta-data one (unreachable) sets every rtvals[i] below count afterwards, VM_PAGER_OK below ncount (1476) and VM_PAGER_BAD from ncount on (1450)';
const PUT_META =
  'the meta-data refusal (seed 1206-1211) needs a page index at or above 2^63 (a negative one in the C): no vnode object of 2017 has one (UFS keeps its metadata in buffers, not in the vnode\'s object)';
/*
 * The putpages family. Rules by what the mutated line does (console output,
 * statistics, the low-memory test, VOP_WRITE's ioflags, undirty_pages), then
 * single mutants.
 */
const PUT_PAST_EOF =
  "a putpages run with pages past EOF whose fate is then seen: only setsize-vs-putpages has one, and there the truncation frees the pages past EOF once putpages unbusies them, so VM_PAGER_BAD (vm_pageout_flush undirties the page) and VM_PAGER_ERROR (left dirty) end alike; a run past EOF whose pages stay resident (an unlocked truncation, as the NFS client's, between the flush's collection and the write) would tell them apart";
const PUT_EOF_DIRTY =
  "leaves the dirty bits past EOF on the EOF page after the write: the page stays dirty though all its data below EOF is on disk, and the page daemon would launder it again and again; no property says laundering converges to clean (issue 13's quiescence item), and no-valid-page-past-eof lets the EOF page be dirty";
const PUT_SHORT =
  "a short write that returns no error, which on the repaired variant only the residual count reports: the short-write scenario's capped run shows no page the difference leaves reported written and dirty (not analysed further)";
const PUT_RULES: readonly Rule[] = [
  (k) => {
    if (k.fn === 'vnode_pager_generic_getpages_done' && /bp\.b_bcount !== bp\.b_npages \* PAGE_SIZE|bzero_pages\(|b_data = \{ kind: 'kva'|!buf_mapped\(bp\)/.test(k.line)) return { kind: 'missing', why: GET_ZEROED };
    if (k.fn === 'vnode_pager_generic_getpages_done' && /^\s*if \(buf_mapped\(bp\)\) \{/.test(k.line)) return { kind: 'missing', why: GET_PBUF_BOOKKEEPING };
    if (k.fn === 'vnode_pager_generic_getpages_done_async' && /bp\.b_pages\[i\] = null/.test(k.line))
      return { kind: 'missing', why: "clearing the pbuf's page pointers before it goes back to the pool: the next user of the pbuf sets every entry it reads; a check of a released pbuf's stale pointers would show it" };
    if (k.fn === 'vnode_pager_generic_getpages_done' && /i < bp\.b_pgbefore; i\+\+\) vm_page_free/.test(k.line))
      return { kind: 'missing', why: "the repaired variant's freeing of the read-behind pages after a failed read (repair getpages-done-frees-readahead-on-error): io-errors reads ahead only (rahead 1, no read-behind)" };
    return null;
  },
  (k) =>
    k.fn === 'vnode_pager_generic_putpages' && k.mutator === 'BlockStatement' && k.replacement === '{}' && k.original.includes('Repair putpages-keeps-eof-sector-dirty')
      ? { kind: 'missing', why: PUT_EOF_DIRTY }
      : null,
  (k) =>
    k.fn === 'vnode_pager_undirty_pages'
      ? { kind: 'missing', why: "no caller in the world: filesystems with their own VOP_PUTPAGES (the NFS client's ncl_putpages) call it after their write; the world's filesystems use generic_putpages (seed 1331/1342 are pinned unreached in traces/ccoverage.catalog.test.ts)" }
      : null,
  (k) =>
    /printf\(|ppsratecheck\(/.test(k.line) || (k.fn === 'vnode_pager_generic_putpages' && /^\s*if \((error|auio\.uio_resid)\) \{$/.test(k.line))
      ? { kind: 'missing', why: "a console message or its rate limit (ppsratecheck): no property reads the kernel's console" }
      : null,
  (k) => (/VM_CNT_(INC|ADD)\(/.test(k.line) ? { kind: 'missing', why: 'a statistics counter (vm_cnt, sysctl vm.stats): no property reads the counters' } : null),
  (k) =>
    k.fn === 'vnode_pager_putpages' && /v_free_count/.test(k.line)
      ? {
          kind: 'missing',
          why: "the low-memory switch to synchronous pageout (1168-1169), its step and footprint: the world's free page count never falls below v_pageout_free_min, so no kill run takes it or orders the read with a page allocation; a scenario short of free pages whose async pageout write fails would tell sync from async",
        }
      : null,
  (k) =>
    k.fn === 'vnode_pager_putpages_ioflags'
      ? { kind: 'missing', why: "a VOP_WRITE ioflag the model's write does not act on (IO_INVAL, IO_NOREUSE, the sequential count) or IO_ASYNC against the default, which the model's buffer layer handles alike; a write path that treats them apart would" }
      : null,
];
const PUT_SINGLE: Readonly<Record<string, SurvivorClass>> = {
  'vnode_pager_putpages|ConditionalExpression|rtval !== EOPNOTSUPP|true': { kind: 'equivalent', why: PUT_NO_STALE },
  "vnode_pager_putpages|StringLiteral|'vnode_pager_putpages'|\"\"": { kind: 'equivalent', why: PUT_NO_STALE },
  "vnode_pager_putpages|StringLiteral|'vnode_pager: stale FS putpages\\n'|\"\"": { kind: 'equivalent', why: PUT_NO_STALE },
  "vnode_pager_generic_putpages|StringLiteral|'vnode_pager_generic_putpages'|\"\"": { kind: 'equivalent', why: `the function name only the assertions at 1250-1251 print, which cannot fail: ${PUT_SBUSY}` },
  "vnode_pager_generic_putpages|StringLiteral|'vnode_pager_generic_putpages: page %p is not read-only'|\"\"": { kind: 'equivalent', why: `the message of the assertion at 1251, which cannot fail: ${PUT_SBUSY}` },
  'vnode_pager_generic_putpages|ConditionalExpression|i < count|false': { kind: 'equivalent', why: PUT_RTVALS_SET },
  'vnode_pager_generic_putpages|EqualityOperator|i < count|i >= count': { kind: 'equivalent', why: PUT_RTVALS_SET },
  'vnode_pager_generic_putpages|EqualityOperator|i < count|i <= count': { kind: 'missing', why: "stores one entry past rtvals (rtvals[count]): an out-of-bounds write in the C (vm_pageout_flush's pageout_status[count]) that the model's arrays absorb; a bounds-checked rtvals would show it" },
  'vnode_pager_generic_putpages|ConditionalExpression|ma[0]!.pindex >= 2 ** 63|false': { kind: 'unreachable', why: PUT_META },
  'vnode_pager_generic_putpages|BlockStatement|{ printf(k, `vnode_pager_putpages: attempt to write meta-data!!! -- 0x${ma[0]!.pindex.toString(16)}(${ma[0]!.dirty.toString(16)})`); rtvals[0] = VM_PAGER_BAD; return VM_PAGER_BAD; }|{}': { kind: 'unreachable', why: PUT_META },
  'vnode_pager_generic_putpages|ConditionalExpression|ncount < count|true': { kind: 'missing', why: PUT_PAST_EOF },
  'vnode_pager_generic_putpages|ConditionalExpression|ncount < count|false': { kind: 'missing', why: PUT_PAST_EOF },
  'vnode_pager_generic_putpages|EqualityOperator|ncount < count|ncount <= count': { kind: 'missing', why: PUT_PAST_EOF },
  'vnode_pager_generic_putpages|EqualityOperator|ncount < count|ncount >= count': { kind: 'missing', why: PUT_PAST_EOF },
  'vnode_pager_generic_putpages|BlockStatement|{ for (i = ncount; i < count; i++) { rtvals[i] = VM_PAGER_BAD; } }|{}': { kind: 'missing', why: PUT_PAST_EOF },
  'vnode_pager_generic_putpages|UpdateOperator|i++|i--': { kind: 'missing', why: PUT_PAST_EOF },
  'vnode_pager_generic_putpages|BlockStatement|{ rtvals[i] = VM_PAGER_BAD; }|{}': { kind: 'missing', why: PUT_PAST_EOF },
  'vnode_pager_generic_putpages|EqualityOperator|i < ncount|i <= ncount': { kind: 'missing', why: `reports the first page past EOF VM_PAGER_OK: ${PUT_PAST_EOF}` },
  'vnode_pager_generic_putpages|ConditionalExpression|(pgoff = maxsize & PAGE_MASK) !== 0|false': { kind: 'missing', why: PUT_EOF_DIRTY },
  'vnode_pager_generic_putpages|EqualityOperator|(pgoff = maxsize & PAGE_MASK) !== 0|(pgoff = maxsize & PAGE_MASK) === 0': { kind: 'missing', why: PUT_EOF_DIRTY },
  'vnode_pager_generic_putpages|ConditionalExpression|auio.uio_resid !== 0|false': { kind: 'missing', why: PUT_SHORT },
  'vnode_pager_generic_putpages|EqualityOperator|auio.uio_resid !== 0|auio.uio_resid === 0': { kind: 'missing', why: PUT_SHORT },
  'vnode_pager_generic_putpages|EqualityOperator|ma[0]!.pindex >= 2 ** 63|ma[0]!.pindex > 2 ** 63': { kind: 'unreachable', why: PUT_META },
  'vnode_pager_generic_putpages|EqualityOperator|maxsize + poffset > object.un_pager.vnp.vnp_size|maxsize + poffset >= object.un_pager.vnp.vnp_size': {
    kind: 'equivalent',
    why: 'for a run ending exactly at EOF the branch recomputes the same maxsize and ncount (maxsize is count pages), pgoff is 0 and ncount is not below count: nothing changes',
  },
  'vnode_pager_generic_putpages|EqualityOperator|object.un_pager.vnp.vnp_size > poffset|object.un_pager.vnp.vnp_size >= poffset': {
    kind: 'equivalent',
    why: 'for vnp_size == poffset the branch gives maxsize 0 and ncount 0 (btoc(0)), with pgoff 0, as the else branch does',
  },
  'vnode_pager_generic_putpages|ConditionalExpression|object.un_pager.vnp.vnp_size > poffset|true': { kind: 'missing', why: `a putpages run wholly past EOF: ${PUT_PAST_EOF}` },
  'vnode_pager_generic_putpages|BlockStatement|{ maxsize = 0; ncount = 0; }|{}': { kind: 'missing', why: `a putpages run wholly past EOF: ${PUT_PAST_EOF}` },
  'vnode_pager_generic_putpages|ObjectLiteral|{ iov_base: null, iov_len: maxsize }|{}': {
    kind: 'missing',
    why: "the iovec of the UIO_NOCOPY write: the model's VOP_WRITE reads uio_offset and uio_resid only; a uiomove that walks the iovec, as 2017's does even for UIO_NOCOPY, would find it empty",
  },
  'vnode_pager_generic_putpages|ConditionalExpression|error !== 0 || auio.uio_resid !== 0|true': {
    kind: 'equivalent',
    why: "on the seed the repair is off either way; on the repaired variant, after a complete write without error every written page is clean (the write cleared what it wrote, 1252 cleared the dirty bits past EOF) and the pages are sbusy and write-protected, so the loop finds no dirty page to report",
  },
  'vnode_pager_generic_putpages|ConditionalExpression|ma[i]!.dirty !== 0|true': {
    kind: 'missing',
    why: 'reports every page of a failed or short write VM_PAGER_ERROR on the repaired variant, also one the write reached and cleaned: no property says a written page must not be reported failed (ERROR keeps a clean page, which is safe)',
  },
};

const GET_REQ = 'the request number only pairs an ASYNC_ISSUE event with its ASYNC_DONE: any numbering that gives each request its own number pairs them alike';
const GET_VALID_ZEROS =
  "makes the EOF page valid past EOF, where it holds zeros: no property tells valid zeros past EOF from invalid bytes there (no-valid-page-past-eof accepts valid zeros), though the seed validates only up to EOF";
/* The getpages entry points and the read's completion (generic_getpages itself is not measured yet). */
const GET_NO_STALE =
  "every filesystem of 2017 has a VOP_GETPAGES and a VOP_GETPAGES_ASYNC that do not answer EOPNOTSUPP (the defaults, vop_stdgetpages and vop_stdgetpages_async, go to the generic pager), so the assertion cannot fail and its text and function name are never printed";
const GET_ZEROED =
  "pages the model allocates hold zeros (vm_page_alloc without VM_ALLOC_ZERO gives whatever the page held in the kernel), so the tail the device did not fill already reads as zeros and the zeroing, or its pbuf mapping, changes nothing seen; a world whose new pages hold garbage would show it";
const GET_PBUF_BOOKKEEPING =
  "the pbuf's KVA mapping (b_data) after the read: pmap_qenter/pmap_qremove are no-ops in the model and nothing reads b_data before the pbuf is released; a model of the pbuf's KVA would show a missing unmap";
const GET_ASYNC_RANGE =
  "an asynchronous read with read-behind or read-ahead: every getpages_async of the catalog asks rbehind = rahead = 0 (sendfile of 2017 asks none), so b_pgbefore and b_pgafter are 0 and the range is the whole pbuf";
const GET_SINGLE: Readonly<Record<string, SurvivorClass>> = {
  'vnode_pager_getpages|ConditionalExpression|rtval !== EOPNOTSUPP|true': { kind: 'equivalent', why: GET_NO_STALE },
  "vnode_pager_getpages|StringLiteral|'vnode_pager_getpages'|\"\"": { kind: 'equivalent', why: GET_NO_STALE },
  "vnode_pager_getpages|StringLiteral|'vnode_pager: FS getpages not implemented\\n'|\"\"": { kind: 'equivalent', why: GET_NO_STALE },
  'vnode_pager_getpages_async|ConditionalExpression|rtval !== EOPNOTSUPP|true': { kind: 'equivalent', why: GET_NO_STALE },
  "vnode_pager_getpages_async|StringLiteral|'vnode_pager_getpages_async'|\"\"": { kind: 'equivalent', why: GET_NO_STALE },
  "vnode_pager_getpages_async|StringLiteral|'vnode_pager: FS getpages_async not implemented\\n'|\"\"": { kind: 'equivalent', why: GET_NO_STALE },
  "vnode_pager_getpages_async|StringLiteral|'async_requests'|\"\"": { kind: 'equivalent', why: GET_REQ },
  'vnode_pager_getpages_async|UpdateOperator|++issued.n|--issued.n': { kind: 'equivalent', why: GET_REQ },
  'vnode_pager_generic_getpages_done_async|ArithmeticOperator|bp.b_npages - bp.b_pgbefore - bp.b_pgafter|bp.b_npages - bp.b_pgbefore + bp.b_pgafter': { kind: 'missing', why: GET_ASYNC_RANGE },
  'vnode_pager_generic_getpages_done_async|ArithmeticOperator|bp.b_npages - bp.b_pgbefore|bp.b_npages + bp.b_pgbefore': { kind: 'missing', why: GET_ASYNC_RANGE },
  'vnode_pager_generic_getpages_done|EqualityOperator|nextoff <= object.un_pager.vnp.vnp_size|nextoff < object.un_pager.vnp.vnp_size': {
    kind: 'equivalent',
    why: 'for a page ending exactly at EOF the other branch validates the range 0..PAGE_SIZE, the whole page, as the first does; only the assertion that the page is not mapped is skipped, and it holds (an invalid page is not mapped)',
  },
  'vnode_pager_generic_getpages_done|ConditionalExpression|nextoff <= object.un_pager.vnp.vnp_size|true': { kind: 'missing', why: GET_VALID_ZEROS },
  'vnode_pager_generic_getpages_done|ArithmeticOperator|tfoff + PAGE_SIZE|tfoff - PAGE_SIZE': { kind: 'missing', why: GET_VALID_ZEROS },
};

/** A single mutant's own argument first (it is more specific than a rule), then the rules. */
export function classifySurvivor(k: SurvivorKey): SurvivorClass | null {
  // Whitespace folded: a block's original text spans lines.
  const key = `${k.fn}|${k.mutator}|${k.original.replace(/\s+/g, ' ')}|${k.replacement}`;
  const one = SINGLE[key] ?? SETSIZE_SINGLE[key] ?? WRITECOUNT_SINGLE[key] ?? PUT_SINGLE[key] ?? GET_SINGLE[key];
  if (one) return one;
  for (const r of [...PUT_RULES, ...RULES]) {
    const c = r(k);
    if (c) return c;
  }
  return null;
}

