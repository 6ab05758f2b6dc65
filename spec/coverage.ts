/*
 * Path coverage: every covering path of every machine (spec/graph.ts) is
 * driven on the port, and the report says which states and transitions the
 * port was held to, by which paths.
 *
 * A path is realized by a plan: a world and a set of drivers (spec/drivers.ts),
 * threads that make the port emit the path's kinds of events. The schedule
 * that makes them emit the path's events in order, on the path's machine
 * instance, is searched for by replay: depth-first over moves, a move being
 * "run thread T until it emits an event, blocks, finishes, or another thread
 * becomes runnable" (or, with a small budget, "run T one step"). Every move
 * is a fresh execution of the prefix under runExecution with the lock-step
 * monitor (spec/conformance.ts) installed, so the whole world is held to all
 * machines all along. A move that makes the instance accept an event other
 * than the path's next (different transitions or state) is a dead end; so is
 * one that ends where an earlier move ended (same thread positions, same
 * states and contexts of every instance). A spec violation met on the way
 * is recorded as a finding (a defect of the port or the seed, not of the
 * search) and the search goes on around it. When the path's own route
 * cannot be driven, its alternatives (graph.ts: the same target reached
 * through other states) are tried.
 *
 * Two events match when they fire the same transitions and reach the same
 * state; payloads (object names, masks, counts) may differ, since the
 * graph's pools and the port's worlds differ. Between two steps of the path
 * the port may take transitions that stay in the same state (one more small
 * block valid, a setter writing the same value): it refines the path there.
 * After each step that matched, the world's abstraction for the instance
 * must be the path's state.
 *
 * Transitions no plan can drive the port to are listed in UNDRIVABLE with
 * the reason; coverage.test.ts checks that the list is exactly what the
 * search cannot reach.
 */
import type { AnyStateMachine } from 'xstate';
import { ScheduleInterrupt, runExecution, type Scheduler, type Violation } from '../checker/runtime.ts';
import type { KEvent } from '../impl/kernel/observe.ts';
import { makeWorld, type World } from '../impl/kernel/world.ts';
import { MACHINES, MACHINE_NAMES, coverableStatesOf, stateString, transitionsOf, type MachineName } from './catalog.ts';
import { createConformance, describeEvent, type AppliedEvent } from './conformance.ts';
import { coverPaths, type SpecPath } from './graph.ts';
import {
  WORLDS,
  asyncFaulter,
  creator,
  destroyer,
  faulter,
  grabber,
  mapper,
  pageout,
  reclaimer,
  sizer,
  unlockedSizer,
  undirtier,
  wirer,
  writeMapper,
  writeMapping,
  writer,
  type Driver,
  type WorldSpec,
} from './drivers.ts';

export interface Plan {
  readonly name: string;
  readonly world: WorldSpec;
  readonly threads: readonly Driver[];
  /** The machine instance the path is about ("vp1", "obj1.p2", "obj1", "req1"). */
  readonly instance: string;
}

/* ---- plans ---- */

function lifecyclePlans(path: SpecPath): Plan[] {
  let mappers = 0;
  let creators = 0;
  let reclaim = false;
  let detach = false;
  let setsize = 0;
  for (const s of path.steps) {
    const e = s.event;
    const ids = s.transitions.join(' ');
    /* Each allocation and each new reference is some vnode_pager_alloc call. */
    if (e.type === 'OBJ_ALLOCATE' || ids.includes('alive:OBJ_REFS#0')) mappers++;
    if (e.type === 'OBJ_DISCONNECT_WAIT') {
      if (e.wmesg === 'vodead') creators++;
      else mappers++;
    }
    if (e.type === 'OBJ_DEAD' || e.type === 'OBJ_DEALLOC' || e.type === 'OBJ_DISCONNECT_WAKE' || e.type === 'OBJ_DESTROY') reclaim = true;
    if (e.type === 'OBJ_DETACH') detach = reclaim = true;
    if (e.type === 'OBJ_SETSIZE') setsize++;
  }
  const threads: Driver[] = [];
  for (let i = 0; i < Math.min(Math.max(mappers, 1), 3); i++) threads.push(mapper());
  for (let i = 0; i < Math.min(creators, 2); i++) threads.push(creator());
  if (reclaim) threads.push(reclaimer());
  if (detach) threads.push(destroyer());
  /* Unlocked, as NFS calls it: the seed does not assert the vnode lock (seed 404), so setsize can meet a dying object. */
  for (let i = 0; i < Math.min(setsize, 2); i++) threads.push(unlockedSizer(5000 - i * 1000));
  return [{ name: 'lifecycle', world: WORLDS.bare, threads, instance: 'vp1' }];
}

const P = 2;
const PAGE = `obj1.p${P}`;
const pagePlan = (name: string, world: WorldSpec, threads: Driver[]): Plan => ({ name, world, threads, instance: PAGE });
/** Page plans, each reaching some transitions of pageValidity on page 2. */
const PAGE_PLANS: readonly Plan[] = [
  pagePlan('readFull', WORLDS.full, [faulter(P)]),
  pagePlan('readEof', WORLDS.eof, [faulter(P)]),
  pagePlan('sparse', WORLDS.sparse, [faulter(P)]),
  pagePlan('smallBlocks', WORLDS.small, [faulter(P)]),
  pagePlan('grab', WORLDS.full, [faulter(P), grabber(P)]),
  pagePlan('dirtyPageout', WORLDS.full, [faulter(P), writer(P), pageout(P), pageout(P)]),
  pagePlan('eofPageout', WORLDS.eof, [faulter(P), writer(P), pageout(P)]),
  pagePlan('shrinkDirty', WORLDS.full, [faulter(P), writer(P), sizer(2 * 4096 + 808)]),
  pagePlan('undirtyShrink', WORLDS.full, [faulter(P), writer(P), undirtier(P, 2048), sizer(2 * 4096 + 808)]),
  pagePlan('asyncEofShrink', WORLDS.eof, [asyncFaulter(P), sizer(2 * 4096 + 808)]),
  pagePlan('smallBadShrink', WORLDS.smallBad, [faulter(P, { keepOnError: true }), sizer(2 * 4096 + 3000)]),
  pagePlan('truncate', WORLDS.full, [faulter(P), sizer(4096)]),
  pagePlan('wiredTruncate', WORLDS.full, [faulter(P), writer(P), wirer(P), sizer(4096)]),
  pagePlan('wiredPartialTruncate', WORLDS.eof, [asyncFaulter(P), wirer(P), sizer(4096)]),
  pagePlan('readAhead', WORLDS.full, [faulter(P - 1, { rahead: 2 })]),
  pagePlan('readError', WORLDS.bad, [faulter(P)]),
];

/** Which page plans reach a transition; a path tries the plans of the transitions of its last step. */
const PAGE_HINTS: Readonly<Record<string, readonly string[]>> = {
  'notResident:PAGE_INSERT#0': ['readFull'],
  'resident:PAGE_REMOVE#0': ['readError', 'truncate'],
  'resident.contents.invalid:PAGE_BITS#0': ['readFull', 'sparse'],
  'resident.contents.invalid:PAGE_BITS#1': ['readEof', 'smallBlocks'],
  'resident.contents.invalid:PAGE_BITS#2': ['wiredTruncate'],
  'resident.contents.invalid:PAGE_BITS#3': ['readFull'],
  'resident.contents.partiallyValid:PAGE_BITS#0': ['readEof'],
  'resident.contents.partiallyValid:PAGE_BITS#1': ['smallBlocks'],
  'resident.contents.partiallyValid:PAGE_BITS#2': ['asyncEofShrink'],
  'resident.contents.partiallyValid:PAGE_BITS#3': ['smallBadShrink'],
  'resident.contents.partiallyValid:PAGE_BITS#4': ['wiredPartialTruncate'],
  'resident.contents.partiallyValid:PAGE_BITS#5': ['asyncEofShrink', 'readEof'],
  'resident.contents.fullyValid:PAGE_BITS#0': ['dirtyPageout'],
  'resident.contents.fullyValid:PAGE_BITS#1': ['dirtyPageout'],
  'resident.contents.fullyValid:PAGE_BITS#2': ['eofPageout', 'undirtyShrink'],
  'resident.contents.fullyValid:PAGE_BITS#3': ['undirtyShrink'],
  'resident.contents.fullyValid:PAGE_BITS#4': ['shrinkDirty'],
  'resident.contents.fullyValid:PAGE_BITS#5': ['wiredTruncate'],
  'resident.contents.fullyValid:PAGE_BITS#6': ['readFull'],
  'resident.busy.unbusied:PAGE_BITS#0': ['grab'],
  'resident.busy.unbusied:PAGE_BITS#1': ['dirtyPageout'],
  'resident.busy.unbusied:PAGE_BITS#2': ['dirtyPageout'],
  'resident.busy.exclusiveBusy:PAGE_BITS#0': ['readFull', 'readAhead'],
  'resident.busy.exclusiveBusy:PAGE_BITS#1': ['readFull'],
  'resident.busy.sharedBusy:PAGE_BITS#0': ['dirtyPageout'],
  'resident.busy.sharedBusy:PAGE_BITS#1': ['dirtyPageout'],
  'resident.busy.sharedBusy:PAGE_BITS#2': ['dirtyPageout'],
};

function pagePlans(path: SpecPath): readonly Plan[] {
  const last = path.steps[path.steps.length - 1];
  const names = new Set((last?.transitions ?? []).flatMap((id) => PAGE_HINTS[id] ?? []));
  const hinted = PAGE_PLANS.filter((p) => names.has(p.name));
  return hinted.length > 0 ? hinted : PAGE_PLANS;
}

const O = 'obj1';
const wmPlan = (name: string, world: WorldSpec, threads: Driver[], instance = O): Plan => ({ name, world, threads, instance });
const WRITE_MAPPING_PLANS: readonly Plan[] = [
  wmPlan('map', WORLDS.object, [writeMapper(4096)]),
  wmPlan('mapMore', WORLDS.object, [writeMapper(4096), writeMapper(4096)]),
  wmPlan('mapUnmap', WORLDS.object, [writeMapping([4096, 4096])]),
  wmPlan('mapReclaim', WORLDS.object, [writeMapper(4096), reclaimer()]),
  wmPlan('unmapVsReclaim', WORLDS.object, [writeMapping([4096]), reclaimer()]),
  wmPlan('reclaim', WORLDS.object, [reclaimer()]),
  wmPlan('discard', WORLDS.bare, [mapper(), mapper()], 'obj2'),
  wmPlan('raceMap', WORLDS.bare, [mapper(), mapper(), writeMapper(4096)]),
  wmPlan('orphanThenMap', WORLDS.object, [mapper(), writeMapper(4096), reclaimer(), mapper(), writeMapper(4096)]),
];

const ASYNC_PLANS: readonly Plan[] = [
  { name: 'async', world: WORLDS.full, threads: [asyncFaulter(P)], instance: 'req1' },
  { name: 'asyncError', world: WORLDS.bad, threads: [asyncFaulter(P)], instance: 'req1' },
];

export function plansFor(path: SpecPath): readonly Plan[] {
  switch (path.machine) {
    case 'objectLifecycle':
      return lifecyclePlans(path);
    case 'pageValidity':
      return pagePlans(path);
    case 'writeMappings':
      return WRITE_MAPPING_PLANS;
    case 'asyncGetpages':
      return ASYNC_PLANS;
  }
}

/* ---- one replay ---- */

interface Move {
  readonly tid: number;
  /** Run one step only. */
  readonly single: boolean;
}

type ReplayEnd =
  | 'complete' // the whole path matched
  | 'stopped' // the move ended; more moves may follow
  | 'mismatch' // the instance accepted an event off the path
  | 'finished' // every thread finished first
  | 'diverged' // the prefix did not replay (a thread not ready): a non-deterministic model
  | 'violation' // the monitor or the runtime reported a violation
  | 'abstraction' // the world's abstraction was not the path's state after a matched step
  | 'error';

interface ReplayResult {
  readonly end: ReplayEnd;
  readonly prefix: readonly number[];
  readonly matched: number;
  /** Events the instance accepted so far, on the path or refining it. */
  readonly instanceEvents: number;
  readonly ready: readonly number[];
  readonly lastTid: number;
  /**
   * Where the execution stood when the move ended: each thread's next step,
   * every machine instance's state, the path's progress. Two prefixes that
   * end at the same fingerprint are explored once.
   */
  readonly fingerprint: string;
  readonly violation?: Violation;
  readonly message?: string;
  readonly applied: readonly AppliedEvent[];
}

class Stop extends ScheduleInterrupt {
  constructor(readonly why: 'complete' | 'stopped' | 'mismatch' | 'diverged') {
    super(why);
  }
}

/** Transitions fired and state reached by a path step. */
function stepSig(path: SpecPath, i: number): { ids: string; to: string; stutter: boolean } {
  const st = path.steps[i]!;
  const prev = i === 0 ? null : path.steps[i - 1]!.state;
  const to = stateString(st.state.value);
  const stutter = prev !== null && JSON.stringify([prev.value, prev.context]) === JSON.stringify([st.state.value, st.state.context]);
  return { ids: [...st.transitions].sort().join(' '), to, stutter };
}

export function replay(plan: Plan, path: SpecPath, prefix: readonly number[], move: Move | null, maxSteps = 3000): ReplayResult {
  let matched = 0;
  let instanceEvents = 0;
  let mismatch: string | null = null;
  let emitted = false;
  let matchedThisStep = false;
  let eventsAfterMatch = false;
  let world: World | undefined;
  let violation: Violation | undefined;
  let abstraction: string | undefined;
  const applied: AppliedEvent[] = [];
  const conf = createConformance(() => world?.k, {
    listener(a) {
      applied.push(a);
      if (a.machine !== path.machine || a.instance !== plan.instance || mismatch) return;
      instanceEvents++;
      if (matched >= path.steps.length) {
        /* The path is done; the step goes on (the path ended in a state that lasts only inside a step). */
        eventsAfterMatch = true;
        return;
      }
      const want = stepSig(path, matched);
      const ids = [...a.transitions].sort().join(' ');
      if (ids === want.ids && a.to === want.to && a.stutter === want.stutter) {
        matched++;
        matchedThisStep = true;
      } else if (a.from === a.to) {
        /*
         * A step that stays in the same state (a setter writing the same
         * value, one more small block valid, a count moving): the port
         * refines the path here; not a step of it.
         */
      } else mismatch = `step ${matched}: wanted [${want.ids}] to ${want.to}, got [${ids}] to ${a.to} on ${describeEvent(a.event)}`;
    },
  });
  const observer = {
    emit(e: KEvent) {
      emitted = true;
      conf.observer.emit(e);
    },
  };
  let readyAtStop: number[] = [];
  let fingerprint = '';
  let prev: Set<number> | null = null;
  let lastTid = -1;
  const taken: number[] = [];
  const sched: Scheduler = {
    pickThread(ready, exec) {
      const idx = exec.steps.length;
      const tids = ready.map((r) => r.tid);
      const stop = (why: 'complete' | 'stopped' | 'mismatch' | 'diverged'): never => {
        readyAtStop = tids;
        if (why === 'stopped') {
          const threads = exec.threads.map((t) => `${t.name}@${t.op.label}${t.op.line ?? ''}${t.enabled ? '' : '!'}`).join(';');
          fingerprint = `${matched}|${instanceEvents}|${threads}|${conf.fingerprint()}`;
        }
        throw new Stop(why);
      };
      if (matched >= path.steps.length) stop('complete');
      if (mismatch) stop('mismatch');
      let pick: number;
      if (idx < prefix.length) {
        pick = prefix[idx]!;
        if (!tids.includes(pick)) stop('diverged');
      } else {
        if (move === null) stop('stopped');
        const m = move!;
        if (idx > prefix.length) {
          const fresh = prev !== null && tids.some((t) => t !== m.tid && !prev!.has(t));
          if (m.single || emitted || !tids.includes(m.tid) || fresh) stop('stopped');
        } else if (!tids.includes(m.tid)) stop('mismatch');
        pick = m.tid;
      }
      prev = new Set(tids);
      emitted = false;
      matchedThisStep = false;
      lastTid = pick;
      taken.push(pick);
      return pick;
    },
    pickChoice() {
      return 0;
    },
  };
  let end: ReplayEnd;
  let message: string | undefined;
  try {
    const r = runExecution(
      {
        name: `${path.machine}:${path.name}`,
        setup(ctx) {
          const w = makeWorld(ctx, { ...plan.world.opts, observer });
          world = w;
          plan.world.fixture?.(w);
          const v = conf.sync();
          if (v) violation = v;
          for (const d of plan.threads) ctx.spawn(d.name, () => d.body(w));
          return w;
        },
      },
      sched,
      {
        maxSteps,
        stepCheck(rec, i) {
          const v = conf.stepCheck(rec, i);
          if (v) return v;
          if (matchedThisStep && matched > 0 && !eventsAfterMatch) {
            const want = stepSig(path, matched - 1).to;
            /* The world itself, not the machine: asyncGetpages requests leave no trace in the world, their machine state stands in. */
            const got = path.machine === 'asyncGetpages' ? conf.states().get(`asyncGetpages/${plan.instance}`) : conf.worldState(path.machine, plan.instance);
            if (got !== want) abstraction = `after step ${i} the world abstracts ${plan.instance} to ${got ?? 'no state'}, the path is in ${want}`;
          }
          return null;
        },
      },
    );
    if (violation) end = 'violation';
    else if (r.result.status === 'violation') {
      end = 'violation';
      violation = r.result.violation;
    } else if (r.result.status === 'error') {
      end = 'error';
      message = r.result.error;
    } else if (abstraction) end = 'abstraction';
    else if (matched >= path.steps.length) end = 'complete';
    else if (mismatch) end = 'mismatch';
    else end = 'finished';
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    end = abstraction ? 'abstraction' : e.why;
  }
  if (end === 'abstraction') message = abstraction;
  if (end === 'mismatch' && mismatch) message = mismatch;
  return {
    end,
    prefix: taken,
    matched,
    instanceEvents,
    ready: readyAtStop,
    lastTid,
    fingerprint,
    ...(violation ? { violation } : {}),
    ...(message ? { message } : {}),
    applied,
  };
}

/* ---- the search ---- */

/** A spec violation the monitor reported on a schedule the search tried: a defect of the port (or the seed), not of the search. */
export interface Finding {
  readonly plan: string;
  readonly schedule: readonly number[];
  readonly violation: Extract<Violation, { kind: 'spec' }>;
}

export type Realization =
  | {
      readonly kind: 'realized';
      readonly plan: string;
      readonly schedule: readonly number[];
      readonly replays: number;
      readonly applied: readonly AppliedEvent[];
      /** 0: the path's own steps; n: its n-th alternative. */
      readonly route?: number;
      readonly findings: readonly Finding[];
    }
  /** The starting world already broke the spec. */
  | { readonly kind: 'violation'; readonly plan: string; readonly schedule: readonly number[]; readonly violation: Violation; readonly replays: number; readonly findings: readonly Finding[] }
  /** A step matched the path but the world's abstraction was not the path's state. */
  | { readonly kind: 'abstraction'; readonly plan: string; readonly schedule: readonly number[]; readonly message: string; readonly replays: number; readonly findings: readonly Finding[] }
  | { readonly kind: 'error'; readonly plan: string; readonly message: string; readonly replays: number; readonly findings: readonly Finding[] }
  | {
      readonly kind: 'unrealized';
      readonly replays: number;
      readonly best: number;
      readonly bestPlan: string | null;
      /** Other violations met on the way (assertions, deadlocks), by kind and message. */
      readonly notes: readonly string[];
      readonly findings: readonly Finding[];
    };

export interface SearchBounds {
  /** Replays per plan. */
  readonly replaysPerPlan: number;
  /** Moves in a row that match no event of the path. */
  readonly idleMoves: number;
  /** Single-step moves allowed (tried after whole moves, by iterative deepening). */
  readonly singleSteps: number;
}

export const DEFAULT_BOUNDS: SearchBounds = { replaysPerPlan: 800, idleMoves: 6, singleSteps: 2 };

/** Searches a schedule of one plan's threads that drives the port along the path. */
export function realizeWith(plan: Plan, path: SpecPath, bounds: SearchBounds = DEFAULT_BOUNDS): Realization {
  let replays = 0;
  let best = 0;
  const notes = new Set<string>();
  const visited = new Set<string>();
  const findings: Finding[] = [];
  const found = new Set<string>();
  const root = replay(plan, path, [], null);
  replays++;
  if (root.end === 'violation') return { kind: 'violation', plan: plan.name, schedule: [], violation: root.violation!, replays, findings };
  if (root.end === 'error') return { kind: 'error', plan: plan.name, message: root.message ?? 'error', replays, findings };
  if (root.end === 'complete') return { kind: 'realized', plan: plan.name, schedule: [], replays, applied: root.applied, findings };
  type Found = Exclude<Realization, { kind: 'unrealized' }>;
  /* Threads whose driver produces the path's next kind of event go first, then the one that ran last. */
  const rank = (node: ReplayResult, tid: number): number => {
    const next = path.steps[node.matched]?.event.type;
    const d = plan.threads[tid];
    /* A thread the run spawned (an I/O completion) may produce anything. */
    const producer = d === undefined || (next !== undefined && d.produces.includes(next));
    return (producer ? 0 : 2) + (tid === node.lastTid ? 0 : 1);
  };
  const dfs = (node: ReplayResult, singles: number, idle: number): Found | null => {
    const order = [...node.ready].sort((a, b) => rank(node, a) - rank(node, b) || a - b);
    for (const single of singles > 0 ? [false, true] : [false]) {
      for (const tid of order) {
        if (replays >= bounds.replaysPerPlan) return null;
        const r = replay(plan, path, node.prefix, { tid, single });
        replays++;
        if (process.env['PAGERCHECK_COVERAGE_TRACE']) console.log(`${' '.repeat(node.prefix.length % 60)}${tid}${single ? 's' : ''} -> ${r.end} m${r.matched} e${r.instanceEvents} @${r.prefix.length}`);
        best = Math.max(best, r.matched);
        switch (r.end) {
          case 'complete':
            return { kind: 'realized', plan: plan.name, schedule: r.prefix, replays, applied: r.applied, findings };
          case 'violation': {
            const v = r.violation;
            if (v?.kind === 'spec') {
              /* One finding per machine, state and message shape; the search goes on around it. */
              const key = `${v.machine}|${v.state}|${v.message.replace(/\d+/g, 'N')}`;
              if (!found.has(key)) {
                found.add(key);
                findings.push({ plan: plan.name, schedule: r.prefix, violation: v });
              }
            } else notes.add(`${v?.kind}: ${v && 'message' in v ? v.message : ''}`);
            continue;
          }
          case 'abstraction':
            return { kind: 'abstraction', plan: plan.name, schedule: r.prefix, message: r.message ?? '', replays, findings };
          case 'error':
            return { kind: 'error', plan: plan.name, message: r.message ?? 'error', replays, findings };
          case 'diverged':
            return { kind: 'error', plan: plan.name, message: `replay of the prefix diverged at step ${r.prefix.length}: the model is not deterministic`, replays, findings };
          case 'mismatch':
          case 'finished':
            continue;
          case 'stopped': {
            const progressed = r.matched > node.matched || r.instanceEvents > node.instanceEvents;
            if (!progressed && idle >= bounds.idleMoves) continue;
            if (visited.has(r.fingerprint)) continue;
            visited.add(r.fingerprint);
            const out = dfs(r, singles - (single ? 1 : 0), progressed ? 0 : idle + 1);
            if (out) return out;
          }
        }
      }
    }
    return null;
  };
  for (let singles = 0; singles <= bounds.singleSteps; singles++) {
    visited.clear();
    const out = dfs(root, singles, 0);
    if (out) return out;
    if (replays >= bounds.replaysPerPlan) break;
  }
  return { kind: 'unrealized', replays, best, bestPlan: plan.name, notes: [...notes], findings };
}

/**
 * Tries the path, then its alternatives, each with its plans in order; the
 * first route and plan that drive the port along it win.
 */
export function realize(path: SpecPath, bounds: SearchBounds = DEFAULT_BOUNDS): Realization {
  let replays = 0;
  let best = 0;
  let bestPlan: string | null = null;
  const notes: string[] = [];
  const findings: Finding[] = [];
  const routes = [path.steps, ...path.alternatives];
  for (let route = 0; route < routes.length; route++) {
    const p: SpecPath = { ...path, steps: routes[route]!, alternatives: [] };
    for (const plan of plansFor(p)) {
      const r = realizeWith(plan, p, bounds);
      findings.push(...r.findings);
      if (r.kind === 'realized') return { ...r, replays: replays + r.replays, route, findings };
      if (r.kind !== 'unrealized') return { ...r, replays: replays + r.replays, findings };
      replays += r.replays;
      if (r.best > best || bestPlan === null) {
        best = r.best;
        bestPlan = plan.name;
      }
      notes.push(...r.notes);
    }
  }
  return { kind: 'unrealized', replays, best, bestPlan, notes: [...new Set(notes)], findings };
}

/* ---- not drivable ---- */

/**
 * Transitions the port cannot be driven to, with the reason. Each is
 * checked by coverage.test.ts: no plan realizes any path through it.
 */
export const UNDRIVABLE: Readonly<Record<MachineName, Readonly<Record<string, string>>>> = {
  objectLifecycle: {
    'dead.terminating:OBJ_DISCONNECT_WAIT#0':
      'the "vodead" sleep: vnode_create_vobject reads v_object holding the vnode lock exclusively (it drops it at seed 126 only to sleep), and an attached object is OBJ_DEAD only inside vm_object_terminate, which vgone runs under that same exclusive lock to its end (seed 165, 176-179)',
    'dead.disconnectWait:OBJ_DISCONNECT_WAIT#0': 'a second "vodead" sleeper: as the first, vnode_create_vobject never finds an attached OBJ_DEAD object under the vnode lock',
    'dead.terminating:OBJ_DETACH#0':
      "the seed's don't-double-terminate branch (seed 172-186) needs vnode_destroy_vobject to find OBJ_DEAD with no references while another thread's vm_object_terminate is under way; both run under the exclusive vnode lock (ASSERT_VOP_ELOCKED at seed 165, vinvalbuf in vm_object_terminate), held by the first to the end",
    'deallocated:OBJ_DEALLOC#0': 'the late vnode_pager_dealloc of an object detached at seed 184: it follows only the branch above',
    'noObject:OBJ_DISCARD#0':
      "the repaired variant's discard of an allocation on a doomed vnode (alloc-refuses-doomed-vnode): coverage drives the seed, which discards its object only when it lost the race to an attached one (seed 245-257)",
  },
  pageValidity: {},
  writeMappings: {},
  asyncGetpages: {},
};

/* ---- the report ---- */

export interface PathResult {
  readonly path: SpecPath;
  /** null: not driven, because an earlier path already covered its target (see coveredBy). */
  readonly realization: Realization | null;
  /** For a path not driven: the path that covered its target. */
  readonly coveredBy?: string;
}

export interface MachineCoverage {
  readonly machine: MachineName;
  readonly states: { readonly total: number; readonly covered: readonly string[]; readonly missing: readonly string[] };
  readonly transitions: { readonly total: number; readonly covered: readonly string[]; readonly missing: readonly string[] };
  /** Which realized paths covered each "state:PATH" and "transition:ID". */
  readonly by: ReadonlyMap<string, readonly string[]>;
  readonly paths: readonly PathResult[];
  readonly replays: number;
}

/** "transition:alive:OBJ_REFS#0" -> the key it covers in `by`. */
function targetOf(path: SpecPath): string {
  return path.name;
}

export interface CoverageOptions {
  readonly bounds?: SearchBounds;
  /** Drive every path even when an earlier one already covered its target. */
  readonly all?: boolean;
  /** Only these paths (by name). */
  readonly only?: (p: SpecPath) => boolean;
}

/**
 * Drives the covering paths of a machine on the port. Transition paths go
 * first, longest first (they cover most on the way), then state paths. What
 * counts as covered is what the port's instance actually did, in lock-step,
 * on the realized runs: every transition it took and every state it entered.
 */
export function machineCoverage(machine: MachineName, opts: CoverageOptions = {}): MachineCoverage {
  const bounds = opts.bounds ?? DEFAULT_BOUNDS;
  const m = MACHINES[machine] as AnyStateMachine;
  const all = coverPaths(machine, { avoid: new Set(Object.keys(UNDRIVABLE[machine])) }).filter((p) => (opts.only ? opts.only(p) : true));
  const kind = (p: SpecPath) => (p.name.startsWith('transition:') ? 0 : p.name.startsWith('state:') ? 1 : 2);
  const paths = [...all].sort((a, b) => kind(a) - kind(b) || b.steps.length - a.steps.length || (a.name < b.name ? -1 : 1));
  const results: PathResult[] = [];
  const by = new Map<string, string[]>();
  const add = (key: string, path: string) => {
    const l = by.get(key);
    if (!l) by.set(key, [path]);
    else if (!l.includes(path)) l.push(path);
  };
  let replays = 0;
  for (const path of paths) {
    const target = targetOf(path);
    if (!opts.all && (target.startsWith('transition:') || target.startsWith('state:')) && by.has(target)) {
      results.push({ path, realization: null, coveredBy: by.get(target)![0]! });
      continue;
    }
    const r = realize(path, bounds);
    replays += r.replays;
    results.push({ path, realization: r });
    if (r.kind !== 'realized') continue;
    const inst = plansFor(path).find((p) => p.name === r.plan)?.instance ?? pageOrSelf(path, r.plan);
    for (const s of initialStatePaths(machine)) add(`state:${s}`, path.name);
    for (const a of r.applied) {
      if (a.machine !== machine || a.instance !== inst) continue;
      for (const id of a.transitions) add(`transition:${id}`, path.name);
      for (const s of statePathsOf(a.to)) add(`state:${s}`, path.name);
    }
  }
  const states = coverableStatesOf(m).map((s) => s.path);
  const transitions = transitionsOf(m).map((t) => t.id);
  return {
    machine,
    states: { total: states.length, covered: states.filter((s) => by.has(`state:${s}`)), missing: states.filter((s) => !by.has(`state:${s}`)) },
    transitions: { total: transitions.length, covered: transitions.filter((t) => by.has(`transition:${t}`)), missing: transitions.filter((t) => !by.has(`transition:${t}`)) },
    by,
    paths: results,
    replays,
  };
}

/** The instance of a plan found for an alternative route (plans of pages depend on the route's last step). */
function pageOrSelf(path: SpecPath, plan: string): string {
  for (const steps of path.alternatives) {
    const p = plansFor({ ...path, steps, alternatives: [] }).find((x) => x.name === plan);
    if (p) return p.instance;
  }
  return '';
}

function initialStatePaths(machine: MachineName): string[] {
  const m = MACHINES[machine] as AnyStateMachine;
  const init = m.root.initial?.target?.[0];
  return init ? [init.path.join('.')] : [];
}

/** "resident.(contents.fullyValid.clean, busy.unbusied)" -> every state node path active in it. */
export function statePathsOf(state: string): string[] {
  const out: string[] = [];
  const walk = (s: string, prefix: string) => {
    const par = s.indexOf('.(');
    if (par >= 0) {
      const head = prefix + s.slice(0, par);
      for (let i = 0, parts = head.split('.'); i < parts.length; i++) out.push(parts.slice(0, i + 1).join('.'));
      for (const region of s.slice(par + 2, -1).split(', ')) walk(region, head + '.');
      return;
    }
    const full = prefix + s;
    const parts = full.split('.');
    for (let i = 0; i < parts.length; i++) out.push(parts.slice(0, i + 1).join('.'));
  };
  walk(state, '');
  return [...new Set(out)];
}

/** The report: per machine, what was covered and what not, and why; with `detail`, which paths covered each state and transition. */
export function coverageReport(cov: readonly MachineCoverage[], opts: { detail?: boolean } = {}): string {
  const lines: string[] = [];
  for (const c of cov) {
    const driven = c.paths.filter((p) => p.realization !== null);
    const realized = driven.filter((p) => p.realization!.kind === 'realized').length;
    lines.push(
      `${c.machine}: states ${c.states.covered.length}/${c.states.total}, transitions ${c.transitions.covered.length}/${c.transitions.total}; paths driven ${driven.length} (realized ${realized}), ${c.paths.length - driven.length} already covered; ${c.replays} replays`,
    );
    if (opts.detail) {
      for (const s of c.states.covered) lines.push(`  state ${s}: ${c.by.get(`state:${s}`)!.join(', ')}`);
      for (const t of c.transitions.covered) lines.push(`  transition ${t}: ${c.by.get(`transition:${t}`)!.join(', ')}`);
    }
    for (const s of c.states.missing) lines.push(`  state not covered: ${s}${UNDRIVABLE[c.machine][s] ? ` (undrivable: ${UNDRIVABLE[c.machine][s]})` : ''}`);
    for (const t of c.transitions.missing) lines.push(`  transition not covered: ${t}${UNDRIVABLE[c.machine][t] ? ` (undrivable: ${UNDRIVABLE[c.machine][t]})` : ''}`);
    for (const p of c.paths) {
      const r = p.realization;
      for (const f of r?.findings ?? []) lines.push(`  path ${p.path.name}: FINDING under plan ${f.plan}: ${f.violation.machine} ${f.violation.instance} in ${f.violation.state}: ${f.violation.message}`);
      if (r === null || r.kind === 'realized') continue;
      const what =
        r.kind === 'unrealized'
          ? `not realized (best ${r.best}/${p.path.steps.length} steps, plan ${r.bestPlan}, ${r.replays} replays)${r.notes.length ? `; seen: ${r.notes.slice(0, 2).join('; ')}` : ''}`
          : r.kind === 'violation'
            ? `VIOLATION under plan ${r.plan}: ${JSON.stringify(r.violation)}`
            : `${r.kind.toUpperCase()} under plan ${r.plan}: ${r.message}`;
      lines.push(`  path ${p.path.name}: ${what}`);
    }
  }
  return lines.join('\n');
}

export function runCoverage(machines: readonly MachineName[] = MACHINE_NAMES, opts: CoverageOptions = {}): MachineCoverage[] {
  return machines.map((m) => machineCoverage(m, opts));
}

/* `npx tsx spec/coverage.ts [machine,...] [--detail]`; PAGERCHECK_COVERAGE_TRACE=1 prints every move of the search. */
if (process.argv[1] && process.argv[1].endsWith('spec/coverage.ts')) {
  const args = process.argv.slice(2);
  const names = args.find((a) => !a.startsWith('--'))?.split(',') ?? MACHINE_NAMES;
  for (const n of names) if (!(MACHINE_NAMES as readonly string[]).includes(n)) throw new Error(`unknown machine "${n}"; accepted: ${MACHINE_NAMES.join(', ')}`);
  const t0 = performance.now();
  const cov = runCoverage(names as MachineName[]);
  console.log(coverageReport(cov, { detail: args.includes('--detail') }));
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
