/*
 * The compiled seed's callees: each import (include/pc_kernel.h, named as
 * the C names the callee) converts its arguments (handles to kernel objects,
 * C strings, out-pointers into linear memory) and calls the kernel routine
 * the port calls, with the seed line of the call. A routine that is a
 * generator goes through CInstance.suspend: if it yields an Op, the C stack
 * unwinds and the C call's thread yields it (cwasm/runtime.ts).
 *
 * Only the callees of the functions the `c` variant runs are provided; the
 * others are imports that throw a HarnessBug naming themselves when called.
 */
import type { KThread } from '../checker/op.ts';
import { KASSERT, kprintf, panic, type KArg } from '../impl/kernel/kassert.ts';
import {
  VM_OBJECT_WLOCK,
  VM_OBJECT_WUNLOCK,
  VM_OBJECT_ASSERT_WLOCKED,
  VM_OBJECT_SLEEP,
  vm_object_allocate,
  vm_object_clear_flag,
  vm_object_pip_wait,
  vm_object_terminate,
  umtx_shm_object_terminated,
  vm_object_color,
  vm_object_destroy,
  vm_object_page_remove,
  vm_object_set_flag,
  VM_OBJECT_WOWNED,
  type vm_object,
} from '../impl/kernel/vm_object.ts';
import { VOP_BMAP, VOP_GETPAGES, VOP_GETPAGES_ASYNC, VOP_PUTPAGES, VOP_READ, VOP_WRITE, type uio } from '../impl/kernel/vfs.ts';
import {
  BUF_KERNPROC,
  atomic_add_long_runningbufspace,
  bdone,
  bstrategy,
  buf_mapped,
  bwait,
  getpbuf,
  pbgetbo,
  pbrelbo,
  relpbuf,
  type buf,
  type pbufcnt,
} from '../impl/kernel/buf.ts';
import { PAGE_SIZE } from '../impl/kernel/data.ts';
import type { Ref } from '../impl/kernel/vm_pager.ts';
import {
  ASSERT_VOP_ELOCKED,
  VI_LOCK,
  VI_UNLOCK,
  VOP_ADD_WRITECOUNT,
  VOP_GETATTR,
  VOP_UNLOCK,
  VOP_UNSET_TEXT,
  vunref,
  vdrop,
  vhold,
  vn_canvmio,
  vn_finished_write,
  vn_isdisk,
  vn_lock,
  vn_start_write,
  vrefact,
  vrele,
  type vnode,
} from '../impl/kernel/vnode.ts';
import type { mount } from '../impl/kernel/vfs.ts';
import { vm_pager_deallocate } from '../impl/kernel/vm_pager.ts';
import { wakeup } from '../impl/kernel/sync.ts';

/* The events the port reports right after a callee, by the seed line of the call. */
const DISCONNECT_WAIT: Readonly<Record<number, string>> = { 127: 'vodead', 228: 'vadead' };
import {
  vm_page_alloc,
  vm_page_bits,
  vm_page_lookup,
  vm_page_next,
  vm_page_prev,
  vm_page_readahead_finish,
  vm_page_set_valid_range,
  vm_page_clear_dirty,
  pmap_page_is_mapped,
  pmap_page_is_write_mapped,
  vm_page_assert_sbusied,
  vm_page_undirty,
  pmap_zero_page,
  pmap_zero_page_area,
  type vm_page,
} from '../impl/kernel/vm_page.ts';
import type { BufObj, CIodone, CInstance } from './runtime.ts';

/* include/pc_kernel.h PC_H_UCRED, PC_H_RUNNINGBUFSPACE (runtime.ts imports this module: no value from it here). */
const H_UCRED = 0x80006000;
const H_RUNNINGBUFSPACE = 0x80005000;

export type CalleeImpl = (...a: never[]) => unknown;

/** printf-style arguments of a C varargs call: read from its argument area as the format asks. */
export function vaArgs(c: CInstance, fmt: string, va: number): KArg[] {
  const dv = new DataView(c.ex.memory.buffer);
  const out: KArg[] = [];
  let at = va;
  for (const m of fmt.matchAll(/%[-#0 +]*\d*(?:\.\d+)?(hh|h|ll|l|j|z|t|q)?([a-zA-Z%])/g)) {
    const len = m[1] ?? '';
    const conv = m[2]!;
    if (conv === '%') continue;
    if (len === 'j' || len === 'll' || len === 'q') {
      at = (at + 7) & ~7;
      const v = dv.getBigInt64(at, true);
      out.push(conv === 'u' || conv === 'x' ? Number(BigInt.asUintN(64, v)) : Number(v));
      at += 8;
      continue;
    }
    const w = dv.getInt32(at, true);
    at += 4;
    if (conv === 's') out.push(c.cstring(w));
    else if (conv === 'p') out.push((c.object<{ name: string }>(w >>> 0))?.name ?? '0');
    else out.push(conv === 'u' || conv === 'x' ? w >>> 0 : w);
  }
  return out;
}

export function calleeImports(c: CInstance): Record<string, CalleeImpl> {
  const k = c.k;
  const obj = (h: number): vm_object => c.object<vm_object>(h)!;
  const vp = (h: number): vnode => c.object<vnode>(h)!;
  const page = (h: number): vm_page => c.object<vm_page>(h)!;
  const num = (v: number | bigint): number => Number(v);
  /* A callee that is a generator: suspends the C while it yields; `conv` turns its result into the C's. */
  const call = <R>(start: () => KThread<R>, conv: (v: R) => unknown = () => 0): unknown => {
    const t = c.current!;
    if (t.rewinding) return c.resume(t);
    c.stats.imports++;
    return c.suspend(t, start(), conv as (v: unknown) => unknown);
  };
  const dv = (): DataView => new DataView(c.ex.memory.buffer);
  const bp = (h: number): buf => c.object<buf>(h)!;
  /* &vnode_pbuf_freecnt / &vnode_async_pbuf_freecnt: the C's globals name the kernel's counters. */
  const counter = (p: number): pbufcnt => {
    if (p === (c.ex.vnode_pbuf_freecnt as WebAssembly.Global).value) return 'vnode_pbuf_freecnt';
    if (p === (c.ex.vnode_async_pbuf_freecnt as WebAssembly.Global).value) return 'vnode_async_pbuf_freecnt';
    throw new Error(`variant c: a pbuf counter at 0x${p.toString(16)}, neither of the seed's`);
  };
  /* int *rbehind / *rahead: the C's (or a buffer's) words, read into a Ref and written back after the call. */
  const ref = (p: number): Ref | null => (p === 0 ? null : { v: Number(c.loadWord(p, 4)) });
  const back = (p: number, r: Ref | null): void => {
    if (p !== 0 && r !== null) c.storeWord(p, 4, r.v);
  };
  /* A callee that enters the C again (VOP_GETPAGES reaches the pager's local getpages): the C stack unwinds first. */
  const reenter = <R>(start: () => KThread<R>, conv: (v: R) => unknown): unknown => {
    const t = c.current!;
    if (t.rewinding) return c.resume(t);
    c.stats.imports++;
    return c.suspendFirst(t, start(), conv as (v: unknown) => unknown);
  };
  /* The kernel's iodone for the C's (iodone, arg): the trampoline's CIodone. */
  const kernelIodone = (fn: number, arg: number): CIodone => {
    if (fn !== c.pgiodoneIndex) throw new Error(`variant c: an iodone at table index ${fn}, not the kernel's (the seed passes its caller's)`);
    return c.object<CIodone>(arg)!;
  };
  /*
   * VOP_READ / VOP_WRITE(vp, &auio, ioflag, cred): the C's uio and iovec (its
   * stack) read into the kernel's (iov_base NULL for UIO_NOCOPY), the
   * residual and offset written back.
   */
  const uioCall = (u: number, vop: (auio: uio) => KThread<number>): unknown => {
    const at = (n: string): number => u + c.offsetOf('uio', n);
    const w = (n: string): number => Number(c.loadWord(at(n), 4));
    const iov = w('uio_iov') >>> 0;
    const base = Number(c.loadWord(iov + c.offsetOf('iovec', 'iov_base'), 4));
    const auio: uio = {
      uio_iov: { iov_base: base === 0 ? null : c.dataAt(base, null), iov_len: Number(c.loadWord(iov + c.offsetOf('iovec', 'iov_len'), 4)) },
      uio_iovcnt: w('uio_iovcnt'),
      uio_offset: Number(c.loadWord(at('uio_offset'), 8)),
      uio_segflg: w('uio_segflg'),
      uio_rw: w('uio_rw'),
      uio_resid: w('uio_resid'),
    };
    return call(() => vop(auio), (e) => {
      c.storeWord(at('uio_resid'), 4, auio.uio_resid);
      c.storeWord(at('uio_offset'), 8, BigInt(auio.uio_offset));
      return e;
    });
  };
  /* bzero(addr, len): the page (sf_buf) or the pbuf's pages (its KVA), through the kernel's zeroing. */
  const bzero = (addr: number, len: number): void => {
    const d = c.dataAt(addr, c.kvaOwner(addr));
    if (d.kind === 'page') return pmap_zero_page_area(k, d.m, d.off, len);
    if (d.kind !== 'kva') throw new Error(`variant c: bzero of ${d.kind} data`);
    const b = c.kvaOwner(addr)!;
    for (let p = d.off; p < d.off + len; ) {
      const po = p % PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - po, d.off + len - p);
      pmap_zero_page_area(k, b.b_pages[Math.floor(p / PAGE_SIZE)]!, po, n);
      p += n;
    }
  };

  return {
    kassert_fail: (fn: number, line: number, fmt: number, va: number) => {
      const f = c.cstring(fmt);
      const a = vaArgs(c, f, va);
      KASSERT(false, c.cstring(fn), c.callLine('KASSERT', line), f, ...(a as [KArg, KArg, KArg, KArg, KArg]));
    },
    panic: (fn: number, line: number, fmt: number, va: number) => {
      const f = c.cstring(fmt);
      const a = vaArgs(c, f, va);
      panic(c.cstring(fn), c.callLine('panic', line), f, ...(a as [KArg, KArg, KArg, KArg, KArg]));
    },
    VM_OBJECT_WLOCK: (o: number, line: number) => call(() => VM_OBJECT_WLOCK(k, obj(o), c.callLine('VM_OBJECT_WLOCK', line))),
    VM_OBJECT_WUNLOCK: (o: number, line: number) => call(() => VM_OBJECT_WUNLOCK(k, obj(o), c.callLine('VM_OBJECT_WUNLOCK', line))),
    VM_OBJECT_ASSERT_WLOCKED: (o: number, fn: number, line: number) => {
      VM_OBJECT_ASSERT_WLOCKED(k, obj(o), c.cstring(fn), c.callLine('VM_OBJECT_ASSERT_WLOCKED', line));
    },
    vm_object_page_remove: (o: number, start: bigint, end: bigint, options: number, line: number) =>
      call(() => vm_object_page_remove(k, obj(o), num(start), num(end), options, c.callLine('vm_object_page_remove', line))),
    vm_page_lookup: (o: number, pindex: bigint) => c.handle(vm_page_lookup(obj(o), num(pindex))),
    pmap_zero_page_area: (m: number, off: number, size: number) => pmap_zero_page_area(k, page(m), off, size),
    vm_page_set_valid_range: (m: number, base: number, size: number) => vm_page_set_valid_range(k, page(m), base, size),
    vm_page_clear_dirty: (m: number, base: number, size: number) => vm_page_clear_dirty(k, page(m), base, size),
    vm_object_set_flag: (o: number, bits: number, line: number) => {
      vm_object_set_flag(k, obj(o), bits);
      const wmesg = DISCONNECT_WAIT[c.callLine('vm_object_set_flag', line)];
      if (wmesg !== undefined && (bits & 0x4000) !== 0) k.observer.emit({ type: 'OBJ_DISCONNECT_WAIT', obj: obj(o).name, wmesg });
    },
    vm_object_color: (o: number, color: number) => vm_object_color(k, obj(o), color),
    vm_object_clear_flag: (o: number, bits: number, line: number) => {
      vm_object_clear_flag(k, obj(o), bits);
      /* The port reports the disconnect wakeup with the flag's clearing (292). */
      if (c.callLine('vm_object_clear_flag', line) === 292) k.observer.emit({ type: 'OBJ_DISCONNECT_WAKE', obj: obj(o).name });
    },
    vm_object_pip_wait: (o: number, wmesg: number, line: number) => call(() => vm_object_pip_wait(k, obj(o), c.cstring(wmesg), c.callLine('vm_object_pip_wait', line))),
    umtx_shm_object_terminated: (o: number) => umtx_shm_object_terminated(k, obj(o)),
    /* These reach the pager's dealloc, which is C again: the C stack unwinds before they start. */
    vm_object_terminate: (o: number) => {
      const t = c.current!;
      if (t.rewinding) return c.resume(t);
      return c.suspendFirst(t, vm_object_terminate(k, obj(o)), () => 0);
    },
    vm_pager_deallocate: (o: number) => {
      const t = c.current!;
      if (t.rewinding) return c.resume(t);
      return c.suspendFirst(t, vm_pager_deallocate(k, obj(o)), () => 0);
    },
    /* wakeup(object): the object's channel. */
    wakeup: (chan: number, line: number) => call(() => wakeup(k, c.object<vm_object>(chan)!.wchan, { line: c.callLine('wakeup', line) })),
    VOP_UNSET_TEXT: (v: number, line: number) => VOP_UNSET_TEXT(k, vp(v), c.callLine('VOP_UNSET_TEXT', line)),
    vunref: (v: number, line: number) => call(() => vunref(k, vp(v), c.callLine('vunref', line))),
    /* The C sleeps on the object's address: the object's channel. */
    VM_OBJECT_SLEEP: (o: number, wchan: number, pri: number, wmesg: number, _timo: number, line: number) =>
      call(() => VM_OBJECT_SLEEP(k, obj(o), c.object<vm_object>(wchan)!.wchan, pri, c.cstring(wmesg), c.callLine('VM_OBJECT_SLEEP', line))),
    vm_object_allocate: (type: number, size: bigint) => call(() => vm_object_allocate(k, type as Parameters<typeof vm_object_allocate>[1], num(size)), (o) => c.handle(o)),
    vm_object_destroy: (o: number) => vm_object_destroy(k, obj(o)),
    vn_isdisk: (v: number) => (vn_isdisk(vp(v)) ? 1 : 0),
    vn_canvmio: (v: number) => (vn_canvmio(v === 0 ? null : vp(v)) ? 1 : 0),
    /* VOP_GETATTR(vp, &va, cred): the C's struct vattr (its stack) gets va_size. */
    VOP_GETATTR: (v: number, va: number, _cred: number, line: number) =>
      call(() => VOP_GETATTR(k, vp(v), c.callLine('VOP_GETATTR', line)), (r) => {
        if (r.error === 0) dv().setBigUint64(va, BigInt(r.va_size), true);
        return r.error;
      }),
    VI_LOCK: (v: number, line: number) => call(() => VI_LOCK(k, vp(v), c.callLine('VI_LOCK', line))),
    VI_UNLOCK: (v: number, line: number) => call(() => VI_UNLOCK(k, vp(v), c.callLine('VI_UNLOCK', line))),
    vrefact: (v: number, line: number) => call(() => vrefact(k, vp(v), c.callLine('vrefact', line))),
    vrele: (v: number, line: number) => call(() => vrele(k, vp(v), c.callLine('vrele', line))),
    ASSERT_VOP_ELOCKED: (v: number, str: number, fn: number, line: number) => {
      ASSERT_VOP_ELOCKED(k, vp(v), c.cstring(str), c.cstring(fn), c.callLine('ASSERT_VOP_ELOCKED', line));
    },
    VOP_ADD_WRITECOUNT: (v: number, inc: number, line: number) => VOP_ADD_WRITECOUNT(k, vp(v), inc, c.callLine('VOP_ADD_WRITECOUNT', line)),
    vhold: (v: number, line: number) => call(() => vhold(k, vp(v), c.callLine('vhold', line))),
    vdrop: (v: number, line: number) => call(() => vdrop(k, vp(v), c.callLine('vdrop', line))),
    vn_lock: (v: number, flags: number, line: number) => call(() => vn_lock(k, vp(v), flags, c.callLine('vn_lock', line)), (e) => e),
    VOP_UNLOCK: (v: number, flags: number, line: number) => call(() => VOP_UNLOCK(k, vp(v), flags, c.callLine('VOP_UNLOCK', line))),
    /* vn_start_write(vp, &mp, flags): *mpp is the C's (its stack), written with the mount's handle. */
    vn_start_write: (v: number, mpp: number, flags: number, line: number) => {
      const mp: { v: mount | null } = { v: mpp === 0 ? null : c.object<mount>(dv().getUint32(mpp, true)) };
      return call(() => vn_start_write(k, v === 0 ? null : vp(v), mp, flags, c.callLine('vn_start_write', line)), (e) => {
        if (mpp !== 0) dv().setUint32(mpp, c.handle(mp.v), true);
        return e;
      });
    },
    vn_finished_write: (m: number, line: number) => call(() => vn_finished_write(k, c.object<mount>(m), c.callLine('vn_finished_write', line))),
    /*
     * VOP_BMAP(vp, bn, &bo, &bnp, &runp, &runb): the out-parameters are the
     * C's (its stack, or &bp->b_blkno); written when the VOP succeeds, as the
     * port reads them. *bo is the bufobj's handle.
     */
    VOP_BMAP: (v: number, bn: bigint, bo: number, bnp: number, runp: number, runb: number, line: number) =>
      call(() => VOP_BMAP(k, vp(v), num(bn), bo !== 0, c.callLine('VOP_BMAP', line), bnp !== 0), (r) => {
        if (r.error === 0) {
          if (bo !== 0) c.storeWord(bo, 4, c.handle(r.bo === null ? null : c.bufobj(r.bo)));
          if (bnp !== 0) c.storeWord(bnp, 8, BigInt(r.bn));
          if (runp !== 0) c.storeWord(runp, 4, r.runp);
          if (runb !== 0) c.storeWord(runb, 4, r.runb);
        }
        return r.error;
      }),
    printf: (line: number, fmt: number, va: number) => {
      const f = c.cstring(fmt);
      void line;
      k.msgbuf.push(kprintf(f, vaArgs(c, f, va)).replace(/\n$/, ''));
      return 0;
    },
    VM_OBJECT_WOWNED: (o: number) => (VM_OBJECT_WOWNED(k, obj(o)) ? 1 : 0),
    VM_CNT_ADD: (name: number, n: number) => k.VM_CNT_ADD(c.cstring(name), n),
    vm_page_bits: (base: number, size: number) => vm_page_bits(base, size),
    TAILQ_PREV: (m: number) => c.handle(vm_page_prev(page(m))),
    TAILQ_NEXT: (m: number) => c.handle(vm_page_next(page(m))),
    vm_page_alloc: (o: number, pindex: bigint, req: number, line: number) =>
      call(() => vm_page_alloc(k, obj(o), num(pindex), req, c.callLine('vm_page_alloc', line)), (m) => c.handle(m)),
    vm_page_readahead_finish: (m: number, line: number) => call(() => vm_page_readahead_finish(k, page(m), c.callLine('vm_page_readahead_finish', line))),
    pmap_zero_page: (m: number) => pmap_zero_page(k, page(m)),
    pmap_page_is_mapped: (m: number) => (pmap_page_is_mapped(page(m)) ? 1 : 0),
    /* No-ops in the kernel model: the pages are the data, mapped or not (impl/kernel/buf.ts). */
    pmap_qenter: () => undefined,
    pmap_qremove: () => undefined,
    /* amd64's sf_buf is the page itself (the direct map). */
    sf_buf_alloc: (m: number) => m,
    sf_buf_free: () => undefined,
    sf_buf_kva: (sf: number) => c.dmapOf(page(sf)),
    bzero: (addr: number, len: number) => bzero(addr, len),
    getpbuf: (cnt: number, line: number) => call(() => getpbuf(k, cnt === 0 ? null : counter(cnt), c.callLine('getpbuf', line)), (b) => c.handle(b)),
    relpbuf: (b: number, cnt: number, line: number) => call(() => relpbuf(k, bp(b), cnt === 0 ? null : counter(cnt), c.callLine('relpbuf', line))),
    pbgetbo: (bo: number, b: number) => pbgetbo(k, bo === 0 ? null : c.object<BufObj>(bo)!.name, bp(b)),
    pbrelbo: (b: number) => pbrelbo(k, bp(b)),
    /* crhold(curthread->td_ucred): the thread's credential, which the kernel model names 'td_ucred'. */
    crhold: () => H_UCRED,
    atomic_add_long: (p: number, v: number, line: number) => {
      if (p >>> 0 !== H_RUNNINGBUFSPACE) throw new Error(`variant c: atomic_add_long on 0x${p.toString(16)}, not runningbufspace`);
      return call(() => atomic_add_long_runningbufspace(k, v, c.callLine('atomic_add_long', line)));
    },
    bstrategy: (b: number, line: number) => call(() => bstrategy(k, bp(b), c.callLine('bstrategy', line))),
    bwait: (b: number, pri: number, wmesg: number, line: number) => call(() => bwait(k, bp(b), pri, c.cstring(wmesg), c.callLine('bwait', line))),
    buf_mapped: (b: number) => (buf_mapped(bp(b)) ? 1 : 0),
    BUF_KERNPROC: (b: number) => BUF_KERNPROC(k, bp(b)),
    bdone: (b: number) => call(() => bdone(k, bp(b))),
    /* The trampoline: the kernel's iodone on the pages of the C's array (its own, or bp->b_pages + b_pgbefore). */
    pgiodone: (arg: number, m: number, count: number, error: number) => {
      const io = c.object<CIodone>(arg)!;
      return reenter(() => io.iodone(k, io.arg, c.pages(m, count), count, error), () => 0);
    },
    VOP_GETPAGES: (v: number, m: number, count: number, rb: number, ra: number, _line: number) => {
      const [rbehind, rahead] = [ref(rb), ref(ra)];
      return reenter(() => VOP_GETPAGES(k, vp(v), c.pages(m, count), count, rbehind, rahead), (r) => {
        back(rb, rbehind);
        back(ra, rahead);
        return r;
      });
    },
    VOP_GETPAGES_ASYNC: (v: number, m: number, count: number, rb: number, ra: number, iodone: number, arg: number, _line: number) => {
      const [rbehind, rahead] = [ref(rb), ref(ra)];
      const io = kernelIodone(iodone, arg);
      return reenter(() => VOP_GETPAGES_ASYNC(k, vp(v), c.pages(m, count), count, rbehind, rahead, io.iodone, io.arg), (r) => {
        back(rb, rbehind);
        back(ra, rahead);
        return r;
      });
    },
    VOP_READ: (v: number, u: number, ioflag: number, _cred: number, line: number) => uioCall(u, (auio) => VOP_READ(k, vp(v), auio, ioflag, c.callLine('VOP_READ', line))),
    VOP_WRITE: (v: number, u: number, ioflag: number, _cred: number, line: number) => uioCall(u, (auio) => VOP_WRITE(k, vp(v), auio, ioflag, c.callLine('VOP_WRITE', line))),
    /* VOP_PUTPAGES(vp, m, bytecount, flags, rtvals) enters the C again (generic_putpages); rtvals are the C's words. */
    VOP_PUTPAGES: (v: number, m: number, bytecount: number, flags: number, rtvals: number, _line: number) => {
      const n = Math.trunc(bytecount / PAGE_SIZE);
      const rt = Array.from({ length: n }, (_, i) => Number(c.loadWord(rtvals + 4 * i, 4)));
      return reenter(() => VOP_PUTPAGES(k, vp(v), c.pages(m, n), bytecount, flags, rt), (r) => {
        rt.forEach((x, i) => c.storeWord(rtvals + 4 * i, 4, x));
        return r;
      });
    },
    vm_page_assert_sbusied: (m: number, fn: number, line: number) => vm_page_assert_sbusied(k, page(m), c.cstring(fn), c.callLine('vm_page_assert_sbusied', line)),
    pmap_page_is_write_mapped: (m: number) => (pmap_page_is_write_mapped(page(m)) ? 1 : 0),
    vm_page_undirty: (m: number) => vm_page_undirty(k, page(m)),
    /*
     * ppsratecheck(&lastfail, &curfail, maxpps) on the C's statics, with the
     * kernel model's clock, which never advances (as the port has it): the
     * first call of an execution passes, every later one is in the same second.
     */
    ppsratecheck: (lastfail: number, curfail: number, maxpps: number) => {
      const d = dv();
      if (d.getBigInt64(lastfail, true) === 0n) {
        d.setBigInt64(lastfail, 1n, true);
        d.setInt32(curfail, 1, true);
        return 1;
      }
      const n = d.getInt32(curfail, true) + 1;
      d.setInt32(curfail, n, true);
      return n <= maxpps ? 1 : 0;
    },
  };
}
