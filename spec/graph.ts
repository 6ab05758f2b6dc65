/*
 * The machines' state graphs and the paths that cover them.
 *
 * @xstate/graph explores a machine from its initial snapshot with the events
 * listed here. A custom event list replaces the library's defaults, so every
 * event a state can take is listed with its payloads, as a function of the
 * snapshot; names and counts come from small pools (objects obj1-obj3, at
 * most two objects not attached, ref counts up to 2, a handful of page
 * masks) so every graph is finite.
 *
 * From the shortest path to every snapshot, coverPaths builds one path per
 * state node (the shortest reaching it) and one per transition (the
 * shortest path to a snapshot where it fires, plus its event): the set of
 * paths that reaches every state and transition of the machine. Where a
 * graph is small, simple paths are also available.
 */
import { getShortestPaths, getSimplePaths } from '@xstate/graph';
import { transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import type { KEvent } from '../impl/kernel/observe.ts';
import { MACHINES, MACHINE_NAMES, activePaths, coverableStatesOf, stateString, transitionInfo, transitionsOf, type MachineName } from './catalog.ts';
import type { ObjectLifecycleContext } from './objectLifecycle.ts';
import type { PageValidityContext } from './pageValidity.ts';
import type { WriteMappingsContext } from './writeMappings.ts';
import type { AsyncGetpagesContext } from './asyncGetpages.ts';

/** The vnode, object and page the graphs talk about. */
export const GRAPH_VP = 'vp1';
export const GRAPH_OBJ = 'obj1';
export const GRAPH_PINDEX = 0;
export const GRAPH_REQ = 1;

const OBJ_POOL = ['obj1', 'obj2', 'obj3'];
const MAX_REFS = 2;
/** Valid masks: none, first block, head half, first block plus a tail (after shrink tail zeroing), all. */
export const VALID_MASKS = [0x00, 0x01, 0x0f, 0xf1, 0xff] as const;
/** Dirty masks: none, head half (after putpages clips past EOF), tail half (after a partial write), all. */
export const DIRTY_MASKS = [0x00, 0x0f, 0xf0, 0xff] as const;
const BUSY: readonly { xbusy: boolean; sbusy: number }[] = [
  { xbusy: false, sbusy: 0 },
  { xbusy: true, sbusy: 0 },
  { xbusy: false, sbusy: 1 },
  { xbusy: false, sbusy: 2 },
];
/** EIO. */
export const EIO = 5;

export function objectLifecycleEvents(s: AnyMachineSnapshot): KEvent[] {
  const c = s.context as ObjectLifecycleContext;
  const vp = c.vp;
  const ev: KEvent[] = [];
  const known = new Set([...(c.obj ? [c.obj] : []), ...c.pending, ...c.detached.map((d) => d.name)]);
  const fresh = OBJ_POOL.find((o) => !known.has(o));
  if (fresh && c.pending.length + c.detached.length < 2) ev.push({ type: 'OBJ_ALLOCATE', obj: fresh, vp, size: 1 });
  for (const o of c.pending) ev.push({ type: 'OBJ_ATTACH', obj: o, vp }, { type: 'OBJ_DISCARD', obj: o, vp });
  if (c.obj) {
    const o = c.obj;
    if (c.refs < MAX_REFS) ev.push({ type: 'OBJ_REFS', obj: o, refs: c.refs + 1 });
    if (c.refs > 0) ev.push({ type: 'OBJ_REFS', obj: o, refs: c.refs - 1 });
    ev.push(
      { type: 'OBJ_DEAD', obj: o },
      { type: 'OBJ_DISCONNECT_WAIT', obj: o, wmesg: 'vodead' },
      { type: 'OBJ_DISCONNECT_WAIT', obj: o, wmesg: 'vadead' },
      { type: 'OBJ_DISCONNECT_WAKE', obj: o },
      { type: 'OBJ_DEALLOC', obj: o, vp, refs: c.refs },
      { type: 'OBJ_DETACH', obj: o, vp },
      { type: 'OBJ_SETSIZE', obj: o, vnp_size: 2048, size: 1 },
      { type: 'OBJ_DESTROY', obj: o },
    );
  }
  for (const d of c.detached) {
    if (d.refs > 0) ev.push({ type: 'OBJ_REFS', obj: d.name, refs: d.refs - 1 });
    ev.push({ type: 'OBJ_DEAD', obj: d.name }, { type: 'OBJ_DEALLOC', obj: d.name, vp, refs: d.refs }, { type: 'OBJ_DESTROY', obj: d.name }, { type: 'OBJ_DISCONNECT_WAIT', obj: d.name, wmesg: 'vadead' });
  }
  return ev;
}

export function pageValidityEvents(s: AnyMachineSnapshot): KEvent[] {
  const c = s.context as PageValidityContext;
  const at = { obj: c.obj, pindex: c.pindex };
  const bits = (valid: number, dirty: number, b: { xbusy: boolean; sbusy: number }): KEvent => ({ type: 'PAGE_BITS', ...at, valid, dirty, xbusy: b.xbusy, sbusy: b.sbusy });
  const busy = { xbusy: c.xbusy, sbusy: c.sbusy };
  const ev: KEvent[] = [
    { type: 'PAGE_INSERT', ...at },
    { type: 'PAGE_REMOVE', ...at },
  ];
  for (const v of VALID_MASKS) ev.push(bits(v, c.dirty, busy));
  for (const d of DIRTY_MASKS) if (d !== c.dirty) ev.push(bits(c.valid, d, busy));
  for (const b of BUSY) if (b.xbusy !== c.xbusy || b.sbusy !== c.sbusy) ev.push(bits(c.valid, c.dirty, b));
  ev.push(bits(0, 0, busy));
  return ev;
}

export function writeMappingsEvents(s: AnyMachineSnapshot): KEvent[] {
  const c = s.context as WriteMappingsContext;
  const ev: KEvent[] = [];
  for (const wm of [0, 4096, 8192]) ev.push({ type: 'WRITEMAPPINGS', obj: c.obj, writemappings: wm });
  if (c.v_writecount < 1) ev.push({ type: 'WRITECOUNT', vp: GRAPH_VP, v_writecount: c.v_writecount + 1 });
  if (c.v_writecount > 0) ev.push({ type: 'WRITECOUNT', vp: GRAPH_VP, v_writecount: c.v_writecount - 1 });
  ev.push({ type: 'OBJ_DEALLOC', obj: c.obj, vp: GRAPH_VP, refs: 0 }, { type: 'OBJ_DISCARD', obj: c.obj, vp: GRAPH_VP }, { type: 'OBJ_DESTROY', obj: c.obj });
  return ev;
}

export function asyncGetpagesEvents(s: AnyMachineSnapshot): KEvent[] {
  const c = s.context as AsyncGetpagesContext;
  return [
    { type: 'ASYNC_ISSUE', req: c.req, obj: GRAPH_OBJ },
    { type: 'ASYNC_DONE', req: c.req, error: 0 },
    { type: 'ASYNC_DONE', req: c.req, error: EIO },
  ];
}

export interface GraphSpec {
  readonly input: Record<string, unknown>;
  readonly events: (s: AnyMachineSnapshot) => KEvent[];
  /** Whether simple paths are computed too (small graphs only). */
  readonly simple: boolean;
}

export const GRAPH_SPECS: Record<MachineName, GraphSpec> = {
  objectLifecycle: { input: { vp: GRAPH_VP }, events: objectLifecycleEvents, simple: false },
  pageValidity: { input: { obj: GRAPH_OBJ, pindex: GRAPH_PINDEX }, events: pageValidityEvents, simple: false },
  writeMappings: { input: { obj: GRAPH_OBJ, v_writecount: 0 }, events: writeMappingsEvents, simple: false },
  asyncGetpages: { input: { req: GRAPH_REQ }, events: asyncGetpagesEvents, simple: true },
};

/** One step of a path: the event and the snapshot after it, with the transitions it fired. */
export interface PathStep {
  readonly event: KEvent;
  readonly state: AnyMachineSnapshot;
  readonly transitions: readonly string[];
}

export interface SpecPath {
  readonly machine: MachineName;
  /** "state:dead.disconnectWait", "transition:alive:OBJ_REFS#0", or "simple:3". */
  readonly name: string;
  readonly steps: readonly PathStep[];
  /**
   * Other ways to the same target, next shortest first: the same transition
   * fired from another snapshot (another busy state, another count), for an
   * implementation that cannot take the shortest one.
   */
  readonly alternatives: readonly (readonly PathStep[])[];
}

/** Candidate paths kept per state node and transition. */
export const MAX_ALTERNATIVES = 6;

function transitionsFired(machine: AnyStateMachine, s: AnyMachineSnapshot, e: KEvent): string[] {
  return machine.getTransitionData(s, e).map((t) => transitionInfo(machine, t).id);
}

function toSteps(machine: AnyStateMachine, start: AnyMachineSnapshot, steps: readonly { event: KEvent; state: AnyMachineSnapshot }[]): PathStep[] {
  const out: PathStep[] = [];
  let prev = start;
  for (const st of steps) {
    out.push({ event: st.event, state: st.state, transitions: transitionsFired(machine, prev, st.event) });
    prev = st.state;
  }
  return out;
}

export interface MachineGraph {
  readonly machine: MachineName;
  readonly initial: AnyMachineSnapshot;
  /** Shortest path to every reachable snapshot, by serialized snapshot. */
  readonly shortest: readonly { state: AnyMachineSnapshot; steps: PathStep[] }[];
  /** Number of edges (snapshot, event) that fire a transition. */
  readonly edges: number;
  /** The transitions that fire from some reachable snapshot, with the shortest paths ending in them (shortest first). */
  readonly transitionPaths: Map<string, PathStep[][]>;
  /** The state nodes reached, with the shortest paths reaching them (shortest first). */
  readonly statePaths: Map<string, PathStep[][]>;
}

const graphs = new Map<string, MachineGraph>();

/**
 * The graph of a machine. `avoid` lists transitions whose events are left
 * out of the exploration (transitions the implementation cannot take), so
 * the paths to everything else go around them.
 */
export function machineGraph(name: MachineName, avoid: ReadonlySet<string> = new Set()): MachineGraph {
  const key = `${name}|${[...avoid].sort().join(',')}`;
  const cached = graphs.get(key);
  if (cached) return cached;
  const machine = MACHINES[name] as AnyStateMachine;
  const base = GRAPH_SPECS[name];
  const spec: GraphSpec =
    avoid.size === 0
      ? base
      : { ...base, events: (s) => base.events(s).filter((e) => !machine.getTransitionData(s, e).some((t) => avoid.has(transitionInfo(machine, t).id))) };
  const paths = getShortestPaths(machine, { input: spec.input, events: spec.events as never, limit: 100_000 });
  const initialPath = paths.find((p) => p.steps.length === 0) ?? paths.reduce((a, b) => (a.steps.length <= b.steps.length ? a : b));
  const initial = (initialPath.steps.length === 0 ? initialPath.state : initialPath.steps[0]!.state) as AnyMachineSnapshot;
  /* @xstate/graph puts the initial snapshot as a first step with an init event; keep only the events we sent. */
  const shortest = paths.map((p) => {
    const steps = (p.steps as { event: KEvent; state: AnyMachineSnapshot }[]).filter((st) => !String(st.event.type).startsWith('xstate.'));
    return { state: p.state as AnyMachineSnapshot, steps: toSteps(machine, initial, steps) };
  });
  const statePaths = new Map<string, PathStep[][]>();
  const transitionPaths = new Map<string, PathStep[][]>();
  /*
   * Candidates per target, one per state value they pass through (the
   * source of the transition, or the state reached): alternatives that
   * differ only in payloads would fail the same way.
   */
  const cands = new Map<string, Map<string, PathStep[]>>();
  const keep = (key: string, via: string, steps: PathStep[]) => {
    let byVia = cands.get(key);
    if (!byVia) cands.set(key, (byVia = new Map()));
    const had = byVia.get(via);
    if (!had || had.length > steps.length) byVia.set(via, steps);
  };
  let edges = 0;
  for (const p of shortest) {
    const here = stateString(p.state.value);
    for (const path of activePaths(p.state.value)) keep(`state:${path}`, here, p.steps);
    for (const e of spec.events(p.state)) {
      const defs = machine.getTransitionData(p.state, e);
      if (!(defs.length > 0 && defs.some((t) => t.target !== undefined || t.actions.length > 0))) continue;
      edges++;
      const ids = defs.map((t) => transitionInfo(machine, t).id);
      const [next] = transition(machine, p.state, e);
      for (const id of ids) keep(`transition:${id}`, here, [...p.steps, { event: e, state: next, transitions: ids }]);
    }
  }
  for (const [key, byVia] of cands) {
    const l = [...byVia.values()].sort((a, b) => a.length - b.length).slice(0, MAX_ALTERNATIVES);
    if (key.startsWith('state:')) statePaths.set(key.slice(6), l);
    else transitionPaths.set(key.slice(11), l);
  }
  const g: MachineGraph = { machine: name, initial, shortest, edges, transitionPaths, statePaths };
  graphs.set(key, g);
  return g;
}

/** @xstate/graph's simple paths (every cycle-free path from the initial snapshot), for machines with a small graph. */
export function simplePathsOf(name: MachineName): SpecPath[] {
  if (!GRAPH_SPECS[name].simple) throw new Error(`simple paths of ${name} are not computed: its graph is too large; accepted: ${MACHINE_NAMES.filter((n) => GRAPH_SPECS[n].simple).join(', ')}`);
  const machine = MACHINES[name] as AnyStateMachine;
  const initial = machineGraph(name).initial;
  const simple = getSimplePaths(machine, { input: GRAPH_SPECS[name].input, events: GRAPH_SPECS[name].events as never, limit: 10_000 });
  return simple
    .map((p) => (p.steps as { event: KEvent; state: AnyMachineSnapshot }[]).filter((st) => !String(st.event.type).startsWith('xstate.')))
    .filter((steps) => steps.length > 0)
    .map((steps, i) => ({ machine: name, name: `simple:${i}`, steps: toSteps(machine, initial, steps), alternatives: [] }));
}

/**
 * The covering paths of a machine: the shortest path to each state node and
 * each transition (with alternatives through other states), plus the simple
 * paths for small graphs that are not already among them.
 */
export function coverPaths(name: MachineName, opts: { simple?: boolean; avoid?: ReadonlySet<string> } = {}): SpecPath[] {
  const full = machineGraph(name);
  const avoid = opts.avoid ?? new Set<string>();
  const around = avoid.size > 0 ? machineGraph(name, avoid) : full;
  const out: SpecPath[] = [];
  for (const t of transitionsOf(MACHINES[name] as AnyStateMachine)) {
    /* An avoided transition still gets its path, from the full graph: the coverage run shows it cannot be driven. */
    const g = avoid.has(t.id) ? full : around;
    const [p, ...alternatives] = g.transitionPaths.get(t.id) ?? full.transitionPaths.get(t.id) ?? [];
    if (p) out.push({ machine: name, name: `transition:${t.id}`, steps: p, alternatives });
  }
  for (const s of coverableStatesOf(MACHINES[name] as AnyStateMachine)) {
    const [p, ...alternatives] = around.statePaths.get(s.path) ?? full.statePaths.get(s.path) ?? [];
    if (p) out.push({ machine: name, name: `state:${s.path}`, steps: p, alternatives });
  }
  if ((opts.simple ?? true) && GRAPH_SPECS[name].simple) out.push(...simplePathsOf(name));
  /* The same event sequence for two targets is driven once (the first name keeps it; the tally credits both). */
  const seen = new Set<string>();
  return out.filter((p) => {
    const sig = `${p.steps.map((s) => JSON.stringify(s.event)).join('\n')}#${p.alternatives.length}`;
    if (seen.has(sig) && p.name.startsWith('simple:')) return false;
    seen.add(sig);
    return true;
  });
}
