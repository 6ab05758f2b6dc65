import { describe, expect, it } from 'vitest';
import { runExecution, firstRunnable } from '../checker/runtime.ts';
import { buildProgram } from './program.ts';
import { catalogScenario } from './catalog.ts';
import { parseScenario, type ScenarioInput } from './scenario.ts';
import { fileSector } from './truth.ts';
import type { Observed } from './observed.ts';

const base: ScenarioInput = {
  name: 'w',
  description: 'world fields',
  fs: { flavor: 'block', f_iosize: 4096 },
  file: { size: 8192 },
  initial: { object: true, mappings: 1 },
  threads: [{ name: 'T1', ops: [{ op: 'haspage', pindex: 0 }] }],
};

function world(s: ScenarioInput, variant = 'seed'): Observed {
  const r = runExecution(buildProgram(parseScenario(s), { variant }), firstRunnable);
  return r.world!;
}

describe('richer worlds', () => {
  it('a page partly valid at the start holds the file in its valid blocks only', () => {
    const o = world({ ...base, initial: { object: true, mappings: 1, pages: [{ pindex: 1, validMask: 0x0f }] } });
    const m = o.vp.v_object!.memq.find((x) => x.pindex === 1)!;
    expect(m.valid).toBe(0x0f);
    expect(m.data[0]).toBe(o.fileBlock(4096));
    expect(m.data[4]).toMatch(/^G\d+$/);
    expect(() => parseScenario({ ...base, initial: { object: true, mappings: 1, pages: [{ pindex: 1, validMask: 0x0f, dirty: true }] } })).toThrow(
      /initial\.pages\[0\]\.validMask: a partly valid page must be valid and clean/,
    );
  });

  it('64K blocks are a block filesystem size', () => {
    const o = world({ ...base, fs: { flavor: 'block', f_iosize: 65536 }, file: { size: 65536 } });
    expect(o.vp.v_mount.mnt_stat.f_iosize).toBe(65536);
  });

  it('a bad sector is one sector of the file block named, and a hole has none', () => {
    const o = world({ ...base, file: { size: 8192, holes: [1] }, faults: { readErrorBlocks: [3, 9], writeErrorBlocks: [2] } });
    expect(o.k.faults.readErrorSectors).toEqual([fileSector(o.vp, 3 * 512)]);
    expect(o.k.faults.writeErrorSectors).toEqual([fileSector(o.vp, 2 * 512)]);
  });

  it('a full filesystem fails the write into a hole with ENOSPC and leaves the page dirty', () => {
    const s = catalogScenario('msync-enospc-hole');
    const r = runExecution(buildProgram(s, { variant: 'repaired' }), firstRunnable);
    expect(r.result).toEqual({ status: 'ok' });
    const o = r.world!;
    expect(o.k.msgbuf.some((l) => /I\/O error 28/.test(l))).toBe(true);
    const put = o.outcomes.find((x) => x.op.op === 'putpages')!;
    expect(put.detail?.['rtvals']).toEqual(['VM_PAGER_ERROR']);
    expect(o.vp.v_object!.memq.find((x) => x.pindex === 1)!.dirty).toBe(0xff);
    expect(fileSector(o.vp, 4096)).toBe(-1);
  });
});
