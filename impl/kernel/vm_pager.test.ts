/*
 * vm_pager.ts: the dispatch, the INVARIANTS pre-check of page-in requests and
 * the zero-fill of invalid parts of requested pages after a successful read.
 */
import { describe, expect, it } from 'vitest';
import type { KThread } from '../../checker/op.ts';
import type { Kernel } from './kernel.ts';
import { OBJT_SWAP, OBJT_DEFAULT, VM_OBJECT_WLOCK, VM_OBJECT_WUNLOCK, vm_object_allocate, type vm_object } from './vm_object.ts';
import {
  registerPager,
  vm_pager_get_pages,
  vm_pager_get_pages_async,
  vm_pager_put_pages,
  vm_pager_has_page,
  vm_pager_deallocate,
  VM_PAGER_OK,
  VM_PAGER_FAIL,
  type pagerops,
  type Ref,
} from './vm_pager.ts';
import { vm_page_alloc, vm_page_free, pmap_enter, type vm_page } from './vm_page.ts';
import { runThreads } from './testkit_objects.ts';

/** A pager for OBJT_SWAP objects whose getpages makes blocks 0..3 of each page valid data "d", or fails, or swaps m[0]. */
let mode: 'half' | 'fail' | 'swap' = 'half';
const swappagerops: pagerops = {
  *pgo_alloc() {
    return null;
  },
  *pgo_dealloc() {},
  *pgo_getpages(k, object, m, count, rbehind, rahead) {
    if (mode === 'fail') return VM_PAGER_FAIL;
    if (mode === 'swap') {
      /* a pager that replaces the page without updating the array (the freed page names itself noobj.p0) */
      const pi = m[0]!.pindex;
      m[0]!.busy_lock = 1;
      vm_page_free(k, m[0]!);
      yield* vm_page_alloc(k, object, pi, 0);
      return VM_PAGER_OK;
    }
    for (let i = 0; i < count; i++) {
      const p = m[i]!;
      p.data = ['d', 'd', 'd', 'd', ...p.data.slice(4)];
      p.valid = 0x0f;
    }
    if (rbehind) rbehind.v = 0;
    if (rahead) rahead.v = 0;
    return VM_PAGER_OK;
  },
  *pgo_getpages_async(k, object, m, count, rbehind, rahead) {
    return yield* swappagerops.pgo_getpages(k, object, m, count, rbehind, rahead);
  },
  *pgo_putpages(_k, _o, _m, count, _f, rtvals) {
    for (let i = 0; i < count; i++) rtvals[i] = VM_PAGER_OK;
  },
  *pgo_haspage(_k, _o, pindex, before, after) {
    if (before) before.v = 1;
    if (after) after.v = 2;
    return pindex < 4;
  },
};
registerPager(OBJT_SWAP, swappagerops);

/** Allocates xbusy invalid pages 0..n-1 of a swap object, runs `body` with the object locked. */
function withPages<R>(n: number, body: (k: Kernel, obj: vm_object, m: vm_page[]) => KThread<R>) {
  return runThreads((k, spawn) => {
    const w: { obj?: vm_object; m?: vm_page[]; r?: R } = {};
    spawn('T', function* () {
      const obj = (w.obj = yield* vm_object_allocate(k, OBJT_SWAP, n));
      yield* VM_OBJECT_WLOCK(k, obj);
      const m: vm_page[] = [];
      for (let i = 0; i < n; i++) m.push((yield* vm_page_alloc(k, obj, i, 0))!);
      w.m = m;
      w.r = yield* body(k, obj, m);
      yield* VM_OBJECT_WUNLOCK(k, obj);
    });
    return w;
  });
}

describe('vm_pager_get_pages', () => {
  it('zero-fills the invalid blocks of each requested page and makes it fully valid', () => {
    mode = 'half';
    const rb: Ref = { v: 3 };
    const run = withPages(2, (k, obj, m) => vm_pager_get_pages(k, obj, m, 2, rb, null));
    expect(run.r.result.status).toBe('ok');
    expect(run.w.r).toBe(VM_PAGER_OK);
    for (const p of run.w.m!) {
      expect(p.valid).toBe(0xff);
      expect(p.data).toEqual(['d', 'd', 'd', 'd', 'Z', 'Z', 'Z', 'Z']);
    }
    expect(rb.v).toBe(0);
  });

  it('returns a failure unchanged and zeroes nothing', () => {
    mode = 'fail';
    const run = withPages(1, (k, obj, m) => vm_pager_get_pages(k, obj, m, 1, null, null));
    expect(run.w.r).toBe(VM_PAGER_FAIL);
    expect(run.w.m![0]!.valid).toBe(0);
    expect(run.w.m![0]!.data[7]).toMatch(/^G/);
  });

  it('asserts that a pager which replaced a page updated the array', () => {
    mode = 'swap';
    const run = withPages(1, (k, obj, m) => vm_pager_get_pages(k, obj, m, 1, null, null));
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { fn: 'vm_pager_get_pages', message: 'vm_pager_get_pages: mismatch page noobj.p0 pindex 0' } });
  });

  const bad: [string, (m: vm_page, obj: vm_object) => void, string][] = [
    ['an unbusied page', (m) => (m.busy_lock = 1), 'vm_page_assert_xbusied: page obj1.p0 not exclusive busy'],
    ['a mapped page', (m) => pmap_enter(null as never, m, false), 'vm_pager_assert_in: page obj1.p0 is mapped'],
    ['a fully valid page', (m) => (m.valid = 0xff), 'vm_pager_assert_in: request for a valid page obj1.p0'],
    ['a dirty page', (m) => (m.dirty = 0x01), 'vm_pager_assert_in: page obj1.p0 is dirty'],
    ['a page of another object', (m) => (m.object = null), 'vm_pager_assert_in: wrong object obj1/NULL'],
  ];
  for (const [what, spoil, msg] of bad)
    it(`rejects ${what} (vm_pager_assert_in)`, () => {
      mode = 'half';
      const run = withPages(1, (k, obj, m) => {
        spoil(m[0]!, obj);
        return vm_pager_get_pages(k, obj, m, 1, null, null);
      });
      expect(run.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'KASSERT', message: msg } });
    });

  it('rejects a request of 0 pages', () => {
    const run = withPages(1, (k, obj, m) => vm_pager_get_pages(k, obj, m, 0, null, null));
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { message: 'vm_pager_assert_in: 0 count' } });
  });
});

describe('the other dispatch routines', () => {
  it('get_pages_async does not zero-fill', () => {
    mode = 'half';
    const run = withPages(1, (k, obj, m) => vm_pager_get_pages_async(k, obj, m, 1, null, null, null as never, null));
    expect(run.w.r).toBe(VM_PAGER_OK);
    expect(run.w.m![0]!.valid).toBe(0x0f);
  });

  it('put_pages and has_page dispatch by type, write-locked', () => {
    const rtvals = [9, 9];
    const before: Ref = { v: 0 };
    const after: Ref = { v: 0 };
    const run = withPages(0, function* (k, obj) {
      yield* vm_pager_put_pages(k, obj, [], 2, 0, rtvals);
      return yield* vm_pager_has_page(k, obj, 3, before, after);
    });
    expect(run.w.r).toBe(true);
    expect(rtvals).toEqual([VM_PAGER_OK, VM_PAGER_OK]);
    expect([before.v, after.v]).toEqual([1, 2]);
  });

  it('has_page without the object lock is a lock violation', () => {
    const run = runThreads((k, spawn) => {
      spawn('T', function* () {
        const obj = yield* vm_object_allocate(k, OBJT_SWAP, 1);
        yield* vm_pager_has_page(k, obj, 0, null, null);
      });
    });
    expect(run.r.result).toMatchObject({ status: 'violation', violation: { assertion: 'lock', fn: 'vm_pager_has_page' } });
  });

  it('an object type with no registered pager is a harness error, not a violation', () => {
    const run = runThreads((k, spawn) => {
      spawn('T', function* () {
        const obj = yield* vm_object_allocate(k, OBJT_DEFAULT, 1);
        yield* VM_OBJECT_WLOCK(k, obj);
        yield* vm_pager_deallocate(k, obj);
      });
    });
    expect(run.r.result.status).toBe('error');
    if (run.r.result.status === 'error') expect(run.r.result.error).toContain('no pager registered for OBJT_DEFAULT');
  });
});


