/*
 * The committed diagrams (traces/diagrams/NAME.md, NAME.svg) are what the
 * machines render to now; highlighted renderings mark the path taken.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { MACHINES, MACHINE_NAMES, coverableStatesOf, transitionsOf } from './catalog.ts';
import { DIAGRAM_DIR, renderDiagramFiles, renderDot, renderMermaid, renderSvg } from './diagrams.ts';

describe.each(MACHINE_NAMES)('%s', (name) => {
  it('matches its committed diagram (regenerate with `npm run diagrams`)', async () => {
    const f = await renderDiagramFiles(name);
    const md = readFileSync(join(DIAGRAM_DIR, `${name}.md`), 'utf8');
    const svg = readFileSync(join(DIAGRAM_DIR, `${name}.svg`), 'utf8');
    expect(md, `traces/diagrams/${name}.md is stale: run npm run diagrams`).toBe(f.md);
    expect(svg, `traces/diagrams/${name}.svg is stale: run npm run diagrams`).toBe(f.svg);
  });

  it('shows every state and transition in Mermaid, DOT and the tables', () => {
    const m = MACHINES[name] as AnyStateMachine;
    const mermaid = renderMermaid(name);
    const dot = renderDot(name);
    const md = readFileSync(join(DIAGRAM_DIR, `${name}.md`), 'utf8');
    expect(mermaid.startsWith('stateDiagram-v2\n')).toBe(true);
    for (const s of coverableStatesOf(m)) {
      const leaf = s.path.split('.').pop()!;
      expect.soft(mermaid, s.path).toMatch(new RegExp(`^\\s+(state "${leaf}" as \\w+|state ${leaf} \\{|${leaf})$`, 'm'));
      expect.soft(dot, s.path).toContain(`label="${leaf}`);
      expect.soft(md, s.path).toContain(`| \`${s.path}\` |`);
    }
    for (const t of transitionsOf(m)) {
      const text = `${t.event}${t.guard ? ` [${t.guard}]` : ''}`;
      expect.soft(mermaid, t.id).toContain(text);
      expect.soft(dot, t.id).toContain(text);
      expect.soft(md, t.id).toContain(`| \`${t.id}\` |`);
    }
  });
});

describe('highlighting a path', () => {
  const path = ['noObject:OBJ_ATTACH#0', 'alive:OBJ_REFS#1', 'alive:OBJ_DEAD#0', 'dead.terminating:OBJ_DEALLOC#0', '(root):OBJ_DESTROY#0'];

  it('numbers the steps on the transitions taken and marks the states visited (Mermaid)', () => {
    const mm = renderMermaid('objectLifecycle', { transitions: path });
    expect(mm).toContain('noObject --> alive : (1) OBJ_ATTACH [isPendingObject]');
    expect(mm).toContain('alive --> alive : (2) OBJ_REFS [isReferenceDrop]');
    expect(mm).toContain('(5) OBJ_DESTROY [isDetachedDestroyable]');
    expect(mm).toContain('class terminating visited');
    expect(mm).not.toContain('class disconnectWait visited');
    expect(renderMermaid('objectLifecycle')).not.toContain('visited');
  });

  it('colours the transitions taken and fills the states visited (DOT), and repeats are numbered each time', () => {
    const dot = renderDot('objectLifecycle', { transitions: [...path.slice(0, 2), 'alive:OBJ_REFS#0', 'alive:OBJ_REFS#1'] });
    expect(dot).toMatch(/s_alive -> s_alive \[label="[^"]*\(2,4\) OBJ_REFS \[isReferenceDrop\][^"]*".*color="#c0392b"/);
    expect(dot).toMatch(/s_noObject \[label="noObject", fillcolor="#ffe9a8"/);
    expect(dot).not.toMatch(/s_deallocated \[label="deallocated", fillcolor/);
  });

  it('renders a highlighted DOT to SVG', async () => {
    const svg = await renderSvg(renderDot('pageValidity', { transitions: ['notResident:PAGE_INSERT#0', 'resident.contents.invalid:PAGE_BITS#0'] }));
    expect(svg).toMatch(/^<\?xml|<svg/);
    expect(svg).toContain('(1) PAGE_INSERT');
    expect(svg).toContain('#c0392b');
  });
});
