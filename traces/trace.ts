/*
 * Trace files: a counterexample (checker/counterexample.ts) with everything
 * needed to replay it after the code has changed and to read it without
 * running anything.
 *
 *   { format: "pagercheck-trace", version: 1,
 *     scenario,        the scenario as data (not only its name: the catalog may change)
 *     checks,          { spec, races }: what counted as a violation
 *     counterexample,  variant, strategy, bounds, seed, schedule, violation
 *     threads,         names by tid
 *     setup,           events and machine states before the first step
 *     steps,           per step: thread, Op label, seed line, accesses, kernel events, spec transitions
 *     specNote? }      the first spec divergence seen when the spec was not a checked property
 *
 * The steps are a recording of the replay: recordTrace() replays the
 * counterexample with the kernel's observer and the spec machines on, so a
 * replay of the file later (replayTrace) can be compared with it step for
 * step. Loading validates with zod; a bad file gets one line naming the field
 * and what was expected. A bare counterexample file of a catalog scenario is
 * accepted too and recorded on load.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CEX_LIMITS, MAX_DEPTH, parseCounterexample, replay, tooDeep, violationKey, type Counterexample } from '../checker/counterexample.ts';
import type { StepRecord, Violation } from '../checker/runtime.ts';
import { InputRefused, readInputText } from '../checker/input.ts';
import type { KEvent } from '../impl/kernel/observe.ts';
import { variantByName } from '../impl/variants.ts';
import { catalogScenario } from '../properties/catalog.ts';
import { withoutThreads } from '../properties/findings.ts';
import { ScenarioError, parseScenario, type Scenario } from '../properties/scenario.ts';
import { describeEvent, type AppliedEvent } from '../spec/conformance.ts';
import { checkedProgram, type Checks } from './checked.ts';

export const TRACE_FORMAT = 'pagercheck-trace';
export const TRACE_VERSION = 1;

/** A spec machine taking an event: the transitions it fired and the state it went to. */
export interface SpecMove {
  readonly machine: string;
  readonly instance: string;
  readonly event: string;
  readonly transitions: readonly string[];
  readonly from: string;
  readonly to: string;
}

export interface TraceStep {
  readonly tid: number;
  readonly thread: string;
  readonly kind: string;
  readonly label: string;
  /** Seed line the step executes (StepRecord.line). */
  readonly line?: number;
  /** The function of a step outside the seed (a caller, a callee). */
  readonly fn?: string;
  /** Footprint, "w lock:obj1", "ra vp1.v_iflag" (r/w, a = atomic). */
  readonly access: readonly string[];
  readonly choices?: readonly number[];
  /** Kernel events the step emitted (describeEvent). */
  readonly events: readonly string[];
  /** What the spec machines did with them. */
  readonly spec: readonly SpecMove[];
}

export interface Trace {
  readonly format: typeof TRACE_FORMAT;
  readonly version: typeof TRACE_VERSION;
  readonly scenario: Scenario;
  readonly checks: Checks;
  readonly counterexample: Counterexample;
  readonly threads: readonly string[];
  readonly setup: { readonly events: readonly string[]; readonly states: Readonly<Record<string, string>> };
  readonly steps: readonly TraceStep[];
  readonly specNote?: { readonly step: number; readonly machine: string; readonly message: string };
}

/** A trace could not be loaded: the file, where in it, what was expected. One line. */
export class TraceError extends Error {
  override name = 'TraceError';
}

/** The replay of a counterexample no longer reproduces it. */
export class TraceDivergence extends Error {
  override name = 'TraceDivergence';
}

/* ---- recording ---- */

function accessText(rec: StepRecord): string[] {
  return rec.fp.map((a) => `${a.write ? 'w' : 'r'}${a.atomic ? 'a' : ''} ${a.res}`);
}

export interface Recorded {
  readonly trace: Trace;
  /** The replay ended in a violation with the counterexample's key. */
  readonly same: boolean;
  /** How the replay ended, when not the same. */
  readonly ended: string;
}

/**
 * Replays `cex` on `scenario` with the kernel's observer and the spec machines
 * on, and records what each step did. Throws TraceDivergence when the schedule
 * no longer fits the program.
 */
export function recordTrace(scenario: Scenario, cex: Counterexample, checks: Checks): Recorded {
  const variant = cex.variant ?? 'seed';
  // A minimized counterexample may run on the scenario without some of its threads.
  let run = scenario;
  if (cex.dropped !== undefined && cex.dropped.length > 0) {
    const reduced = withoutThreads(scenario, cex.dropped);
    if (reduced === null) throw new TraceDivergence(`the counterexample drops threads ${cex.dropped.join(', ')}, which ${scenario.name} cannot do without`);
    run = reduced;
  }
  let current = -1;
  const setupEvents: string[] = [];
  let setupStates: Record<string, string> = {};
  const events = new Map<number, string[]>();
  const moves = new Map<number, SpecMove[]>();
  let specNote: Trace['specNote'] | undefined;
  const push = <T>(m: Map<number, T[]>, k: number, v: T) => {
    const l = m.get(k);
    if (l) l.push(v);
    else m.set(k, [v]);
  };
  const { program } = checkedProgram(run, variant, checks, {
    onEvent(e: KEvent) {
      if (current < 0) setupEvents.push(describeEvent(e));
      else push(events, current, describeEvent(e));
    },
    onApplied(a: AppliedEvent) {
      const mv: SpecMove = { machine: a.machine, instance: a.instance, event: describeEvent(a.event), transitions: [...a.transitions], from: a.from, to: a.to };
      if (current >= 0) push(moves, current, mv);
    },
    onSetup(states) {
      setupStates = Object.fromEntries([...states].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      current = 0;
    },
    onStepChecked(i, v) {
      if (v && v.kind === 'spec' && !checks.spec && specNote === undefined) specNote = { step: i, machine: v.machine, message: v.message };
      current = i + 1;
    },
  });
  const out = replay(program, cex, { withoutThreads: () => program });
  if (out.status === 'diverged') throw new TraceDivergence(`the schedule no longer fits ${program.name}: at step ${out.step}: ${out.message}`);
  const r = out.result;
  const steps: TraceStep[] = r.steps.map((rec, i) => ({
    tid: rec.tid,
    thread: r.threadNames[rec.tid] ?? `#${rec.tid}`,
    kind: rec.kind,
    label: rec.label,
    ...(rec.line !== undefined ? { line: rec.line } : {}),
    ...(rec.fn !== undefined ? { fn: rec.fn } : {}),
    access: accessText(rec),
    ...(rec.choices !== undefined ? { choices: rec.choices.slice() } : {}),
    events: events.get(i) ?? [],
    spec: moves.get(i) ?? [],
  }));
  const st = r.result;
  const ended = st.status === 'violation' ? violationKey(st.violation) : st.status === 'error' ? `error: ${st.error.split('\n')[0]}` : 'ok';
  const trace: Trace = {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    scenario,
    checks: { spec: checks.spec, races: cex.races },
    // The violation as the replay saw it (the same key; messages may carry more detail).
    counterexample: st.status === 'violation' && out.same ? { ...cex, violation: st.violation } : cex,
    threads: r.threadNames.slice(),
    setup: { events: setupEvents, states: setupStates },
    steps,
    ...(specNote ? { specNote } : {}),
  };
  return { trace, same: out.same, ended };
}

/* ---- replay ---- */

export interface ReplayCheck {
  readonly recorded: Recorded;
  /** The replay ends in the trace's violation (same key). */
  readonly sameViolation: boolean;
  /** First difference between the trace's steps and the replay's, or null. */
  readonly firstDifference: string | null;
}

/** Replays a loaded trace and compares the replay with the trace. */
export function replayTrace(trace: Trace): ReplayCheck {
  const recorded = recordTrace(trace.scenario, trace.counterexample, trace.checks);
  return { recorded, sameViolation: recorded.same, firstDifference: firstDifference(trace, recorded.trace) };
}

function firstDifference(a: Trace, b: Trace): string | null {
  if (JSON.stringify(a.setup) !== JSON.stringify(b.setup)) return 'the setup (events or starting machine states) differs';
  const n = Math.max(a.steps.length, b.steps.length);
  for (let i = 0; i < n; i++) {
    const x = a.steps[i];
    const y = b.steps[i];
    if (x === undefined || y === undefined) return `step ${i}: ${x === undefined ? 'only in the replay' : 'missing from the replay'}`;
    if (JSON.stringify(x) !== JSON.stringify(y)) {
      for (const k of ['thread', 'label', 'line', 'fn', 'access', 'choices', 'events', 'spec'] as const)
        if (JSON.stringify(x[k]) !== JSON.stringify(y[k])) return `step ${i} (${x.thread} ${x.label}): ${k} was ${JSON.stringify(x[k])}, the replay has ${JSON.stringify(y[k])}`;
      return `step ${i} differs`;
    }
  }
  if (violationKey(a.counterexample.violation) !== violationKey(b.counterexample.violation)) return `the violation was "${violationKey(a.counterexample.violation)}", the replay ends with "${violationKey(b.counterexample.violation)}"`;
  return null;
}

/* ---- loading and saving ---- */

// Bounds as in checker/counterexample.ts: an edited file is rejected before a replay allocates for it.
const L = CEX_LIMITS;
const str = z.string().max(L.text);
const int = z.number().int().max(L.steps);
const strs = z.array(str).max(L.list);
const specMoveSchema = z.strictObject({ machine: str, instance: str, event: str, transitions: strs, from: str, to: str });
const stepSchema = z.strictObject({
  tid: int.min(0).max(L.tid),
  thread: str,
  kind: str,
  label: str,
  line: int.min(1).optional(),
  fn: str.optional(),
  access: strs,
  choices: z.array(z.number().int().min(0).max(L.choice)).max(L.steps).optional(),
  events: strs,
  spec: z.array(specMoveSchema).max(L.list),
});
const traceSchema = z.strictObject({
  format: z.literal(TRACE_FORMAT, { error: `expected "${TRACE_FORMAT}"` }),
  version: z.literal(TRACE_VERSION, { error: (iss) => `unsupported version ${JSON.stringify(iss.input)?.slice(0, 40)}; accepted: ${TRACE_VERSION}` }),
  scenario: z.unknown(),
  checks: z.strictObject({ spec: z.boolean(), races: z.boolean() }),
  counterexample: z.unknown(),
  threads: z.array(str).max(L.tid + 1),
  setup: z.strictObject({ events: z.array(str).max(L.steps), states: z.record(str, str).refine((r) => Object.keys(r).length <= L.list, `expected at most ${L.list} machine instances`) }),
  steps: z.array(stepSchema).max(L.steps),
  specNote: z.strictObject({ step: int.min(0), machine: str, message: str }).optional(),
});

function fieldPath(path: readonly PropertyKey[]): string {
  return path.length ? path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(top level)';
}

/**
 * Parses a trace (JSON text or value). `source` names the file in errors.
 * Accepts a bare counterexample of a catalog scenario and records it.
 */
export function parseTrace(input: string | unknown, source = 'trace'): Trace {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new TraceError(`${source}: not JSON (${(e as Error).message}); accepted: a pagercheck trace file (*.trace.json)`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TraceError(`${source}: expected a JSON object with "format": "${TRACE_FORMAT}"`);
  if (tooDeep(value)) throw new TraceError(`${source}: nested deeper than ${MAX_DEPTH} levels; accepted: a pagercheck trace file (*.trace.json)`);
  const fmt = (value as { format?: unknown }).format;
  if (fmt === 'pagercheck-counterexample') return fromCounterexample(value, source);
  if (fmt !== TRACE_FORMAT)
    throw new TraceError(`${source}: format: expected "${TRACE_FORMAT}" (or "pagercheck-counterexample"), found ${fmt === undefined ? 'none' : JSON.stringify(fmt)}`);
  const r = traceSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new TraceError(`${source}: ${fieldPath(issue.path)}: ${issue.message}`);
  }
  const d = r.data;
  const cex = parseCex(d.counterexample, source, 'counterexample');
  knownVariant(cex, source, 'counterexample.variant');
  const scenario = parseScen(d.scenario, source);
  return { ...d, format: TRACE_FORMAT, version: TRACE_VERSION, scenario, counterexample: cex } as Trace;
}

function parseCex(v: unknown, source: string, at: string): Counterexample {
  try {
    return parseCounterexample(v);
  } catch (e) {
    const m = (e as Error).message;
    const top = /^bad counterexample at \(top level\): /;
    const field = /^bad counterexample at /;
    const where = top.test(m) ? `${at}: ${m.replace(top, '')}` : field.test(m) ? `${at}.${m.replace(field, '')}` : `${at}: ${m}`;
    throw new TraceError(`${source}: ${where}`);
  }
}

/** The variant a counterexample names must exist here ("nope", "", "__proto__" are bad input, not harness errors). */
function knownVariant(cex: Counterexample, source: string, at: string): void {
  if (cex.variant === undefined) return;
  try {
    variantByName(cex.variant);
  } catch (e) {
    throw new TraceError(`${source}: ${at}: ${(e as Error).message}`);
  }
}

function parseScen(v: unknown, source: string): Scenario {
  try {
    return parseScenario(v);
  } catch (e) {
    if (e instanceof ScenarioError) throw new TraceError(`${source}: scenario: ${e.message.replace(/^scenario [^:]*: /, '')}`);
    throw e;
  }
}

/** What a replay needs from a trace or bare counterexample file. */
export interface ReplayInput {
  readonly scenario: Scenario;
  readonly counterexample: Counterexample;
  readonly checks: Checks;
}

/**
 * A trace or bare counterexample file read and validated without replaying
 * it (a bare counterexample is recorded on load otherwise): replay --continue
 * starts from a schedule that may no longer fit. TraceError (one line) when bad.
 */
export function loadReplayInput(file: string): ReplayInput {
  let text: string;
  try {
    text = readInputText(file);
  } catch {
    return loadTrace(file); // its one-line error
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return parseTrace(text, file); // its one-line error
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { format?: unknown }).format === 'pagercheck-counterexample' && !tooDeep(value)) return bareInput(value, file);
  return parseTrace(value, file);
}

function bareInput(value: unknown, source: string): ReplayInput {
  const cex = parseCex(value, source, 'counterexample');
  if (cex.scenario === undefined) throw new TraceError(`${source}: scenario: the counterexample names no scenario; accepted: a counterexample of a catalog scenario, or a trace file`);
  let scenario: Scenario;
  try {
    scenario = catalogScenario(cex.scenario);
  } catch (e) {
    throw new TraceError(`${source}: scenario: ${(e as Error).message}`);
  }
  knownVariant(cex, source, 'variant');
  // A bare counterexample does not say whether the spec was checked; a spec violation says it was.
  return { scenario, counterexample: cex, checks: { spec: cex.violation.kind === 'spec', races: cex.races } };
}

function fromCounterexample(value: unknown, source: string): Trace {
  const { scenario, counterexample: cex, checks } = bareInput(value, source);
  try {
    return recordTrace(scenario, cex, checks).trace;
  } catch (e) {
    // Its replay is its recording: a schedule that no longer fits is a bad file, as for replay.
    if (e instanceof TraceDivergence) throw new TraceError(`${source}: schedule: ${e.message}; accepted: a counterexample recorded on this version (replay --continue explores on from where it diverges)`);
    throw e;
  }
}

/** Reads and validates a trace file; TraceError (one line) when it cannot. */
export function loadTrace(file: string): Trace {
  let text: string;
  try {
    text = readInputText(file);
  } catch (e) {
    if (e instanceof InputRefused) throw new TraceError(`${file}: ${e.reason}; accepted: a trace file (*.trace.json)`);
    const code = (e as NodeJS.ErrnoException).code;
    throw new TraceError(`${file}: cannot read (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : (code ?? (e as Error).message)}); accepted: a trace file (*.trace.json)`);
  }
  return parseTrace(text, file);
}

/** The file text of a trace: keys in the order built, a value on one line when it fits in 160 columns, final newline. */
export function traceText(t: Trace): string {
  return compactJson(t, '', 0) + '\n';
}

/** JSON with two-space indent, except that an object or array whose one-line form fits the width stays on one line. */
export function compactJson(v: unknown, indent = '', used = 0, width = 160): string {
  const flat = JSON.stringify(v);
  if (flat === undefined) return 'null';
  if (typeof v !== 'object' || v === null || indent.length + used + flat.length <= width) return flat;
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => inner + compactJson(x, inner, 0, width)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries
    .map(([k, x]) => {
      const key = `${JSON.stringify(k)}: `;
      return inner + key + compactJson(x, inner, key.length, width);
    })
    .join(',\n')}\n${indent}}`;
}

export function saveTrace(file: string, t: Trace): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, traceText(t));
}

/** A short name for file names: "haspage-vs-setsize.seed.kassert-vnode_pager_haspage". */
export function traceSlug(t: { readonly scenario: { readonly name: string }; readonly counterexample: Counterexample }): string {
  const v = t.counterexample.violation;
  const what = violationSlug(v);
  return `${t.scenario.name}.${t.counterexample.variant ?? 'seed'}.${what}`;
}

function violationSlug(v: Violation): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48);
  switch (v.kind) {
    case 'assertion':
      return clean(`${v.assertion.toLowerCase()}-${v.fn}`);
    case 'invariant':
    case 'final':
      return clean(v.property);
    case 'spec':
      return clean(`spec-${v.machine}`);
    default:
      return clean(v.kind);
  }
}

/* ---- finding trace files ---- */

function isBareCounterexample(f: string): boolean {
  try {
    return (JSON.parse(readInputText(f)) as { format?: unknown }).format === 'pagercheck-counterexample';
  } catch {
    return false;
  }
}

/** How far traceFiles looks under a directory. */
export const MAX_WALK = { depth: 8, entries: 20_000 } as const;

/**
 * `p` itself when it is a file, else every *.trace.json under it (sorted,
 * recursively) and, with `bare`, every other .json file there that holds a
 * bare counterexample (the findings' pinned form).
 */
export function traceFiles(p: string, bare = false): string[] {
  if (p.trim() === '') throw new TraceError('argument "": an empty path; accepted: trace files (*.trace.json) or directories of them');
  let st;
  try {
    st = statSync(p);
  } catch {
    throw new TraceError(`${p}: no such file or directory; accepted: trace files (*.trace.json) or directories of them`);
  }
  if (st.isFile()) return [p];
  if (!st.isDirectory()) throw new TraceError(`${p}: neither a file nor a directory; accepted: trace files (*.trace.json) or directories of them`);
  const out: string[] = [];
  // Bounded: a directory of traces, not a whole file system (`report /`).
  let seen = 0;
  const walk = (d: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch (e) {
      throw new TraceError(`${d}: cannot read the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); accepted: readable directories of trace files`);
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (++seen > MAX_WALK.entries) throw new TraceError(`${p}: more than ${MAX_WALK.entries} entries under it; accepted: a directory of trace files`);
      const f = join(d, e.name);
      if (e.isDirectory()) {
        if (depth >= MAX_WALK.depth) throw new TraceError(`${p}: directories nested deeper than ${MAX_WALK.depth} levels; accepted: a directory of trace files`);
        walk(f, depth + 1);
      } else if (e.name.endsWith('.trace.json') || (bare && e.name.endsWith('.json') && isBareCounterexample(f))) out.push(f);
    }
  };
  walk(p, 0);
  return out;
}

/** The directory of pinned traces: traces/ of the repository. */
export const PINNED_DIR = import.meta.dirname;

/** Every pinned trace file under traces/ (findings included). */
export function pinnedTraceFiles(root = PINNED_DIR): string[] {
  return existsSync(root) ? traceFiles(root) : [];
}

/** Bare counterexamples pinned under traces/findings/ (NAME.json, format "pagercheck-counterexample"). */
export function pinnedCounterexampleFiles(root = join(PINNED_DIR, 'findings')): string[] {
  if (!existsSync(root)) return [];
  return traceFiles(root, true).filter((f) => !f.endsWith('.trace.json'));
}
