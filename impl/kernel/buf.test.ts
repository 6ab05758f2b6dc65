import { describe, expect, it } from 'vitest';
import { expectAssertion, expectOk, io, scripted, atLabel } from './testkit_io.ts';
import { attachObject, residentPage, type World } from './world.ts';
import {
  BIO_ERROR,
  BIO_READ,
  BIO_WRITE,
  BUF_KERNPROC,
  B_DONE,
  B_PAGING,
  EIO,
  PVM,
  atomic_add_long_runningbufspace,
  bdone,
  bstrategy,
  buf,
  buf_mapped,
  bufdone,
  bwait,
  getpbuf,
  pbgetbo,
  pbrelbo,
  relpbuf,
  sf_buf_alloc,
  sf_buf_free,
  sf_buf_kva,
  unmapped_buf,
} from './buf.ts';
import { blockCopy, bo_bsize, disk_of_bo, disk_read } from './disk.ts';
import type { vm_page } from './vm_page.ts';

const W = { flavor: 'block', f_iosize: 4096, fileSize: 16384 } as const;

describe('pbuf pool', () => {
  it('getpbuf takes from the counter and the LIFO free list; relpbuf gives back', () => {
    const got: string[] = [];
    const run = io(W, () => {}, {
      *T(w) {
        const a = yield* getpbuf(w.k, 'vnode_pbuf_freecnt');
        const b = yield* getpbuf(w.k, 'vnode_async_pbuf_freecnt');
        const c = yield* getpbuf(w.k, null);
        got.push(a.name, b.name, c.name);
        expect([w.k.vnode_pbuf_freecnt, w.k.vnode_async_pbuf_freecnt]).toEqual([128, 127]);
        yield* relpbuf(w.k, b, 'vnode_async_pbuf_freecnt');
        yield* relpbuf(w.k, c, null);
        const d = yield* getpbuf(w.k, 'vnode_pbuf_freecnt', 790);
        got.push(d.name);
        yield* relpbuf(w.k, a, 'vnode_pbuf_freecnt');
        yield* relpbuf(w.k, d, 'vnode_pbuf_freecnt');
      },
    });
    expectOk(run);
    expect(got).toEqual(['pbuf1', 'pbuf2', 'pbuf3', 'pbuf3']);
    expect([run.w.k.vnode_pbuf_freecnt, run.w.k.vnode_async_pbuf_freecnt, run.w.k.pbuf_free.map((b) => b.name)]).toEqual([129, 128, ['pbuf3', 'pbuf1', 'pbuf2']]);
    expect(run.trace).toContain('T:mtx_lock(&pbuf_mtx)@790');
  });

  it('getpbuf resets what initpbuf resets and leaves the rest of the previous use', () => {
    const run = io(W, () => {}, {
      *T(w) {
        const a = yield* getpbuf(w.k, null);
        a.b_flags = B_DONE;
        a.b_ioflags = BIO_ERROR;
        a.b_error = EIO;
        a.b_blkno = 77;
        a.b_npages = 3;
        a.b_rcred = 'td_ucred';
        a.b_data = unmapped_buf;
        yield* relpbuf(w.k, a, null);
        const b = yield* getpbuf(w.k, null);
        expect(b).toBe(a);
        expect([b.b_flags, b.b_ioflags, b.b_error, b.b_rcred, buf_mapped(b)]).toEqual([0, 0, 0, 'NOCRED', true]);
        expect([b.b_blkno, b.b_npages]).toEqual([77, 3]);
      },
    });
    expectOk(run);
  });

  it('a getpbuf on an empty counter sleeps "wswbuf0" until relpbuf takes the counter from 0 to 1', () => {
    const run = io(
      { ...W, faults: { pbufs: { sync: 1, async: 1 } } },
      () => {},
      {
        *A(w) {
          const bp = yield* getpbuf(w.k, 'vnode_pbuf_freecnt');
          yield { kind: 'yield', label: 'A holds the pbuf', fp: [] };
          yield* relpbuf(w.k, bp, 'vnode_pbuf_freecnt');
        },
        *B(w) {
          const bp = yield* getpbuf(w.k, 'vnode_pbuf_freecnt');
          yield* relpbuf(w.k, bp, 'vnode_pbuf_freecnt');
        },
      },
      scripted([
        { t: 'A', until: atLabel('A holds') },
        { t: 'B', until: atLabel('sleep "wswbuf0"') },
      ]),
    );
    expectOk(run);
    const t = run.trace.join('\n');
    expect(t).toContain('B:sleep "wswbuf0" on vnode_pbuf_freecnt');
    expect(t).toContain('A:wakeup(vnode_pbuf_freecnt)');
    expect(t).toContain('B:wake from "wswbuf0" on vnode_pbuf_freecnt');
    /* B's own relpbuf takes the counter from 0 to 1 as well: a wakeup nobody waits for. */
    expect(run.trace.filter((s) => s.includes('wakeup(vnode_pbuf_freecnt)'))).toEqual(['A:wakeup(vnode_pbuf_freecnt)', 'B:wakeup(vnode_pbuf_freecnt)']);
    expect(run.w.k.vnode_pbuf_freecnt).toBe(1);
  });

  it('relpbuf wakes the counter only on its 0 -> 1 transition', () => {
    const run = io({ ...W, faults: { pbufs: { sync: 2, async: 1 } } }, () => {}, {
      *T(w) {
        const a = yield* getpbuf(w.k, 'vnode_pbuf_freecnt');
        const b = yield* getpbuf(w.k, 'vnode_pbuf_freecnt');
        yield* relpbuf(w.k, a, 'vnode_pbuf_freecnt');
        yield* relpbuf(w.k, b, 'vnode_pbuf_freecnt');
      },
    });
    expectOk(run);
    expect(run.trace.filter((s) => s.includes('wakeup'))).toEqual(['T:wakeup(vnode_pbuf_freecnt)']);
  });

  it('an empty free list sleeps "wswbuf1" until a pbuf comes back', () => {
    const run = io(
      W,
      (w) => (w.k.nswbuf = 1),
      {
        *A(w) {
          const bp = yield* getpbuf(w.k, null);
          yield { kind: 'yield', label: 'A holds the pbuf', fp: [] };
          yield* relpbuf(w.k, bp, null);
        },
        *B(w) {
          const bp = yield* getpbuf(w.k, 'vnode_pbuf_freecnt');
          expect(bp.name).toBe('pbuf1');
          yield* relpbuf(w.k, bp, 'vnode_pbuf_freecnt');
        },
      },
      scripted([
        { t: 'A', until: atLabel('A holds') },
        { t: 'B', until: atLabel('sleep "wswbuf1"') },
      ]),
    );
    expectOk(run);
    expect(run.trace).toContain('A:wakeup(bswneeded)');
    expect(run.w.k.bswneeded).toBe(0);
  });

  it('relpbuf asserts b_vp and b_bufobj are clear, and that curthread may unlock the buffer', () => {
    const check = (mod: (w: World, bp: buf) => void) =>
      io(W, () => {}, {
        *T(w) {
          const bp = yield* getpbuf(w.k, null);
          mod(w, bp);
          yield* relpbuf(w.k, bp, null, 587);
        },
      });
    expectAssertion(check((w, bp) => (bp.b_vp = w.vp)), 'KASSERT', 'relpbuf', 'relpbuf with vp', 587);
    expectAssertion(check((_w, bp) => (bp.b_bufobj = 'da0')), 'KASSERT', 'relpbuf', 'relpbuf with bufobj', 587);
    expectAssertion(check((_w, bp) => (bp.b_lockowner = null)), 'lock', 'relpbuf', 'lockmgr: T unlocks buffer pbuf1 held by nobody', 587);
  });

  it('another thread may release the pbuf only after BUF_KERNPROC', () => {
    const run = (kernproc: boolean) => {
      let bp!: buf;
      return io(
        W,
        () => {},
        {
          *A(w) {
            bp = yield* getpbuf(w.k, null);
            if (kernproc) BUF_KERNPROC(w.k, bp);
          },
          *B(w) {
            yield { kind: 'yield', label: 'B', fp: [] };
            yield* relpbuf(w.k, bp, null);
          },
        },
      );
    };
    expectOk(run(true));
    expectAssertion(run(false), 'lock', 'relpbuf', 'lockmgr: B unlocks buffer pbuf1 held by A');
  });

  it('pbgetbo and pbrelbo attach and detach the bufobj with their KASSERTs', () => {
    const run = io(W, () => {}, {
      *T(w) {
        const bp = yield* getpbuf(w.k, null);
        pbgetbo(w.k, 'da0', bp);
        expect([bp.b_bufobj, bp.b_flags & B_PAGING]).toEqual(['da0', B_PAGING]);
        expect(() => pbgetbo(w.k, 'da0', bp)).toThrow('pbgetbo: not free (bufobj)');
        bp.b_vp = w.vp;
        expect(() => pbgetbo(w.k, 'da0', bp)).toThrow('pbgetbo: not free (vnode)');
        expect(() => pbrelbo(w.k, bp)).toThrow('pbrelbo: vnode');
        bp.b_vp = null;
        pbrelbo(w.k, bp);
        expect([bp.b_bufobj, bp.b_flags & B_PAGING]).toEqual([null, 0]);
        expect(() => pbrelbo(w.k, bp)).toThrow('pbrelbo: NULL bufobj');
        yield* relpbuf(w.k, bp, null);
      },
    });
    expectOk(run);
  });
});

/** A pbuf set up to read or write `pages` at sector s0 for bcount bytes. */
function* ioBuf(w: World, cmd: number, pages: vm_page[], s0: number, bcount: number) {
  const bp = yield* getpbuf(w.k, 'vnode_pbuf_freecnt');
  bp.b_iocmd = cmd;
  pages.forEach((m, i) => (bp.b_pages[i] = m));
  bp.b_npages = pages.length;
  pbgetbo(w.k, 'da0', bp);
  bp.b_blkno = s0;
  bp.b_iooffset = s0 * 512;
  bp.b_bcount = bp.b_bufsize = bp.b_runningbufspace = bcount;
  bp.b_iodone = bdone;
  yield* atomic_add_long_runningbufspace(w.k, bcount);
  return bp;
}

describe('bstrategy, bufdone, bdone, bwait', () => {
  it('a read moves the sectors into the pages in a completion thread, then bdone wakes bwait', () => {
    let m!: vm_page;
    const seen: number[] = [];
    const run = io(
      W,
      (w) => (m = residentPage(w, attachObject(w, w.vp), 0, { busy: 'x' })),
      {
        *T(w) {
          const bp = yield* ioBuf(w, BIO_READ, [m], 72, 2560);
          seen.push(w.k.runningbufspace);
          yield* bstrategy(w.k, bp, 1046);
          yield* bwait(w.k, bp, PVM, 'vnread', 1047);
          seen.push(w.k.runningbufspace, bp.b_ioflags, bp.b_flags & B_DONE, bp.b_runningbufspace);
          bp.b_flags &= ~B_DONE;
          /* A second I/O on the same buffer gets its own thread name. */
          bp.b_iodone = bdone;
          yield* bstrategy(w.k, bp);
          yield* bwait(w.k, bp, PVM, 'vnread');
          pbrelbo(w.k, bp);
          yield* relpbuf(w.k, bp, 'vnode_pbuf_freecnt');
        },
      },
    );
    expectOk(run);
    expect(seen).toEqual([2560, 0, 0, B_DONE, 0]);
    expect(m.data).toEqual(['d72.0', 'd73.0', 'd74.0', 'd75.0', 'd76.0', `G${m.phys}`, `G${m.phys}`, `G${m.phys}`]);
    expect(run.r.threadNames).toEqual(['T', 'io:pbuf1', 'io:pbuf1#2']);
    expect(run.trace.slice(0, 12)).toEqual([
      'T:start',
      'T:mtx_lock(&pbuf_mtx)',
      'T:mtx_unlock(&pbuf_mtx)',
      'T:atomic_add_long(&runningbufspace, 2560)',
      'T:bstrategy(pbuf1)@1046',
      'T:bwait(pbuf1, "vnread")@1047',
      'io:pbuf1:start',
      'io:pbuf1:I/O completion of pbuf1: read da0 sectors 72-76',
      'io:pbuf1:atomic_subtract_long(&runningbufspace, 2560)',
      'io:pbuf1:bdone(pbuf1)',
      'T:wake from "vnread" on pbuf1@1047',
      'T:bstrategy(pbuf1)',
    ]);
    const done = run.r.steps.find((s) => s.label.startsWith('I/O completion'))!;
    expect(done.fp.map((a) => a.res)).toEqual(['buf:pbuf1', 'disk:72', 'disk:73', 'disk:74', 'disk:75', 'disk:76', 'obj1.p0.data', 'obj1.p0.data', 'obj1.p0.data', 'obj1.p0.data', 'obj1.p0.data']);
  });

  it('bwait after the completion does not sleep', () => {
    let m!: vm_page;
    const run = io(
      W,
      (w) => (m = residentPage(w, attachObject(w, w.vp), 0, { busy: 'x' })),
      {
        *T(w) {
          const bp = yield* ioBuf(w, BIO_READ, [m], 64, 512);
          yield* bstrategy(w.k, bp);
          yield { kind: 'yield', label: 'let the I/O finish', fp: [] };
          yield* bwait(w.k, bp, PVM, 'vnread');
        },
      },
      scripted([{ t: 'T', until: atLabel('bstrategy') }, { t: 'io:pbuf1', until: atLabel('bdone') }]),
    );
    expectOk(run);
    expect(run.trace.some((s) => s.startsWith('T:wake'))).toBe(false);
  });

  it('a read error on any sector of the transfer sets BIO_ERROR and moves no data', () => {
    let m!: vm_page;
    const run = io(
      { ...W, faults: { readErrorSectors: [74] } },
      (w) => (m = residentPage(w, attachObject(w, w.vp), 0, { busy: 'x' })),
      {
        *T(w) {
          const bp = yield* ioBuf(w, BIO_READ, [m], 72, 4096);
          yield* bstrategy(w.k, bp);
          yield* bwait(w.k, bp, PVM, 'vnread');
          expect([bp.b_ioflags & BIO_ERROR, bp.b_error]).toEqual([BIO_ERROR, EIO]);
        },
      },
    );
    expectOk(run);
    expect(m.data).toEqual(Array(8).fill(`G${m.phys}`));
  });

  it('a write copies the pages to the sectors (a partial last sector keeps the rest of the sector); a write error writes nothing', () => {
    let m!: vm_page;
    const body = function* (w: World) {
      const bp = yield* ioBuf(w, BIO_WRITE, [m], 200, 1100);
      bp.b_data = { kind: 'kva', off: 512 };
      yield* bstrategy(w.k, bp);
      yield* bwait(w.k, bp, PVM, 'biowr');
    };
    const setup = (w: World) => {
      m = residentPage(w, attachObject(w, w.vp), 0, { valid: 0xff, busy: 's' });
      m.data = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    };
    const ok = io(W, setup, { T: body });
    expectOk(ok);
    expect([200, 201, 202, 203].map((s) => disk_read(ok.w.disk, s))).toEqual(['b', 'c', 'd@0-76|d202.0@76-512', 'd203.0']);
    expect(ok.w.disk.gen.get(200)).toBe(1);
    const bad = io({ ...W, faults: { writeErrorSectors: [202] } }, setup, { T: body });
    expectOk(bad);
    expect(disk_read(bad.w.disk, 200)).toBe('d200.0');
  });

  it('an sf_buf transfer lands in one page at its offset; a transfer past the page is a harness error', () => {
    let m!: vm_page;
    const run = (off: number) =>
      io(W, (w) => (m = residentPage(w, attachObject(w, w.vp), 0, { busy: 'x' })), {
        *T(w) {
          const sf = sf_buf_alloc(w.k, m);
          const bp = yield* ioBuf(w, BIO_READ, [], 90, 1024);
          bp.b_data = sf_buf_kva(sf, off);
          yield* bstrategy(w.k, bp);
          yield* bwait(w.k, bp, PVM, 'vnsrd');
          sf_buf_free(w.k, sf);
        },
      });
    expectOk(run(3072));
    expect(m.data.slice(5)).toEqual([`G${m.phys}`, 'd90.0', 'd91.0']);
    expect(run(3584).r.result).toMatchObject({ status: 'error', error: expect.stringContaining('sf_buf transfer past the end of obj1.p0') });
  });

  it('bstrategy asserts a bufobj; bufdone asserts the buffer is not done and needs b_iodone', () => {
    const nobo = io(W, () => {}, {
      *T(w) {
        const bp = yield* getpbuf(w.k, null);
        yield* bstrategy(w.k, bp, 575);
      },
    });
    expectAssertion(nobo, 'KASSERT', 'bstrategy', 'bstrategy: no bufobj bp=pbuf1', 575);
    const done = io(W, () => {}, {
      *T(w) {
        const bp = new buf('bp9');
        bp.b_flags = B_DONE;
        yield* bufdone(w.k, bp);
      },
    });
    expectAssertion(done, 'KASSERT', 'bufdone', 'biodone: bp bp9 already done');
    const noiodone = io(W, () => {}, {
      *T(w) {
        yield* bufdone(w.k, new buf('bp9'));
      },
    });
    expect(noiodone.r.result).toMatchObject({ status: 'error', error: expect.stringContaining('bufdone(bp9) without b_iodone') });
  });
});

describe('disk', () => {
  it('names devices, copies partial blocks segment by segment', () => {
    const run = io(W, () => {}, {});
    expect(bo_bsize(run.w.k, 'da0')).toBe(512);
    expect(disk_of_bo(run.w.k, 'da0')).toBe(run.w.disk);
    expect(() => disk_of_bo(run.w.k, 'da9')).toThrow('no disk behind bufobj "da9"');
    expect(blockCopy('x', 'y', 0, 512)).toBe('y');
    expect(blockCopy('x', 'y@0-100|Z@100-512', 50, 300)).toBe('x@0-50|y@50-100|Z@100-300|x@300-512');
    expect(blockCopy('x', 'y', 10, 10)).toBe('x');
  });
});
