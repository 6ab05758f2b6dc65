/*
 * Lifecycle diagrams generated from the spec machines: Mermaid
 * stateDiagram-v2 embedded in markdown with the machine's state and
 * transition tables, and SVG through DOT rendered by Graphviz (compiled to
 * WebAssembly, @hpcc-js/wasm-graphviz; no browser).
 *
 * `npm run diagrams` (this file run with tsx) writes traces/diagrams/NAME.md
 * and NAME.svg for every machine; spec/diagrams.test.ts fails when a
 * committed file no longer matches its machine.
 *
 * renderMermaid and renderDot take an optional highlight: a path of
 * transition ids (in order, repeats allowed) and states, as a
 * counterexample took them; highlighted transitions carry their step
 * numbers and a colour, highlighted states a fill.
 *
 * Layout: a compound state is a composite (Mermaid) or a cluster (DOT);
 * parallel regions are separated by "--" (Mermaid) or drawn as side-by-side
 * clusters (DOT). Transitions that stay in their state are self-loops on
 * atomic states; on a compound state or the machine itself they are listed
 * in a note, since neither notation draws a loop on a container cleanly.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyStateMachine } from 'xstate';
import { MACHINES, MACHINE_NAMES, machineByName, statesOf, transitionsOf, type MachineName, type StateInfo, type TransitionInfo } from './catalog.ts';

export interface Highlight {
  /** Transition ids in the order the path took them. */
  readonly transitions: readonly string[];
  /** State paths the path visited (ancestors are added). */
  readonly states?: readonly string[];
}

export const DIAGRAM_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'traces', 'diagrams');

interface Model {
  readonly name: string;
  readonly states: readonly StateInfo[];
  readonly transitions: readonly TransitionInfo[];
  readonly children: Map<string, StateInfo[]>;
  readonly initial: Map<string, string>;
}

function model(name: string): Model {
  const machine = machineByName(name);
  const states = statesOf(machine);
  const children = new Map<string, StateInfo[]>();
  for (const s of states) {
    if (s.parent === null) continue;
    const l = children.get(s.parent);
    if (l) l.push(s);
    else children.set(s.parent, [s]);
  }
  const initial = new Map<string, string>();
  const walk = (node: AnyStateMachine['root']) => {
    const init = node.initial?.target?.[0];
    if (init && node.type === 'compound') initial.set(node.path.join('.'), init.path.join('.'));
    for (const c of Object.values(node.states)) walk(c as AnyStateMachine['root']);
  };
  walk(machine.root);
  return { name, states, transitions: transitionsOf(machine), children, initial };
}

function stepsOf(h: Highlight | undefined): Map<string, number[]> {
  const m = new Map<string, number[]>();
  h?.transitions.forEach((id, i) => {
    const l = m.get(id);
    if (l) l.push(i + 1);
    else m.set(id, [i + 1]);
  });
  return m;
}

function visited(h: Highlight | undefined, mdl: Model): Set<string> {
  const out = new Set<string>();
  if (!h) return out;
  const add = (p: string) => {
    let cur: string | null = p;
    while (cur) {
      out.add(cur);
      cur = mdl.states.find((s) => s.path === cur)?.parent ?? null;
    }
  };
  for (const s of h.states ?? []) add(s);
  for (const id of h.transitions) {
    const t = mdl.transitions.find((x) => x.id === id);
    if (!t) continue;
    if (t.source) add(t.source);
    for (const x of t.targets) if (x) add(x);
  }
  return out;
}

function transitionText(t: TransitionInfo): string {
  return `${t.event}${t.guard ? ` [${t.guard}]` : ''}`;
}

/** "(2,4) ": the steps of the highlighted path that took a transition. */
function stepText(steps: number[] | undefined): string {
  return steps ? `(${steps.join(',')}) ` : '';
}

/* ---- Mermaid ---- */

/** A Mermaid id: the state's own name when no other state of the machine has it, else its path with underscores. */
function mid(mdl: Model, path: string): string {
  if (path === '') return mdl.name;
  const leaf = path.split('.').pop()!;
  const unique = mdl.states.filter((s) => s.path.split('.').pop() === leaf).length === 1;
  return unique ? leaf : path.replace(/\./g, '_');
}

/** Mermaid stateDiagram-v2 source of a machine, optionally with a path highlighted. */
export function renderMermaid(name: MachineName | string, highlight?: Highlight): string {
  const mdl = model(name);
  const steps = stepsOf(highlight);
  const seen = visited(highlight, mdl);
  const lines: string[] = ['stateDiagram-v2'];
  const notes: string[] = [];
  const emitState = (s: StateInfo, indent: string) => {
    const kids = mdl.children.get(s.path) ?? [];
    const id = mid(mdl, s.path);
    const label = s.path === '' ? mdl.name : s.path.split('.').pop()!;
    if (kids.length === 0) {
      lines.push(id === label ? `${indent}${id}` : `${indent}state "${label}" as ${id}`);
      return;
    }
    /* Composite states take no alias (Mermaid's grammar): the id is the name shown. */
    lines.push(`${indent}state ${id} {`);
    if (s.kind === 'parallel') {
      kids.forEach((k, i) => {
        if (i > 0) lines.push(`${indent}  --`);
        emitState(k, indent + '  ');
      });
    } else {
      const init = mdl.initial.get(s.path);
      if (init) lines.push(`${indent}  [*] --> ${mid(mdl, init)}`);
      for (const k of kids) emitState(k, indent + '  ');
      for (const k of kids) if (k.kind === 'final') lines.push(`${indent}  ${mid(mdl, k.path)} --> [*]`);
    }
    emitEdges(s.path, indent + '  ');
    lines.push(`${indent}}`);
  };
  const emitEdges = (scope: string, indent: string) => {
    /* Edges are written in the innermost composite that holds both ends, so Mermaid nests them right. */
    for (const t of mdl.transitions) {
      const targets = t.targets.length ? t.targets : [t.source];
      const selfOnContainer = t.targets.length === 0 && (mdl.children.get(t.source)?.length ?? 0) > 0;
      if (selfOnContainer || t.source === '') continue;
      for (const target of targets) {
        if (commonScope(mdl, t.source, target) !== scope) continue;
        const st = steps.get(t.id);
        lines.push(`${indent}${mid(mdl, t.source)} --> ${mid(mdl, target)} : ${st ? stepText(st) : ''}${transitionText(t)}`);
      }
    }
  };
  const root = mdl.states.find((s) => s.path === '')!;
  const init = mdl.initial.get('');
  lines.push(`  [*] --> ${mid(mdl, init ?? '')}`);
  for (const k of mdl.children.get('') ?? []) emitState(k, '  ');
  emitEdges('', '  ');
  for (const k of mdl.children.get('') ?? []) if (k.kind === 'final') lines.push(`  ${mid(mdl, k.path)} --> [*]`);
  /* Transitions that stay in a compound state or in the machine: notes. */
  const containers = [root, ...mdl.states.filter((s) => s.path !== '' && (mdl.children.get(s.path)?.length ?? 0) > 0)];
  for (const c of containers) {
    const stay = mdl.transitions.filter((t) => t.source === c.path && (t.targets.length === 0 || c.path === ''));
    if (stay.length === 0) continue;
    const anchor = c.path === '' ? mid(mdl, init ?? '') : mid(mdl, c.path);
    const where = c.path === '' ? 'in every state' : `in ${c.path}`;
    const text = stay.map((t) => `${stepText(steps.get(t.id))}${transitionText(t)}${t.targets.length ? ` -> ${t.targets.join(', ')}` : ''}`).join('<br/>');
    notes.push(`  note right of ${anchor} : ${where}<br/>${text}`);
  }
  lines.push(...notes);
  if (seen.size > 0) {
    lines.push('  classDef visited fill:#ffe9a8,stroke:#c0392b,stroke-width:2px');
    for (const p of [...seen].sort()) if (p !== '' && (mdl.children.get(p)?.length ?? 0) === 0) lines.push(`  class ${mid(mdl, p)} visited`);
  }
  return lines.join('\n') + '\n';
}

function ancestors(mdl: Model, path: string): string[] {
  const out: string[] = [];
  let cur: string | null = path;
  while (cur !== null) {
    out.push(cur);
    cur = mdl.states.find((s) => s.path === cur)?.parent ?? null;
  }
  return out;
}

/** The innermost compound state containing both ends (not either end itself). */
function commonScope(mdl: Model, a: string, b: string): string {
  const aa = ancestors(mdl, a).slice(1);
  const bb = new Set(ancestors(mdl, b).slice(1));
  for (const x of aa) if (bb.has(x)) return x;
  return '';
}

/* ---- DOT ---- */

function did(path: string): string {
  return path === '' ? 'root' : `s_${path.replace(/\./g, '__')}`;
}

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** A node inside a compound state that edges to or from it attach to: its initial (or first) atomic descendant. */
function anchorOf(mdl: Model, path: string): string {
  let cur = path;
  for (;;) {
    const kids = mdl.children.get(cur);
    if (!kids || kids.length === 0) return cur;
    cur = mdl.initial.get(cur) ?? kids[0]!.path;
  }
}

/** Graphviz DOT source of a machine, optionally with a path highlighted. */
export function renderDot(name: MachineName | string, highlight?: Highlight): string {
  const mdl = model(name);
  const steps = stepsOf(highlight);
  const seen = visited(highlight, mdl);
  const out: string[] = [
    `digraph "${esc(mdl.name)}" {`,
    '  compound=true; rankdir=LR; newrank=true;',
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
    `  label="${esc(mdl.name)}"; labelloc=t; fontname="Helvetica";`,
    '  start [shape=circle, label="", width=0.15, style=filled, fillcolor="#000000"];',
  ];
  const isContainer = (p: string) => (mdl.children.get(p)?.length ?? 0) > 0;
  /* Compound states with transitions into their own descendants get an "any" point node. */
  const anyNodes = new Set<string>();
  for (const t of mdl.transitions) {
    if (t.source !== '' && isContainer(t.source) && t.targets.some((x) => ancestors(mdl, x).includes(t.source))) anyNodes.add(t.source);
  }
  const emit = (s: StateInfo, indent: string) => {
    const label = s.path.split('.').pop()!;
    const hl = seen.has(s.path);
    if (!isContainer(s.path)) {
      const shape = s.kind === 'final' ? ', peripheries=2' : '';
      out.push(`${indent}${did(s.path)} [label="${esc(label)}"${shape}${hl ? ', fillcolor="#ffe9a8", color="#c0392b", penwidth=2' : ''}];`);
      return;
    }
    out.push(`${indent}subgraph cluster_${did(s.path)} {`);
    out.push(`${indent}  label="${esc(label)}${s.kind === 'parallel' ? ' (parallel)' : ''}"; style="rounded${s.kind === 'parallel' ? ',dashed' : ''}"; color="${hl ? '#c0392b' : '#888888'}";`);
    for (const k of mdl.children.get(s.path) ?? []) emit(k, indent + '  ');
    if (anyNodes.has(s.path)) out.push(`${indent}  ${did(s.path)}__any [shape=point, width=0.08, xlabel="any", fontsize=8];`);
    const stay = mdl.transitions.filter((t) => t.source === s.path && t.targets.length === 0);
    if (stay.length > 0) {
      const text = stay.map((t) => `${stepText(steps.get(t.id))}${transitionText(t)}`).join('\\l') + '\\l';
      const hot = stay.some((t) => steps.has(t.id));
      out.push(`${indent}  ${did(s.path)}__note [shape=note, style=filled, fillcolor="${hot ? '#ffe9a8' : '#f4f4f4'}", fontsize=9, label="${esc(text).replace(/\\\\l/g, '\\l')}"];`);
    }
    out.push(`${indent}}`);
  };
  for (const k of mdl.children.get('') ?? []) emit(k, '  ');
  const rootStay = mdl.transitions.filter((t) => t.source === '');
  if (rootStay.length > 0) {
    const text = 'in every state:\\l' + rootStay.map((t) => `${stepText(steps.get(t.id))}${transitionText(t)}`).join('\\l') + '\\l';
    out.push(`  root__note [shape=note, style=filled, fillcolor="${rootStay.some((t) => steps.has(t.id)) ? '#ffe9a8' : '#f4f4f4'}", fontsize=9, label="${esc(text).replace(/\\\\l/g, '\\l')}"];`);
  }
  const init = mdl.initial.get('');
  if (init) out.push(`  start -> ${did(anchorOf(mdl, init))}${isContainer(init) ? ` [lhead=cluster_${did(init)}]` : ''};`);
  /*
   * Edges with the same ends are drawn once with one label line per
   * transition. A transition of a compound state into its own descendants
   * leaves from an "any" point inside the cluster (from any substate).
   */
  interface Edge {
    tail: string;
    head: string;
    attrs: string[];
    lines: string[];
    hot: boolean;
  }
  const edges = new Map<string, Edge>();
  for (const t of mdl.transitions) {
    if (t.source === '') continue;
    if (t.targets.length === 0 && isContainer(t.source)) continue;
    const targets = t.targets.length ? t.targets : [t.source];
    for (const target of targets) {
      const attrs: string[] = [];
      let tail: string;
      if (anyNodes.has(t.source) && ancestors(mdl, target).includes(t.source)) {
        tail = `${did(t.source)}__any`;
      } else {
        tail = did(anchorOf(mdl, t.source));
        if (isContainer(t.source)) attrs.push(`ltail=cluster_${did(t.source)}`);
      }
      if (isContainer(target) && target !== t.source && !ancestors(mdl, t.source).includes(target)) attrs.push(`lhead=cluster_${did(target)}`);
      const head = did(anchorOf(mdl, target));
      const key = `${tail} ${head} ${attrs.join(' ')}`;
      let e = edges.get(key);
      if (!e) edges.set(key, (e = { tail, head, attrs, lines: [], hot: false }));
      const st = steps.get(t.id);
      e.lines.push(`${st ? stepText(st) : ''}${transitionText(t)}`);
      if (st) e.hot = true;
    }
  }
  for (const e of edges.values()) {
    const attrs = [`label="${esc(e.lines.join('\n')).replace(/\\n/g, '\n')}"`, ...e.attrs];
    if (e.hot) attrs.push('color="#c0392b"', 'fontcolor="#c0392b"', 'penwidth=2.5');
    out.push(`  ${e.tail} -> ${e.head} [${attrs.join(', ')}];`);
  }
  out.push('}');
  return out.join('\n') + '\n';
}

/* ---- SVG ---- */

let graphviz: Promise<{ dot(src: string): string }> | null = null;

/** DOT to SVG with Graphviz compiled to WebAssembly. */
export async function renderSvg(dot: string): Promise<string> {
  if (!graphviz) graphviz = import('@hpcc-js/wasm-graphviz').then((m) => m.Graphviz.load());
  return (await graphviz).dot(dot);
}

/* ---- markdown ---- */

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The markdown page of a machine: description, Mermaid diagram, states and transitions. */
export function renderMarkdown(name: MachineName): string {
  const machine = MACHINES[name] as AnyStateMachine;
  const mdl = model(name);
  const root = mdl.states.find((s) => s.path === '')!;
  const out: string[] = [
    `# ${name}`,
    '',
    '<!-- Generated by `npm run diagrams` (spec/diagrams.ts) from spec/' + name + '.ts; do not edit. -->',
    '',
    root.description,
    '',
    `![${name}](${name}.svg)`,
    '',
    '```mermaid',
    renderMermaid(name).trimEnd(),
    '```',
    '',
    `## States (${mdl.states.length - 1})`,
    '',
    '| state | kind | what it means in the kernel |',
    '|---|---|---|',
    ...mdl.states.filter((s) => s.path !== '').map((s) => `| \`${s.path}\` | ${s.kind} | ${cell(s.description)} |`),
    '',
    `## Transitions (${mdl.transitions.length})`,
    '',
    '| id | transition | seed code it abstracts |',
    '|---|---|---|',
    ...mdl.transitions.map((t) => `| \`${t.id}\` | ${cell(t.label)} | ${cell(t.description)} |`),
    '',
  ];
  void machine;
  return out.join('\n');
}

export interface DiagramFiles {
  readonly md: string;
  readonly svg: string;
}

export async function renderDiagramFiles(name: MachineName): Promise<DiagramFiles> {
  return { md: renderMarkdown(name), svg: await renderSvg(renderDot(name)) };
}

/** Every diagram file (NAME.md, NAME.svg per machine in `dir`) with the text the machines give it now. */
async function diagramContents(dir: string): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const name of MACHINE_NAMES) {
    const f = await renderDiagramFiles(name);
    out.push({ path: join(dir, `${name}.md`), text: f.md }, { path: join(dir, `${name}.svg`), text: f.svg });
  }
  return out;
}

function onDisk(p: string): string | null {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

/** The diagram files that are missing or differ from what their machines give now. */
export async function staleDiagrams(dir = DIAGRAM_DIR): Promise<string[]> {
  return (await diagramContents(dir)).filter((d) => onDisk(d.path) !== d.text).map((d) => d.path);
}

/** Writes traces/diagrams/NAME.md and NAME.svg for every machine; returns the files written. */
export async function writeDiagrams(dir = DIAGRAM_DIR): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const d of await diagramContents(dir)) {
    if (onDisk(d.path) === d.text) continue;
    writeFileSync(d.path, d.text);
    written.push(d.path);
  }
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeDiagrams().then(
    (w) => console.log(w.length ? `wrote ${w.map((p) => p.replace(process.cwd() + '/', '')).join(', ')}` : 'diagrams up to date'),
    (e: unknown) => {
      console.error(`diagrams: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
