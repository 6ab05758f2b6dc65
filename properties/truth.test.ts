import { describe, expect, it } from 'vitest';
import { runExecution, firstRunnable } from '../checker/runtime.ts';
import { disk_write } from '../impl/kernel/disk.ts';
import { vfs_inode } from '../impl/kernel/vfs.ts';
import { VM_PAGER_BAD, VM_PAGER_ERROR, VM_PAGER_OK, VM_PAGER_PUT_SYNC } from '../impl/kernel/vm_pager.ts';
import { buildProgram } from './program.ts';
import { catalogScenario } from './catalog.ts';
import { propertyByName } from './properties.ts';
import { checkGetpagesAnswer, checkHaspageAnswer, checkPutpagesAnswer, cleanDataIsOnDisk, fileSector, noDataLost, nothingWrittenPastEof, objectSizeIsFileSize, openAttachesAnObject, TRUTH_PROPERTIES } from './truth.ts';
import type { Observed } from './observed.ts';
import { parseScenario } from './scenario.ts';
import { OBJT_DEAD } from '../impl/kernel/vm_object.ts';
import { VM_PAGE_BITS_ALL } from '../impl/kernel/vm_page.ts';
import { residentPage, type World } from '../impl/kernel/world.ts';
import { store } from '../impl/callers/store.ts';

function finished(name: string, variant = 'seed'): Observed {
  const r = runExecution(buildProgram(catalogScenario(name), { variant }), firstRunnable);
  expect(r.result).toEqual({ status: 'ok' });
  return r.world!;
}

describe('ground-truth properties', () => {
  it('are in the catalogue, always-properties with seed lines', () => {
    for (const p of TRUTH_PROPERTIES) {
      expect(propertyByName(p.name)).toBe(p);
      expect(p.kind).toBe('always');
    }
  });

  it('clean-data-is-on-disk fires when the disk no longer holds a clean block', () => {
    const o = finished('shrink-vs-getpages-eof');
    expect(cleanDataIsOnDisk(o)).toBeNull();
    const s = fileSector(o.vp, 4096);
    disk_write(vfs_inode(o.vp).d, s, 'd999.7');
    expect(cleanDataIsOnDisk(o)).toMatch(/^obj1\.p1 block 0 \(file offset 4096\) is valid and clean with \S+, but the disk holds d999\.7@0-512$/);
  });

  it('clean-data-is-on-disk ignores a dirty block and a busy page', () => {
    const o = finished('shrink-vs-getpages-eof');
    const m = o.vp.v_object!.memq.find((x) => x.pindex === 1)!;
    disk_write(vfs_inode(o.vp).d, fileSector(o.vp, 4096), 'd999.7');
    m.dirty = 0x01;
    expect(cleanDataIsOnDisk(o)).toBeNull();
  });

  it('no-data-lost fires when data neither reached the disk nor stays in a dirty page', () => {
    const o = finished('create-vs-vgone');
    expect(noDataLost(o)).toBeNull(); // the reclaim flushed the dirty page
    disk_write(vfs_inode(o.vp).d, fileSector(o.vp, 4096), 'd999.7');
    expect(noDataLost(o)).toMatch(/^file block 8 \(offset 4096\) should hold \S+, the disk holds d999\.7@0-512, and no resident page holds it dirty: the data is lost$/);
  });

  it('no-data-lost excuses a hole that ENOSPC kept off the disk once its page is gone, and only with ENOSPC planned', () => {
    const o = finished('msync-enospc-hole', 'repaired');
    expect(noDataLost(o)).toBeNull(); // the unwritten page stays dirty
    const memq = o.vp.v_object!.memq;
    memq.splice(memq.findIndex((m) => m.pindex === 1), 1);
    expect(noDataLost(o)).toBeNull();
    (o.k.faults as { noSpace?: boolean }).noSpace = false;
    expect(noDataLost(o)).toMatch(/^file block 8 \(offset 4096\) should hold \S+, the disk holds Z@0-512, and no resident page holds it dirty: the data is lost$/);
  });

  it('no-data-lost excuses a store kept by the page of the object a forced reclaim disconnected under a mapping', () => {
    const s = parseScenario({
      name: 'vgone-mapped',
      description: 'a forced reclaim of a vnode whose object a writable mapping keeps',
      fs: { flavor: 'block', f_iosize: 4096 },
      file: { size: 8192 },
      initial: { object: true, mappings: 1, writeMapped: true, pages: [{ pindex: 0 }] },
      threads: [{ name: 'T1', ops: [{ op: 'vgone' }] }],
    });
    const r = runExecution(buildProgram(s, { variant: 'repaired' }), firstRunnable);
    const o = r.world!;
    const w = (o as Observed & { readonly w: World }).w; // program.ts's ObservedState keeps its world
    const obj = o.k.objects[0]!;
    expect(obj.type).toBe(OBJT_DEAD);
    // A store through the mapping after vgone's flush: vnode_destroy_vobject left the object to its mapping.
    store(w, o.vp, obj, residentPage(w, obj, 0, { valid: VM_PAGE_BITS_ALL }));
    expect(noDataLost(o)).toBeNull();
    obj.memq.splice(0);
    expect(noDataLost(o)).toMatch(/^file block 0 \(offset 0\) should hold \S+, the disk holds \S+, and no resident page holds it dirty: the data is lost$/);
  });

  it('nothing-written-past-eof fires on bytes past EOF on disk and on a file the pager grew', () => {
    const o = finished('shrink-vs-getpages-eof');
    expect(nothingWrittenPastEof(o)).toBeNull();
    // EOF at 5000: sector of offset 4608 holds the EOF at byte 392.
    disk_write(vfs_inode(o.vp).d, fileSector(o.vp, 4608), 'd999.7');
    expect(nothingWrittenPastEof(o)).toMatch(/holds d999\.7@392-512 past EOF \(5000\) on disk; expected zeros$/);
    o.vp.va_size = 8192;
    expect(nothingWrittenPastEof(o)).toMatch(/va_size is 8192; only 10000, 5000 are set by the scenario's truncates/);
  });

  it('object-size-is-file-size fires when the object and the filesystem disagree about EOF at rest', () => {
    const o = finished('shrink-vs-getpages-eof');
    expect(objectSizeIsFileSize(o)).toBeNull();
    const obj = o.vp.v_object!;
    obj.size += 1;
    expect(objectSizeIsFileSize(o)).toMatch(/^obj1: size is 3 pages, but vnp_size 5000 takes 2$/);
    obj.size -= 1;
    obj.un_pager.vnp.vnp_size = 10000; // a truncate that did not reach the pager
    expect(objectSizeIsFileSize(o)).toMatch(/^obj1: vnp_size is 10000, but the file is 5000 bytes$/);
  });

  it('open-attaches-an-object fires when an open returned without an object, or with an error', () => {
    const o = finished('alloc-race');
    expect(o.outcomes.filter((r) => r.op.op === 'create_vobject')).toHaveLength(2);
    expect(openAttachesAnObject(o)).toBeNull();
    const opens = o.outcomes as unknown as { detail?: Record<string, unknown> }[];
    opens[0]!.detail = { ...opens[0]!.detail, object: null };
    expect(openAttachesAnObject(o)).toMatch(/^T\d's open \(op 0\) returned from vnode_create_vobject with no object on vp1$/);
    opens[0]!.detail = { ...opens[0]!.detail, object: 'obj1', rc: 5 };
    expect(openAttachesAnObject(o)).toMatch(/vnode_create_vobject returned 5, not 0$/);
  });

  it('getpages-answer-truthful: success means valid file data; an error needs a fault', () => {
    const o = finished('shrink-vs-getpages-eof');
    const obj = o.vp.v_object!;
    const m = obj.memq.find((x) => x.pindex === 1)!;
    expect(checkGetpagesAnswer(o, 'T1', obj, [m], VM_PAGER_OK)).toBeNull();
    expect(checkGetpagesAnswer(o, 'T1', obj, [m], VM_PAGER_ERROR)?.message).toMatch(/returned rc 4, but no read can fail here/);
    m.data[2] = 'G42';
    expect(checkGetpagesAnswer(o, 'T1', obj, [m], VM_PAGER_OK)?.message).toMatch(/obj1\.p1 block 2 \(file offset 5120\) is valid and holds G42@0-512 past EOF/);
    m.valid = 0x0f;
    expect(checkGetpagesAnswer(o, 'T1', obj, [m], VM_PAGER_OK)?.message).toMatch(/obj1\.p1 has valid 0xf; expected 0xff/);
    // An iodone may leave the tail past EOF invalid, not the part below it (EOF 5000: blocks 0 and 1).
    m.data[2] = 'Z';
    m.valid = 0x03;
    expect(checkGetpagesAnswer(o, 'T1', obj, [m], 'iodone-ok')).toBeNull();
    m.valid = 0x01;
    expect(checkGetpagesAnswer(o, 'T1', obj, [m], 'iodone-ok')?.message).toMatch(/the iodone was told no error, but obj1\.p1 has valid 0x1; expected 0x3/);
    // With read errors planned, an error is a truthful answer.
    const e = finished('io-errors', 'repaired');
    const eo = e.vp.v_object!;
    expect(checkGetpagesAnswer(e, 'T1', eo, [], VM_PAGER_ERROR)).toBeNull();
  });

  it('putpages-rtvals-truthful: OK of a synchronous put needs the disk, AGAIN/ERROR keep the page dirty, BAD lies past EOF', () => {
    const o = finished('shrink-vs-getpages-eof');
    const obj = o.vp.v_object!;
    const m = obj.memq.find((x) => x.pindex === 1)!;
    const written = { m, dirty: 0x01, data: m.data.slice() };
    expect(checkPutpagesAnswer(o, 'T1', obj, [written], [VM_PAGER_OK], VM_PAGER_PUT_SYNC)).toBeNull();
    const lost = { m, dirty: 0x01, data: ['d999.7', ...m.data.slice(1)] };
    expect(checkPutpagesAnswer(o, 'T1', obj, [lost], [VM_PAGER_OK], VM_PAGER_PUT_SYNC)?.message).toMatch(/reported obj1\.p1 VM_PAGER_OK, but its dirty block 0 \(file offset 4096\) is not on disk/);
    expect(checkPutpagesAnswer(o, 'T1', obj, [lost], [VM_PAGER_OK], 0)).toBeNull(); // asynchronous: handed over, not promised
    expect(checkPutpagesAnswer(o, 'T1', obj, [lost], [VM_PAGER_ERROR], 0)?.message).toMatch(/reported obj1\.p1 VM_PAGER_ERROR, and its block 0 \(file offset 4096\) is neither on disk nor dirty any more/);
    m.dirty = 0x01;
    expect(checkPutpagesAnswer(o, 'T1', obj, [lost], [VM_PAGER_ERROR], 0)).toBeNull();
    expect(checkPutpagesAnswer(o, 'T1', obj, [written], [VM_PAGER_BAD], 0)?.message).toMatch(/VM_PAGER_BAD, but it lies below EOF/);
  });

  it('haspage-agrees-with-bmap checks the answer and the run against the block map', () => {
    // 4K blocks, block 1 a hole, 16384 bytes: pages 0, 2, 3 on disk, 2 and 3 contiguous.
    const o = finished('sparse-file');
    const obj = o.vp.v_object!;
    expect(checkHaspageAnswer(o, 'T', obj, 1, false, 0, 0)).toBeNull();
    expect(checkHaspageAnswer(o, 'T', obj, 1, true, 0, 0)?.message).toMatch(/is TRUE, but every block of the page below EOF is a hole/);
    expect(checkHaspageAnswer(o, 'T', obj, 0, false, 0, 0)?.message).toMatch(/is FALSE, but the page has allocated blocks below EOF/);
    expect(checkHaspageAnswer(o, 'T', obj, 2, true, 0, 1)).toBeNull();
    expect(checkHaspageAnswer(o, 'T', obj, 0, true, 0, 1)?.message).toMatch(/reports 1 pages after covering page 1, but file offset 4096 is a hole/);
    expect(checkHaspageAnswer(o, 'T', obj, 3, true, 0, 1)?.message).toMatch(/up to page 4, which lies outside the file/);
    expect(checkHaspageAnswer(o, 'T', obj, 4, true, null, null)?.message).toMatch(/is TRUE, but the page lies past EOF/);
  });

  it('an answer check failing in a run is reported by its property at that step', () => {
    // haspage on the seed with 2K blocks asks only the page's first block, a hole (finding haspage-small-block-first-block-only).
    const r = runExecution(buildProgram(catalogScenario('sparse-small-block-sendfile'), { variant: 'seed' }), firstRunnable);
    expect(r.result.status).toBe('violation');
    if (r.result.status !== 'violation') return;
    expect(r.result.violation).toMatchObject({ kind: 'invariant', property: 'haspage-agrees-with-bmap' });
    const fixed = runExecution(buildProgram(catalogScenario('sparse-small-block-sendfile'), { variant: 'repaired' }), firstRunnable);
    expect(fixed.result).toEqual({ status: 'ok' });
  });
});
