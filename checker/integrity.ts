/*
 * Integrity of the files a split search writes and reads back (shard
 * reports, checkpoints): a content hash over every field, the program
 * resolvers such a file may name, and the plan of its search computed again
 * and compared with the file's.
 *
 * A content hash is not a signature: anyone can compute it again. It catches
 * accidental edits, truncated or damaged files and files of different runs
 * mixed together, not a user who means to deceive (who could as well edit
 * the code). Recomputing the plan also catches a file written by another
 * version of the model or the checker.
 */
import { createHash } from 'node:crypto';
import type { SplitTask } from './split.ts';
import { fullOptions, planResolved, resolveProgram, type ProgramRef, type ResolvedProgram, type TaskOptions } from './tasks.ts';

/** JSON with every object's keys sorted: the same value gives the same text, whatever order a file had. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) return x;
    const o = x as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  });
}

/** SHA-256 (hex) of the canonical JSON of `v`. */
export function contentHash(v: unknown): string {
  return createHash('sha256').update(canonicalJson(v)).digest('hex');
}

/** `v` with its content hash added as `hash`. */
export function withHash<T extends object>(v: T): T & { readonly hash: string } {
  return { ...v, hash: contentHash(v) };
}

/** True when a parsed file's `hash` is that of its other fields. */
export function hashHolds(raw: unknown): boolean {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
  const { hash, ...rest } = raw as Record<string, unknown>;
  return typeof hash === 'string' && hash === contentHash(rest);
}

export function tasksHash(tasks: readonly SplitTask[]): string {
  return contentHash(tasks);
}

/*
 * The resolver modules a file may name: a file must not make the command
 * import whatever module it names. A program with a resolver of its own
 * (a library user's) adds it with trustResolver.
 */
const FILE_RESOLVERS = new Set<string>(['checker/examples.ts', 'traces/checked.ts']);

export function trustResolver(spec: string): void {
  FILE_RESOLVERS.add(spec);
}

/** A one-line reason when `ref` names a resolver files may not name, else null. */
export function untrustedResolver(ref: ProgramRef): string | null {
  if (FILE_RESOLVERS.has(ref.resolver)) return null;
  return `ref.resolver: ${JSON.stringify(ref.resolver.slice(0, 80))} is not a program resolver files may name; accepted: ${[...FILE_RESOLVERS].join(', ')}`;
}

/** The catalog scenario and variant a resolver gives (absent for programs that have none). */
export function programNames(r: ResolvedProgram): { scenario?: string; variant?: string } {
  return { ...(r.scenario !== undefined ? { scenario: r.scenario } : {}), ...(r.variant !== undefined ? { variant: r.variant } : {}) };
}

export interface SearchPlan {
  readonly resolved: ResolvedProgram;
  readonly tasks: readonly SplitTask[];
  readonly hash: string;
}

/* Plans by ref and options: the code does not change within a process, and a resume or a merge of many reports plans once. */
const plans = new Map<string, Promise<SearchPlan>>();

/** The task list of the search of `ref` under `options` on this code. */
export function searchPlan(ref: ProgramRef, options: TaskOptions): Promise<SearchPlan> {
  const o = fullOptions(options);
  const key = canonicalJson({ ref, o });
  let p = plans.get(key);
  if (p === undefined) {
    p = resolveProgram(ref).then((resolved) => {
      const tasks = planResolved(resolved, o);
      return { resolved, tasks, hash: tasksHash(tasks) };
    });
    p.catch(() => plans.delete(key));
    plans.set(key, p);
  }
  return p;
}

/** What a file says of its search's plan. */
export interface PlanClaim {
  readonly ref: ProgramRef;
  readonly options: TaskOptions;
  readonly tasks: number;
  readonly planHash: string;
  readonly scenario?: string;
  readonly variant?: string;
}

/**
 * Plans the search a file claims again and compares: the task count, the
 * tasks themselves when the file lists them, the hash, the program's names.
 * One-line Error naming the first difference; the plan when they agree.
 */
export async function verifyPlan(what: string, claim: PlanClaim, list?: readonly SplitTask[]): Promise<SearchPlan> {
  const bad = untrustedResolver(claim.ref);
  if (bad !== null) throw new Error(`${what}: ${bad}`);
  let plan: SearchPlan;
  try {
    plan = await searchPlan(claim.ref, claim.options);
  } catch (e) {
    throw new Error(`${what}: its program cannot be built on this code (${String((e as Error)?.message ?? e).split('\n')[0]!.slice(0, 200)}): give a file written by this version`);
  }
  const names = programNames(plan.resolved);
  for (const k of ['scenario', 'variant'] as const)
    if (claim[k] !== names[k]) throw new Error(`${what}: ${k}: the file says ${JSON.stringify(claim[k])?.slice(0, 80) ?? 'nothing'}, its program is ${JSON.stringify(names[k]) ?? 'unnamed'}: give an unedited file`);
  const changed = 'the model or the checker changed since it was written, or the file was edited';
  if (claim.tasks !== plan.tasks.length) throw new Error(`${what}: tasks: the file claims ${claim.tasks} tasks, its search has ${plan.tasks.length} on this code (${changed})`);
  if (list !== undefined) {
    for (let i = 0; i < plan.tasks.length; i++) {
      const want = plan.tasks[i]!;
      const got = list[i]!;
      if (canonicalJson(want.prefix) !== canonicalJson(got.prefix)) throw new Error(`${what}: tasks[${i}].prefix is not the plan's (${changed})`);
      if (canonicalJson(want.sleep) !== canonicalJson(got.sleep)) throw new Error(`${what}: tasks[${i}].sleep is not the plan's sleep set (${changed})`);
    }
  }
  if (claim.planHash !== plan.hash) throw new Error(`${what}: planHash does not match the plan of its search on this code (${changed})`);
  return plan;
}
