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
import { KASSERT, panic, type KArg } from '../impl/kernel/kassert.ts';
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
  type vm_object,
} from '../impl/kernel/vm_object.ts';
import { VOP_BMAP } from '../impl/kernel/vfs.ts';
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
import { vm_page_lookup, vm_page_set_valid_range, vm_page_clear_dirty, pmap_zero_page_area, type vm_page } from '../impl/kernel/vm_page.ts';
import type { CInstance } from './runtime.ts';

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
     * C's (its stack); written when the VOP succeeds, as the port reads them.
     */
    VOP_BMAP: (v: number, bn: bigint, bo: number, bnp: number, runp: number, runb: number, line: number) => {
      if (bo !== 0) throw new Error('variant c: VOP_BMAP asked for its bufobj (getpages), which the compiled seed does not run yet');
      return call(() => VOP_BMAP(k, vp(v), num(bn), false, c.callLine('VOP_BMAP', line), bnp !== 0), (r) => {
        if (r.error === 0) {
          const d = dv();
          if (bnp !== 0) d.setBigInt64(bnp, BigInt(r.bn), true);
          if (runp !== 0) d.setInt32(runp, r.runp, true);
          if (runb !== 0) d.setInt32(runb, r.runb, true);
        }
        return r.error;
      });
    },
  };
}
