import { describe, expect, it } from 'vitest';
import { runExecution, firstRunnable } from '../checker/runtime.ts';
import { VPB_BIT_EXCLUSIVE } from '../impl/kernel/vm_page.ts';
import { PROPERTIES, ALWAYS, WITNESSES, propertyByName, propertyOfViolation, readBehindShift, type Property } from './properties.ts';
import { buildProgram } from './program.ts';
import { catalogScenario } from './catalog.ts';
import type { Observed } from './observed.ts';

describe('property catalogue', () => {
  it('names each property once, with a one-line statement, a kind and seed lines of the seed', () => {
    expect(new Set(PROPERTIES.map((p) => p.name)).size).toBe(PROPERTIES.length);
    for (const p of PROPERTIES) {
      expect(p.statement.length).toBeGreaterThan(20);
      expect(p.statement).not.toContain('\n');
      expect(['always', 'sometimes']).toContain(p.kind);
      expect(p.lines.length).toBeGreaterThan(0);
      for (const l of p.lines) expect(l >= 1 && l <= 1422).toBe(true);
      expect(p.kind === 'sometimes').toBe(p.check.at === 'witness');
    }
  });

  it('has the properties the issue lists', () => {
    for (const n of [
      'one-live-object-per-vnode',
      'object-refs-hold-vnode-refs',
      'no-valid-page-past-eof',
      'valid-data-is-file-data',
      'no-lost-writes',
      'writecount-matches-writemappings',
      'pbufs-and-runningbufspace-return',
      'async-iodone-exactly-once',
      'no-thread-blocked-forever',
      'kernel-assertions-hold',
    ])
      expect(ALWAYS.map((p) => p.name)).toContain(n);
    for (const n of ['witness-created-while-sleeping', 'witness-disconnect-wait', 'witness-readbehind-shift', 'witness-sparse-zero-fill'])
      expect(WITNESSES.map((p) => p.name)).toContain(n);
  });

  it('rejects an unknown property name with the accepted ones', () => {
    expect(() => propertyByName('no-such')).toThrow(/unknown property "no-such"; accepted: one-live-object-per-vnode, /);
  });
});

/** A finished execution of a catalog scenario under the first-runnable scheduler. */
function finished(name: string): Observed {
  const r = runExecution(buildProgram(catalogScenario(name)), firstRunnable);
  expect(r.result).toEqual({ status: 'ok' });
  return r.world!;
}

function stepCheck(p: Property) {
  const c = p.check;
  if (c.at === 'step') return c.check;
  if (c.at === 'step+end') return c.step;
  throw new Error(`${p.name} has no per-step check`);
}
function endCheck(p: Property) {
  const c = p.check;
  if (c.at === 'end') return c.check;
  if (c.at === 'step+end') return c.end;
  throw new Error(`${p.name} has no end check`);
}

describe('the checks hold on a correct run and fail on a broken state', () => {
  it('one-live-object-per-vnode', () => {
    const o = finished('alloc-vs-reclaim-with-mapping');
    const p = propertyByName('one-live-object-per-vnode');
    expect(stepCheck(p)(o)).toBeNull();
    const dead = o.k.objects[0]!;
    expect(dead.destroyed || dead.type !== 2).toBe(true);
    o.vp.v_object = dead;
    dead.destroyed = true;
    expect(stepCheck(p)(o)).toMatch(/v_object names obj1, which was freed/);
  });

  it('object-refs-hold-vnode-refs', () => {
    const o = finished('alloc-vs-vgone');
    const p = propertyByName('object-refs-hold-vnode-refs');
    expect(endCheck(p)(o)).toBeNull();
    o.vp.v_usecount++;
    expect(endCheck(p)(o)).toMatch(/v_usecount is \d+, expected \d+/);
  });

  it('no-valid-page-past-eof and valid-data-is-file-data', () => {
    const o = finished('shrink-vs-getpages-eof');
    const eof = propertyByName('no-valid-page-past-eof');
    const data = propertyByName('valid-data-is-file-data');
    expect(stepCheck(eof)(o)).toBeNull();
    expect(stepCheck(data)(o)).toBeNull();
    const obj = o.vp.v_object!;
    const m = obj.memq.find((x) => x.pindex === 1)!;
    expect(m.valid).toBe(0xff);
    // vnp_size 5000: block 1 of page 1 holds the EOF at byte 392 of the block.
    const saved = m.data[1]!;
    m.data[1] = 'G99';
    expect(stepCheck(eof)(o)).toMatch(/obj1\.p1 block 1 is valid and holds G99@392-512 past EOF/);
    expect(stepCheck(data)(o)).toMatch(/obj1\.p1 block 1 \(file offset 4608\) is valid and clean with G99@0-392/);
    m.data[1] = saved;
    m.busy_lock = VPB_BIT_EXCLUSIVE;
    m.data[0] = 'G98';
    expect(stepCheck(data)(o)).toBeNull(); // a busy page is in the middle of a change: not looked at
  });

  it('valid-data-is-file-data looks at dirty blocks too, and no-valid-page-past-eof at dirty pages past EOF', () => {
    const o = finished('setsize-vs-putpages');
    const eof = propertyByName('no-valid-page-past-eof');
    const data = propertyByName('valid-data-is-file-data');
    expect(stepCheck(data)(o)).toBeNull();
    const obj = o.vp.v_object!;
    const m = obj.memq.find((x) => x.pindex === 1)!;
    m.dirty = 0xff;
    m.data[2] = 'G77';
    expect(stepCheck(data)(o)).toMatch(/^obj1\.p1 block 2 \(file offset 5120\) is valid and dirty with G77@0-512, but the file holds d\d+\.1@0-512$/);
    expect(stepCheck(eof)(o)).toBeNull();
    // A page wholly past EOF that is still dirty would be written past it.
    m.data[2] = o.fileBlock(5120)!;
    m.valid = 0;
    m.dirty = 0x01;
    obj.un_pager.vnp.vnp_size = 4096;
    expect(stepCheck(eof)(o)).toMatch(/^obj1\.p1 is dirty \(0x1\) but lies past EOF \(vnp_size 4096\)$/);
  });

  it('writecount-matches-writemappings', () => {
    const o = finished('writemappings-vs-vgone');
    const p = propertyByName('writecount-matches-writemappings');
    expect(stepCheck(p)(o)).toBeNull();
    o.vp.v_writecount++;
    expect(stepCheck(p)(o)).toMatch(/v_writecount is 1, expected 0/);
  });

  it('writecount-matches-writemappings: writable mappings all unmapped leave writemappings where it started', () => {
    const o = finished('writemappings-race');
    const p = propertyByName('writecount-matches-writemappings');
    expect(endCheck(p)(o)).toBeNull();
    // A release that added instead of subtracting: v_writecount agrees (writemappings > 0), the count does not.
    const obj = o.vp.v_object!;
    obj.un_pager.vnp.writemappings = 8192;
    o.vp.v_writecount++;
    expect(stepCheck(p)(o)).toBeNull();
    expect(endCheck(p)(o)).toMatch(/^obj1\.writemappings is 8192 once every writable mapping was unmapped; it started at 0$/);
  });

  it('pbufs-and-runningbufspace-return', () => {
    const o = finished('overlapping-getpages');
    const p = propertyByName('pbufs-and-runningbufspace-return');
    expect(endCheck(p)(o)).toBeNull();
    o.k.vnode_pbuf_freecnt--;
    expect(endCheck(p)(o)).toMatch(/vnode_pbuf_freecnt ended at \d+, started at \d+: a pbuf leaked/);
    expect(stepCheck(p)(o)).toBeNull();
    o.k.runningbufspace = -1;
    expect(stepCheck(p)(o)).toMatch(/runningbufspace is -1/);
  });

  it('async-iodone-exactly-once', () => {
    const o = finished('getpages-async-vs-vgone');
    const p = propertyByName('async-iodone-exactly-once');
    expect(o.async.length).toBe(1);
    expect(endCheck(p)(o)).toBeNull();
    o.async[0]!.completions = 2;
    expect(stepCheck(p)(o)).toMatch(/completed 2 times/);
    o.async[0]!.completions = 0;
    expect(endCheck(p)(o)).toMatch(/returned 0 and completed 0 times; expected 1/);
  });

  it('busy-and-pip-released', () => {
    const o = finished('shrink-vs-getpages-eof');
    const p = propertyByName('busy-and-pip-released');
    expect(endCheck(p)(o)).toBeNull();
    o.vp.v_object!.memq[0]!.busy_lock = VPB_BIT_EXCLUSIVE;
    expect(endCheck(p)(o)).toMatch(/is still busy/);
  });

  it('no-lost-writes fires when a page reported VM_PAGER_OK is clean but its data is not on disk', () => {
    const s = catalogScenario('setsize-vs-putpages');
    const p = propertyByName('no-lost-writes');
    // Repaired port: the laundering of p1, p2 (EOF at 10000, inside block 19 = sector 3 of p2) loses nothing.
    const ok = runExecution(buildProgram(s, { variant: 'repaired' }), firstRunnable);
    expect(ok.result).toEqual({ status: 'ok' });
    expect(stepCheck(p)(ok.world!)).toBeNull();
    // The mutant clips the write to 9728 bytes but cleans p2 from there on and reports it VM_PAGER_OK.
    const r = runExecution(buildProgram(s, { variant: 'mut-putpages-eof-clip-to-sector' }), firstRunnable);
    expect(r.result.status).toBe('violation');
    if (r.result.status !== 'violation') return;
    expect(propertyOfViolation(r.result.violation)).toBe('no-lost-writes');
    expect(r.result.violation.message).toMatch(
      /^T1: vm_pager_put_pages reported obj1\.p2 written \(VM_PAGER_OK\), but file block 19 \(offset 9728\) holds \S+ on disk where the file has \S+, and the page is clean$/,
    );
    const o = r.world!;
    const m = o.vp.v_object!.memq.find((x) => x.pindex === 2)!;
    expect(m.dirty).toBe(0);
    expect(stepCheck(p)(o)).toBe(r.result.violation.message);
  });

  it('the read-behind shift witness needs a failed allocation after a successful one', () => {
    const o = finished('readbehind-alloc-failure');
    expect(readBehindShift(o)).toBe(true);
    expect(readBehindShift(finished('overlapping-getpages'))).toBe(false);
  });
});
