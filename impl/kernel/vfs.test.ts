import { describe, expect, it } from 'vitest';
import { expectOk, io } from './testkit_io.ts';
import { FIRST_DATA_SECTOR, attachObject, makeWorld, residentPage, type World, type WorldOptions } from './world.ts';
import { EBADF, EIO, EOPNOTSUPP, sf_buf_alloc, sf_buf_kva } from './buf.ts';
import { disk_read } from './disk.ts';
import {
  IO_SYNC,
  UIO_NOCOPY,
  UIO_READ,
  UIO_SYSSPACE,
  UIO_WRITE,
  VOP_BMAP,
  VOP_GETPAGES,
  VOP_GETPAGES_ASYNC,
  VOP_PUTPAGES,
  VOP_READ,
  VOP_WRITE,
  genericPager,
  registerGenericPager,
  vfs_inode,
  type bmap_result,
  type uio,
} from './vfs.ts';
import { VBAD } from './vnode.ts';
import type { vm_page } from './vm_page.ts';
import type { KThread } from '../../checker/op.ts';
import '../vnode_pager.ts';

function bmaps(opts: Omit<WorldOptions, 'observer'>, calls: [number, boolean?, boolean?][], setup: (w: World) => void = () => {}): bmap_result[] {
  const out: bmap_result[] = [];
  const run = io(opts, setup, {
    *T(w) {
      for (const [bn, wantBo = false, wantBn = true] of calls) out.push(yield* VOP_BMAP(w.k, w.vp, bn, wantBo, 346, wantBn));
    },
  });
  expectOk(run);
  return out;
}

describe('world', () => {
  it('lays files out from sector 64, with extents, holes, blocks kept for the holes, and the expected contents', () => {
    const run = io({ flavor: 'block', f_iosize: 8192, files: [{ size: 5 * 8192, holes: [2], runs: [2] }, { size: 700 }] }, () => {}, {});
    const [a, b] = run.w.files;
    /* extent 1: blocks 0,1 at 64, 80; a one-block gap; extent 2: hole, 3 at 112, 4 at 128; a gap; file 2 at 160; the hole's block at 192. */
    expect(a!.ino.blkmap).toEqual([64, 80, -1, 112, 128]);
    expect(b!.ino.blkmap).toEqual([160]);
    expect([...a!.ino.reserve]).toEqual([[2, 192]]);
    expect(run.w.disk.nextFree).toBe(208);
    expect(a!.expected.slice(30, 34)).toEqual(['d94.0', 'd95.0', 'Z', 'Z']);
    expect(a!.expected[48]).toBe('d112.0');
    expect(b!.expected).toEqual(['d160.0', 'd161.0@0-188|Z@188-512']);
    /* Past EOF the last block is zero on disk. */
    expect([disk_read(run.w.disk, 161), disk_read(run.w.disk, 162), disk_read(run.w.disk, 159)]).toEqual(['d161.0@0-188|Z@188-512', 'Z', 'd159.0']);
    expect(run.w.vnodes.map((v) => [v.name, v.v_usecount, v.v_holdcnt, v.va_size])).toEqual([
      ['vp1', 1, 1, 40960],
      ['vp2', 1, 1, 700],
    ]);
    expect(run.w.mount.mnt_kern_flag).toBe(0x2000);
    expect(FIRST_DATA_SECTOR).toBe(64);
  });

  it('newData hands out the next generation of the sector a block lives in (or will, in a hole)', () => {
    const run = io({ flavor: 'block', f_iosize: 4096, fileSize: 3 * 4096 - 100, holes: [1] }, () => {}, {});
    const w = run.w;
    expect(w.newData(w.vp, 0)).toBe('d64.1');
    expect(w.newData(w.vp, 0)).toBe('d64.2');
    expect(w.newData(w.vp, 9)).toBe(`d${w.file(w.vp).ino.reserve.get(1)! + 1}.1`);
    expect(w.newData(w.vp, 23)).toBe('d79.1');
    expect(w.expected(w.vp)[23]).toBe('d79.1@0-412|Z@412-512');
    expect(() => w.newData(w.vp, 24)).toThrow('world: block 24 of vp1 is past its last block');
    const other = io({ flavor: 'block', f_iosize: 4096 }, () => {}, {}).w.vp;
    expect(() => w.expected(other)).toThrow('world: vp1 is not a file of this world');
  });

  it.each([
    [{ flavor: 'block', f_iosize: 2048 }, "makeWorld: f_iosize 2048 is not accepted for flavor 'block'; accepted: 4096, 8192, 16384, 32768, 65536"],
    [{ flavor: 'small', f_iosize: 4096 }, "makeWorld: f_iosize 4096 is not accepted for flavor 'small'; accepted: 512, 1024, 2048"],
    [{ flavor: 'ext4', f_iosize: 4096 }, 'makeWorld: unknown flavor "ext4"; accepted: block, small, nobmap'],
    [{ flavor: 'block', f_iosize: 4096, fileSize: -1 }, 'makeWorld: file size -1 must be a non-negative integer'],
    [{ flavor: 'block', f_iosize: 4096, holes: [9] }, 'makeWorld: hole 9 is not a block of a 16384-byte file (blocks 0-3)'],
    [{ flavor: 'block', f_iosize: 4096, runs: [0] }, 'makeWorld: run length 0 must be a positive integer'],
    [{ flavor: 'block', f_iosize: 4096, files: [] }, 'makeWorld: files is empty; give at least one file'],
  ])('rejects bad options with a one-line message: %j', (opts, msg) => {
    const ctx = { tid: 0, touch() {}, guarded() {}, spawn: () => 0, choose: () => 0, threadName: () => '' };
    expect(() => makeWorld(ctx, opts as unknown as WorldOptions)).toThrow(msg);
  });

  it('honours unmappedBufs, mnt_iosize_max and freePages', () => {
    const w = io({ flavor: 'block', f_iosize: 4096, unmappedBufs: false, mnt_iosize_max: 65536, freePages: 40 }, () => {}, {}).w;
    expect([w.mount.mnt_kern_flag, w.mount.mnt_iosize_max, w.k.vm_cnt.v_free_count]).toEqual([0, 65536, 40]);
  });
});

describe('VOP_BMAP', () => {
  it('block flavour: address, runs after and before up to the file end and maxrun, holes, blocks past EOF', () => {
    /* 16K blocks: maxrun = 128K/16K - 1 = 7; 10 blocks, extents [3, 7]: 0-2 at 64.., 3-9 after a gap. */
    const r = bmaps({ flavor: 'block', f_iosize: 16384, fileSize: 10 * 16384, runs: [3] }, [[0, true], [1], [2], [3], [9], [10], [-1]]);
    expect(r.map((x) => [x.bn, x.runp, x.runb])).toEqual([
      [64, 2, 0],
      [96, 1, 1],
      [128, 0, 2],
      [192, 6, 0],
      [384, 0, 6],
      [-1, 0, 0],
      [-1, 0, 0],
    ]);
    expect(r[0]!.bo).toBe('da0');
    expect(r[1]!.bo).toBeNull();
  });

  it('caps runs at maxrun and stops them at a hole', () => {
    const r = bmaps({ flavor: 'block', f_iosize: 32768, fileSize: 12 * 32768, holes: [8] }, [[4], [7], [8], [9]]);
    expect(r.map((x) => [x.bn, x.runp, x.runb])).toEqual([
      [64 + 4 * 64, 3, 3],
      [64 + 7 * 64, 0, 3],
      [-1, 0, 0],
      [64 + 8 * 64, 2, 0],
    ]);
  });

  it('small flavour: 1K blocks, maxrun 127; without bnp only the bufobj, and no step', () => {
    const run = io({ flavor: 'small', f_iosize: 1024, fileSize: 8192 }, () => {}, {
      *T(w) {
        expect(yield* VOP_BMAP(w.k, w.vp, 5, true)).toEqual({ error: 0, bo: 'da0', bn: 74, runp: 2, runb: 5 });
        expect(yield* VOP_BMAP(w.k, w.vp, 0, true, 535, false)).toEqual({ error: 0, bo: 'da0', bn: -1, runp: 0, runb: 0 });
      },
    });
    expectOk(run);
    expect(run.trace).toEqual(['T:start', 'T:VOP_BMAP(vp1, 5)']);
    expect(run.r.steps[1]!.fp).toEqual([{ res: 'vp1.blkmap', write: false }]);
  });

  it('nobmap: EOPNOTSUPP; a fault: EIO; a reclaimed vnode: EBADF', () => {
    expect(bmaps({ flavor: 'nobmap', f_iosize: 4096 }, [[0, true]])[0]!.error).toBe(EOPNOTSUPP);
    expect(bmaps({ flavor: 'block', f_iosize: 4096, faults: { bmapErrorBlocks: [1] } }, [[0], [1, true]]).map((x) => [x.error, x.bo])).toEqual([
      [0, null],
      [EIO, 'da0'],
    ]);
    expect(bmaps({ flavor: 'block', f_iosize: 4096 }, [[0]], (w) => (w.vp.v_type = VBAD))[0]!.error).toBe(EBADF);
  });
});

function readUio(m: vm_page, off: number, len: number): uio {
  return { uio_iov: { iov_base: sf_buf_kva(sf_buf_alloc(m.k, m)), iov_len: len }, uio_iovcnt: 1, uio_offset: off, uio_resid: len, uio_segflg: UIO_SYSSPACE, uio_rw: UIO_READ };
}

describe('VOP_READ', () => {
  it('reads block by block up to EOF, a hole as zeros, into the page', () => {
    let m!: vm_page;
    let u!: uio;
    let err = -1;
    /* 2K "nobmap" blocks so that one page spans a data block, a hole and EOF. */
    const run = io(
      { flavor: 'nobmap', f_iosize: 2048, fileSize: 4096 + 2048 + 700, holes: [2] },
      (w) => (m = residentPage(w, attachObject(w, w.vp), 1, { busy: 'x' })),
      {
        *T(w) {
          u = readUio(m, 4096, 4096);
          err = yield* VOP_READ(w.k, w.vp, u, 0, 649);
        },
      },
    );
    expectOk(run);
    expect(err).toBe(0);
    expect([u.uio_resid, u.uio_offset, u.uio_iov.iov_len]).toEqual([4096 - 2748, 4096 + 2748, 4096 - 2748]);
    /* block 2 is a hole (page blocks 0-3), block 3 at sector 72 holds 700 bytes; nothing is copied past EOF. */
    const g = `G${m.phys}`;
    expect(m.data).toEqual(['Z', 'Z', 'Z', 'Z', 'd72.0', `d73.0@0-188|${g}@188-512`, g, g]);
    expect(run.trace.filter((s) => s.includes('ffs_read'))).toEqual(['T:ffs_read(vp1, block 2)@649', 'T:ffs_read(vp1, block 3)@649', 'T:ffs_read(vp1, block 3)@649']);
    expect(run.r.threadNames).toEqual(['T', 'io:bp1']);
  });

  it('a read error gives EIO; at or past EOF nothing is read; a reclaimed vnode gives EIO', () => {
    const one = (opts: Omit<WorldOptions, 'observer'>, off: number, mod: (w: World) => void = () => {}) => {
      let m!: vm_page;
      let u!: uio;
      let err = -1;
      expectOk(
        io(
          opts,
          (w) => {
            m = residentPage(w, attachObject(w, w.vp), 0, { busy: 'x' });
            mod(w);
          },
          {
            *T(w) {
              u = readUio(m, off, 4096);
              err = yield* VOP_READ(w.k, w.vp, u, 0);
            },
          },
        ),
      );
      return [err, u.uio_resid];
    };
    expect(one({ flavor: 'nobmap', f_iosize: 4096, faults: { readErrorSectors: [65] } }, 0)).toEqual([EIO, 4096]);
    expect(one({ flavor: 'nobmap', f_iosize: 4096, fileSize: 8192 }, 8192)).toEqual([0, 4096]);
    expect(one({ flavor: 'nobmap', f_iosize: 4096 }, 0, (w) => (w.vp.v_type = VBAD))).toEqual([EIO, 4096]);
  });

  it('only reads into kernel memory', () => {
    const run = io({ flavor: 'nobmap', f_iosize: 4096 }, () => {}, {
      *T(w) {
        yield* VOP_READ(w.k, w.vp, { uio_iov: { iov_base: null, iov_len: 0 }, uio_iovcnt: 1, uio_offset: 0, uio_resid: 10, uio_segflg: UIO_NOCOPY, uio_rw: UIO_READ }, 0);
      },
    });
    expect(run.r.result).toMatchObject({ status: 'error', error: expect.stringContaining('VOP_READ: only reads into kernel memory') });
  });
});

function writeUio(off: number, len: number): uio {
  return { uio_iov: { iov_base: null, iov_len: len }, uio_iovcnt: 1, uio_offset: off, uio_resid: len, uio_segflg: UIO_NOCOPY, uio_rw: UIO_WRITE };
}

/** A file of pages 0..n-1, fully valid and dirty, each block holding new data. */
function dirtyFile(w: World, n: number): vm_page[] {
  const obj = attachObject(w, w.vp);
  return Array.from({ length: n }, (_, p) => {
    const m = residentPage(w, obj, p, { valid: 0xff, dirty: 0xff, busy: 's' });
    for (let b = 0; b < 8 && p * 8 + b < w.expected(w.vp).length; b++) m.data[b] = w.newData(w.vp, p * 8 + b);
    return m;
  });
}

describe('VOP_WRITE (UIO_NOCOPY)', () => {
  it('writes the range from the pages block by block and cleans exactly the range', () => {
    let ms!: vm_page[];
    let u!: uio;
    let err = -1;
    /* 8K blocks; write bytes [4096, 4096 + 8192 + 1000) of a 5-page file. */
    const run = io({ flavor: 'block', f_iosize: 8192, fileSize: 5 * 4096 }, (w) => (ms = dirtyFile(w, 5)), {
      *T(w) {
        u = writeUio(4096, 8192 + 1000);
        err = yield* VOP_WRITE(w.k, w.vp, u, 0, 1277);
      },
    });
    expectOk(run);
    expect([err, u.uio_resid, u.uio_offset]).toEqual([0, 0, 4096 + 9192]);
    expect(ms.map((m) => m.dirty)).toEqual([0xff, 0, 0, 0xfc, 0xff]);
    /* Page 1 is the second half of block 0 (sectors 72-79); block 1 (80-95) is written up to 1000 bytes into page 3 (sector 89). */
    const d = run.w.disk;
    expect([71, 72, 79, 80, 87, 88, 89, 90, 96].map((s) => disk_read(d, s))).toEqual(['d71.0', 'd72.1', 'd79.1', 'd80.1', 'd87.1', 'd88.1', 'd89.1', 'd90.0', 'd96.0']);
    expect(run.trace.filter((s) => s.includes('bstrategy')).length).toBe(2);
    expect(run.trace).toContain('T:VM_OBJECT_WLOCK(obj1)@1277');
  });

  it('allocates a hole from the block kept for it, zeroing the rest of the block', () => {
    let ms!: vm_page[];
    const run = io({ flavor: 'block', f_iosize: 8192, fileSize: 4 * 8192, holes: [1] }, (w) => (ms = dirtyFile(w, 8)), {
      *T(w) {
        yield* VOP_WRITE(w.k, w.vp, writeUio(8192, 4096), 0);
      },
    });
    expectOk(run);
    const ino = vfs_inode(run.w.vp);
    expect(ino.blkmap[1]).toBe(ino.reserve.get(1));
    const a = ino.blkmap[1]!;
    expect([disk_read(run.w.disk, a), disk_read(run.w.disk, a + 7), disk_read(run.w.disk, a + 8)]).toEqual([ms[2]!.data[0], ms[2]!.data[7], 'Z']);
    expect(ms[3]!.dirty).toBe(0xff);
  });

  it('allocates past the block map from the free space and moves va_size', () => {
    let obj!: ReturnType<typeof attachObject>;
    const run = io(
      { flavor: 'block', f_iosize: 4096, fileSize: 4096 },
      (w) => {
        obj = attachObject(w, w.vp);
        residentPage(w, obj, 0, { valid: 0xff, dirty: 0xff, busy: 's' });
        residentPage(w, obj, 2, { valid: 0xff, dirty: 0xff, busy: 's' });
      },
      {
        *T(w) {
          yield* VOP_WRITE(w.k, w.vp, writeUio(8192, 4096), 0);
        },
      },
    );
    expectOk(run);
    expect(vfs_inode(run.w.vp).blkmap).toEqual([64, -1, 80]);
    expect(run.w.vp.va_size).toBe(12288);
    expect(run.w.disk.nextFree).toBe(88);
  });

  it('a write error keeps the range dirty; EIO only under IO_SYNC', () => {
    for (const [ioflag, want] of [
      [IO_SYNC, EIO],
      [0, 0],
    ] as const) {
      let ms!: vm_page[];
      let err = -1;
      let u!: uio;
      const run = io({ flavor: 'block', f_iosize: 4096, fileSize: 3 * 4096, faults: { writeErrorSectors: [72] } }, (w) => (ms = dirtyFile(w, 3)), {
        *T(w) {
          u = writeUio(0, 3 * 4096);
          err = yield* VOP_WRITE(w.k, w.vp, u, ioflag);
        },
      });
      expectOk(run);
      expect(err).toBe(want);
      expect(ms.map((m) => m.dirty)).toEqual(ioflag ? [0, 0xff, 0xff] : [0, 0xff, 0]);
      expect(u.uio_resid).toBe(ioflag ? 4096 : 0);
      expect(disk_read(run.w.disk, 72)).toBe('d72.0');
    }
  });

  it('a write error of one small block dirties its whole page again, as vm_page_dirty does (never some bits of a busy page)', () => {
    for (const ioflag of [IO_SYNC, 0]) {
      let ms!: vm_page[];
      const run = io({ flavor: 'small', f_iosize: 512, fileSize: 4096, faults: { writeErrorSectors: [65] } }, (w) => (ms = dirtyFile(w, 1)), {
        *T(w) {
          yield* VOP_WRITE(w.k, w.vp, writeUio(0, 4096), ioflag);
        },
      });
      expectOk(run);
      expect(vfs_inode(run.w.vp).blkmap[1]).toBe(65);
      /* Block 0 reached the disk (it is only written again); block 1 did not. */
      expect(disk_read(run.w.disk, 64)).toBe(ms[0]!.data[0]);
      expect(disk_read(run.w.disk, 65)).toBe('d65.0');
      /* IO_SYNC stops at the error; otherwise blocks 2-7 are written (and cleaned) after it. */
      expect(ms[0]!.dirty).toBe(ioflag ? 0xff : 0x03);
    }
  });

  it('a short write stops after FaultPlan.shortWriteBytes with the rest left in uio_resid', () => {
    let ms!: vm_page[];
    let u!: uio;
    let err = -1;
    const run = io({ flavor: 'block', f_iosize: 4096, fileSize: 3 * 4096, faults: { shortWriteBytes: 5000 } }, (w) => (ms = dirtyFile(w, 3)), {
      *T(w) {
        u = writeUio(0, 3 * 4096);
        err = yield* VOP_WRITE(w.k, w.vp, u, IO_SYNC);
      },
    });
    expectOk(run);
    expect([err, u.uio_resid]).toEqual([0, 3 * 4096 - 5000]);
    /* 904 bytes of page 1: blocks 0 and 1 of it (the partly covered one too). */
    expect(ms.map((m) => m.dirty)).toEqual([0, 0xfc, 0xff]);
    expect([disk_read(run.w.disk, 73), disk_read(run.w.disk, 74)]).toEqual([ms[1]!.data[1], 'd74.0']);
  });

  it('needs UIO_NOCOPY, a VM object and resident pages; a reclaimed vnode gives EIO', () => {
    const bad = (mod: (w: World) => void, u: uio) => {
      let err = -1;
      const run = io({ flavor: 'block', f_iosize: 4096 }, mod, {
        *T(w) {
          err = yield* VOP_WRITE(w.k, w.vp, u, 0);
        },
      });
      return run.r.result.status === 'error' ? (run.r.result as { error: string }).error : err;
    };
    expect(bad(() => {}, { ...writeUio(0, 10), uio_segflg: UIO_SYSSPACE })).toContain('only UIO_NOCOPY writes');
    expect(bad(() => {}, writeUio(0, 10))).toContain('VOP_WRITE(vp1) with UIO_NOCOPY but no VM object');
    expect(bad((w) => attachObject(w, w.vp), writeUio(0, 10))).toContain('page 0 of obj1 is not resident');
    expect(bad((w) => (w.vp.v_type = VBAD), writeUio(0, 10))).toBe(EIO);
  });
});

describe('page VOPs', () => {
  it('dispatch to the registered generic routines; a reclaimed vnode goes through the defaults', () => {
    const calls: string[] = [];
    const saved = { getpages: genericPager('getpages'), putpages: genericPager('putpages'), local_getpages: genericPager('local_getpages'), local_getpages_async: genericPager('local_getpages_async') };
    registerGenericPager({
      *getpages(_k, vp, _m, count, _rb, _ra, iodone) {
        calls.push(`generic ${vp.name} ${count} ${iodone === null ? 'sync' : 'async'}`);
        return 7;
      },
      *putpages(_k, vp, _m, bytecount) {
        calls.push(`putpages ${vp.name} ${bytecount}`);
        return 0;
      },
      *local_getpages(_k, ap) {
        calls.push(`local ${ap.a_count}`);
        return 0;
      },
      *local_getpages_async(_k, ap) {
        calls.push(`local_async ${ap.a_count}`);
        return 0;
      },
    });
    try {
      const iodone = function* (_k: unknown, arg: unknown, _m: vm_page[], count: number, error: number): KThread<void> {
        calls.push(`iodone ${String(arg)} ${count} ${error}`);
      };
      const run = io({ flavor: 'block', f_iosize: 4096 }, () => {}, {
        *T(w) {
          yield* VOP_GETPAGES(w.k, w.vp, [], 1, null, null);
          yield* VOP_GETPAGES_ASYNC(w.k, w.vp, [], 2, null, null, iodone, 'a');
          yield* VOP_PUTPAGES(w.k, w.vp, [], 8192, 0, []);
          w.vp.v_type = VBAD;
          yield* VOP_GETPAGES(w.k, w.vp, [], 1, null, null);
          yield* VOP_GETPAGES_ASYNC(w.k, w.vp, [], 3, null, null, iodone, 'b');
          yield* VOP_PUTPAGES(w.k, w.vp, [], 4096, 0, []);
        },
      });
      expectOk(run);
      expect(calls).toEqual(['local 1', 'local_async 2', 'putpages vp1 8192', 'generic vp1 1 sync', 'generic vp1 3 sync', 'iodone b 3 7', 'putpages vp1 4096']);
    } finally {
      registerGenericPager(saved);
    }
  });
});
