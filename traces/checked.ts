/*
 * A scenario on a variant as the CLI checks it: the properties' program
 * (properties/program.ts) with, optionally, the spec machines in lock-step
 * (spec/conformance.ts). Exploration and the replay of a trace build the
 * program here, so a trace replays under the checks it was found with.
 *
 * The monitor is shared by every execution of the program: setup() resets it,
 * builds the world, then takes the world as the machines' starting state.
 */
import type { Program, RunOptions, Violation } from '../checker/runtime.ts';
import type { ProgramRef, ResolvedProgram } from '../checker/tasks.ts';
import { catalogScenario } from '../properties/catalog.ts';
import type { KEvent, Observer } from '../impl/kernel/observe.ts';
import { buildProgram } from '../properties/program.ts';
import type { Observed } from '../properties/observed.ts';
import type { Scenario } from '../properties/scenario.ts';
import { createConformance, type AppliedEvent, type Conformance } from '../spec/conformance.ts';

export interface Checks {
  /** Spec conformance violations count (the machines are followed either way when recording). */
  readonly spec: boolean;
  /** The checker's data-race detector. */
  readonly races: boolean;
}

export const DEFAULT_CHECKS: Checks = { spec: true, races: false };

export interface CheckedProgram {
  readonly program: Program<Observed>;
  /** For ExploreOptions / ReplayOptions.stepCheck: the spec's check when checks.spec, else none. */
  readonly stepCheck: RunOptions['stepCheck'] | undefined;
  readonly conformance: Conformance | null;
}

export interface Hooks {
  /** Every kernel event, setup's fixtures included. */
  readonly onEvent?: (e: KEvent) => void;
  /** Every event a spec machine applied. */
  readonly onApplied?: (a: AppliedEvent) => void;
  /** After setup, with the machines' starting states ("machine/instance" -> state). */
  readonly onSetup?: (states: ReadonlyMap<string, string>) => void;
  /** After each step's checks, with the spec's own verdict (reported even when checks.spec is off). */
  readonly onStepChecked?: (index: number, spec: Violation | null) => void;
}

/**
 * The program of `scenario` on `variant` with `checks`. With hooks (recording a
 * trace), the machines are followed even when checks.spec is off, and their
 * verdict is passed to onStepChecked instead of stopping the execution.
 */
export function checkedProgram(scenario: Scenario, variant: string, checks: Checks, hooks: Hooks = {}): CheckedProgram {
  const follow = checks.spec || hooks.onApplied !== undefined || hooks.onSetup !== undefined || hooks.onStepChecked !== undefined;
  if (!follow) {
    const program = hooks.onEvent ? buildProgram(scenario, { variant, observer: { emit: hooks.onEvent } }) : buildProgram(scenario, { variant });
    return { program, stepCheck: undefined, conformance: null };
  }
  let world: Observed | undefined;
  const conf = createConformance(() => world?.k, hooks.onApplied ? { listener: hooks.onApplied } : {});
  const onEvent = hooks.onEvent;
  const observer: Observer = onEvent
    ? {
        emit(e) {
          onEvent(e);
          conf.observer.emit(e);
        },
      }
    : conf.observer;
  const base = buildProgram(scenario, { variant, observer });
  const program: Program<Observed> = {
    ...base,
    setup(ctx) {
      conf.reset();
      world = undefined;
      world = base.setup(ctx);
      conf.sync();
      hooks.onSetup?.(conf.states());
      return world;
    },
  };
  const onStep = hooks.onStepChecked;
  const stepCheck: NonNullable<RunOptions['stepCheck']> = (rec, i) => {
    const v = conf.stepCheck(rec, i);
    onStep?.(i, v);
    return checks.spec ? v : null;
  };
  return { program, stepCheck: checks.spec || onStep ? stepCheck : undefined, conformance: conf };
}

/** This module as the split search's resolver (checker/tasks.ts): the catalog's scenarios, by name. */
export const SCENARIO_RESOLVER = 'traces/checked.ts';

export interface ScenarioRefData {
  readonly scenario: string;
  readonly variant?: string;
  /** Spec conformance checked at every step. */
  readonly spec?: boolean;
}

export function scenarioRef(scenario: string, variant = 'seed', spec = false): ProgramRef {
  return { resolver: SCENARIO_RESOLVER, data: { scenario, variant, spec } };
}

export function resolveProgram(data: unknown): ResolvedProgram {
  const d = (data ?? {}) as Partial<ScenarioRefData>;
  if (typeof d.scenario !== 'string') throw new Error(`scenario reference ${JSON.stringify(data)} is not accepted: give { scenario, variant?, spec? }`);
  const variant = d.variant ?? 'seed';
  const cp = checkedProgram(catalogScenario(d.scenario), variant, { spec: d.spec ?? false, races: false });
  return { program: cp.program as Program<unknown>, stepCheck: cp.stepCheck, scenario: d.scenario, variant };
}
