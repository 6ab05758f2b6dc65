/*
 * The machines' graphs as @xstate/graph explores them with the listed
 * events: every state node and transition is reachable, the event lists
 * cover every event type each machine takes, and the covering paths reach
 * what they are named after.
 */
import { describe, expect, it } from 'vitest';
import { transition, type AnyStateMachine } from 'xstate';
import { MACHINES, MACHINE_NAMES, activePaths, coverableStatesOf, stateString, transitionsOf } from './catalog.ts';
import { GRAPH_SPECS, coverPaths, machineGraph, simplePathsOf } from './graph.ts';
import { OBJECT_LIFECYCLE_EVENTS } from './objectLifecycle.ts';
import { PAGE_VALIDITY_EVENTS } from './pageValidity.ts';
import { WRITE_MAPPINGS_EVENTS } from './writeMappings.ts';
import { ASYNC_GETPAGES_EVENTS } from './asyncGetpages.ts';

const EVENT_TYPES = {
  objectLifecycle: OBJECT_LIFECYCLE_EVENTS,
  pageValidity: PAGE_VALIDITY_EVENTS,
  writeMappings: WRITE_MAPPINGS_EVENTS,
  asyncGetpages: ASYNC_GETPAGES_EVENTS,
} as const;

/*
 * The snapshot counts pin the graphs: a change of a machine or of its event pools shows here first.
 * objectLifecycle 1467 -> 1473 with noObject's OBJ_DISCARD on a doomed vnode (the repaired allocator, 804bc70).
 */
const SNAPSHOTS = { objectLifecycle: 1473, pageValidity: 51, writeMappings: 16, asyncGetpages: 4 } as const;

describe.each(MACHINE_NAMES)('%s', (name) => {
  const m = MACHINES[name] as AnyStateMachine;
  const g = machineGraph(name);

  it('reaches every state node and fires every transition', () => {
    for (const s of coverableStatesOf(m)) expect.soft(g.statePaths.has(s.path), s.path).toBe(true);
    for (const t of transitionsOf(m)) expect.soft(g.transitionPaths.has(t.id), t.id).toBe(true);
  });

  it('explores a finite graph of a known size', () => {
    expect(g.shortest.length).toBe(SNAPSHOTS[name]);
  });

  it('lists events of every type the machine takes (a custom list replaces the defaults)', () => {
    const seen = new Set<string>();
    for (const p of g.shortest) for (const e of GRAPH_SPECS[name].events(p.state)) seen.add(e.type);
    expect([...seen].sort()).toEqual([...EVENT_TYPES[name]].sort());
    /* And the machine has transitions on exactly those types. */
    expect([...new Set(transitionsOf(m).map((t) => t.event))].sort()).toEqual([...EVENT_TYPES[name]].sort());
  });

  it('gives covering paths that replay to the state or transition they are named after', () => {
    for (const p of coverPaths(name)) {
      let [snap] = [g.initial];
      for (const st of p.steps) {
        expect(snap.can(st.event as never), `${p.name}: ${JSON.stringify(st.event)}`).toBe(true);
        [snap] = transition(m, snap, st.event as never);
        expect(stateString(snap.value)).toBe(stateString(st.state.value));
      }
      const last = p.steps[p.steps.length - 1];
      if (p.name.startsWith('transition:')) expect(last?.transitions).toContain(p.name.slice('transition:'.length));
      if (p.name.startsWith('state:')) expect(activePaths(snap.value)).toContain(p.name.slice('state:'.length));
    }
  });
});

describe('avoiding transitions', () => {
  it('routes the paths to other targets around them', () => {
    const avoid = new Set(['dead.terminating:OBJ_DISCONNECT_WAIT#0']);
    const paths = coverPaths('objectLifecycle', { avoid });
    const wake = paths.find((p) => p.name === 'transition:dead.disconnectWait:OBJ_DISCONNECT_WAKE#0')!;
    expect(wake.steps.some((s) => s.transitions.includes('dead.terminating:OBJ_DISCONNECT_WAIT#0'))).toBe(false);
    expect(wake.steps.some((s) => s.transitions.includes('dead.terminating:OBJ_DISCONNECT_WAIT#1'))).toBe(true);
    /* The avoided transition keeps its own path. */
    expect(paths.find((p) => p.name === 'transition:dead.terminating:OBJ_DISCONNECT_WAIT#0')).toBeDefined();
  });

  it('gives simple paths only where the graph is small, and drives those not already among the shortest', () => {
    const simple = simplePathsOf('asyncGetpages');
    expect(simple.map((p) => p.steps.map((s) => `${s.event.type}${'error' in s.event ? s.event.error : ''}`).join(' '))).toEqual(['ASYNC_ISSUE', 'ASYNC_ISSUE ASYNC_DONE0', 'ASYNC_ISSUE ASYNC_DONE5']);
    const sig = (p: { steps: readonly { event: unknown }[] }) => JSON.stringify(p.steps.map((s) => s.event));
    const covered = new Set(coverPaths('asyncGetpages').map(sig));
    for (const p of simple) expect(covered.has(sig(p))).toBe(true);
    expect(() => simplePathsOf('objectLifecycle')).toThrow(/too large; accepted: asyncGetpages/);
  });
});
