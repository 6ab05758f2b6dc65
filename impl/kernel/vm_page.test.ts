import { describe, expect, it } from 'vitest';
import { expectAssertion, expectOk, io, scripted, atLabel } from './testkit_io.ts';
import { attachObject, residentPage, type World } from './world.ts';
import { VM_OBJECT_WLOCK, VM_OBJECT_WUNLOCK, type vm_object } from './vm_object.ts';
import {
  PGA_WRITEABLE,
  VM_ALLOC_NORMAL,
  VPB_BIT_WAITERS,
  VPB_UNBUSIED,
  pmap_enter,
  pmap_page_is_mapped,
  pmap_page_is_write_mapped,
  pmap_remove_all,
  pmap_remove_write,
  pmap_zero_page,
  pmap_zero_page_area,
  vm_page_alloc,
  vm_page_assert_sbusied,
  vm_page_bits,
  vm_page_busied,
  vm_page_busy_sleep,
  vm_page_clear_dirty,
  vm_page_dirty,
  vm_page_free,
  vm_page_lookup,
  vm_page_next,
  vm_page_prev,
  vm_page_readahead_finish,
  vm_page_sbusied,
  vm_page_sbusy,
  vm_page_set_valid_range,
  vm_page_set_validclean,
  vm_page_sunbusy,
  vm_page_undirty,
  vm_page_xbusied,
  vm_page_xbusy,
  vm_page_xunbusy,
  vm_page_zero_invalid,
  type vm_page,
} from './vm_page.ts';
import type { KThread } from '../../checker/op.ts';

const W = { flavor: 'block', f_iosize: 4096, fileSize: 16384 } as const;

/** One thread T runs body on the world's object with the object lock held around it. */
function locked(setup: (w: World, obj: vm_object) => void, body: (w: World, obj: vm_object) => KThread, opts: Partial<typeof W> & Record<string, unknown> = {}) {
  let obj!: vm_object;
  return io(
    { ...W, ...opts },
    (w) => {
      obj = attachObject(w, w.vp);
      setup(w, obj);
    },
    {
      *T(w) {
        yield* VM_OBJECT_WLOCK(w.k, obj);
        yield* body(w, obj);
        yield* VM_OBJECT_WUNLOCK(w.k, obj);
      },
    },
  );
}

describe('vm_page_bits', () => {
  it.each([
    [0, 4096, 0xff],
    [0, 512, 0x01],
    [0, 513, 0x03],
    [100, 1000, 0x07],
    [1000, 3096, 0xfe],
    [4095, 1, 0x80],
    [512, 0, 0x00],
  ])('vm_page_bits(%i, %i) = %i', (base, size, bits) => {
    expect(vm_page_bits(base, size)).toBe(bits);
  });
  it('asserts base + size <= PAGE_SIZE', () => {
    expect(() => vm_page_bits(4000, 100)).toThrow('vm_page_bits: illegal base/size 4000/100');
  });
});

describe('valid and dirty bits', () => {
  it('set_valid_range zeroes the partial edge blocks that are not valid, then validates every touched block', () => {
    let m!: vm_page;
    const run = locked(
      (w, obj) => (m = residentPage(w, obj, 0)),
      function* (w) {
        vm_page_set_valid_range(w.k, m, 100, 1000);
      },
    );
    expectOk(run);
    expect(m.valid).toBe(0x07);
    /* [0,100) of block 0 and [1100,1536) = block 2 from byte 76 zeroed; garbage elsewhere. */
    expect(m.data.slice(0, 3)).toEqual([`Z@0-100|G${m.phys}@100-512`, `G${m.phys}`, `G${m.phys}@0-76|Z@76-512`]);
  });

  it('set_valid_range leaves edges of already valid blocks alone and ignores size 0', () => {
    let m!: vm_page;
    const run = locked(
      (w, obj) => (m = residentPage(w, obj, 0, { valid: 0x05 })),
      function* (w) {
        vm_page_set_valid_range(w.k, m, 100, 0);
        vm_page_set_valid_range(w.k, m, 100, 1000);
      },
    );
    expectOk(run);
    expect(m.valid).toBe(0x07);
    expect(m.data[0]).toBe('d64.0');
    expect(m.data[2]).toBe('d66.0');
  });

  it('set_valid_range asserts that no newly valid block is dirty', () => {
    const run = locked(
      (w, obj) => {
        const m = residentPage(w, obj, 0, { valid: 0x01 });
        m.dirty = 0x02;
      },
      function* (w, obj) {
        vm_page_set_valid_range(w.k, obj.memq[0]!, 0, 1024);
      },
    );
    expectAssertion(run, 'KASSERT', 'vm_page_set_valid_range', 'vm_page_set_valid_range: page obj1.p0 is dirty');
  });

  it('set_valid_range needs the object lock', () => {
    let m!: vm_page;
    const run = io(
      W,
      (w) => (m = residentPage(w, attachObject(w, w.vp), 0)),
      {
        *T(w) {
          yield { kind: 'yield', label: 'y', fp: [] };
          vm_page_set_valid_range(w.k, m, 0, 512);
        },
      },
    );
    expectAssertion(run, 'lock', 'vm_page_set_valid_range', 'Lock vm object obj1 not exclusively locked');
  });

  it('set_validclean clears the dirty bits of every touched block, the whole page at (0, PAGE_SIZE)', () => {
    let a!: vm_page, b!: vm_page;
    const run = locked(
      (w, obj) => {
        a = residentPage(w, obj, 0, { valid: 0xff, dirty: 0xff });
        b = residentPage(w, obj, 1, { valid: 0xff, dirty: 0xff });
      },
      function* (w) {
        vm_page_set_validclean(w.k, a, 600, 1000); // blocks 1..3
        vm_page_set_validclean(w.k, b, 0, 4096);
        vm_page_set_validclean(w.k, b, 0, 0);
      },
    );
    expectOk(run);
    expect(a.dirty).toBe(0xf1);
    expect(b.dirty).toBe(0);
  });

  it('clear_dirty clears the touched blocks; undirty clears all; dirty needs a fully valid page', () => {
    let m!: vm_page;
    const run = locked(
      (w, obj) => (m = residentPage(w, obj, 0, { valid: 0xff, dirty: 0xff })),
      function* (w) {
        vm_page_clear_dirty(w.k, m, 1808, 4096 - 1808);
        expect(m.dirty).toBe(0x07);
        vm_page_undirty(w.k, m);
        expect(m.dirty).toBe(0);
        vm_page_dirty(w.k, m);
        expect(m.dirty).toBe(0xff);
        m.valid = 0x7f;
        vm_page_dirty(w.k, m);
      },
    );
    expectAssertion(run, 'KASSERT', 'vm_page_dirty', 'vm_page_dirty: page is invalid!');
  });

  it('undirty of an xbusy page needs no object lock; of an unbusied page it does', () => {
    let x!: vm_page, u!: vm_page;
    const run = io(
      W,
      (w) => {
        const obj = attachObject(w, w.vp);
        x = residentPage(w, obj, 0, { valid: 0xff, dirty: 0xff, busy: 'x' });
        u = residentPage(w, obj, 1, { valid: 0xff, dirty: 0xff });
      },
      {
        *T(w) {
          yield { kind: 'yield', label: 'y', fp: [] };
          vm_page_undirty(w.k, x);
          expect(x.dirty).toBe(0);
          vm_page_undirty(w.k, u);
        },
      },
    );
    expectAssertion(run, 'lock', 'vm_page_undirty', 'Lock vm object obj1 not exclusively locked');
  });

  it('zero_invalid zeroes each run of invalid blocks and with setvalid makes the page valid', () => {
    let m!: vm_page, n!: vm_page;
    const run = locked(
      (w, obj) => {
        m = residentPage(w, obj, 0, { valid: 0x25 }); // blocks 0, 2, 5
        n = residentPage(w, obj, 1, { valid: 0x25 });
      },
      function* (w) {
        vm_page_zero_invalid(w.k, m, true);
        vm_page_zero_invalid(w.k, n, false);
      },
    );
    expectOk(run);
    expect(m.data).toEqual(['d64.0', 'Z', 'd66.0', 'Z', 'Z', 'd69.0', 'Z', 'Z']);
    expect(m.valid).toBe(0xff);
    expect(n.valid).toBe(0x25);
    expect(n.data[7]).toBe('Z');
  });
});

describe('vm_page_alloc', () => {
  it('returns an xbusy page with garbage, inserted in pindex order, holding the vnode once', () => {
    const got: (vm_page | null)[] = [];
    const run = locked(
      () => {},
      function* (w, obj) {
        got.push(yield* vm_page_alloc(w.k, obj, 3, VM_ALLOC_NORMAL));
        got.push(yield* vm_page_alloc(w.k, obj, 1, VM_ALLOC_NORMAL, 917));
      },
    );
    expectOk(run);
    const [p3] = got as vm_page[];
    expect(vm_page_xbusied(p3!)).toBe(true);
    expect(p3!.valid).toBe(0);
    expect(p3!.data).toEqual(Array(8).fill(`G${p3!.phys}`));
    expect(run.w.vp.v_object!.memq.map((p) => p.pindex)).toEqual([1, 3]);
    expect(run.w.vp.v_holdcnt).toBe(2);
    expect(run.w.k.vm_cnt.v_free_count).toBe(998);
    expect(run.events.filter((e) => e.type === 'PAGE_INSERT')).toEqual([
      { type: 'PAGE_INSERT', obj: 'obj1', pindex: 3 },
      { type: 'PAGE_INSERT', obj: 'obj1', pindex: 1 },
    ]);
    expect(run.trace).toContain('T:vm_page_alloc(obj1, 1)@917');
  });

  it('fails for a pindex in the fault plan, at the free page reserve, and as the scheduler chooses', () => {
    const got: (number | null)[] = [];
    const body = function* (w: World, obj: vm_object) {
      for (const i of [0, 1, 2]) got.push((yield* vm_page_alloc(w.k, obj, i, VM_ALLOC_NORMAL))?.pindex ?? null);
    };
    expectOk(locked(() => {}, body, { faults: { pageAllocFail: [1] } }));
    expect(got.splice(0)).toEqual([0, null, 2]);
    expectOk(locked(() => {}, body, { freePages: 68 }));
    expect(got.splice(0)).toEqual([0, null, null]);
    let obj!: vm_object;
    const run = io(
      { ...W, faults: { pageAllocFail: 'choose' } },
      (w) => (obj = attachObject(w, w.vp)),
      {
        *T(w) {
          yield* VM_OBJECT_WLOCK(w.k, obj);
          yield* body(w, obj);
          yield* VM_OBJECT_WUNLOCK(w.k, obj);
        },
      },
      scripted([], [1, 0, 1]),
    );
    expectOk(run);
    expect(got).toEqual([null, 1, null]);
    expect(run.r.steps.filter((s) => s.choices).map((s) => s.choices)).toEqual([[1], [0], [1]]);
  });

  it('asserts the object lock and that no page is at pindex', () => {
    let obj!: vm_object;
    const unlocked = io(W, (w) => (obj = attachObject(w, w.vp)), {
      *T(w) {
        yield* vm_page_alloc(w.k, obj, 0, VM_ALLOC_NORMAL, 917);
      },
    });
    expectAssertion(unlocked, 'lock', 'vm_page_alloc', 'Lock vm object obj1 not exclusively locked', 917);
    const dup = locked(
      (w, o) => residentPage(w, o, 2),
      function* (w, o) {
        yield* vm_page_alloc(w.k, o, 2, VM_ALLOC_NORMAL);
      },
    );
    expectAssertion(dup, 'KASSERT', 'vm_page_alloc', 'vm_page_alloc: pindex already allocated');
  });
});

describe('lookup, prev, next', () => {
  it('follow memq whatever the gaps', () => {
    let obj!: vm_object;
    io(W, (w) => {
      obj = attachObject(w, w.vp);
      for (const i of [1, 4, 6]) residentPage(w, obj, i);
    }, {});
    const [a, b, c] = obj.memq as [vm_page, vm_page, vm_page];
    expect(vm_page_lookup(obj, 4)).toBe(b);
    expect(vm_page_lookup(obj, 5)).toBeNull();
    expect(vm_page_lookup(obj, 9)).toBeNull();
    expect(vm_page_prev(b)).toBe(a);
    expect(vm_page_prev(a)).toBeNull();
    expect(vm_page_next(b)).toBe(c);
    expect(vm_page_next(c)).toBeNull();
    a.object = null;
    expect(vm_page_prev(a)).toBeNull();
    expect(vm_page_next(a)).toBeNull();
  });
});

describe('vm_page_free', () => {
  it('removes the page, wakes its busy waiters, drops the vnode hold with the last page', () => {
    let m!: vm_page, n!: vm_page;
    const run = locked(
      (w, obj) => {
        m = residentPage(w, obj, 0, { valid: 0xff, busy: 'x' });
        n = residentPage(w, obj, 1, { valid: 0xff, dirty: 0x0f });
      },
      function* (w, obj) {
        vm_page_free(w.k, m);
        expect(obj.memq).toEqual([n]);
        expect(w.vp.v_holdcnt).toBe(2);
        vm_page_free(w.k, n);
      },
    );
    expectOk(run);
    expect(run.w.vp.v_holdcnt).toBe(1);
    expect(m.busy_lock).toBe(VPB_UNBUSIED);
    expect([m.object, n.valid, n.dirty, n.free]).toEqual([null, 0, 0, true]);
    expect(run.w.k.vm_cnt.v_free_count).toBe(1000);
    expect(run.events.filter((e) => e.type === 'PAGE_REMOVE').map((e) => (e as { pindex: number }).pindex)).toEqual([0, 1]);
  });

  it('of a page the object no longer holds (terminate detached it) only returns the frame', () => {
    let m!: vm_page;
    const run = locked(
      (w, obj) => (m = residentPage(w, obj, 0)),
      function* (w) {
        m.object = null;
        vm_page_free(w.k, m);
      },
    );
    expectOk(run);
    expect(m.free).toBe(true);
  });

  it.each([
    ['busy', { busy: 's' as const }, 'panic', 'vm_page_free: freeing busy page obj1.p0'],
    ['mapped', { mapped: true }, 'KASSERT', 'vm_page_free_toq: freeing mapped page obj1.p0'],
  ])('panics on a %s page', (_what, init, kind, msg) => {
    const run = locked(
      (w, obj) => residentPage(w, obj, 0, init),
      function* (w, obj) {
        vm_page_free(w.k, obj.memq[0]!);
      },
    );
    expectAssertion(run, kind as 'panic', 'vm_page_free_toq', msg);
  });

  it('panics on a wired page and on a page freed twice', () => {
    const wired = locked(
      (w, obj) => (residentPage(w, obj, 0).wire_count = 1),
      function* (w, obj) {
        vm_page_free(w.k, obj.memq[0]!);
      },
    );
    expectAssertion(wired, 'panic', 'vm_page_free_toq', 'vm_page_free: freeing wired page obj1.p0');
    let m!: vm_page;
    const twice = locked(
      (w, obj) => (m = residentPage(w, obj, 0)),
      function* (w) {
        vm_page_free(w.k, m);
        vm_page_free(w.k, m);
      },
    );
    expectAssertion(twice, 'panic', 'vm_page_free_toq', 'vm_page_free: freeing free page obj1.p0');
  });
});

describe('busy lock', () => {
  it('xbusy/xunbusy and sbusy/sunbusy count sharers; a failed busy panics', () => {
    let m!: vm_page;
    const states: [boolean, boolean, boolean][] = [];
    const st = () => states.push([vm_page_xbusied(m), vm_page_sbusied(m), vm_page_busied(m)]);
    const run = locked(
      (w, obj) => (m = residentPage(w, obj, 0, { valid: 0xff })),
      function* (w) {
        st();
        yield* vm_page_xbusy(w.k, m);
        st();
        yield* vm_page_xunbusy(w.k, m);
        yield* vm_page_sbusy(w.k, m);
        yield* vm_page_sbusy(w.k, m);
        st();
        yield* vm_page_sunbusy(w.k, m);
        st();
        yield* vm_page_sunbusy(w.k, m);
        st();
        yield* vm_page_sbusy(w.k, m);
        yield* vm_page_xbusy(w.k, m);
      },
    );
    expect(states).toEqual([
      [false, false, false],
      [true, false, true],
      [false, true, true],
      [false, true, true],
      [false, false, false],
    ]);
    expectAssertion(run, 'panic', 'vm_page_xbusy', 'vm_page_xbusy: page obj1.p0 failed exclusive busing');
  });

  it('sbusy of an xbusy page panics; xunbusy of a page not xbusy and sunbusy of one not sbusy assert', () => {
    const s = locked(
      (w, obj) => residentPage(w, obj, 0, { busy: 'x' }),
      function* (w, obj) {
        yield* vm_page_sbusy(w.k, obj.memq[0]!);
      },
    );
    expectAssertion(s, 'panic', 'vm_page_sbusy', 'vm_page_sbusy: page obj1.p0 failed shared busying');
    const x = locked(
      (w, obj) => residentPage(w, obj, 0),
      function* (w, obj) {
        yield* vm_page_xunbusy(w.k, obj.memq[0]!);
      },
    );
    expectAssertion(x, 'KASSERT', 'vm_page_xunbusy_hard', 'vm_page_assert_xbusied: page obj1.p0 not exclusive busy @ vm_page_xunbusy_hard');
    const su = locked(
      (w, obj) => residentPage(w, obj, 0),
      function* (w, obj) {
        yield* vm_page_sunbusy(w.k, obj.memq[0]!);
      },
    );
    expectAssertion(su, 'KASSERT', 'vm_page_sunbusy', 'vm_page_assert_sbusied: page obj1.p0 not shared busy @ vm_page_sunbusy');
  });

  it('assert_sbusied names the seed line', () => {
    const run = locked(
      (w, obj) => residentPage(w, obj, 0),
      function* (w, obj) {
        vm_page_assert_sbusied(w.k, obj.memq[0]!, 'vnode_pager_generic_putpages', 1250);
      },
    );
    expectAssertion(run, 'KASSERT', 'vnode_pager_generic_putpages', 'vm_page_assert_sbusied: page obj1.p0 not shared busy @ vnode_pager.c:1250', 1250);
  });

  it('busy_sleep drops the object lock, sets WAITERS and is woken by xunbusy; on an unbusied page it returns at once', () => {
    let m!: vm_page;
    let obj!: vm_object;
    let waitersSeen = 0;
    const run = io(
      W,
      (w) => {
        obj = attachObject(w, w.vp);
        m = residentPage(w, obj, 0, { valid: 0xff, busy: 'x' });
      },
      {
        *S(w) {
          yield* VM_OBJECT_WLOCK(w.k, obj);
          yield* vm_page_busy_sleep(w.k, m, 'vmopar');
          expect(vm_page_busied(m)).toBe(false);
          yield* VM_OBJECT_WLOCK(w.k, obj);
          yield* vm_page_busy_sleep(w.k, m, 'vmopar');
          expect(obj.lock.wowner).toBeNull();
        },
        *X(w) {
          yield* VM_OBJECT_WLOCK(w.k, obj);
          waitersSeen = m.busy_lock & VPB_BIT_WAITERS;
          yield* vm_page_readahead_finish(w.k, m);
          yield* VM_OBJECT_WUNLOCK(w.k, obj);
        },
      },
      scripted([{ t: 'S', until: atLabel('vm_page_busy_sleep') }]),
    );
    expectOk(run);
    expect(waitersSeen).toBe(VPB_BIT_WAITERS);
    /* WAITERS was set: readahead_finish activates the page instead of deactivating it. */
    expect(m.queue).toBe('active');
    expect(run.trace.filter((t) => t.startsWith('S:'))).toEqual([
      'S:start',
      'S:VM_OBJECT_WLOCK(obj1)',
      'S:vm_page_busy_sleep(obj1.p0, "vmopar")',
      'S:wake from "vmopar" on obj1.p0',
      'S:VM_OBJECT_WLOCK(obj1)',
      'S:vm_page_busy_sleep(obj1.p0, "vmopar")',
    ]);
  });

  it('sunbusy of the last sharer wakes waiters', () => {
    let m!: vm_page;
    let obj!: vm_object;
    const run = io(
      W,
      (w) => {
        obj = attachObject(w, w.vp);
        m = residentPage(w, obj, 0, { valid: 0xff, busy: 's' });
      },
      {
        *S(w) {
          yield* VM_OBJECT_WLOCK(w.k, obj);
          yield* vm_page_busy_sleep(w.k, m, 'vpcwai');
        },
        *U(w) {
          yield* vm_page_sunbusy(w.k, m);
        },
      },
    );
    expectOk(run);
    expect(m.busy_lock).toBe(VPB_UNBUSIED);
  });

  it('readahead_finish deactivates a page nobody waits for and asserts it is valid', () => {
    let m!: vm_page;
    const ok = locked(
      (w, obj) => (m = residentPage(w, obj, 0, { valid: 0x01, busy: 'x' })),
      function* (w) {
        yield* vm_page_readahead_finish(w.k, m, 1131);
      },
    );
    expectOk(ok);
    expect([m.queue, vm_page_busied(m)]).toEqual(['inactive', false]);
    const bad = locked(
      (w, obj) => residentPage(w, obj, 0, { busy: 'x' }),
      function* (w, obj) {
        yield* vm_page_readahead_finish(w.k, obj.memq[0]!, 1131);
      },
    );
    expectAssertion(bad, 'KASSERT', 'vm_page_readahead_finish', 'vm_page_readahead_finish: obj1.p0 is invalid', 1131);
  });

  it('leaves wired pages off the queues', () => {
    let m!: vm_page;
    const run = locked(
      (w, obj) => {
        m = residentPage(w, obj, 0, { valid: 0xff, busy: 'x' });
        m.wire_count = 1;
      },
      function* (w) {
        yield* vm_page_readahead_finish(w.k, m);
      },
    );
    expectOk(run);
    expect(m.queue).toBe('none');
  });
});

describe('pmap', () => {
  it('zeroes the page or an exact byte range, and tracks mappings', () => {
    let m!: vm_page;
    const run = locked(
      (w, obj) => (m = residentPage(w, obj, 0, { valid: 0xff })),
      function* (w) {
        pmap_zero_page_area(w.k, m, 700, 400);
        expect(m.data.slice(0, 3)).toEqual(['d64.0', 'd65.0@0-188|Z@188-512', 'Z@0-76|d66.0@76-512']);
        pmap_enter(w.k, m, false);
        expect([pmap_page_is_mapped(m), pmap_page_is_write_mapped(m)]).toEqual([true, false]);
        pmap_enter(w.k, m, true);
        expect(m.aflags & PGA_WRITEABLE).toBe(PGA_WRITEABLE);
        pmap_remove_write(w.k, m);
        expect([pmap_page_is_mapped(m), pmap_page_is_write_mapped(m)]).toEqual([true, false]);
        pmap_enter(w.k, m, true);
        pmap_remove_all(w.k, m);
        expect([pmap_page_is_mapped(m), pmap_page_is_write_mapped(m)]).toEqual([false, false]);
        pmap_zero_page(w.k, m);
        pmap_zero_page_area(w.k, m, 4000, 200);
      },
    );
    expect(m.data).toEqual(Array(8).fill('Z'));
    expect(run.r.result.status).toBe('error');
  });
});
