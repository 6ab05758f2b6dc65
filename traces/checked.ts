/*
 * A scenario on a variant as the CLI checks it: the properties' program
 * (properties/program.ts) with, optionally, the spec machines in lock-step
 * (spec/conformance.ts). Exploration and the replay of a trace build the
 * program here, so a trace replays under the checks it was found with.
 *
 * The spec monitor is one of the program's monitors (checker/runtime.ts
 * Monitor), shared by its executions: begin resets it, ready takes the
 * world as the machines' starting state. A program built again (without
 * some threads, for minimization) has its own.
 */
import type { Monitor, Program, StepRecord, Violation } from '../checker/runtime.ts';
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
  /** Carries its monitors: the properties' invariants and finals, and the spec machines when followed. */
  readonly program: Program<Observed>;
  readonly conformance: Conformance | null;
}

export interface Hooks {
  /** Every kernel event, setup's fixtures included. */
  readonly onEvent?: (e: KEvent) => void;
  /** Every event a spec machine applied. */
  readonly onApplied?: (a: AppliedEvent) => void;
  /** After setup, with the machines' starting states ("machine/instance" -> state). */
  readonly onSetup?: (states: ReadonlyMap<string, string>) => void;
  /** After each step's spec check, with the spec's own verdict (reported even when checks.spec is off). */
  readonly onStepChecked?: (index: number, spec: Violation | null) => void;
}

/** The spec machines in lock-step as a monitor: begin resets them, ready takes the world as their starting state. */
class SpecMonitor implements Monitor<Observed> {
  readonly name = 'spec-conformance';
  world: Observed | undefined = undefined;
  constructor(
    readonly conf: Conformance,
    private readonly enforce: boolean,
    private readonly hooks: Hooks,
  ) {}
  begin(): void {
    this.conf.reset();
    this.world = undefined;
  }
  ready(world: Observed): void {
    this.world = world;
    this.conf.sync();
    this.hooks.onSetup?.(this.conf.states());
  }
  onStep(rec: StepRecord, i: number): Violation | null {
    const v = this.conf.stepCheck(rec, i);
    this.hooks.onStepChecked?.(i, v);
    return this.enforce ? v : null;
  }
}

/**
 * The program of `scenario` on `variant` with `checks` (extra monitors, such
 * as witnesses, after the spec's). With hooks (recording a trace), the
 * machines are followed even when checks.spec is off, and their verdict is
 * passed to onStepChecked instead of stopping the execution.
 */
export function checkedProgram(scenario: Scenario, variant: string, checks: Checks, hooks: Hooks = {}, extra: readonly Monitor<Observed>[] = []): CheckedProgram {
  const follow = checks.spec || hooks.onApplied !== undefined || hooks.onSetup !== undefined || hooks.onStepChecked !== undefined;
  if (!follow) {
    const program = buildProgram(scenario, { variant, ...(hooks.onEvent ? { observer: { emit: hooks.onEvent } } : {}), monitors: extra });
    return { program, conformance: null };
  }
  let monitor: SpecMonitor | null = null;
  const conf = createConformance(() => monitor?.world?.k, hooks.onApplied ? { listener: hooks.onApplied } : {});
  monitor = new SpecMonitor(conf, checks.spec, hooks);
  const onEvent = hooks.onEvent;
  const observer: Observer = onEvent
    ? {
        emit(e) {
          onEvent(e);
          conf.observer.emit(e);
        },
      }
    : conf.observer;
  return { program: buildProgram(scenario, { variant, observer, monitors: [monitor, ...extra] }), conformance: conf };
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
  return { program: cp.program as Program<unknown>, scenario: d.scenario, variant };
}
