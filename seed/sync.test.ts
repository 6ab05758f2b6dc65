/*
 * Upstream-sync guard (issue 11 item 3): the lock (seed/ported.lock.json),
 * the vendored C and the hashes in the port's function headers agree; a
 * changed C (fed in memory) is reported with the function to revisit and a
 * diff of its lines.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEED_PATH, SEED_REVISION, functionHash, seedFunctions, seedLines } from './seed.ts';
import { lineDiff, linesOf, lockEntries, portHeaderHashes, readLock, syncReport } from './sync.ts';

const PORT = readFileSync(new URL('../impl/vnode_pager.ts', import.meta.url), 'utf8');
const C = readFileSync(SEED_PATH, 'utf8');

/** The seed with one exact fragment replaced (it must occur once). */
function cWith(from: string, to: string): string[] {
  expect(C.split(from).length - 1, `fragment ${JSON.stringify(from)}`).toBe(1);
  return linesOf(C.replace(from, to));
}

describe('the port, the lock and the vendored C agree', () => {
  it('the lock holds every seed function as the C has it now', () => {
    const lock = readLock();
    expect(lock.revision).toBe(SEED_REVISION);
    expect(lock.functions).toEqual(lockEntries(seedLines()));
    expect(lock.functions.map((f) => f.name)).toEqual(seedFunctions().map((f) => f.name));
    for (const f of lock.functions) expect(f.hash, f.name).toBe(functionHash(f.name));
  });
  it('each port function header records the hash of its C', () => {
    const headers = portHeaderHashes(PORT);
    expect([...headers.keys()].sort()).toEqual(seedFunctions().map((f) => f.name).sort());
    expect(syncReport(readLock(), seedLines(), headers)).toEqual([]);
  });
});

describe('a changed C is reported (fed in memory)', () => {
  const lock = readLock();
  it('a changed line: the function to revisit and the diff with seed line numbers', () => {
    const changed = cWith('\tVM_OBJECT_WUNLOCK(object);\n\terr = VOP_BMAP(vp, reqblock, NULL, &bn, after, before);', '\tVM_OBJECT_WUNLOCK(object);\n\terr = VOP_BMAP(vp, reqblock, NULL, &bn, before, after);');
    const findings = syncReport(lock, changed);
    expect(findings.map((f) => [f.name, f.what])).toEqual([['vnode_pager_haspage', 'changed']]);
    const msg = findings[0]!.message;
    expect(msg).toContain('revisit impl/vnode_pager.ts vnode_pager_haspage');
    expect(msg).toContain(`sha256:${functionHash('vnode_pager_haspage')} at seed 310-385`);
    expect(msg).toContain('-  346 | \terr = VOP_BMAP(vp, reqblock, NULL, &bn, after, before);');
    expect(msg).toContain('+  346 | \terr = VOP_BMAP(vp, reqblock, NULL, &bn, before, after);');
    expect(msg).toContain('   345 | \tVM_OBJECT_WUNLOCK(object);');
    // Context is kept short: lines far from the change are elided.
    expect(msg).toContain('   ...');
    expect(msg).not.toContain('vnode_pager_haspage(vm_object_t object');
  });
  it('an inserted line: the function that holds it changed, the later ones moved', () => {
    const changed = cWith('\tVM_OBJECT_WLOCK(object);\n\tif (object->type == OBJT_DEAD) {', '\tVM_OBJECT_WLOCK(object);\n\tMPASS(object != NULL);\n\tif (object->type == OBJT_DEAD) {');
    const findings = syncReport(lock, changed);
    expect(findings[0]).toMatchObject({ name: 'vnode_pager_setsize', what: 'changed' });
    expect(findings[0]!.message).toContain('+  406 | \tMPASS(object != NULL);');
    const moved = findings.slice(1);
    expect(moved.every((f) => f.what === 'moved')).toBe(true);
    expect(moved.map((f) => f.name)).toEqual(seedFunctions().filter((f) => f.first > 474).map((f) => f.name));
    expect(moved[0]!.message).toContain('shift by 1');
  });
  it('a function gone from the C', () => {
    const changed = cWith('vnode_pager_undirty_pages(vm_page_t *ma,', 'vnode_pager_undirty_pages_renamed(vm_page_t *ma,');
    expect(syncReport(lock, changed).map((f) => [f.name, f.what])).toEqual([['vnode_pager_undirty_pages', 'removed']]);
  });
  it('a port header whose hash was not updated', () => {
    const h = functionHash('vnode_pager_addr');
    const stale = portHeaderHashes(PORT.replace(`sha256:${h}`, 'sha256:0000000000000000'));
    expect(syncReport(lock, seedLines(), stale)).toEqual([
      { name: 'vnode_pager_addr', what: 'header', message: `vnode_pager_addr: the port's header records sha256:0000000000000000, the C is sha256:${h} (seed 480-511)` },
    ]);
  });
  it('the diff of identical texts is only context', () => {
    expect(lineDiff('a\nb', 1, 'a\nb', 1).every((l) => !l.startsWith('-') && !l.startsWith('+'))).toBe(true);
  });
});
