/*
 * The spec machines by name, and the vocabulary others use to talk about
 * them: state nodes, transitions with stable ids, and state values rendered
 * as dotted strings ("dead.disconnectWait").
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition, StateValue } from 'xstate';
import { objectLifecycleMachine } from './objectLifecycle.ts';
import { pageValidityMachine } from './pageValidity.ts';
import { writeMappingsMachine } from './writeMappings.ts';
import { asyncGetpagesMachine } from './asyncGetpages.ts';

export const MACHINES = {
  objectLifecycle: objectLifecycleMachine,
  pageValidity: pageValidityMachine,
  writeMappings: writeMappingsMachine,
  asyncGetpages: asyncGetpagesMachine,
} as const;

export type MachineName = keyof typeof MACHINES;
export const MACHINE_NAMES = Object.keys(MACHINES) as MachineName[];

export function machineByName(name: string): AnyStateMachine {
  const m = (MACHINES as Record<string, AnyStateMachine>)[name];
  if (!m) throw new Error(`unknown spec machine "${name}"; accepted: ${MACHINE_NAMES.join(', ')}`);
  return m;
}

export interface StateInfo {
  /** Dotted path from the root ("dead.disconnectWait"); the root is "". */
  readonly path: string;
  readonly id: string;
  readonly description: string;
  readonly kind: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  readonly parent: string | null;
}

export interface TransitionInfo {
  /** Stable id: "<source path or (root)>:<EVENT>#<index among the source's transitions for EVENT>". */
  readonly id: string;
  readonly source: string;
  readonly event: string;
  readonly guard: string | null;
  /** Target paths; empty for a transition that stays (targetless). */
  readonly targets: readonly string[];
  readonly description: string;
  /** "alive --OBJ_REFS [isNewReference]--> alive". */
  readonly label: string;
}

export function pathOf(node: AnyStateNode): string {
  return node.path.join('.');
}

function allNodes(machine: AnyStateMachine): AnyStateNode[] {
  const out: AnyStateNode[] = [];
  const walk = (n: AnyStateNode) => {
    out.push(n);
    for (const c of Object.values(n.states) as AnyStateNode[]) walk(c);
  };
  walk(machine.root);
  return out;
}

function guardName(t: AnyTransitionDefinition): string | null {
  const g = t.guard as unknown;
  if (g === undefined) return null;
  if (typeof g === 'string') return g;
  if (typeof g === 'object' && g !== null && 'type' in g) return String((g as { type: unknown }).type);
  return 'inline';
}

interface Catalog {
  readonly states: readonly StateInfo[];
  readonly transitions: readonly TransitionInfo[];
  readonly byDef: Map<AnyTransitionDefinition, TransitionInfo>;
}
const catalogs = new WeakMap<AnyStateMachine, Catalog>();

function catalog(machine: AnyStateMachine): Catalog {
  let c = catalogs.get(machine);
  if (c) return c;
  const states: StateInfo[] = [];
  const transitions: TransitionInfo[] = [];
  const byDef = new Map<AnyTransitionDefinition, TransitionInfo>();
  for (const n of allNodes(machine)) {
    const path = pathOf(n);
    states.push({
      path,
      id: n.id,
      description: n.description ?? '',
      kind: n.type,
      parent: n.parent ? pathOf(n.parent) : null,
    });
    for (const [event, defs] of n.transitions) {
      defs.forEach((t, i) => {
        const targets = (t.target ?? []).map((x) => pathOf(x));
        const guard = guardName(t);
        const src = path === '' ? '(root)' : path;
        const info: TransitionInfo = {
          id: `${src}:${event}#${i}`,
          source: path,
          event,
          guard,
          targets,
          description: t.description ?? '',
          label: `${src} --${event}${guard ? ` [${guard}]` : ''}--> ${targets.length ? targets.map((x) => x || '(root)').join(', ') : src}`,
        };
        transitions.push(info);
        byDef.set(t, info);
      });
    }
  }
  c = { states, transitions, byDef };
  catalogs.set(machine, c);
  return c;
}

/** Every state node, root first, in document order. */
export function statesOf(machine: AnyStateMachine): readonly StateInfo[] {
  return catalog(machine).states;
}

/** State nodes that coverage counts: every node but the root. */
export function coverableStatesOf(machine: AnyStateMachine): readonly StateInfo[] {
  return catalog(machine).states.filter((s) => s.path !== '');
}

/** Every transition definition, in document order. */
export function transitionsOf(machine: AnyStateMachine): readonly TransitionInfo[] {
  return catalog(machine).transitions;
}

export function transitionInfo(machine: AnyStateMachine, def: AnyTransitionDefinition): TransitionInfo {
  const t = catalog(machine).byDef.get(def);
  if (!t) throw new Error(`transition of ${machine.id} not in its catalogue: ${def.eventType} from ${pathOf(def.source)}`);
  return t;
}

/** "dead.disconnectWait"; parallel regions as "resident.(contents.invalid, busy.exclusiveBusy)". */
export function stateString(value: StateValue): string {
  if (typeof value === 'string') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const k = keys[0]!;
    const sub = value[k];
    return sub === undefined ? k : `${k}.${stateString(sub as StateValue)}`;
  }
  return `(${keys.map((k) => `${k}.${stateString(value[k] as StateValue)}`).join(', ')})`;
}

/** Every state node path active in a state value (ancestors included), e.g. ["dead", "dead.terminating"]. */
export function activePaths(value: StateValue, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.push(p);
    if (v !== undefined) out.push(...activePaths(v as StateValue, p));
  }
  return out;
}
