import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { violationKey } from '../checker/counterexample.ts';
import { SEED_FUNCTIONS, seedFunctionAt, whereText } from './seedmap.ts';
import { TraceError, compactJson, loadTrace, parseTrace, pinnedCounterexampleFiles, pinnedTraceFiles, replayTrace, traceText, type Trace } from './trace.ts';
import { parseCounterexample } from '../checker/counterexample.ts';
import { lifecycleHighlights, renderLifecycle, renderSequence, renderText, resourceOwner } from './render.ts';
import { renderMermaid } from '../spec/diagrams.ts';
import { stepBoundTrace } from './testkit.ts';

describe('seed map', () => {
  it('covers the 22 seed functions in order, without overlap', () => {
    expect(SEED_FUNCTIONS).toHaveLength(22);
    for (let i = 1; i < SEED_FUNCTIONS.length; i++) expect(SEED_FUNCTIONS[i]!.first).toBeGreaterThan(SEED_FUNCTIONS[i - 1]!.last);
    for (const f of SEED_FUNCTIONS) expect(f.last).toBeGreaterThanOrEqual(f.first);
  });

  it('maps a seed line to its function, and lines between functions to none', () => {
    expect(seedFunctionAt(110)).toBe('vnode_create_vobject');
    expect(seedFunctionAt(155)).toBe('vnode_create_vobject');
    expect(seedFunctionAt(156)).toBeNull();
    expect(seedFunctionAt(365)).toBe('vnode_pager_haspage');
    expect(seedFunctionAt(738)).toBe('vnode_pager_generic_getpages');
    expect(seedFunctionAt(1056)).toBe('vnode_pager_generic_getpages');
    expect(seedFunctionAt(1422)).toBe('vnode_pager_release_writecount');
    expect(seedFunctionAt(1423)).toBeNull();
    expect(seedFunctionAt(1)).toBeNull();
    for (const f of SEED_FUNCTIONS) for (const l of [f.first, (f.first + f.last) >> 1, f.last]) expect(seedFunctionAt(l)).toBe(f.name);
  });

  it('says where a step runs', () => {
    expect(whereText({ line: 347, fn: 'ufs_bmap' })).toBe('vnode_pager_haspage:347');
    expect(whereText({ line: 100 })).toBe('seed line 100');
    expect(whereText({ fn: 'vm_fault' })).toBe('(vm_fault)');
    expect(whereText({})).toBe('');
  });
});

describe('trace files', () => {
  const trace = stepBoundTrace(30);
  const text = traceText(trace);

  it('records each step with its seed line, events and spec moves', () => {
    expect(trace.format).toBe('pagercheck-trace');
    expect(trace.version).toBe(1);
    expect(trace.counterexample.violation.kind).toBe('step-bound');
    expect(trace.steps).toHaveLength(30);
    expect(trace.steps.map((s) => s.label)).toEqual(trace.counterexample.schedule.map((s) => s.label));
    expect(trace.steps.some((s) => s.line !== undefined && seedFunctionAt(s.line) === 'vnode_pager_alloc')).toBe(true);
    expect(trace.steps.some((s) => s.events.length > 0)).toBe(true);
    expect(trace.steps.some((s) => s.spec.some((m) => m.machine === 'objectLifecycle' && m.from !== m.to))).toBe(true);
    expect(Object.keys(trace.setup.states)).toContain('objectLifecycle/vp1');
  });

  it('loads what it saves, byte for byte', () => {
    const back = parseTrace(text, 'mem');
    expect(traceText(back)).toBe(text);
    expect(back).toEqual(trace);
  });

  it('replays to the same violation and the same steps', () => {
    const r = replayTrace(parseTrace(text));
    expect(r.sameViolation).toBe(true);
    expect(r.firstDifference).toBeNull();
    expect(traceText(r.recorded.trace)).toBe(text);
  });

  it('notices a replay that does not do what the file says', () => {
    const edited = JSON.parse(text) as { steps: { events: string[] }[] };
    edited.steps[4]!.events = ['OBJ_DEAD obj9'];
    const r = replayTrace(parseTrace(edited));
    expect(r.sameViolation).toBe(true);
    expect(r.firstDifference).toMatch(/^step 4 \(T\d .*\): events was \["OBJ_DEAD obj9"\], the replay has /);
  });

  const bad: [string, (t: Record<string, any>) => unknown, RegExp][] = [
    ['another format', (t) => ({ ...t, format: 'something' }), /^f: format: expected "pagercheck-trace" \(or "pagercheck-counterexample"\), found "something"$/],
    ['a newer version', (t) => ({ ...t, version: 2 }), /^f: version: unsupported version 2; accepted: 1$/],
    ['a step whose tid is text', (t) => ({ ...t, steps: t.steps.map((s: object, i: number) => (i === 3 ? { ...s, tid: 'one' } : s)) }), /^f: steps\[3\]\.tid: .*expected number/],
    ['a missing field', (t) => ({ ...t, checks: undefined }), /^f: checks: .*expected object/],
    ['an unknown field', (t) => ({ ...t, extra: 1 }), /^f: \(top level\): .*"extra"/],
    ['a bad violation kind', (t) => ({ ...t, counterexample: { ...t.counterexample, violation: { kind: 'oops' } } }), /^f: counterexample\.violation\.kind: /],
    ['a bad scenario', (t) => ({ ...t, scenario: { ...t.scenario, fs: { flavor: 'zfs', f_iosize: 4096 } } }), /^f: scenario: fs\.flavor: .*"block"\|"small"\|"nobmap"/],
    ['not an object', () => [1, 2], /^f: expected a JSON object with "format": "pagercheck-trace"$/],
  ];
  it.each(bad)('rejects %s with one line naming the field', (_what, edit, msg) => {
    const v = edit(JSON.parse(text));
    let err: unknown;
    try {
      parseTrace(v, 'f');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TraceError);
    const m = (err as Error).message;
    expect(m).toMatch(msg);
    expect(m).not.toContain('\n');
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseTrace('{"format": ', 'f')).toThrow(/^f: not JSON \(.*\); accepted: a pagercheck trace file \(\*\.trace\.json\)$/);
  });

  it('records a bare counterexample of a catalog scenario', () => {
    const cex = { ...trace.counterexample, scenario: 'no-such-scenario' };
    expect(() => parseTrace(cex, 'f')).toThrow(/^f: scenario: unknown scenario "no-such-scenario"; accepted: /);
  });

  it('writes values on one line when they fit', () => {
    expect(compactJson({ a: [1, 2], b: { c: 'x' } })).toBe('{"a":[1,2],"b":{"c":"x"}}');
    const long = compactJson({ a: 'x'.repeat(200), b: [1] });
    expect(long).toBe(`{\n  "a": "${'x'.repeat(200)}",\n  "b": [1]\n}`);
    expect(JSON.parse(long)).toEqual({ a: 'x'.repeat(200), b: [1] });
  });
});

describe('renderings', () => {
  const trace = stepBoundTrace(30);

  it('text: one column per thread, each step with its seed function and line', () => {
    const txt = renderText(trace);
    const lines = txt.split('\n');
    const header = lines.find((l) => l.startsWith('step |'))!;
    expect(header).toMatch(/^step \| T1 +\| T2$/);
    const t2col = header.indexOf('T2');
    const i = trace.steps.findIndex((s) => s.line !== undefined);
    const s = trace.steps[i]!;
    const row = lines.findIndex((l) => l.startsWith(`${String(i).padStart(4)} |`));
    expect(lines[row]).toContain(s.label);
    expect(lines[row + 1]).toContain(`${seedFunctionAt(s.line!)}:${s.line}`);
    // A T2 step sits in T2's column.
    const j = trace.steps.findIndex((x) => x.thread === 'T2');
    const row2 = lines.find((l) => l.startsWith(`${String(j).padStart(4)} |`))!;
    expect(row2.indexOf(trace.steps[j]!.label)).toBe(t2col);
    expect(lines.at(-2)).toBe(`violation after step 29: ${trace.counterexample.violation.message}`);
  });

  it('mermaid: a sequence diagram with threads and kernel objects as participants', () => {
    const m = renderSequence(trace);
    expect(m.startsWith('sequenceDiagram\n')).toBe(true);
    expect(m).toContain('participant p_T1 as T1');
    expect(m).toContain('participant p_vp1 as vp1');
    expect(m).toContain('participant p_obj1 as obj1');
    expect(m.split('\n').filter((l) => /^ {2}(Note over p_T\d|p_T\d-)/.test(l))).toHaveLength(30);
    expect(m).not.toMatch(/: [^\n]*;/); // Mermaid ends a statement at ';'
  });

  it('lifecycle: the path the trace took, highlighted with step numbers', () => {
    const h = lifecycleHighlights(trace);
    const ol = h.get('objectLifecycle')!;
    expect(ol.transitions.length).toBeGreaterThan(0);
    expect(ol.states).toContain('alive');
    const mm = renderLifecycle(trace);
    expect(mm).toContain('%% objectLifecycle');
    // Drawn by the spec's renderer, with the highlight (which changes the drawing).
    expect(mm).toContain(renderMermaid('objectLifecycle', ol));
    expect(renderMermaid('objectLifecycle', ol)).not.toBe(renderMermaid('objectLifecycle'));
    // Only machines the trace moved are drawn.
    for (const m of ['pageValidity', 'asyncGetpages'] as const) expect(h.has(m)).toBe(trace.steps.some((s) => s.spec.some((x) => x.machine === m)));
  });

  it('names the kernel object of a footprint resource', () => {
    expect(resourceOwner('lock:obj1')).toBe('obj1');
    expect(resourceOwner('vp1.v_iflag')).toBe('vp1');
    expect(resourceOwner('lock:vp1.interlock')).toBe('vp1');
    expect(resourceOwner('disk:12')).toBe('disk');
    expect(resourceOwner('chan:obj1.p2')).toBe('obj1');
  });
});

/*
 * Every pinned trace under traces/ must still replay to its violation, step
 * for step, and render byte for byte as it did. After an intended change of
 * the port, re-pin a file with `pagercheck replay FILE --render json > FILE`.
 */
describe('pinned traces', () => {
  const files = pinnedTraceFiles();
  const bare = pinnedCounterexampleFiles();
  it('are there to check', () => {
    expect(files.length + bare.length).toBeGreaterThan(0);
  });
  it.each(files.map((f) => [relative(process.cwd(), f), f]))('%s replays to the same violation and renders identically', (_name, file) => {
    const stored: Trace = loadTrace(file);
    expect(traceText(stored)).toBe(readFileSync(file, 'utf8'));
    const r = replayTrace(stored);
    expect(r.sameViolation, `the replay ended with ${r.recorded.ended}`).toBe(true);
    expect(violationKey(r.recorded.trace.counterexample.violation)).toBe(violationKey(stored.counterexample.violation));
    expect(r.firstDifference).toBeNull();
    const replayed = r.recorded.trace;
    expect(renderText(replayed)).toBe(renderText(stored));
    expect(renderSequence(replayed)).toBe(renderSequence(stored));
    expect(renderLifecycle(replayed)).toBe(renderLifecycle(stored));
    expect(traceText(replayed)).toBe(traceText(stored));
  });
});

/*
 * The findings (traces/findings/NAME.json) are pinned as bare counterexamples
 * of catalog scenarios: each is recorded as a trace, which must replay to the
 * pinned violation, step for step, and render identically twice.
 */
describe('pinned findings', () => {
  it.each(pinnedCounterexampleFiles().map((f) => [relative(process.cwd(), f), f]))('%s replays to its violation as a trace', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const cex = parseCounterexample(text);
    const trace = parseTrace(text, file);
    expect(violationKey(trace.counterexample.violation)).toBe(violationKey(cex.violation));
    expect(trace.steps.map((s) => `${s.thread} ${s.label}`)).toEqual(cex.schedule.map((s) => `${s.thread} ${s.label}`));
    const r = replayTrace(parseTrace(traceText(trace), file));
    expect(r.sameViolation).toBe(true);
    expect(r.firstDifference).toBeNull();
    expect(renderText(r.recorded.trace)).toBe(renderText(trace));
    expect(renderSequence(r.recorded.trace)).toBe(renderSequence(trace));
    expect(renderLifecycle(r.recorded.trace)).toBe(renderLifecycle(trace));
  });
});
