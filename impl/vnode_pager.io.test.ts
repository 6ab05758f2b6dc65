/*
 * Sequential tests of the I/O half of the port (impl/vnode_pager.ts). Expected
 * values are worked out by hand from the seed; each derivation is in a
 * comment beside its test. World layout (world.ts): file data from sector 64,
 * one f_iosize block after the other unless `runs` splits extents.
 */
import { describe, expect, it } from 'vitest';
import type { KThread } from '../checker/op.ts';
import { atLabel, atLine, expectAssertion, expectOk, io, scripted, type IoRun } from './kernel/testkit_io.ts';
import { attachObject, residentPage, type PageInit, type World, type WorldOptions } from './kernel/world.ts';
import { VM_OBJECT_WLOCK, VM_OBJECT_WUNLOCK, type vm_object } from './kernel/vm_object.ts';
import { VM_PAGER_AGAIN, VM_PAGER_BAD, VM_PAGER_CLUSTER_OK, VM_PAGER_ERROR, VM_PAGER_OK, VM_PAGER_PUT_INVAL, VM_PAGER_PUT_NOREUSE, VM_PAGER_PUT_SYNC, type Ref } from './kernel/vm_pager.ts';
import { vm_page_busied, vm_page_xbusied, type vm_page } from './kernel/vm_page.ts';
import { EIO, EOPNOTSUPP, type pgiodone_t } from './kernel/buf.ts';
import { disk, disk_read } from './kernel/disk.ts';
import { VCHR, VI_DOOMED } from './kernel/vnode.ts';
import { vnode_pager_setsize } from './vnode_pager.ts';
import {
  VM_PINDEX_MAX,
  umin,
  vnode_pager_addr,
  vnode_pager_generic_getpages,
  vnode_pager_generic_putpages,
  vnode_pager_getpages,
  vnode_pager_getpages_async,
  vnode_pager_haspage,
  vnode_pager_input_old,
  vnode_pager_input_smlfs,
  vnode_pager_putpages,
  vnode_pager_putpages_ioflags,
  vnode_pager_undirty_pages,
} from './vnode_pager.ts';

type Opts = Omit<WorldOptions, 'observer'>;
const G = (m: vm_page) => `G${m.phys}`;
/** The file's expected contents for page p, zeros past EOF. */
const fileBlocks = (w: World, p: number) => Array.from({ length: 8 }, (_, i) => w.expected(w.vp)[p * 8 + i] ?? 'Z');

/** A thread T that runs body with the object write-locked around it. */
function locked(opts: Opts, setup: (w: World, obj: vm_object) => void, body: (w: World, obj: vm_object) => KThread, sched?: Parameters<typeof io>[3]): IoRun {
  let obj!: vm_object;
  return io(
    opts,
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
    sched,
  );
}

/* ---------------------------------------------------------------- haspage */

describe('vnode_pager_haspage (seed 310-385)', () => {
  const H: Opts = { flavor: 'block', f_iosize: 16384, fileSize: 5 * 16384 };
  function has(opts: Opts, pindex: number, refs: [Ref | null, Ref | null] = [{ v: 99 }, { v: 99 }], mod: (w: World, obj: vm_object) => void = () => {}) {
    let got: boolean | undefined;
    const run = locked(opts, mod, function* (w, obj) {
      got = yield* vnode_pager_haspage(w.k, obj, pindex, refs[0], refs[1]);
    });
    return { run, got, before: refs[0]?.v, after: refs[1]?.v };
  }

  it('pagesperblock > 0: before/after in pages around pindex, the object lock dropped around VOP_BMAP', () => {
    /* 16K blocks, 5 contiguous blocks, 20 pages. pindex 6: reqblock 1, runb 1, runp 3, poff 2.
       before = 1*4 + 2 = 6; KASSERT (1+3)*4 = 16 < roundup2(20, 4) = 20; after = 3*4 + 4 - 3 = 13; 6 + 13 < 20. */
    const { run, got, before, after } = has(H, 6);
    expectOk(run);
    expect([got, before, after]).toEqual([true, 6, 13]);
    expect(run.trace).toEqual(['T:start', 'T:VM_OBJECT_WLOCK(obj1)', 'T:VM_OBJECT_WUNLOCK(obj1)@345', 'T:VOP_BMAP(vp1, 1)@346', 'T:VM_OBJECT_WLOCK(obj1)@347', 'T:VM_OBJECT_WUNLOCK(obj1)']);
  });

  it('after is cut at the object end', () => {
    /* 73728 bytes = 18 pages in 5 blocks (the last half full). after = 13, 6 + 13 >= 18: after = 18 - 1 - 6 = 11.
       KASSERT: 16 < roundup2(18, 4) = 20 holds. */
    const { run, got, before, after } = has({ ...H, fileSize: 73728 }, 6);
    expectOk(run);
    expect([got, before, after]).toEqual([true, 6, 11]);
  });

  it('a hole: FALSE, with the zero runs BMAP wrote', () => {
    const { got, before, after } = has({ ...H, holes: [1] }, 6);
    expect([got, before, after]).toEqual([false, 0, 0]);
  });

  it('beyond EOF, no vnode, or a doomed vnode: FALSE without BMAP', () => {
    const eof = has(H, 20);
    expect([eof.got, eof.before, eof.after]).toEqual([false, 99, 99]);
    expect(eof.run.trace.some((s) => s.includes('VOP_BMAP'))).toBe(false);
    expect(has(H, 0, undefined, (w) => (w.vp.v_iflag |= VI_DOOMED)).got).toBe(false);
    expect(has(H, 0, undefined, (_w, obj) => (obj.handle = null)).got).toBe(false);
  });

  it('NULL before/after are left alone', () => {
    expect(has(H, 6, [null, null]).got).toBe(true);
    expect(has({ flavor: 'small', f_iosize: 1024, fileSize: 16384 }, 2, [null, null]).got).toBe(true);
  });

  it('a BMAP error (EOPNOTSUPP, or EIO from the fault plan) means TRUE, outputs untouched', () => {
    const nob = has({ flavor: 'nobmap', f_iosize: 16384, fileSize: 5 * 16384 }, 6);
    expect([nob.got, nob.before, nob.after]).toEqual([true, 99, 99]);
    const eio = has({ ...H, faults: { bmapErrorBlocks: [1] } }, 6);
    expect([eio.got, eio.before, eio.after]).toEqual([true, 99, 99]);
  });

  it('blocks smaller than a page: reqblock = pindex * blocksperpage, runs divided by blocksperpage', () => {
    /* 1K blocks, 16 of them: pindex 2 -> reqblock 8; runb 8 (blocks 0-7), runp 7 (9-15). before 8/4 = 2, after 7/4 = 1. */
    const { run, got, before, after } = has({ flavor: 'small', f_iosize: 1024, fileSize: 16384 }, 2);
    expectOk(run);
    expect([got, before, after]).toEqual([true, 2, 1]);
    expect(run.trace).toContain('T:VOP_BMAP(vp1, 8)@346');
  });

  it('KASSERTs that BMAP reports no block past the object end', () => {
    /* The object shrank to 4 pages while the file still has 5 blocks: pindex 1, reqblock 0, runp 4: 16 < roundup2(4, 4) = 4 fails. */
    const { run } = has(H, 1, undefined, (_w, obj) => {
      obj.size = 4;
      obj.un_pager.vnp.vnp_size = 16384;
    });
    expectAssertion(run, 'KASSERT', 'vnode_pager_haspage', 'vnode_pager_haspage: reqblock 0 after 4 size 4', 365);
  });

  it('asserts the object lock', () => {
    let obj!: vm_object;
    const run = io(H, (w) => (obj = attachObject(w, w.vp)), {
      *T(w) {
        yield* vnode_pager_haspage(w.k, obj, 0, null, null);
      },
    });
    expectAssertion(run, 'lock', 'vnode_pager_haspage', 'Lock vm object obj1 not exclusively locked', 322);
  });
});

/* ---------------------------------------------------------------- addr */

describe('vnode_pager_addr (seed 480-511)', () => {
  function addr(opts: Opts, address: number, withRun: boolean, mod: (w: World) => void = () => {}) {
    const rt: Ref = { v: 99 };
    const run: Ref | null = withRun ? { v: 99 } : null;
    let err = 0;
    const r = io(opts, mod, {
      *T(w) {
        err = yield* vnode_pager_addr(w.k, w.vp, address, rt, run);
      },
    });
    expectOk(r);
    return [err, rt.v, run?.v ?? null, r.trace];
  }
  /* 16K blocks at 64, 96, 128, hole, 160. */
  const A: Opts = { flavor: 'block', f_iosize: 16384, fileSize: 5 * 16384, holes: [3] };

  it('address in DEV_BSIZE units plus the offset in the block; run in pages from there', () => {
    /* 20480 = block 1 + 4096: 96 + 8 = 104; runp 1 (block 2; the hole ends the run): (1 + 1) * 4 - 1 = 7. */
    const [err, rt, run, trace] = addr(A, 20480, true);
    expect([err, rt, run]).toEqual([0, 104, 7]);
    expect(trace).toContain('T:VOP_BMAP(vp1, 1)@499');
    expect(addr(A, 20480, false).slice(0, 3)).toEqual([0, 104, null]);
  });

  it('a hole stays -1; the run still counts the block', () => {
    /* 3 * 16384 + 100: hole; run (0 + 1) * 4 - 100/4096 = 4. */
    expect(addr(A, 3 * 16384 + 100, true).slice(0, 3)).toEqual([0, -1, 4]);
  });

  it('-1 for a negative address or a doomed vnode; the BMAP error otherwise', () => {
    expect(addr(A, -1, true).slice(0, 3)).toEqual([-1, 99, 99]);
    expect(addr(A, 0, true, (w) => (w.vp.v_iflag |= VI_DOOMED)).slice(0, 3)).toEqual([-1, 99, 99]);
    expect(addr({ flavor: 'nobmap', f_iosize: 4096 }, 0, true).slice(0, 3)).toEqual([EOPNOTSUPP, 99, 99]);
  });
});

/* ---------------------------------------------------------------- input_smlfs */

describe('vnode_pager_input_smlfs (seed 516-603)', () => {
  /* 1K blocks: 0-4 at 64, 66, ..., 72; block 5 a hole; block 6 at 74. EOF at 6656: sector 74 is data, 75 is past EOF (zero on disk).
     Page 1 = blocks 4..7 of the file. */
  const S: Opts = { flavor: 'small', f_iosize: 1024, fileSize: 6656, holes: [5] };

  function smlfs(opts: Opts, init: PageInit = { busy: 'x' }) {
    let m!: vm_page;
    let obj!: vm_object;
    let rv = -1;
    const run = io(
      opts,
      (w) => {
        obj = attachObject(w, w.vp);
        m = residentPage(w, obj, 1, init);
      },
      {
        *T(w) {
          rv = yield* vnode_pager_input_smlfs(w.k, obj, m);
        },
      },
    );
    return { run, m, rv };
  }

  it('reads each invalid block with its own pbuf I/O, zeroes holes and blocks past EOF, validates block by block', () => {
    /* i=0: 4096 -> block 4 at 72; i=1: hole -> bzero; i=2: block 6 at 74 (sectors 74, 75); i=3: 7168 >= 6656 -> bzero. */
    const { run, m, rv } = smlfs(S);
    expectOk(run);
    expect(rv).toBe(VM_PAGER_OK);
    expect(m.data).toEqual(['d72.0', 'd73.0', 'Z', 'Z', 'd74.0', 'Z', 'Z', 'Z']);
    expect(m.data).toEqual(fileBlocks(run.w, 1));
    expect(m.valid).toBe(0xff);
    expect(run.r.threadNames).toEqual(['T', 'io:pbuf1', 'io:pbuf1#2']);
    const lines = run.r.steps.filter((s) => run.r.threadNames[s.tid] === 'T' && s.line !== undefined).map((s) => s.line);
    /* VOP_BMAP at 535 asks only for the bufobj (bnp NULL): it reads no block map and makes no step. */
    expect([...new Set(lines)]).toEqual([499, 555, 571, 575, 577, 587, 594, 596]);
    expect(run.w.k.vnode_pbuf_freecnt).toBe(129);
    expect(run.w.k.runningbufspace).toBe(0);
  });

  it('skips blocks already valid', () => {
    const { run, m } = smlfs(S, { busy: 'x', valid: 0x0c });
    expectOk(run);
    expect(m.valid).toBe(0xff);
    expect(run.trace.some((s) => s.includes('VOP_BMAP(vp1, 5)'))).toBe(false);
  });

  it('doomed: VM_PAGER_BAD', () => {
    expect(smlfs(S, { busy: 'x' }).rv).toBe(VM_PAGER_OK);
    const { rv } = (() => {
      let m!: vm_page;
      let obj!: vm_object;
      let rv = -1;
      io(
        S,
        (w) => {
          obj = attachObject(w, w.vp);
          m = residentPage(w, obj, 1, { busy: 'x' });
          w.vp.v_iflag |= VI_DOOMED;
        },
        {
          *T(w) {
            rv = yield* vnode_pager_input_smlfs(w.k, obj, m);
          },
        },
      );
      return { rv };
    })();
    expect(rv).toBe(VM_PAGER_BAD);
  });

  it('a read error stops with VM_PAGER_ERROR and the block not valid', () => {
    const { run, m, rv } = smlfs({ ...S, faults: { readErrorSectors: [72] } });
    expectOk(run);
    expect([rv, m.valid, run.w.k.vnode_pbuf_freecnt]).toEqual([VM_PAGER_ERROR, 0, 129]);
    expect(run.trace.filter((s) => s.includes('VOP_BMAP')).length).toBe(1);
  });

  it('an addr error stops with VM_PAGER_ERROR before any I/O', () => {
    const { run, m, rv } = smlfs({ ...S, faults: { bmapErrorBlocks: [4] } });
    expectOk(run);
    expect([rv, m.valid]).toEqual([VM_PAGER_ERROR, 0]);
    expect(run.trace.some((s) => s.includes('getpbuf') || s.includes('pbuf_mtx'))).toBe(false);
  });

  it('KASSERTs the block is not dirty', () => {
    const { run } = smlfs(S, { busy: 'x', dirty: 0x01 });
    expectAssertion(run, 'KASSERT', 'vnode_pager_input_smlfs', 'vnode_pager_input_smlfs: page obj1.p1 is dirty', 592);
  });
});

/* ---------------------------------------------------------------- input_old */

describe('vnode_pager_input_old (seed 608-667)', () => {
  /* No BMAP, 4K blocks at 64, 72, 80; EOF at 10000 = 8192 + 1808 (sector 83 holds 272 bytes of data). */
  const O: Opts = { flavor: 'nobmap', f_iosize: 4096, fileSize: 10000 };

  function old(opts: Opts, pindex: number, init: PageInit, mod: (w: World) => void = () => {}, lockIt = true) {
    let m!: vm_page;
    let obj!: vm_object;
    let rv = -1;
    const run = io(
      opts,
      (w) => {
        obj = attachObject(w, w.vp);
        m = residentPage(w, obj, pindex, init);
        mod(w);
      },
      {
        *T(w) {
          if (lockIt) yield* VM_OBJECT_WLOCK(w.k, obj);
          rv = yield* vnode_pager_input_old(w.k, obj, m);
          if (lockIt) yield* VM_OBJECT_WUNLOCK(w.k, obj);
        },
      },
    );
    return { run, m, rv };
  }

  it('reads the page through VOP_READ up to EOF and zeroes the rest', () => {
    const { run, m, rv } = old(O, 2, { busy: 'x' });
    expectOk(run);
    expect(rv).toBe(VM_PAGER_OK);
    expect(m.data).toEqual(['d80.0', 'd81.0', 'd82.0', 'd83.0@0-272|Z@272-512', 'Z', 'Z', 'Z', 'Z']);
    expect(m.data).toEqual(fileBlocks(run.w, 2));
    expect(m.valid).toBe(0xff);
    expect(run.trace.filter((s) => s.startsWith('T:') && /@(631|649|661)$/.test(s))).toEqual(['T:VM_OBJECT_WUNLOCK(obj1)@631', 'T:ffs_read(vp1, block 2)@649', 'T:atomic_add_long(&runningbufspace, 4096)@649', 'T:bstrategy(bp1)@649', 'T:bwait(bp1, "biord")@649', 'T:wake from "biord" on bp1@649', 'T:VM_OBJECT_WLOCK(obj1)@661']);
  });

  it('a whole page needs no zeroing', () => {
    const { m, rv } = old(O, 0, { busy: 'x' });
    expect([rv, m.data]).toEqual([VM_PAGER_OK, ['d64.0', 'd65.0', 'd66.0', 'd67.0', 'd68.0', 'd69.0', 'd70.0', 'd71.0']]);
  });

  it('VM_PAGER_BAD past EOF; VM_PAGER_ERROR on a read error or when nothing could be read (EINVAL)', () => {
    expect(old(O, 3, { busy: 'x' }).rv).toBe(VM_PAGER_BAD);
    const e = old({ ...O, faults: { readErrorSectors: [81] } }, 2, { busy: 'x' });
    expect([e.rv, e.m.valid]).toEqual([VM_PAGER_ERROR, 0]);
    /* The inode says 8192 while the object still says 10000: VOP_READ returns 0 bytes. */
    const z = old(O, 2, { busy: 'x' }, (w) => (w.vp.va_size = 8192));
    expect([z.rv, z.m.valid]).toEqual([VM_PAGER_ERROR, 0]);
  });

  it('KASSERTs the page is clean and asserts the object lock', () => {
    expectAssertion(old(O, 2, { busy: 'x', dirty: 0x01 }).run, 'KASSERT', 'vnode_pager_input_old', 'vnode_pager_input_old: page obj1.p2 is dirty', 663);
    expectAssertion(old(O, 2, { busy: 'x' }, () => {}, false).run, 'lock', 'vnode_pager_input_old', 'Lock vm object obj1 not exclusively locked', 618);
  });
});

/* ---------------------------------------------------------------- generic_getpages */

interface GP {
  run: IoRun;
  rv: number;
  rb: Ref;
  ra: Ref;
  m: vm_page[];
  obj: vm_object;
}

/** vnode_pager_generic_getpages on fresh xbusy invalid pages `req` (sync unless iodone). */
function getpages(opts: Opts, req: number[], rb: number | null, ra: number | null, more: (w: World, obj: vm_object, m: vm_page[]) => void = () => {}, sched?: Parameters<typeof io>[3], iodone: pgiodone_t | null = null, count?: number): GP {
  const rbr: Ref = { v: rb ?? -99 };
  const rar: Ref = { v: ra ?? -99 };
  let m: vm_page[] = [];
  let obj!: vm_object;
  let rv = -1;
  const run = io(
    opts,
    (w) => {
      obj = attachObject(w, w.vp);
      m = req.map((p) => residentPage(w, obj, p, { busy: 'x' }));
      more(w, obj, m);
    },
    {
      *T(w) {
        rv = yield* vnode_pager_generic_getpages(w.k, w.vp, m, count ?? m.length, rb === null ? null : rbr, ra === null ? null : rar, iodone, 'arg');
      },
    },
    sched,
  );
  return { run, rv, rb: rbr, ra: rar, m, obj };
}

const resident = (g: GP) => g.obj.memq.map((p) => p.pindex);
const readSectors = (g: GP) => g.run.trace.filter((s) => s.includes('I/O completion')).map((s) => s.replace(/.*sectors /, ''));

describe('vnode_pager_generic_getpages (seed 738-1056)', () => {
  /* 16K blocks, 40000 bytes: blocks 0-2 at 64, 96, 128; 10 pages. */
  const B: Opts = { flavor: 'block', f_iosize: 16384, fileSize: 40000 };

  it('reads the requested page with read-behind and read-ahead in one I/O', () => {
    /* page 5: block 1, poff 1; runb 1, runp 1. before = 4 + 1 = 5; after = 4 + 4 - 2 = 6, 5 + 6 >= 10: after = 4.
       rbehind = min(3, 5) = 3; rahead = min(3, 4) = 3. Pages 2..8; b_blkno = 96 + 8 - 3*8 = 80; 7 pages = 56 sectors. */
    const g = getpages(B, [5], 3, 3);
    expectOk(g.run);
    expect([g.rv, g.rb.v, g.ra.v]).toEqual([VM_PAGER_OK, 3, 3]);
    expect(readSectors(g)).toEqual(['80-135']);
    expect(resident(g)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    for (const p of g.obj.memq) {
      expect(p.valid).toBe(0xff);
      expect(p.data).toEqual(fileBlocks(g.run.w, p.pindex));
      /* The requested page stays busy for the caller; the others are released to the inactive queue. */
      expect([vm_page_xbusied(p), p.queue]).toEqual(p.pindex === 5 ? [true, 'none'] : [false, 'inactive']);
    }
    const k = g.run.w.k;
    expect([k.counter('v_vnodein'), k.counter('v_vnodepgsin'), k.runningbufspace, k.vnode_pbuf_freecnt]).toEqual([1, 7, 0, 129]);
    expect(g.run.trace.filter((s) => s.startsWith('T:')).map((s) => s.replace(/.*@/, ''))).toEqual(
      ['T:start', '790', '790', '797', '907', '917', '917', '917', '954', '954', '954', '966', '1032', '1046', '1047', '1047', '1098', '1131', '1131', '1131', '1131', '1131', '1131', '1133', '1053', '1053'],
    );
  });

  it('without rbehind/rahead pointers reads just the pages asked for', () => {
    const g = getpages(B, [5], null, null);
    expectOk(g.run);
    expect([g.rv, resident(g), readSectors(g)]).toEqual([VM_PAGER_OK, [5], ['104-111']]);
  });

  it('the unsigned tpindex: read-behind down to page 0 stops by the guard tpindex < m[0]->pindex', () => {
    /* page 2: block 0, poff 2, runb 0: before = 2. rbehind = min(5, 2) = 2, min(2, 2) = 2: startpindex 0.
       tpindex 1, 0, then 0 - 1 wraps to 2^64 - 1 >= 0: only tpindex < 2 ends the loop. */
    const g = getpages(B, [2], 5, 0);
    expectOk(g.run);
    expect([g.rb.v, g.ra.v, resident(g)]).toEqual([2, 0, [0, 1, 2]]);
    expect(g.run.trace.filter((s) => s.includes('vm_page_alloc'))).toEqual(['T:vm_page_alloc(obj1, 1)@917', 'T:vm_page_alloc(obj1, 0)@917']);
    expect(readSectors(g)).toEqual(['64-87']);
    expect(VM_PINDEX_MAX >= 0 && VM_PINDEX_MAX < 2).toBe(false);
  });

  it('min() is unsigned 32-bit', () => {
    expect(umin(-1, 5)).toBe(5);
    expect(umin(5, -1)).toBe(5);
    expect(umin(2 ** 32 + 3, 7)).toBe(3);
    expect(umin(3, 3)).toBe(3);
  });

  it('read-behind stops at a cached page; read-ahead likewise', () => {
    /* rbehind 3 from page 5: startpindex 2, but page 3 is resident: startpindex 4. rahead 3: endpindex 9, page 7 resident: 7. */
    const g = getpages(B, [5], 3, 3, (w, obj) => {
      residentPage(w, obj, 3, { valid: 0xff });
      residentPage(w, obj, 7, { valid: 0xff });
    });
    expectOk(g.run);
    expect([g.rb.v, g.ra.v, resident(g), readSectors(g)]).toEqual([1, 1, [3, 4, 5, 6, 7], ['96-119']]);
  });

  it('read-ahead stops at the object end when setsize shrinks the object between the unlocked reads and the lock', () => {
    /* rahead 3 is computed with size 10 in the step after VOP_BMAP; setsize(28672) makes size 7; endpindex 9 -> 7. */
    let m!: vm_page;
    let obj!: vm_object;
    const ra: Ref = { v: 3 };
    let rv = -1;
    const run = io(
      B,
      (w) => {
        obj = attachObject(w, w.vp);
        m = residentPage(w, obj, 5, { busy: 'x' });
      },
      {
        *T(w) {
          rv = yield* vnode_pager_generic_getpages(w.k, w.vp, [m], 1, null, ra, null, null);
        },
        *S(w) {
          yield* vnode_pager_setsize(w.k, w.vp, 28672);
        },
      },
      scripted([{ t: 'T', until: atLine(797) }, { t: 'S', until: atLabel('VM_OBJECT_WUNLOCK') }]),
    );
    expectOk(run);
    expect([rv, ra.v, obj.size, obj.memq.map((p) => p.pindex)]).toEqual([VM_PAGER_OK, 1, 7, [5, 6]]);
  });

  describe('trimming to nitems(b_pages) = 32', () => {
    /* 32K blocks (8 pages), 16 contiguous blocks = 128 pages, maxrun = 128K/32K - 1 = 3. */
    const T32: Opts = { flavor: 'block', f_iosize: 32768, fileSize: 16 * 32768 };

    it('rbehind == before: its trim rounded up to the block size', () => {
      /* page 40 = block 5, poff 0: before = 3*8 = 24, after = 3*8 + 7 = 31. rbehind 24, rahead 31: 56 > 32.
         trim = 25, sum = 55; rbehind -= roundup(25*24/55 = 10, 8) = 16 -> 8; rahead -= 25*31/55 = 14 -> 17.
         Pages 32..57 (26); b_blkno = 384 - 64 = 320; 26 pages = 208 sectors. */
      const g = getpages(T32, [40], 24, 31);
      expectOk(g.run);
      expect([g.rb.v, g.ra.v, readSectors(g)]).toEqual([8, 17, ['320-527']]);
      expect(resident(g)).toEqual(Array.from({ length: 26 }, (_, i) => 32 + i));
    });

    it('rbehind != before: plain proportional trim', () => {
      /* rbehind 20, rahead 31: 52 > 32; trim 21, sum 51: rbehind -= 8 -> 12; rahead -= 12 -> 19; 32 pages 28..59. */
      const g = getpages(T32, [40], 20, 31);
      expectOk(g.run);
      expect([g.rb.v, g.ra.v, readSectors(g)]).toEqual([12, 19, ['288-543']]);
    });

    it('the rounded-up trim can take all of rbehind (clamped at 0)', () => {
      /* runs [1, 5]: block 0 alone, blocks 1-5 contiguous (192, 256, ...). Pages 23..47 (count 25): block 2, poff 7;
         runb 1, runp 3: before = 8 + 7 = 15, after = 24 - 24 = 0. rbehind 15, rahead 0: 40 > 32; trim 9, sum 15:
         rbehind -= roundup(9, 8) = 16 -> -1 -> 0. No read-behind at all although 7 pages would have fitted. */
      const req = Array.from({ length: 25 }, (_, i) => 23 + i);
      const g = getpages({ ...T32, fileSize: 6 * 32768, runs: [1, 5] }, req, 15, 10);
      expectOk(g.run);
      expect([g.rv, g.rb.v, g.ra.v, readSectors(g)]).toEqual([VM_PAGER_OK, 0, 0, ['312-511']]);
    });

    it('count > 32 passes the KASSERT against sizeof(b_pages) (256) and, with nothing to trim, divides by zero', () => {
      /* mnt_iosize_max 256K: maxrun 7. Pages 41..73 (33): before 5*8 + 1 = 41, after 62 - 32 = 30. rbehind = rahead = 0:
         33 > 32, trim 2, sum 0; rbehind (0) != before (41): trim * rbehind / sum at line 888. */
      const req = Array.from({ length: 33 }, (_, i) => 41 + i);
      const g = getpages({ ...T32, mnt_iosize_max: 256 * 1024 }, req, null, null);
      expectAssertion(g.run, 'panic', 'vnode_pager_generic_getpages', 'integer divide fault', 888);
    });

    it('count > 32 with something to trim reaches the KASSERT at 891', () => {
      /* runs [4, 12]: page 40 = block 5, poff 0; runb 1: before 8; runp 7: after 63 - 39 = 24. count 40, rbehind 8 = before:
         48 > 32, trim 17, sum 8: rbehind -= roundup(17, 8) = 24 -> 0; rahead 0. 0 + 0 + 40 > 32. */
      const req = Array.from({ length: 40 }, (_, i) => 40 + i);
      const g = getpages({ ...T32, mnt_iosize_max: 256 * 1024, runs: [4, 12] }, req, 8, 0);
      expectAssertion(g.run, 'KASSERT', 'vnode_pager_generic_getpages', 'vnode_pager_generic_getpages: behind 0 ahead 0 count 40', 891);
    });
  });

  describe('vm_page_alloc failure and the array shift (seed 917-923)', () => {
    it('failing at the second read-behind page: the one page allocated moves from b_pages[2] to b_pages[0]', () => {
      /* startpindex 2: tpindex 4 -> b_pages[2]; tpindex 3 fails with i = 1: b_pages[0] = b_pages[0 + 3 + 1 - 2] = page 4. */
      const g = getpages({ ...B, faults: { pageAllocFail: [3] } }, [5], 3, 3);
      expectOk(g.run);
      expect([g.rb.v, g.ra.v, resident(g), readSectors(g)]).toEqual([1, 3, [4, 5, 6, 7, 8], ['96-135']]);
      for (const p of g.obj.memq) expect(p.data).toEqual(fileBlocks(g.run.w, p.pindex));
    });

    it('failing at the third: b_pages[0], [1] = b_pages[1], [2] = pages 3, 4, in order (the shift is right)', () => {
      const g = getpages({ ...B, faults: { pageAllocFail: [2] } }, [5], 3, 0);
      expectOk(g.run);
      expect([g.rb.v, resident(g), readSectors(g)]).toEqual([2, [3, 4, 5], ['88-111']]);
      for (const p of g.obj.memq) expect(p.data).toEqual(fileBlocks(g.run.w, p.pindex));
    });

    it('failing at the first: nothing to shift', () => {
      const g = getpages({ ...B, faults: { pageAllocFail: [4] } }, [5], 3, 0);
      expectOk(g.run);
      expect([g.rb.v, resident(g), readSectors(g)]).toEqual([0, [5], ['104-111']]);
    });

    it('as the scheduler chooses; and a read-ahead failure ends read-ahead', () => {
      const g = getpages({ ...B, faults: { pageAllocFail: 'choose' } }, [5], 3, 3, () => {}, scripted([], [0, 1, 0, 1]));
      expectOk(g.run);
      /* behind: 4 ok, 3 fails; ahead: 6 ok, 7 fails. */
      expect([g.rb.v, g.ra.v, resident(g)]).toEqual([1, 1, [4, 5, 6]]);
      const f = getpages({ ...B, faults: { pageAllocFail: [7] } }, [5], 0, 3);
      expect([f.ra.v, resident(f)]).toEqual([1, [5, 6]]);
    });
  });

  it('the EOF page: bytecount cut at vnp_size and rounded to the sector, the rest zeroed, valid up to EOF', () => {
    /* page 9: 36864..40000 = 3136 bytes; block 2 at 128, poff 1: sector 136. 3136 -> 3584 = 7 sectors (136-142).
       bzero [3584, 4096); set_valid_range(0, 3136) zeroes [3136, 3584) of block 6; valid = bits(0, 3136) = 0x7f. */
    for (const unmappedBufs of [true, false]) {
      const g = getpages({ ...B, unmappedBufs }, [9], 0, 0);
      expectOk(g.run);
      expect(readSectors(g)).toEqual(['136-142']);
      expect(g.m[0]!.valid).toBe(0x7f);
      expect(g.m[0]!.data).toEqual(fileBlocks(g.run.w, 9));
      expect(g.m[0]!.data[6]).toBe('d142.0@0-64|Z@64-512');
    }
  });

  it('a read error returns VM_PAGER_ERROR, yet marks every page of the buffer valid over the garbage (seed)', () => {
    const g = getpages({ ...B, faults: { readErrorSectors: [104] } }, [5], 3, 3);
    expectOk(g.run);
    expect(g.rv).toBe(VM_PAGER_ERROR);
    expect(g.run.w.k.msgbuf).toEqual(['vnode_pager_generic_getpages_done: I/O read error 5']);
    /* The read-ahead/behind pages stay resident, valid, unbusied, holding the frames' garbage. */
    expect(resident(g)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    for (const p of g.obj.memq) {
      expect(p.valid).toBe(0xff);
      expect(p.data).toEqual(Array(8).fill(G(p)));
    }
  });

  it('the last page already has valid blocks: it is dropped from the request', () => {
    const one = getpages(B, [5], 3, 3, (_w, _o, m) => (m[0]!.valid = 0x0f));
    expectOk(one.run);
    expect([one.rv, one.rb.v, one.ra.v, resident(one), one.run.trace]).toEqual([VM_PAGER_OK, 3, 3, [5], ['T:start']]);
    const two = getpages(B, [5, 6], 0, 0, (_w, _o, m) => (m[1]!.valid = 0x0f));
    expectOk(two.run);
    expect(readSectors(two)).toEqual(['104-111']);
    expect(two.m[1]!.valid).toBe(0x0f);
  });

  it('a sparse page is zeroed and valid without I/O', () => {
    const g = getpages({ ...B, holes: [1] }, [5], 3, 3);
    expectOk(g.run);
    expect([g.rv, g.m[0]!.valid, g.m[0]!.data, resident(g), g.rb.v]).toEqual([VM_PAGER_OK, 0xff, Array(8).fill('Z'), [5], 3]);
    expect(g.run.trace.filter((s) => /@(839|843|845)$/.test(s))).toEqual(['T:mtx_lock(&pbuf_mtx)@839', 'T:mtx_unlock(&pbuf_mtx)@839', 'T:VM_OBJECT_WLOCK(obj1)@843', 'T:VM_OBJECT_WUNLOCK(obj1)@845']);
    expectAssertion(getpages({ ...B, holes: [1] }, [5, 6], 0, 0).run, 'KASSERT', 'vnode_pager_generic_getpages', 'vnode_pager_generic_getpages: array[2] request to a sparse file vp1', 836);
    expectAssertion(getpages({ ...B, holes: [1] }, [5], 0, 0, (_w, _o, m) => (m[0]!.dirty = 1)).run, 'KASSERT', 'vnode_pager_generic_getpages', 'vnode_pager_generic_getpages: page obj1.p5 is dirty', 841);
  });

  it('no VOP_BMAP: every page through vnode_pager_input_old, stopping at the first failure', () => {
    const O: Opts = { flavor: 'nobmap', f_iosize: 4096, fileSize: 10000 };
    const g = getpages(O, [1, 2], 1, 1);
    expectOk(g.run);
    expect([g.rv, g.m.map((p) => p.valid), g.rb.v]).toEqual([VM_PAGER_OK, [0xff, 0xff], 1]);
    expect(g.m[1]!.data).toEqual(fileBlocks(g.run.w, 2));
    expect([g.run.w.k.counter('v_vnodein'), g.run.w.k.counter('v_vnodepgsin'), g.run.w.k.vnode_pbuf_freecnt]).toEqual([2, 2, 129]);
    expect(g.run.trace).toContain('T:mtx_lock(&pbuf_mtx)@799');
    expect(g.run.trace).toContain('T:VM_OBJECT_WUNLOCK(obj1)@808');
    /* Page 3 is past EOF (12288 >= 10000): input_old says BAD and the loop ends. */
    const bad = getpages(O, [2, 3], 0, 0);
    expect([bad.rv, bad.m.map((p) => p.valid)]).toEqual([VM_PAGER_BAD, [0xff, 0]]);
  });

  it('blocks smaller than a page: every page through vnode_pager_input_smlfs, stopping at the first failure', () => {
    const S: Opts = { flavor: 'small', f_iosize: 1024, fileSize: 6656, holes: [5] };
    const g = getpages(S, [0, 1], 0, 0);
    expectOk(g.run);
    expect([g.rv, g.m.map((p) => p.valid)]).toEqual([VM_PAGER_OK, [0xff, 0xff]]);
    expect(g.m.map((p) => p.data)).toEqual([fileBlocks(g.run.w, 0), fileBlocks(g.run.w, 1)]);
    expect(g.run.trace).toContain('T:mtx_lock(&pbuf_mtx)@820');
    const bad = getpages({ ...S, faults: { readErrorSectors: [64] } }, [0, 1], 0, 0);
    expect([bad.rv, bad.m.map((p) => p.valid)]).toEqual([VM_PAGER_ERROR, [0, 0]]);
    expect(bad.run.w.k.counter('v_vnodein')).toBe(1);
  });

  it('a BMAP error: VM_PAGER_ERROR, pbuf returned', () => {
    const g = getpages({ ...B, faults: { bmapErrorBlocks: [1] } }, [5], 3, 3);
    expectOk(g.run);
    expect([g.rv, g.run.w.k.vnode_pbuf_freecnt, resident(g)]).toEqual([VM_PAGER_ERROR, 129, [5]]);
    expect(g.run.trace).toContain('T:mtx_lock(&pbuf_mtx)@811');
  });

  it('a doomed vnode: VM_PAGER_BAD before taking a pbuf', () => {
    const g = getpages(B, [5], 3, 3, (w) => (w.vp.v_iflag |= VI_DOOMED));
    expect([g.rv, g.run.trace]).toEqual([VM_PAGER_BAD, ['T:start']]);
  });

  it('KASSERTs: devices, a page past EOF, count against sizeof(b_pages), after, consecutive pages, sector size', () => {
    const fn = 'vnode_pager_generic_getpages';
    expectAssertion(getpages(B, [5], 0, 0, (w) => (w.vp.v_type = VCHR)).run, 'KASSERT', fn, `${fn} does not support devices`, 753);
    expectAssertion(getpages(B, [10], 0, 0).run, 'KASSERT', fn, `${fn}: page obj1.p10 offset beyond vp vp1 size`, 764);
    expectAssertion(getpages(B, [5], 0, 0, () => {}, undefined, null, 257).run, 'KASSERT', fn, `${fn}: requested 257 pages`, 766);
    /* runs [2]: block 2 is apart. Pages 7, 8: block 1, poff 3, runp 0: after = 0 + 4 - 4 = 0 < count - 1. */
    expectAssertion(getpages({ ...B, runs: [2] }, [7, 8], 0, 0).run, 'KASSERT', fn, `${fn}: 2 pages asked, can do only 1`, 862);
    expectAssertion(getpages(B, [5, 7], 0, 0).run, 'KASSERT', fn, `${fn}: pages array not consecutive, bp pbuf1`, 980);
    expectAssertion(getpages(B, [5], 0, 0, (w) => w.k.disks.unshift(new disk('da0', 8192))).run, 'KASSERT', fn, `${fn}: sector size 8192 too large`, 997);
  });

  it('KASSERTs in getpages_done: a page mapped or dirty after a full read', () => {
    const fn = 'vnode_pager_generic_getpages_done';
    expectAssertion(getpages(B, [5], 0, 0, (_w, _o, m) => (m[0]!.mapped = 1)).run, 'KASSERT', fn, `${fn}: page obj1.p5 is mapped`, 1113);
    expectAssertion(getpages(B, [5], 0, 0, (_w, _o, m) => (m[0]!.dirty = 1)).run, 'KASSERT', fn, `${fn}: page obj1.p5 is dirty`, 1111);
  });
});

/* ---------------------------------------------------------------- pager entry points, async */

describe('vnode_pager_getpages / _async and the local VOPs (seed 681-732, 1058-1072)', () => {
  const B: Opts = { flavor: 'block', f_iosize: 16384, fileSize: 40000 };

  it('getpages drops the object lock around VOP_GETPAGES and takes it back', () => {
    let m!: vm_page;
    let rv = -1;
    let relocked = false;
    const run = locked(
      B,
      (w, obj) => (m = residentPage(w, obj, 5, { busy: 'x' })),
      function* (w, obj) {
        rv = yield* vnode_pager_getpages(w.k, obj, [m], 1, null, null);
        relocked = obj.lock.wowner !== null;
      },
    );
    expectOk(run);
    expect([rv, relocked, m.valid]).toEqual([VM_PAGER_OK, true, 0xff]);
    expect(run.trace).toContain('T:VM_OBJECT_WUNLOCK(obj1)@689');
    expect(run.trace).toContain('T:VM_OBJECT_WLOCK(obj1)@693');
  });

  it('KASSERTs the filesystem implements VOP_GETPAGES, VOP_GETPAGES_ASYNC and VOP_PUTPAGES', () => {
    const noop = function* (): KThread<number> {
      return EOPNOTSUPP;
    };
    const done: pgiodone_t = function* () {};
    const g = locked(
      B,
      (w, obj) => {
        residentPage(w, obj, 5, { busy: 'x' });
        w.mount.mnt_vop_override = { vop_getpages: noop };
      },
      function* (w, obj) {
        yield* vnode_pager_getpages(w.k, obj, obj.memq, 1, null, null);
      },
    );
    expectAssertion(g, 'KASSERT', 'vnode_pager_getpages', 'vnode_pager: FS getpages not implemented\n', 691);
    const a = locked(
      B,
      (w, obj) => {
        residentPage(w, obj, 5, { busy: 'x' });
        w.mount.mnt_vop_override = { vop_getpages_async: noop };
      },
      function* (w, obj) {
        yield* vnode_pager_getpages_async(w.k, obj, obj.memq, 1, null, null, done, null);
      },
    );
    expectAssertion(a, 'KASSERT', 'vnode_pager_getpages_async', 'vnode_pager: FS getpages_async not implemented\n', 707);
    const p = locked(
      B,
      (w, obj) => {
        residentPage(w, obj, 5, { valid: 0xff, busy: 's' });
        w.mount.mnt_vop_override = { vop_putpages: noop };
      },
      function* (w, obj) {
        yield* vnode_pager_putpages(w.k, obj, obj.memq, 1, 0, [0]);
      },
    );
    expectAssertion(p, 'KASSERT', 'vnode_pager_putpages', 'vnode_pager: stale FS putpages\n', 1177);
  });

  /** getpages_async of `req`, with an iodone that records its calls. */
  function async(opts: Opts, req: number[], rb: Ref | null, ra: Ref | null, mod: (w: World, m: vm_page[]) => void = () => {}) {
    const calls: { thread: string; arg: unknown; pages: number[]; count: number; error: number; busy: boolean[] }[] = [];
    let m: vm_page[] = [];
    let rv = -1;
    let freecnt = -1;
    const iodone: pgiodone_t = function* (k, arg, pages, count, error) {
      calls.push({ thread: k.ctx.threadName(k.ctx.tid), arg, pages: pages.map((p) => p.pindex), count, error, busy: pages.map((p) => vm_page_busied(p)) });
    };
    const run = locked(
      opts,
      (w, obj) => {
        m = req.map((p) => residentPage(w, obj, p, { busy: 'x' }));
        mod(w, m);
      },
      function* (w, obj) {
        rv = yield* vnode_pager_getpages_async(w.k, obj, m, m.length, rb, ra, iodone, 'sf1');
        freecnt = w.k.vnode_async_pbuf_freecnt;
      },
    );
    return { run, rv, calls, m, freecnt };
  }

  it('the I/O completes in its own thread, which runs the iodone exactly once on the requested range and frees the async pbuf', () => {
    const r = async(B, [5], { v: 3 }, { v: 3 });
    expectOk(r.run);
    expect(r.rv).toBe(VM_PAGER_OK);
    /* When the caller returns the I/O is still in flight on an async pbuf. */
    expect(r.freecnt).toBe(127);
    expect(r.calls).toEqual([{ thread: 'io:pbuf1', arg: 'sf1', pages: [5], count: 1, error: 0, busy: [true] }]);
    expect(r.run.events.filter((e) => e.type === 'ASYNC_ISSUE' || e.type === 'ASYNC_DONE')).toEqual([
      { type: 'ASYNC_ISSUE', req: 1, obj: 'obj1' },
      { type: 'ASYNC_DONE', req: 1, error: 0 },
    ]);
    expect([r.run.w.k.vnode_async_pbuf_freecnt, r.run.w.k.vnode_pbuf_freecnt, r.run.w.k.runningbufspace]).toEqual([128, 129, 0]);
    expect(r.run.w.vp.v_object!.memq.map((p) => [p.pindex, p.valid, vm_page_busied(p)])).toEqual([
      [2, 0xff, false],
      [3, 0xff, false],
      [4, 0xff, false],
      [5, 0xff, true],
      [6, 0xff, false],
      [7, 0xff, false],
      [8, 0xff, false],
    ]);
    expect(r.run.trace).toContain('T:VM_OBJECT_WUNLOCK(obj1)@705');
    expect(r.run.trace).toContain('T:bstrategy(pbuf1)@1042');
    expect(r.run.trace).toContain('io:pbuf1:mtx_lock(&pbuf_mtx)@1071');
  });

  it('a read error reaches the iodone as EIO', () => {
    const r = async({ ...B, faults: { readErrorSectors: [104] } }, [5], null, null);
    expectOk(r.run);
    expect(r.calls.map((c) => c.error)).toEqual([EIO]);
    expect(r.run.events.filter((e) => e.type === 'ASYNC_DONE')).toEqual([{ type: 'ASYNC_DONE', req: 1, error: EIO }]);
  });

  it('nothing to read: the iodone runs at once in the caller (seed 776)', () => {
    const r = async(B, [5], null, null, (_w, m) => (m[0]!.valid = 0x01));
    expectOk(r.run);
    expect(r.calls).toEqual([{ thread: 'T', arg: 'sf1', pages: [5], count: 1, error: 0, busy: [true] }]);
  });

  it('requests are numbered per kernel', () => {
    let obj!: vm_object;
    const ids: number[] = [];
    const run = io(
      B,
      (w) => {
        obj = attachObject(w, w.vp);
        residentPage(w, obj, 5, { busy: 'x', valid: 1 });
      },
      {
        *T(w) {
          yield* VM_OBJECT_WLOCK(w.k, obj);
          for (let i = 0; i < 2; i++) yield* vnode_pager_getpages_async(w.k, obj, obj.memq, 1, null, null, function* () {}, null);
          yield* VM_OBJECT_WUNLOCK(w.k, obj);
        },
      },
    );
    for (const e of run.events) if (e.type === 'ASYNC_ISSUE') ids.push(e.req);
    expect(ids).toEqual([1, 2]);
  });

  it('a filesystem without BMAP completes an async request through vop_stdgetpages_async: iodone once, synchronously', () => {
    const r = async({ flavor: 'nobmap', f_iosize: 16384, fileSize: 40000 }, [5], null, null);
    expectOk(r.run);
    expect(r.calls).toHaveLength(1);
    expect(r.run.events.filter((e) => e.type === 'ASYNC_ISSUE').length).toBe(1);
    expect(r.run.events.filter((e) => e.type === 'ASYNC_DONE').length).toBe(1);
  });

  it('seed: the synchronous paths of an async request through the local VOP (small blocks, sparse page, BMAP error) never call the iodone', () => {
    for (const opts of [
      { flavor: 'small', f_iosize: 1024, fileSize: 40000 },
      { ...B, holes: [1] },
      { ...B, faults: { bmapErrorBlocks: [1] } },
    ] as Opts[]) {
      const r = async(opts, [5], null, null);
      expectOk(r.run);
      expect(r.calls).toEqual([]);
      expect(r.freecnt).toBe(128);
      expect(r.run.events.filter((e) => e.type === 'ASYNC_ISSUE').length).toBe(1);
      expect(r.run.events.filter((e) => e.type === 'ASYNC_DONE').length).toBe(0);
    }
  });
});

/* ---------------------------------------------------------------- putpages */

describe('putpages (seed 1148-1343)', () => {
  /* 4K blocks at 64, 72, 80; EOF at 10000 (page 2 holds 1808 bytes). */
  const P: Opts = { flavor: 'block', f_iosize: 4096, fileSize: 10000 };

  /** Pages 0..n-1 fully valid, dirty, sbusy, carrying new data for the file. */
  function dirtyPages(w: World, obj: vm_object, n: number, init: PageInit = {}): vm_page[] {
    return Array.from({ length: n }, (_, p) => {
      const m = residentPage(w, obj, p, { valid: 0xff, dirty: 0xff, busy: 's', ...init });
      for (let b = 0; b < 8 && p * 8 + b < w.expected(w.vp).length; b++) m.data[b] = w.newData(w.vp, p * 8 + b);
      return m;
    });
  }

  function generic(opts: Opts, n: number, flags: number, mod: (w: World, ms: vm_page[]) => vm_page[] | void = () => {}) {
    let ms: vm_page[] = [];
    const rtvals: number[] = [];
    let rv = -1;
    const run = io(
      opts,
      (w) => {
        const obj = attachObject(w, w.vp);
        ms = dirtyPages(w, obj, n);
        ms = mod(w, ms) ?? ms;
      },
      {
        *T(w) {
          rv = yield* vnode_pager_generic_putpages(w.k, w.vp, ms, ms.length * 4096, flags, rtvals);
        },
      },
    );
    return { run, rv, rtvals, ms };
  }

  it('past EOF: pages beyond are BAD, the EOF page loses its dirty bits past EOF, the rest is written and clean', () => {
    /* 4 pages = 16384 > 10000: maxsize 10000, ncount 3, pgoff 1808: clear_dirty(page 2, 1808, 2288) = bits 3..7.
       VOP_WRITE writes 4096 + 4096 + 1808 (4 sectors 80-83); validclean clears page 2's blocks 0..3. */
    const g = generic(P, 3, 0, (w, ms) => [...ms, residentPage(w, ms[0]!.object!, 3, { valid: 0xff, dirty: 0xff, busy: 's' })]);
    expectOk(g.run);
    expect([g.rv, g.rtvals]).toEqual([VM_PAGER_OK, [VM_PAGER_OK, VM_PAGER_OK, VM_PAGER_OK, VM_PAGER_BAD]]);
    expect(g.ms.map((m) => m.dirty)).toEqual([0, 0, 0, 0xff]);
    const d = g.run.w.disk;
    expect([64, 71, 72, 80, 83, 84].map((s) => disk_read(d, s))).toEqual(['d64.1', 'd71.1', 'd72.1', 'd80.1', g.ms[2]!.data[3], 'Z']);
    expect([g.run.w.k.counter('v_vnodeout'), g.run.w.k.counter('v_vnodepgsout')]).toEqual([1, 3]);
    expect(g.run.trace.filter((s) => /@(1235|1266|1277)$/.test(s)).slice(0, 3)).toEqual(['T:VM_OBJECT_WLOCK(obj1)@1235', 'T:VM_OBJECT_WUNLOCK(obj1)@1266', 'T:ffs_balloc(vp1, block 0)@1277']);
  });

  it('a page-aligned EOF clears no dirty bits', () => {
    const g = generic({ ...P, fileSize: 8192 }, 2, 0, (w, ms) => [...ms, residentPage(w, ms[0]!.object!, 2, { valid: 0xff, dirty: 0xff, busy: 's' })]);
    expectOk(g.run);
    expect([g.rtvals, g.ms.map((m) => m.dirty)]).toEqual([[VM_PAGER_OK, VM_PAGER_OK, VM_PAGER_BAD], [0, 0, 0xff]]);
  });

  it('all past EOF: nothing written, VM_PAGER_BAD', () => {
    const g = generic(P, 0, 0, (w) => [residentPage(w, w.vp.v_object!, 3, { valid: 0xff, dirty: 0xff, busy: 's' })]);
    expectOk(g.run);
    expect([g.rv, g.rtvals, g.run.trace.some((s) => s.includes('bstrategy'))]).toEqual([VM_PAGER_BAD, [VM_PAGER_BAD], false]);
    expect(g.run.w.k.counter('v_vnodepgsout')).toBe(0);
  });

  it('within the file: all written, all OK', () => {
    const g = generic({ ...P, fileSize: 3 * 4096 }, 2, 0);
    expectOk(g.run);
    expect([g.rv, g.rtvals, g.ms.map((m) => m.dirty)]).toEqual([VM_PAGER_OK, [0, 0], [0, 0]]);
  });

  it('a pindex that is negative as int64_t: meta-data, VM_PAGER_BAD', () => {
    const g = generic(P, 0, 0, (w) => [residentPage(w, w.vp.v_object!, 2 ** 63, { valid: 0xff, dirty: 0xff, busy: 's' }), residentPage(w, w.vp.v_object!, 2 ** 63 + 4096, { valid: 0xff, busy: 's' })]);
    expectOk(g.run);
    expect([g.rv, g.rtvals]).toEqual([VM_PAGER_BAD, [VM_PAGER_BAD, VM_PAGER_ERROR]]);
    expect(g.run.w.k.msgbuf).toEqual(['vnode_pager_putpages: attempt to write meta-data!!! -- 0x8000000000000000(ff)']);
  });

  it('KASSERTs the EOF page is shared-busy and not write-mapped', () => {
    const fn = 'vnode_pager_generic_putpages';
    expectAssertion(generic(P, 3, 0, (_w, ms) => void (ms[2]!.busy_lock = 1)).run, 'KASSERT', fn, 'vm_page_assert_sbusied: page obj1.p2 not shared busy @ vnode_pager.c:1250', 1250);
    expectAssertion(generic(P, 3, 0, (_w, ms) => void (ms[2]!.aflags = 1)).run, 'KASSERT', fn, 'vnode_pager_generic_putpages: page obj1.p2 is not read-only', 1251);
  });

  it('seed: a short write still reports every page OK; the unwritten pages stay dirty', () => {
    /* 5000 of 10000 bytes: page 0, and 904 bytes (blocks 0, 1) of page 1. */
    const g = generic({ ...P, faults: { shortWriteBytes: 5000 } }, 3, 0);
    expectOk(g.run);
    expect([g.rv, g.rtvals, g.ms.map((m) => m.dirty)]).toEqual([VM_PAGER_OK, [0, 0, 0], [0, 0xfc, 0x07]]);
    expect(g.run.w.k.msgbuf).toEqual(['vnode_pager_putpages: residual I/O 5000 at 0']);
  });

  it('seed: a write error under IO_SYNC is printed, the rest is residual, and every page is still reported OK', () => {
    /* PUT_SYNC -> IO_SYNC: block 0 written, block 1 (sector 72) fails and stays dirty; 10000 - 8192 = 1808 left. */
    const g = generic({ ...P, faults: { writeErrorSectors: [72] } }, 3, VM_PAGER_PUT_SYNC);
    expectOk(g.run);
    expect([g.rv, g.rtvals, g.ms.map((m) => m.dirty)]).toEqual([VM_PAGER_OK, [0, 0, 0], [0, 0xff, 0x07]]);
    expect(g.run.w.k.msgbuf).toEqual(['vnode_pager_putpages: I/O error 5', 'vnode_pager_putpages: residual I/O 1808 at 0']);
  });

  it('ppsratecheck: later failure messages of the same run are rate-limited away', () => {
    let ms: vm_page[] = [];
    const rtvals: number[] = [];
    const run = io(
      { ...P, faults: { writeErrorSectors: [72] } },
      (w) => (ms = dirtyPages(w, attachObject(w, w.vp), 3)),
      {
        *T(w) {
          for (let i = 0; i < 2; i++) yield* vnode_pager_generic_putpages(w.k, w.vp, ms, 3 * 4096, VM_PAGER_PUT_SYNC, rtvals);
        },
      },
    );
    expectOk(run);
    expect(run.w.k.msgbuf).toEqual(['vnode_pager_putpages: I/O error 5', 'vnode_pager_putpages: residual I/O 1808 at 0']);
  });

  function pager(opts: Opts, flags: number) {
    let ms: vm_page[] = [];
    const rtvals: number[] = [];
    const run = locked(
      opts,
      (w, obj) => (ms = dirtyPages(w, obj, 3)),
      function* (w, obj) {
        yield* vnode_pager_putpages(w.k, obj, ms, 3, flags, rtvals);
        expect(obj.lock.wowner).not.toBeNull();
      },
    );
    return { run, rtvals, ms };
  }

  it('vnode_pager_putpages: VOP_PUTPAGES without the object lock; below v_pageout_free_min it forces PUT_SYNC', () => {
    const ok = pager(P, 0);
    expectOk(ok.run);
    expect([ok.rtvals, ok.ms.map((m) => m.dirty)]).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(ok.run.trace.filter((s) => /@(1168|1175|1179)$/.test(s))).toEqual(['T:vm_cnt.v_free_count < vm_cnt.v_pageout_free_min@1168', 'T:VM_OBJECT_WUNLOCK(obj1)@1175', 'T:VM_OBJECT_WLOCK(obj1)@1179']);
    /* A write error is seen (and printed) only when the write is synchronous. */
    const async = pager({ ...P, faults: { writeErrorSectors: [64] } }, 0);
    expect(async.run.w.k.msgbuf).toEqual([]);
    const low = pager({ ...P, freePages: 33, faults: { writeErrorSectors: [64] } }, 0);
    expect(low.run.w.k.msgbuf).toEqual(['vnode_pager_putpages: I/O error 5', 'vnode_pager_putpages: residual I/O 5904 at 0']);
    expect(low.ms[0]!.dirty).toBe(0xff);
  });

  it.each([
    [0, 0x7f0030],
    [VM_PAGER_PUT_SYNC, 0x7f00a0],
    [VM_PAGER_PUT_INVAL, 0x7f00e0],
    [VM_PAGER_PUT_SYNC | VM_PAGER_PUT_INVAL, 0x7f00e0],
    [VM_PAGER_CLUSTER_OK, 0x7f0020],
    [VM_PAGER_PUT_NOREUSE, 0x7f0230],
    [VM_PAGER_CLUSTER_OK | VM_PAGER_PUT_NOREUSE, 0x7f0220],
    [VM_PAGER_PUT_SYNC | VM_PAGER_CLUSTER_OK, 0x7f00a0],
  ])('vnode_pager_putpages_ioflags(%i) = %i', (flags, ioflags) => {
    expect(vnode_pager_putpages_ioflags(flags)).toBe(ioflags);
  });

  describe('vnode_pager_undirty_pages', () => {
    function undirty(written: number) {
      let ms: vm_page[] = [];
      const rtvals = [-1, -1, -1];
      const run = io(
        P,
        (w) => {
          const obj = attachObject(w, w.vp);
          ms = [0, 1, 2].map((p) => residentPage(w, obj, p, { valid: 0xff, dirty: 0xff, busy: 's' }));
        },
        {
          *T(w) {
            yield* vnode_pager_undirty_pages(w.k, ms, rtvals, written);
          },
        },
      );
      expectOk(run);
      return [rtvals, ms.map((m) => m.dirty), run.trace];
    }

    it('whole pages written: OK and clean; a partly written page: AGAIN with the written blocks clean', () => {
      /* 9192 = 2 pages + 1000 bytes: bits(0, 1000) = 0x03. */
      const [rtvals, dirty, trace] = undirty(8192 + 1000);
      expect([rtvals, dirty]).toEqual([[VM_PAGER_OK, VM_PAGER_OK, VM_PAGER_AGAIN], [0, 0, 0xfc]]);
      expect(trace).toEqual(['T:start', 'T:VM_OBJECT_WLOCK(obj1)@1331', 'T:VM_OBJECT_WUNLOCK(obj1)@1342']);
      expect(undirty(8192).slice(0, 2)).toEqual([[VM_PAGER_OK, VM_PAGER_OK, -1], [0, 0, 0xff]]);
    });

    it('nothing written: nothing done', () => {
      expect(undirty(0)).toEqual([[-1, -1, -1], [0xff, 0xff, 0xff], ['T:start']]);
    });
  });
});
