import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { OBJ_DEAD, OBJ_DISCONNECTWNT } from '../impl/kernel/vm_object.ts';
import { VPB_BIT_EXCLUSIVE, VPB_BIT_SHARED, VPB_BIT_WAITERS, VPB_ONE_SHARER, VPB_UNBUSIED } from '../impl/kernel/vm_page.ts';
import { blockBitsText, busyText, changeText, diffSnapshots, kernelDiffs, kernelStates, objFlagsText } from './kstate.ts';
import { renderSequence, renderText } from './render.ts';
import { stepBoundTrace } from './testkit.ts';
import { PINNED_DIR, loadTrace, traceText } from './trace.ts';

describe('kernel state in the kernel\'s words', () => {
  it('decodes flags, block bits and busy state', () => {
    expect(objFlagsText(OBJ_DEAD | OBJ_DISCONNECTWNT)).toBe('OBJ_DEAD|OBJ_DISCONNECTWNT');
    expect(objFlagsText(0)).toBe('0');
    expect(objFlagsText(OBJ_DEAD | 0x80000)).toBe('OBJ_DEAD|0x80000');
    expect(blockBitsText(0x0f)).toBe('0x0f [****....]');
    expect(blockBitsText(0x81)).toBe('0x81 [*......*]');
    expect(busyText(VPB_UNBUSIED)).toBe('unbusied');
    expect(busyText(VPB_BIT_EXCLUSIVE)).toBe('xbusy');
    expect(busyText(VPB_BIT_SHARED | (2 * VPB_ONE_SHARER))).toBe('sbusy 2');
    expect(busyText(VPB_BIT_EXCLUSIVE | VPB_BIT_WAITERS)).toBe('xbusy+waiters');
  });

  it('diffs snapshots: changed, new and gone fields', () => {
    const a = new Map([['obj1.ref_count', '1'], ['obj1.p0.busy', 'xbusy']]);
    const b = new Map([['obj1.ref_count', '2'], ['vp1.v_usecount', '1']]);
    expect(diffSnapshots(a, b).map(changeText)).toEqual(['obj1.ref_count 1 -> 2', 'vp1.v_usecount = 1', 'obj1.p0.busy gone (was xbusy)']);
    expect(diffSnapshots(b, b)).toEqual([]);
  });
});

describe('kernel state of a trace, derived by replaying it', () => {
  const trace = stepBoundTrace(30);

  it('has one snapshot per step, the same on every replay, and leaves the trace as it was', () => {
    const text = traceText(trace);
    const a = kernelStates(trace);
    expect(a.steps).toHaveLength(trace.steps.length);
    expect(a.setup.get('obj1.ref_count')).toBe('1');
    expect(a.setup.get('vp1.v_usecount')).toBeDefined();
    expect(kernelStates(trace)).toEqual(a);
    expect(traceText(trace)).toBe(text);
  });

  it('shows every reference count change the kernel reported, at the step that made it', () => {
    const diffs = kernelDiffs(trace);
    let seen = 0;
    trace.steps.forEach((s, i) => {
      for (const e of s.events) {
        const m = /^OBJ_REFS (\S+) refs=(\d+)$/.exec(e);
        if (!m) continue;
        seen++;
        expect(diffs[i]!.map(changeText).some((c) => new RegExp(`^${m[1]}\\.ref_count \\d+ -> ${m[2]}$`).test(c))).toBe(true);
      }
    });
    expect(seen).toBeGreaterThan(0);
  });

  it('a finding: the read-ahead page becomes valid under the object lock and is unbusied', () => {
    const t = loadTrace(join(PINNED_DIR, 'findings', 'readahead-valid-after-read-error.json'));
    const d = kernelDiffs(t).map((c) => c.map(changeText));
    const at = (label: string, line: number) => t.steps.findIndex((s) => s.label === label && s.line === line);
    const lock = at('VM_OBJECT_WLOCK(obj1)', 1098);
    expect(lock).toBeGreaterThan(0);
    expect(d[lock]).toEqual(['obj1.p1.valid 0x00 [........] -> 0xff [********]', 'obj1.p2.valid 0x00 [........] -> 0xff [********]']);
    expect(d[at('vm_page_xunbusy(obj1.p2)', 1131)]).toEqual(['obj1.p2.busy xbusy -> unbusied']);
    const add = t.steps.findIndex((s) => s.label.startsWith('atomic_add_long(&runningbufspace'));
    expect(d[add]).toEqual(['runningbufspace 0 -> 8192']);
    const alloc = at('vm_page_alloc(obj1, 2)', 954);
    expect(d[alloc]).toEqual(['obj1.p2.busy = xbusy', 'obj1.p2.valid = 0x00 [........]', 'obj1.p2.dirty = 0x00 [........]']);
    expect(d.flat().some((c) => c.startsWith('vnode_pbuf_freecnt 129 -> 128'))).toBe(true);
  });
});

describe('renderings with the C and the kernel state', () => {
  const trace = stepBoundTrace(30);
  const kernel = kernelDiffs(trace);

  it('text: the C statement under the seed line, and the fields each step changed', () => {
    const plain = renderText(trace).split('\n');
    const i = trace.steps.findIndex((s) => s.line === 225);
    const row = plain.findIndex((l) => l.startsWith(`${String(i).padStart(4)} |`));
    expect(plain[row + 1]).toContain('vnode_pager_alloc:225');
    expect(plain[row + 2]).toMatch(/\|\s+\| VM_OBJECT_WLOCK\(object\);/);
    const kline = /\|\s+= (obj|vp)\d/;
    expect(plain.some((l) => kline.test(l))).toBe(false);
    const withK = renderText(trace, { kernel, columnWidth: 60 });
    expect(withK).toContain('= obj1.ref_count 1 -> 2');
    expect(withK.split('\n').some((l) => kline.test(l))).toBe(true);
  });

  it('mermaid: the C statement in the message, the fields as notes on their object', () => {
    const m = renderSequence(trace, { kernel });
    expect(m).toMatch(/: \[\d+\] VM_OBJECT_WLOCK\(obj1\) @ vnode_pager_alloc:225: VM_OBJECT_WLOCK\(object\),?\n/);
    expect(m).toContain('Note right of p_obj1: obj1.flags 0 -> OBJ_COLORED, obj1.ref_count 1 -> 2');
    expect(m).toContain('Note right of p_vp1: vp1.v_usecount 2 -> 3, vp1.v_holdcnt 2 -> 3');
    expect(m).not.toMatch(/: [^\n]*;/);
  });
});
