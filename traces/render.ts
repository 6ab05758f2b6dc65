/*
 * Renderings of a trace, all functions of the trace alone (so a replay that
 * records the same trace renders byte for byte the same), and of the kernel
 * state changes when the caller passes them (kstate.ts derives them by
 * replaying the trace; they are not part of the trace file):
 *  - renderText: terminal text, one column per thread, each step with the
 *    seed function and line it executes, the C statement there, and what
 *    the spec machines did;
 *  - renderSequence: a Mermaid sequence diagram, threads and the kernel
 *    objects they touch as participants;
 *  - lifecycleHighlights / renderLifecycle(Svg): the spec's lifecycle
 *    diagrams (spec/diagrams.ts) with the path the trace took highlighted.
 */
import type { Violation } from '../checker/runtime.ts';
import { MACHINE_NAMES, type MachineName } from '../spec/catalog.ts';
import { statePathsOf } from '../spec/coverage.ts';
import { renderDot, renderMermaid, renderSvg, type Highlight } from '../spec/diagrams.ts';
import { opText } from '../properties/scenario.ts';
import { changeText, type KChange } from './kstate.ts';
import { cStatement, seedFunctionAt, whereText } from './seedmap.ts';
import type { Trace, TraceStep } from './trace.ts';

/* ---- words ---- */

/** One line saying what was violated, e.g. "KASSERT failed in vnode_pager_haspage (vnode_pager_haspage:365): ...". */
export function violationText(v: Violation): string {
  switch (v.kind) {
    case 'assertion': {
      const where = v.line !== undefined ? ` (${whereAt(v.line)})` : '';
      const what = v.assertion === 'lock' ? 'lock assertion failed' : v.assertion === 'panic' ? 'panic' : 'KASSERT failed';
      return `${what} in ${v.fn}${where}: ${v.message}`;
    }
    case 'invariant':
      return `property ${v.property} violated: ${v.message}`;
    case 'final':
      return `property ${v.property} violated at the end: ${v.message}`;
    case 'deadlock':
      return `deadlock: ${v.message}`;
    case 'step-bound':
      return v.message;
    case 'data-race':
      return `data race on ${v.res}: ${v.message}`;
    case 'spec':
      return `spec ${v.machine} ${v.instance} in ${v.state}${v.event ? ` on ${v.event}` : ''}: ${v.message}`;
    default: {
      const never: never = v;
      return JSON.stringify(never);
    }
  }
}

function whereAt(line: number): string {
  const f = seedFunctionAt(line);
  return f !== null ? `${f}:${line}` : `seed line ${line}`;
}

/** Thread whose step the violation is at, when it belongs to one. */
export function violationThread(t: Trace): number | null {
  const v = t.counterexample.violation;
  if (v.kind === 'assertion') return v.tid;
  if (v.kind === 'deadlock' || v.kind === 'final') return null;
  return t.steps[v.step]?.tid ?? null;
}

export function traceTitle(t: Trace): string {
  return `${t.scenario.name} on ${t.counterexample.variant ?? 'seed'}`;
}

/** How the trace was found: "dpor, maxSteps 10000, 12 steps, 1 preemption; checks: spec, no races". */
export function foundText(t: Trace): string {
  const c = t.counterexample;
  const bounds = Object.entries(c.bounds)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const seed = c.seed !== undefined ? `, seed ${c.seed}` : '';
  const checks = `checks: ${t.checks.spec ? 'spec' : 'no spec'}, ${t.checks.races ? 'races' : 'no races'}`;
  return `found by ${c.strategy}${seed} (${bounds}); ${t.steps.length} steps, ${c.preemptions} preemption${c.preemptions === 1 ? '' : 's'}; ${checks}`;
}

/** A spec move as a line, or null when the machine stayed in its state. */
export function moveText(m: { machine: string; instance: string; from: string; to: string }): string | null {
  return m.from === m.to ? null : `${m.machine} ${m.instance}: ${stateChange(m.from, m.to)}`;
}

/** "resident.(contents.invalid, busy.exclusiveBusy)" -> ["resident", ["contents.invalid", "busy.exclusiveBusy"]]. */
function regions(state: string): [string, string[]] | null {
  const i = state.indexOf('.(');
  if (i < 0 || !state.endsWith(')')) return null;
  return [state.slice(0, i), state.slice(i + 2, -1).split(', ')];
}

/** "a -> b", naming only the parallel regions that changed when both states are in the same parallel state. */
export function stateChange(from: string, to: string): string {
  const a = regions(from);
  const b = regions(to);
  if (a && b && a[0] === b[0] && a[1].length === b[1].length) {
    const changed = a[1].map((r, i) => [r, b[1][i]!] as const).filter(([x, y]) => x !== y);
    if (changed.length > 0) return changed.map(([x, y]) => `${x} -> ${y}`).join(', ');
  }
  return `${from} -> ${to}`;
}

/* ---- terminal text ---- */

export interface TextOptions {
  /** Widest a thread column may be (default 40, narrower when there are more than three threads). */
  readonly columnWidth?: number;
  /** Also list the kernel events of each step (default false). */
  readonly events?: boolean;
  /** Per step, the kernel fields it changed (kstate.ts kernelDiffs), shown as `= obj1.ref_count 1 -> 2` lines. */
  readonly kernel?: readonly (readonly KChange[])[];
}

function wrap(s: string, width: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(' ', width);
    if (cut < width / 2) cut = width;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
    if (rest.length > 0) rest = '  ' + rest;
  }
  out.push(rest);
  return out;
}

/** The C statement a step runs, or '' (a step outside the seed, a line with no statement). */
export function stepC(s: { readonly line?: number | undefined }): string {
  return s.line !== undefined ? cStatement(s.line) : '';
}

function cellLines(s: TraceStep, i: number, opts: TextOptions): string[] {
  const lines = [s.label];
  const where = whereText(s);
  if (where) lines.push(`  ${where}`);
  const c = stepC(s);
  if (c) lines.push(`  | ${c}`);
  if (s.choices !== undefined) lines.push(`  choices ${s.choices.join(',')}`);
  if (opts.events) for (const e of s.events) lines.push(`  . ${e}`);
  for (const m of s.spec) {
    const t = moveText(m);
    if (t) lines.push(`  ~ ${t}`);
  }
  for (const k of opts.kernel?.[i] ?? []) lines.push(`  = ${changeText(k)}`);
  return lines;
}

/** The trace as text with one column per thread. */
export function renderText(t: Trace, opts: TextOptions = {}): string {
  const nthreads = new Set(t.steps.map((s) => s.tid)).size;
  const cap = opts.columnWidth ?? Math.max(24, Math.min(40, Math.floor(150 / Math.max(1, nthreads))));
  const c = t.counterexample;
  const v = c.violation;
  const out: string[] = [];
  out.push(`${traceTitle(t)}: ${violationText(v)}`);
  out.push(`  ${t.scenario.description}`);
  const dropped = new Set(t.counterexample.dropped ?? []);
  for (const th of t.scenario.threads) out.push(`  ${th.name}: ${th.ops.map(opText).join('; ')}${dropped.has(th.name) ? '  (dropped: not needed for the violation)' : ''}`);
  out.push(`  ${foundText(t)}`);
  if (t.specNote) out.push(`  note: the spec (not checked in this run) diverged first at step ${t.specNote.step}: ${t.specNote.machine}: ${t.specNote.message}`);
  out.push('');

  const tids = [...new Set(t.steps.map((s) => s.tid))].sort((a, b) => a - b);
  const cells = t.steps.map((s, i) => cellLines(s, i, opts));
  const width = new Map<number, number>();
  for (const tid of tids) {
    const name = t.threads[tid] ?? `#${tid}`;
    let w = name.length;
    t.steps.forEach((s, i) => {
      if (s.tid === tid) for (const l of cells[i]!) w = Math.max(w, l.length);
    });
    width.set(tid, Math.min(Math.max(w, 12), cap));
  }
  const stepW = Math.max(4, String(t.steps.length).length);
  const row = (num: string, col: number | null, text: string) => {
    const parts = tids.map((tid) => (tid === col ? text : '').padEnd(width.get(tid)!));
    return `${num.padStart(stepW)} | ${parts.join(' | ')}`.trimEnd();
  };
  out.push(`${'step'.padStart(stepW)} | ${tids.map((tid) => (t.threads[tid] ?? `#${tid}`).padEnd(width.get(tid)!)).join(' | ')}`.trimEnd());
  out.push(`${'-'.repeat(stepW)}-+-${tids.map((tid) => '-'.repeat(width.get(tid)!)).join('-+-')}`);
  t.steps.forEach((s, i) => {
    const lines = cells[i]!.flatMap((l) => wrap(l, width.get(s.tid)!));
    lines.forEach((l, j) => out.push(row(j === 0 ? String(i) : '', s.tid, l)));
  });
  out.push('');
  const at = v.kind === 'final' || v.kind === 'deadlock' || v.kind === 'step-bound' ? `after step ${t.steps.length - 1}` : `at step ${v.step}`;
  const who = violationThread(t);
  out.push(`violation ${at}${who !== null ? ` (${t.threads[who] ?? `#${who}`})` : ''}: ${violationText(v)}`);
  if (v.kind === 'deadlock') for (const b of v.blocked) out.push(`  ${b.name} blocked in ${b.label}, waiting for ${b.waitsFor}`);
  return out.join('\n') + '\n';
}

/* ---- Mermaid sequence diagram ---- */

/** The kernel object a footprint resource belongs to: "lock:obj1" -> obj1, "vp1.v_iflag" -> vp1, "disk:12" -> disk. */
export function resourceOwner(res: string): string {
  let r = res.replace(/^(lock|chan):/, '');
  if (r.startsWith('disk:')) return 'disk';
  const dot = r.search(/[.:]|->/);
  if (dot > 0) r = r.slice(0, dot);
  return r;
}

function mermaidText(s: string): string {
  // Mermaid reads ';' as a statement end and '#' as an entity escape.
  return s.replace(/;/g, ',').replace(/#/g, 'no. ').replace(/[\r\n]+/g, ' ');
}

function pid(name: string): string {
  return `p_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

export interface SequenceOptions {
  /** Per step, the kernel fields it changed (kstate.ts kernelDiffs), as a note on the object they belong to. */
  readonly kernel?: readonly (readonly KChange[])[];
}

/** The trace as a Mermaid sequenceDiagram: each message names the step, where it runs and the C statement there. */
export function renderSequence(t: Trace, opts: SequenceOptions = {}): string {
  const out = ['sequenceDiagram', `  title ${mermaidText(`${traceTitle(t)}: ${violationText(t.counterexample.violation)}`)}`];
  const threads = [...new Set(t.steps.map((s) => s.tid))].sort((a, b) => a - b).map((tid) => t.threads[tid] ?? `#${tid}`);
  const objects: string[] = [];
  for (const s of t.steps)
    for (const a of s.access) {
      const o = resourceOwner(a.slice(a.indexOf(' ') + 1));
      if (!objects.includes(o) && !threads.includes(o)) objects.push(o);
    }
  for (const th of threads) out.push(`  participant ${pid(th)} as ${mermaidText(th)}`);
  for (const o of objects) out.push(`  participant ${pid(o)} as ${mermaidText(o)}`);
  t.steps.forEach((s, i) => {
    const who = pid(t.threads[s.tid] ?? `#${s.tid}`);
    const where = whereText(s);
    const c = stepC(s);
    const text = mermaidText(`[${i}] ${s.label}${where ? ` @ ${where}` : ''}${c ? `: ${c}` : ''}`);
    const first = s.access[0];
    if (first === undefined) out.push(`  Note over ${who}: ${text}`);
    else {
      const write = first.startsWith('w');
      out.push(`  ${who}${write ? '->>' : '-->>'}${pid(resourceOwner(first.slice(first.indexOf(' ') + 1)))}: ${text}`);
    }
    for (const m of s.spec) {
      const mt = moveText(m);
      if (mt === null) continue;
      const owner = resourceOwner(m.instance);
      const over = objects.includes(owner) ? pid(owner) : who;
      out.push(`  Note right of ${over}: ${mermaidText(mt)}`);
    }
    const changes = opts.kernel?.[i] ?? [];
    if (changes.length > 0) {
      // One note per kernel object the step changed, on its participant when it has one.
      const byOwner = new Map<string, string[]>();
      for (const k of changes) {
        const owner = resourceOwner(k.key);
        const l = byOwner.get(owner);
        if (l) l.push(changeText(k));
        else byOwner.set(owner, [changeText(k)]);
      }
      for (const [owner, texts] of byOwner) out.push(`  Note right of ${objects.includes(owner) ? pid(owner) : who}: ${mermaidText(texts.join(', '))}`);
    }
  });
  const v = t.counterexample.violation;
  const vt = violationThread(t);
  const over = vt !== null ? pid(t.threads[vt] ?? `#${vt}`) : threads.map(pid).join(',');
  out.push('  rect rgb(255, 220, 220)');
  out.push(`    Note over ${over}: ${mermaidText(`VIOLATION ${violationText(v)}`)}`);
  out.push('  end');
  return out.join('\n') + '\n';
}

/* ---- lifecycle diagrams with the path highlighted ---- */

/**
 * Per machine, the transitions the trace's steps fired (in order) and the
 * states it was in, for spec/diagrams.ts. Every instance of a machine (e.g.
 * each page of pageValidity) is drawn on the one diagram of its machine.
 */
export function lifecycleHighlights(t: Trace): Map<MachineName, Highlight> {
  const out = new Map<MachineName, { transitions: string[]; states: Set<string> }>();
  const get = (m: string) => {
    if (!(MACHINE_NAMES as readonly string[]).includes(m)) return null;
    let h = out.get(m as MachineName);
    if (!h) out.set(m as MachineName, (h = { transitions: [], states: new Set() }));
    return h;
  };
  for (const [key, state] of Object.entries(t.setup.states)) {
    const h = get(key.slice(0, key.indexOf('/')));
    if (h) for (const p of statePathsOf(state)) h.states.add(p);
  }
  for (const s of t.steps)
    for (const m of s.spec) {
      const h = get(m.machine);
      if (!h) continue;
      h.transitions.push(...m.transitions);
      for (const st of [m.from, m.to]) for (const p of statePathsOf(st)) h.states.add(p);
    }
  const res = new Map<MachineName, Highlight>();
  for (const name of MACHINE_NAMES) {
    const h = out.get(name);
    if (h && h.transitions.length > 0) res.set(name, { transitions: h.transitions, states: [...h.states].sort() });
  }
  return res;
}

/** Mermaid stateDiagram-v2 of every machine the trace moved, its path highlighted. */
export function renderLifecycle(t: Trace): string {
  const parts: string[] = [];
  for (const [name, h] of lifecycleHighlights(t)) parts.push(`%% ${name}: ${traceTitle(t)}\n${renderMermaid(name, h)}`);
  return parts.length ? parts.join('\n') : `%% ${traceTitle(t)}: no spec machine moved in this trace\n`;
}

/** SVG (Graphviz) of every machine the trace moved, its path highlighted. */
export async function renderLifecycleSvgs(t: Trace): Promise<{ machine: MachineName; svg: string }[]> {
  const out: { machine: MachineName; svg: string }[] = [];
  for (const [name, h] of lifecycleHighlights(t)) out.push({ machine: name, svg: await renderSvg(renderDot(name, h)) });
  return out;
}
