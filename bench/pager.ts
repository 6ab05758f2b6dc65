/*
 * The allocation race of issue 15 at any number of creators: the catalog's
 * `alloc-race` (vnode_create_vobject under the shared vnode lock, on a vnode
 * without an object) with N `create_vobject` threads. The scenario format
 * takes at most MAX_THREADS threads, so creators past it are added to the
 * parsed scenario (each is the same validated thread, renamed).
 */
import { CATALOG } from '../properties/catalog.ts';
import { buildProgram } from '../properties/program.ts';
import type { Scenario } from '../properties/scenario.ts';
import type { Program } from '../checker/runtime.ts';

export function allocRaceScenario(creators: number): Scenario {
  if (!Number.isInteger(creators) || creators < 1) throw new Error(`alloc race: ${creators} creators; accepted: an integer >= 1`);
  const base = CATALOG.find((s) => s.name === 'alloc-race');
  if (base === undefined) throw new Error('alloc race: the catalog has no scenario "alloc-race"');
  const t = base.threads[0]!;
  return { ...base, name: `alloc-race-${creators}`, threads: Array.from({ length: creators }, (_, i) => ({ ...t, name: `T${i + 1}` })) };
}

export function allocRace(creators: number, variant = 'seed'): Program<unknown> {
  return buildProgram(allocRaceScenario(creators), { variant }) as Program<unknown>;
}

/** "alloc-race-3" -> 3; null when the name is not of that form. */
export function allocRaceCreators(name: string): number | null {
  const m = /^alloc-race-(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}
