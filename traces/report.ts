/*
 * The HTML report: one self-contained static file (no network, no external
 * script or style) with
 *  - the run summary, when the report follows a run;
 *  - the lifecycle diagrams of the spec machines (inline SVG, the committed
 *    traces/diagrams/NAME.svg);
 *  - spec transition coverage per machine;
 *  - the coverage map of the C: vnode_pager.c with, per line, the explored
 *    executions that reached it (per scenario on hover and click),
 *    preemption points, KASSERTs, the branches and what was not reached;
 *  - every counterexample as a step-through: next / previous step, the
 *    threads side by side, the seed function and line of the step, the C
 *    around it (the line highlighted) beside the port's TypeScript line that
 *    cites it, the kernel fields the step changed (derived by replaying the
 *    trace, kstate.ts), its kernel events, and the spec machines' states
 *    after it; with its lifecycle diagrams highlighted and its text and
 *    Mermaid renderings.
 * The page works without script too (every step is in a static table); the
 * script only moves the cursor and fills the detail panel.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { MACHINE_NAMES } from '../spec/catalog.ts';
import { DIAGRAM_DIR } from '../spec/diagrams.ts';
import { opText } from '../properties/scenario.ts';
import type { CoverageData } from './coverage.ts';
import { cSummaryLine, lineViews, rangesText, unreachedLines, type CCoverageData } from './ccoverage.ts';
import { changeText, kernelStates, diffSnapshots, type KChange, type KStates } from './kstate.ts';
import { foundText, moveText, renderLifecycleSvgs, renderSequence, renderText, stepC, traceTitle, violationText, violationThread } from './render.ts';
import { PORT_FILE, portLine, portLinesCiting, seedContext, seedFunctionAt, whereText } from './seedmap.ts';
import type { Trace } from './trace.ts';

export interface SummaryRow {
  readonly scenario: string;
  readonly variant: string;
  readonly strategy: string;
  readonly executions: number;
  readonly complete: boolean;
  readonly stopReason: string;
  readonly ms: number;
  readonly result: string;
}

export interface ReportInput {
  readonly title?: string;
  /** One line under the title (what was run). */
  readonly subtitle?: string;
  readonly summary?: readonly SummaryRow[];
  readonly coverage?: readonly CoverageData[];
  /** Coverage of the C (traces/ccoverage.ts): the main job's, or coverage --c's. */
  readonly ccoverage?: CCoverageData;
  /** Trace files and their traces, in the order to show. */
  readonly traces: readonly { readonly file: string; readonly trace: Trace }[];
  /** Where the lifecycle SVGs are (default traces/diagrams/). */
  readonly diagramDir?: string;
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An SVG file's markup without its XML prolog and doctype, for inlining. */
export function inlineSvg(svg: string): string {
  return svg
    .replace(/<\?xml[^>]*\?>\s*/g, '')
    .replace(/<!DOCTYPE[^>]*>\s*/gi, '')
    .replace(/<!--[\s\S]*?-->\s*/g, '')
    .trim();
}

/** JSON safe inside <script>. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

interface StepView {
  readonly thread: string;
  readonly label: string;
  readonly where: string;
  readonly seed: string;
  /** Seed line of the step, or null. */
  readonly line: number | null;
  /** The C around the seed line, inside its function: [line, text]. */
  readonly c: readonly (readonly [number, string])[];
  /** The port's lines citing the seed line: [line, text]. */
  readonly port: readonly (readonly [number, string])[];
  /** Kernel fields the step changed ("obj1.ref_count 1 -> 2"); null when the kernel state could not be derived. */
  readonly kernel: readonly string[] | null;
  /** The kernel state after the step, [key, value], and the keys the step changed. */
  readonly kstate: readonly (readonly [string, string])[] | null;
  readonly kchanged: readonly string[];
  readonly events: readonly string[];
  readonly moves: readonly string[];
  readonly states: readonly (readonly [string, string])[];
  readonly changed: readonly string[];
}

/** The kernel states of a trace, or the reason they cannot be had (a schedule that no longer fits the code). */
export function tryKernelStates(t: Trace): KStates | string {
  try {
    return kernelStates(t);
  } catch (e) {
    return (e as Error).message.split('\n')[0]!;
  }
}

/** Per step, what the detail panel shows: the step, its C and port line, what it changed in the kernel, and the machine states after it. */
export function stepViews(t: Trace, ks: KStates | string = tryKernelStates(t)): StepView[] {
  const states = new Map<string, string>(Object.entries(t.setup.states));
  const diffs: KChange[][] | null = typeof ks === 'string' ? null : ks.steps.map((snap, i) => diffSnapshots(i === 0 ? ks.setup : ks.steps[i - 1]!, snap));
  return t.steps.map((s, i) => {
    const changed: string[] = [];
    for (const m of s.spec) {
      const key = `${m.machine}/${m.instance}`;
      if (states.get(key) !== m.to) changed.push(key);
      states.set(key, m.to);
    }
    const fn = s.line !== undefined ? seedFunctionAt(s.line) : null;
    return {
      thread: t.threads[s.tid] ?? `#${s.tid}`,
      label: s.label,
      where: whereText(s),
      seed: s.line !== undefined ? `${fn ?? 'outside any function'}, seed line ${s.line}` : `not in the seed${s.fn !== undefined ? ` (${s.fn})` : ''}`,
      events: s.events,
      moves: s.spec.map((m) => moveText(m) ?? `${m.machine} ${m.instance}: stays ${m.to} (${m.transitions.join(', ') || m.event})`),
      states: [...states].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      changed: [...new Set(changed)],
      line: s.line ?? null,
      c: s.line !== undefined ? seedContext(s.line).map((x) => [x.line, x.text] as const) : [],
      port: s.line !== undefined ? portLinesCiting(s.line).map((n) => [n, portLine(n)] as const) : [],
      kernel: diffs ? diffs[i]!.map(changeText) : null,
      kstate: typeof ks === 'string' ? null : [...ks.steps[i]!],
      kchanged: diffs ? diffs[i]!.map((d) => d.key) : [],
    };
  });
}

function summarySection(rows: readonly SummaryRow[]): string {
  const body = rows
    .map(
      (r) =>
        `<tr class="${r.result.startsWith('ok') ? 'ok' : r.result.startsWith('ERROR') ? 'err' : r.result.endsWith('; expected)') ? 'exp' : 'bad'}"><td>${esc(r.scenario)}</td><td>${esc(r.variant)}</td><td>${esc(r.strategy)}</td><td class="num">${r.executions}</td><td>${r.complete ? 'complete' : esc(r.stopReason)}</td><td class="num">${(r.ms / 1000).toFixed(1)} s</td><td>${esc(r.result)}</td></tr>`,
    )
    .join('\n');
  return `<section id="summary"><h2>Runs</h2>
<table class="grid"><thead><tr><th>scenario</th><th>variant</th><th>strategy</th><th>executions</th><th>explored</th><th>time</th><th>result</th></tr></thead>
<tbody>
${body}
</tbody></table></section>`;
}

function diagramsSection(dir: string): string {
  const parts: string[] = [];
  for (const name of MACHINE_NAMES) {
    const f = join(dir, `${name}.svg`);
    if (!existsSync(f)) {
      parts.push(`<figure class="diagram" data-machine="${name}"><figcaption>${name}</figcaption><p class="missing">no diagram at ${esc(f)} (run <code>pagercheck diagrams</code>)</p></figure>`);
      continue;
    }
    parts.push(`<figure class="diagram" data-machine="${name}"><figcaption>${name}</figcaption>${inlineSvg(readFileSync(f, 'utf8'))}</figure>`);
  }
  return `<section id="diagrams"><h2>Lifecycle diagrams</h2>
<p>Generated from the spec machines (spec/), the oracle every execution is checked against in lock-step.</p>
${parts.join('\n')}
</section>`;
}

function coverageSection(covs: readonly CoverageData[]): string {
  if (covs.length === 0)
    return `<section id="coverage"><h2>Transition coverage</h2><p class="missing">No coverage data: run <code>pagercheck</code> (coverage seen while exploring the catalog) or <code>pagercheck coverage</code> (covering paths of every machine driven on the port) first.</p></section>`;
  const blocks = covs.map((c) => {
    const rows = c.machines
      .map((m) => {
        const pct = m.transitions.total ? Math.round((100 * m.transitions.covered.length) / m.transitions.total) : 100;
        const missing = m.transitions.missing.length ? `<details><summary>${m.transitions.missing.length} not covered</summary><ul>${m.transitions.missing.map((id) => `<li><code>${esc(id)}</code></li>`).join('')}</ul></details>` : 'all covered';
        const counts = m.counts
          ? `<details><summary>counts</summary><table class="grid small">${Object.entries(m.counts)
              .map(([id, n]) => `<tr><td><code>${esc(id)}</code></td><td class="num">${n}</td></tr>`)
              .join('')}</table></details>`
          : '';
        return `<tr data-machine="${esc(m.machine)}"><td>${esc(m.machine)}</td><td class="num">${m.transitions.covered.length}/${m.transitions.total}</td><td><div class="bar"><div style="width:${pct}%"></div></div></td><td class="num">${m.states.covered.length}/${m.states.total}</td><td>${missing}${counts}</td></tr>`;
      })
      .join('\n');
    return `<h3>${c.source === 'catalog' ? 'Seen while exploring' : 'Covering paths driven on the port'}</h3><p>${esc(c.what)}</p>
<table class="grid coverage" data-source="${c.source}"><thead><tr><th>machine</th><th>transitions</th><th></th><th>states</th><th>not covered</th></tr></thead><tbody>
${rows}
</tbody></table>`;
  });
  return `<section id="coverage"><h2>Transition coverage</h2>\n${blocks.join('\n')}\n</section>`;
}

function cCoverageSection(d: CCoverageData | undefined): string {
  if (d === undefined)
    return `<section id="ccoverage"><h2>Coverage of the C</h2><p class="missing">No C coverage data: run <code>pagercheck</code> or <code>pagercheck coverage --c</code> first.</p></section>`;
  const views = lineViews(d);
  const rows: string[] = [];
  const perLine: Record<string, number[]> = {};
  for (const v of views) {
    if (v.fn === null) continue;
    const cls = v.unreached ? 'unreached' : (v.executions ?? 0) > 0 || (v.hits ?? 0) > 0 || v.kassert?.state === 'reached' || v.kassert?.state === 'failed' ? 'reached' : 'none';
    const ex = v.executions === null ? '' : String(v.executions);
    const k = v.kassert === null ? '' : v.kassert.state === 'failed' ? `failed ${v.kassert.failed}` : v.kassert.state === 'reached' ? 'reached' : v.kassert.state === 'not reached' ? 'not reached' : '?';
    let title = '';
    if ((v.executions ?? 0) > 0) {
      perLine[String(v.line)] = [...v.byRun];
      title = v.byRun
        .map((n, i) => [d.runs[i]!.name, n] as const)
        .filter(([, n]) => n > 0)
        .map(([r, n]) => `${r}: ${n}`)
        .join('\n');
    }
    rows.push(
      `<tr data-line="${v.line}" class="${cls}${v.preemptions > 0 ? ' preempt' : ''}"${title ? ` title="${esc(title)}"` : ''}><td class="num ln">${v.line}</td><td class="num ex">${ex}</td><td class="num pp">${v.preemptions || ''}</td><td class="ka">${k}</td><td class="num hits">${v.hits ?? ''}</td><td class="src"><code>${esc(v.text.replace(/\t/g, '    '))}</code></td></tr>`,
    );
  }
  const un = unreachedLines(d);
  const branches = d.branches
    ? `<details data-testid="c-branches"><summary>Branches: the ifs of the ported functions (${d.branches.filter((b) => b.taken > 0 && b.evaluated > b.taken).length} of ${d.branches.length} taken both ways)</summary><table class="grid small"><thead><tr><th>function:line</th><th>condition (port)</th><th>then</th><th>else</th></tr></thead><tbody>${d.branches
        .map((b) => `<tr class="${b.taken > 0 && b.evaluated > b.taken ? 'both' : 'one'}"><td>${esc(`${b.fn}${b.near !== null ? `:${b.near}` : ''}`)}</td><td><code>${esc(b.cond)}</code></td><td class="num">${b.taken}</td><td class="num">${b.evaluated - b.taken}</td></tr>`)
        .join('')}</tbody></table></details>`
    : '<p>Branches and KASSERTs reached: run <code>pagercheck coverage --c</code> (V8 block coverage of the port).</p>';
  return `<section id="ccoverage"><h2>Coverage of the C</h2>
<p data-testid="c-summary">${esc(cSummaryLine(d).trim())}</p>
<p>${esc(d.what)}. <b>execs</b>: explored executions with a step at the line (exact, scheduling points); <b>P</b>: executions in which a ready thread was preempted there; <b>KASSERT</b>: reached, failed (executions) or not reached; <b>hits</b>: V8 block entries of the port's code citing the line. Hover a line for its executions per scenario, click it for the list.</p>
${branches}
<details data-testid="c-unreached"><summary>Not reached (${un.reduce((a, [, l]) => a + l.length, 0)} lines)</summary><ul>${un.map(([r, ls]) => `<li><code>${esc(rangesText(ls))}</code>: ${esc(r)}</li>`).join('')}</ul></details>
<div class="ccov-body"><div class="scroll ccov-scroll"><table class="ccov" data-testid="c-map"><thead><tr><th>line</th><th>execs</th><th>P</th><th>KASSERT</th><th>hits</th><th>${esc(d.seed.file)}</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div>
<aside class="cdetail" data-testid="c-detail">Click a line.</aside></div>
<script type="application/json" class="ccov-data">${scriptJson({ runs: d.runs.map((r) => r.name), lines: perLine })}</script>
</section>`;
}

async function traceSection(file: string, t: Trace, index: number): Promise<string> {
  const ks = tryKernelStates(t);
  const views = stepViews(t, ks);
  const tids = [...new Set(t.steps.map((s) => s.tid))].sort((a, b) => a - b);
  const v = t.counterexample.violation;
  const vt = violationThread(t);
  const head = `<tr><th>step</th>${tids.map((tid) => `<th>${esc(t.threads[tid] ?? `#${tid}`)}</th>`).join('')}</tr>`;
  const rows = t.steps
    .map((s, i) => {
      const cells = tids
        .map((tid) => {
          if (tid !== s.tid) return '<td></td>';
          const where = whereText(s);
          const moves = s.spec.map(moveText).filter((x): x is string => x !== null);
          const c = stepC(s);
          const kd = views[i]!.kernel ?? [];
          return `<td class="op"><div class="label">${esc(s.label)}</div>${where ? `<div class="where">${esc(where)}</div>` : ''}${c ? `<div class="c"><code>${esc(c)}</code></div>` : ''}${moves.map((m) => `<div class="move">${esc(m)}</div>`).join('')}${kd.map((m) => `<div class="kd">${esc(m)}</div>`).join('')}</td>`;
        })
        .join('');
      return `<tr data-step="${i}"><td class="num">${i}</td>${cells}</tr>`;
    })
    .join('\n');
  const lifecycle = await renderLifecycleSvgs(t);
  const figs = lifecycle.map((d) => `<figure class="diagram" data-machine="${d.machine}"><figcaption>${d.machine}</figcaption>${inlineSvg(d.svg)}</figure>`).join('\n');
  const dropped = new Set(t.counterexample.dropped ?? []);
  const threads = t.scenario.threads.map((th) => `<li><b>${esc(th.name)}</b>: ${esc(th.ops.map(opText).join('; '))}${dropped.has(th.name) ? ' <i>(dropped: not needed for the violation)</i>' : ''}</li>`).join('');
  const last = Math.max(0, t.steps.length - 1);
  return `<section class="cex" id="cex-${index}" data-file="${esc(file)}" data-steps="${t.steps.length}">
<h3>${esc(traceTitle(t))}</h3>
<p class="violation" data-testid="violation">${esc(violationText(v))}</p>
<p class="desc">${esc(t.scenario.description)}</p>
<ul class="ops">${threads}</ul>
<p class="found">${esc(foundText(t))}. File: <code>${esc(file)}</code> (<code>pagercheck replay ${esc(file)}</code>).</p>
${t.specNote ? `<p class="note">The spec (not a checked property in this run) diverged first at step ${t.specNote.step}: ${esc(t.specNote.machine)}: ${esc(t.specNote.message)}</p>` : ''}
<div class="controls">
<button type="button" data-act="first" title="first step">&laquo; first</button>
<button type="button" data-act="prev" title="previous step (left arrow)">&#x25C0; previous</button>
<span class="counter" data-testid="step-counter">step 0 of ${last}</span>
<button type="button" data-act="next" title="next step (right arrow)">next &#x25B6;</button>
<button type="button" data-act="last" title="the violating step">last &raquo;</button>
</div>
<div class="cex-body">
<div class="scroll"><table class="threads grid">
<thead>${head}</thead>
<tbody>
${rows}
</tbody></table></div>
<aside class="detail">
<h4>This step</h4>
<div class="now" data-testid="now"></div>
<div class="seed" data-testid="seed-line"></div>
<div class="code">
<div class="cpane"><div class="pane-title">${esc('vnode_pager.c')}</div><pre data-testid="c-pane"></pre></div>
<div class="tspane"><div class="pane-title">${esc(PORT_FILE)}</div><pre data-testid="ts-line"></pre></div>
</div>
<h4>Kernel state changed by this step</h4><ul class="kdiff" data-testid="kernel-diff"></ul>
${typeof ks === 'string' ? `<p class="note">The kernel state could not be derived: ${esc(ks)}</p>` : ''}
<details class="kstate"><summary>Kernel state after this step</summary><table class="grid small" data-testid="kstate"><tbody></tbody></table></details>
<h4>Kernel events</h4><ul class="events" data-testid="events"></ul>
<h4>Spec machines after this step</h4>
<table class="states grid small" data-testid="states"><tbody></tbody></table>
<div class="end" data-testid="end"></div>
</aside>
</div>
<details><summary>Lifecycle diagrams with this path highlighted</summary>
${figs || '<p>No spec machine moved in this trace.</p>'}
</details>
<details><summary>Text rendering</summary><pre>${esc(renderText(t))}</pre></details>
<details><summary>Mermaid sequence diagram</summary><pre>${esc(renderSequence(t))}</pre></details>
<script type="application/json" class="cex-data">${scriptJson({ steps: views, violation: violationText(v), violationStep: v.kind === 'final' || v.kind === 'deadlock' || v.kind === 'step-bound' ? last : Math.min(v.step, last), violationThread: vt !== null ? (t.threads[vt] ?? null) : null })}</script>
</section>`;
}

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0 auto;max-width:1400px;padding:1em 2em;color:#222;line-height:1.35}
h1{margin-bottom:0}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
pre{background:#f6f6f6;padding:.8em;overflow:auto}
table.grid{border-collapse:collapse}table.grid td,table.grid th{border:1px solid #ddd;padding:3px 6px;vertical-align:top;text-align:left}
table.small{font-size:12px}.num{text-align:right;font-variant-numeric:tabular-nums}
tr.ok td:last-child{color:#17662e}tr.exp td:last-child{color:#8a4b00}tr.bad td:last-child{color:#b3261e;font-weight:600}tr.err td:last-child{color:#8a4b00;font-weight:600}
.diagram{display:inline-block;vertical-align:top;margin:.5em;border:1px solid #eee;padding:.5em;max-width:100%;overflow:auto}
.diagram svg{max-width:100%;height:auto}figcaption{font-weight:600}
.bar{width:120px;height:10px;background:#eee}.bar div{height:10px;background:#3b7d3b}
.cex{border:1px solid #ccc;border-radius:6px;padding:.5em 1em;margin:1.5em 0}
.violation{color:#b3261e;font-weight:600}.desc{color:#555}.note{color:#8a4b00}
.controls{position:sticky;top:0;background:#fff;padding:.4em 0;z-index:2}
.controls button{font-size:14px;padding:.2em .7em;margin-right:.3em}.counter{display:inline-block;min-width:9em;text-align:center;font-weight:600}
.cex-body{display:flex;gap:1em;align-items:flex-start}.scroll{max-height:70vh;overflow:auto;flex:1 1 auto}
table.threads td.op{min-width:16em}table.threads .where{color:#555;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
table.threads .move{color:#1b5e9e;font-size:12px}
table.threads tr.current td{background:#ffe9a8}table.threads tr.future td{opacity:.35}
table.threads tr.violating td.op{outline:2px solid #b3261e}
aside.detail{flex:0 0 26em;position:sticky;top:3em;font-size:13px}aside h4{margin:.6em 0 .2em}
.seed{font-family:ui-monospace,Menlo,Consolas,monospace}
table.threads .c code{color:#5b2a86;font-size:11px}table.threads .kd{color:#2e6b2e;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11px}
.code{display:flex;gap:.5em;align-items:stretch;margin-top:.4em}.code pre{margin:0;padding:.4em;font-size:11px;white-space:pre;overflow:auto}
.cpane{flex:3 1 0;min-width:0}.tspane{flex:2 1 0;min-width:0}.pane-title{font-size:11px;color:#555}
.cpane .cl{display:block}.cpane .cl.current{background:#ffe9a8;font-weight:600}.cpane .ln{color:#999;display:inline-block;min-width:3.5em;user-select:none}
ul.kdiff li{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#2e6b2e}
details.kstate tr.changed td{background:#dff0d8;font-weight:600}
table.states tr.changed td{background:#dff0d8;font-weight:600}.end{margin-top:.6em;color:#b3261e;font-weight:600}
.missing{color:#8a4b00}
.ccov-body{display:flex;gap:1em;align-items:flex-start}.ccov-scroll{max-height:80vh}
table.ccov{border-collapse:collapse;font-size:12px}table.ccov td{padding:0 6px;white-space:pre;vertical-align:top}
table.ccov td.src code{font-size:12px}table.ccov tr.reached td.ex,table.ccov tr.reached td.hits{background:#dff0d8}
table.ccov tr.unreached td{background:#f9d6d5}table.ccov tr.preempt td.pp{background:#ffe9a8}table.ccov tr.selected td{outline:1px solid #1b5e9e}
table.ccov td.ln{color:#999}aside.cdetail{flex:0 0 22em;position:sticky;top:1em;font-size:13px}
`;

const SCRIPT = `
(function(){
  function text(el, s){ el.textContent = s; }
  document.querySelectorAll('section.cex').forEach(function(sec){
    var data = JSON.parse(sec.querySelector('script.cex-data').textContent);
    var steps = data.steps, n = steps.length, cur = 0;
    var rows = sec.querySelectorAll('table.threads tbody tr');
    function show(i){
      cur = Math.max(0, Math.min(n - 1, i));
      rows.forEach(function(r, j){
        r.classList.toggle('current', j === cur);
        r.classList.toggle('future', j > cur);
        r.classList.toggle('violating', j === data.violationStep && cur === data.violationStep);
      });
      var s = steps[cur];
      text(sec.querySelector('.counter'), 'step ' + cur + ' of ' + (n - 1));
      text(sec.querySelector('.now'), s.thread + ' runs ' + s.label + (s.where ? ' at ' + s.where : ''));
      text(sec.querySelector('.seed'), s.seed);
      var cp = sec.querySelector('[data-testid="c-pane"]'); cp.innerHTML = '';
      s.c.forEach(function(l){
        var span = document.createElement('span'); span.className = 'cl' + (l[0] === s.line ? ' current' : ''); span.setAttribute('data-line', l[0]);
        var ln = document.createElement('span'); ln.className = 'ln'; ln.textContent = String(l[0]);
        span.appendChild(ln); span.appendChild(document.createTextNode(l[1])); cp.appendChild(span);
      });
      if (!s.c.length) cp.textContent = '(not in the seed)';
      var tp = sec.querySelector('[data-testid="ts-line"]'); tp.innerHTML = '';
      s.port.forEach(function(l){
        var span = document.createElement('span'); span.className = 'cl'; span.setAttribute('data-line', l[0]);
        var ln = document.createElement('span'); ln.className = 'ln'; ln.textContent = String(l[0]);
        span.appendChild(ln); span.appendChild(document.createTextNode(l[1])); tp.appendChild(span); tp.appendChild(document.createTextNode('\\n'));
      });
      if (!s.port.length) tp.textContent = s.line === null ? '(a kernel routine outside the port)' : '(no port line cites seed line ' + s.line + ')';
      var kd = sec.querySelector('.kdiff'); kd.innerHTML = '';
      (s.kernel || []).forEach(function(e){ var li = document.createElement('li'); li.textContent = e; kd.appendChild(li); });
      if (!kd.children.length) { var li0 = document.createElement('li'); li0.textContent = s.kernel ? '(nothing)' : '(not available)'; kd.appendChild(li0); }
      var kt = sec.querySelector('[data-testid="kstate"] tbody'); kt.innerHTML = '';
      (s.kstate || []).forEach(function(kv){
        var tr = document.createElement('tr'); tr.setAttribute('data-key', kv[0]);
        if (s.kchanged.indexOf(kv[0]) >= 0) tr.className = 'changed';
        var a = document.createElement('td'); a.textContent = kv[0];
        var b = document.createElement('td'); b.textContent = kv[1];
        tr.appendChild(a); tr.appendChild(b); kt.appendChild(tr);
      });
      var ev = sec.querySelector('.events'); ev.innerHTML = '';
      s.events.concat(s.moves.map(function(m){ return 'spec: ' + m; })).forEach(function(e){ var li = document.createElement('li'); li.textContent = e; ev.appendChild(li); });
      if (!ev.children.length) { var li = document.createElement('li'); li.textContent = '(none)'; ev.appendChild(li); }
      var tb = sec.querySelector('.states tbody'); tb.innerHTML = '';
      s.states.forEach(function(kv){
        var tr = document.createElement('tr'); tr.setAttribute('data-key', kv[0]);
        if (s.changed.indexOf(kv[0]) >= 0) tr.className = 'changed';
        var a = document.createElement('td'); a.textContent = kv[0];
        var b = document.createElement('td'); b.className = 'state'; b.textContent = kv[1];
        tr.appendChild(a); tr.appendChild(b); tb.appendChild(tr);
      });
      text(sec.querySelector('.end'), cur === data.violationStep ? 'Violation' + (data.violationThread ? ' (' + data.violationThread + ')' : '') + ': ' + data.violation : '');
      var r = rows[cur]; if (r && r.scrollIntoView && document.readyState === 'complete') r.scrollIntoView({block: 'nearest'});
    }
    sec.querySelectorAll('.controls button').forEach(function(b){
      b.addEventListener('click', function(){
        var a = b.getAttribute('data-act');
        show(a === 'next' ? cur + 1 : a === 'prev' ? cur - 1 : a === 'first' ? 0 : data.violationStep);
      });
    });
    sec.tabIndex = 0;
    sec.addEventListener('keydown', function(e){
      if (e.key === 'ArrowRight') { show(cur + 1); e.preventDefault(); }
      if (e.key === 'ArrowLeft') { show(cur - 1); e.preventDefault(); }
    });
    rows.forEach(function(r, j){ r.addEventListener('click', function(){ show(j); }); });
    show(0);
  });
  var cc = document.querySelector('script.ccov-data');
  if (cc) {
    var cd = JSON.parse(cc.textContent), panel = document.querySelector('[data-testid="c-detail"]');
    document.querySelectorAll('table.ccov tbody tr').forEach(function(tr){
      tr.addEventListener('click', function(){
        document.querySelectorAll('table.ccov tr.selected').forEach(function(x){ x.classList.remove('selected'); });
        tr.classList.add('selected');
        var line = tr.getAttribute('data-line'), per = cd.lines[line];
        panel.innerHTML = '';
        var h = document.createElement('h4'); h.textContent = 'seed line ' + line; panel.appendChild(h);
        if (!per) { var p = document.createElement('p'); p.textContent = tr.classList.contains('unreached') ? 'not reached by any execution' : 'no step is made at this line'; panel.appendChild(p); return; }
        var ul = document.createElement('ul');
        per.forEach(function(n, i){ if (n > 0) { var li = document.createElement('li'); li.setAttribute('data-run', cd.runs[i]); li.textContent = cd.runs[i] + ': ' + n; ul.appendChild(li); } });
        panel.appendChild(ul);
      });
    });
  }
})();
`;

/** The report as one HTML document. */
export async function buildReport(input: ReportInput): Promise<string> {
  const title = input.title ?? 'pagercheck report';
  const sections: string[] = [];
  if (input.summary && input.summary.length) sections.push(summarySection(input.summary));
  const cexList = input.traces.length
    ? `<ul>${input.traces.map((x, i) => `<li><a href="#cex-${i}">${esc(traceTitle(x.trace))}</a>: ${esc(violationText(x.trace.counterexample.violation))}</li>`).join('')}</ul>`
    : '<p>No counterexamples.</p>';
  const cexSections: string[] = [];
  for (let i = 0; i < input.traces.length; i++) cexSections.push(await traceSection(input.traces[i]!.file, input.traces[i]!.trace, i));
  sections.push(`<section id="counterexamples"><h2>Counterexamples (${input.traces.length})</h2>\n${cexList}\n${cexSections.join('\n')}\n</section>`);
  sections.push(cCoverageSection(input.ccoverage));
  sections.push(coverageSection(input.coverage ?? []));
  sections.push(diagramsSection(input.diagramDir ?? DIAGRAM_DIR));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(title)}</h1>
${input.subtitle ? `<p class="subtitle">${esc(input.subtitle)}</p>` : ''}
<p>Model checking of FreeBSD's vnode pager (<code>sys/vm/vnode_pager.c</code>, 2017 seed). Each counterexample is a schedule of the scenario's kernel threads that ends in a violation; step through it with the buttons (or the arrow keys once the counterexample has focus).</p>
<nav><a href="#counterexamples">counterexamples</a> · <a href="#ccoverage">coverage of the C</a> · <a href="#coverage">coverage</a> · <a href="#diagrams">lifecycle diagrams</a>${input.summary && input.summary.length ? ' · <a href="#summary">runs</a>' : ''}</nav>
${sections.join('\n')}
<script>${SCRIPT}</script>
</body>
</html>
`;
}
