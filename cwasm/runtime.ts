/*
 * The compiled seed (cwasm/vnode_pager.wasm) on the simulated kernel.
 *
 * One module instance per kernel (per execution): its linear memory holds
 * the C's globals, a shadow stack and an Asyncify buffer per C call, and a
 * scratch word. Kernel objects never live there: a pointer to one is a
 * handle (PC_HANDLE_BASE + id * 4096, include/pc_kernel.h), and every
 * instrumented load or store at a handle is the TypeScript object's field
 * (the layouts come from the module's pc_layout table, cwasm/layout.c).
 *
 * A callee is an import that calls the kernel routine the port calls. When
 * that routine is a generator and yields an Op, the import unwinds the C
 * stack (Asyncify); the C call's generator (runC) yields the routine's Ops
 * to the scheduler, then rewinds the C stack, and the import returns the
 * routine's result. A routine that finishes without yielding returns at
 * once, no unwind.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KThread, Op } from '../checker/op.ts';
import type { Kernel } from '../impl/kernel/kernel.ts';
import { vnode } from '../impl/kernel/vnode.ts';
import { vm_object } from '../impl/kernel/vm_object.ts';
import { vm_page } from '../impl/kernel/vm_page.ts';
import { mount } from '../impl/kernel/vfs.ts';
import { bdone, buf, unmapped_buf, type b_data_t, type iodone_t, type pgiodone_t } from '../impl/kernel/buf.ts';
import { bo_bsize } from '../impl/kernel/disk.ts';
import { HarnessBug } from '../checker/op.ts';
import { calleeImports, type CalleeImpl } from './imports.ts';
import { fieldPolicy } from './fields.ts';

const WASM_FILE = fileURLToPath(new URL('./vnode_pager.wasm', import.meta.url));
const MAP_FILE = fileURLToPath(new URL('./vnode_pager.map.json', import.meta.url));
const SEED_FILE = fileURLToPath(new URL('../seed/vnode_pager.c', import.meta.url));

export const PC_HANDLE_BASE = 0x80000000;
const HANDLE_SHIFT = 12;
/* The singletons' fixed handles (include/pc_kernel.h PC_H_*). */
const H_CURTHREAD = 1;
const H_VM_CNT = 2;
const H_UNMAPPED_BUF = 4;
const H_UCRED = 6;
const FIRST_DYNAMIC = 8;
const STACK_BYTES = 32 * 1024;
const ASYNC_BYTES = 16 * 1024;
/*
 * Kernel virtual addresses the C computes with but never dereferences (it
 * hands them to bzero, VOP_READ, VOP_WRITE): a page's direct-map address
 * (sf_buf_kva) and a pbuf's KVA (b_kvabase), by the object's handle id. Not
 * backed by linear memory (which stays far below DMAP_BASE).
 */
const DMAP_BASE = 0x20000000;
const KVA_BASE = 0x40000000;
const KVA_STRIDE = 0x20000; /* MAXPHYS */

interface Field {
  readonly type: string;
  readonly name: string;
  readonly path: readonly string[];
  readonly offset: number;
  readonly size: number;
  readonly count: number;
  readonly kind: 'i' | 'u' | 'p' | 'f';
}

interface Compiled {
  readonly module: WebAssembly.Module;
  /** Instrumented access id -> the C function it is in and its seed line (cwasm/build.mjs). */
  readonly accessSite: ReadonlyMap<number, readonly [string, number]>;
  /** The seed's lines (1-based: seedLines[n - 1]). */
  readonly seedLines: readonly string[];
}

let compiled: Compiled | null = null;

function compiledModule(): Compiled {
  if (compiled === null) {
    const map = JSON.parse(readFileSync(MAP_FILE, 'utf8')) as { accesses: Record<string, [string, number]> };
    compiled = {
      module: new WebAssembly.Module(readFileSync(WASM_FILE)),
      accessSite: new Map(Object.entries(map.accesses).map(([id, site]) => [Number(id), site])),
      seedLines: readFileSync(SEED_FILE, 'utf8').split('\n'),
    };
  }
  return compiled;
}

interface Pending {
  readonly gen: KThread<unknown>;
  /** Its first step, when the import ran it; null: the routine starts once the C stack is unwound. */
  readonly first: IteratorResult<Op, unknown> | null;
  readonly convert: (v: unknown) => unknown;
}

/** One C call in progress: its shadow stack, Asyncify buffer, and the access it is suspended in. */
export interface CThread {
  readonly region: number;
  sp: number;
  readonly data: number;
  pending: Pending | null;
  rewinding: boolean;
  result: unknown;
  /** Store ids whose pointer was given and whose value is still to come, to the field and handle they reach. */
  readonly stores: Map<number, Access | null>;
}

export interface Access {
  readonly field: Field;
  readonly index: number;
  readonly obj: object;
  readonly fn: string;
  /** The seed line of the access (0 when the compiler's line table gives none). */
  readonly line: number;
  /** The bytes of the field accessed: from byte `sub`, `bytes` of them (little-endian, as wasm32). */
  readonly sub: number;
  readonly bytes: number;
}

interface Exports {
  readonly memory: WebAssembly.Memory;
  readonly __stack_pointer: WebAssembly.Global;
  readonly __heap_base: WebAssembly.Global;
  readonly __indirect_function_table: WebAssembly.Table;
  readonly vnodepagerops: WebAssembly.Global;
  readonly pc_layout: WebAssembly.Global;
  readonly pc_layout_count: WebAssembly.Global;
  readonly pc_pgiodone_fn: WebAssembly.Global;
  readonly asyncify_start_unwind: (data: number) => void;
  readonly asyncify_stop_unwind: () => void;
  readonly asyncify_start_rewind: (data: number) => void;
  readonly asyncify_stop_rewind: () => void;
  readonly asyncify_get_state: () => number;
  readonly [name: string]: unknown;
}

const ASYNCIFY_UNWINDING = 1;

/** What the C is given for the kernel's singletons. */
class Singleton {
  constructor(readonly type: string, readonly fields: Record<string, unknown>) {}
}

/** A bufobj as the C sees it (VOP_BMAP's out-parameter): the kernel names it by its device. */
export class BufObj {
  constructor(private readonly k: Kernel, readonly name: string) {}
  get bo_bsize(): number {
    return bo_bsize(this.k, this.name);
  }
}

/** A kernel iodone and its argument, passed to the C as the `arg` of the trampoline pc_pgiodone. */
export class CIodone {
  constructor(readonly iodone: pgiodone_t, readonly arg: unknown) {}
}

/*
 * Fields whose kernel values are not handles: the credentials (NOCRED is
 * NULL, the thread's ucred a fixed handle), b_data (addresses, see
 * DMAP_BASE), b_kvabase (the pbuf's KVA) and b_iodone (a function-table
 * index: bdone, or a C function run on a C stack of its own).
 */
interface Conv {
  toC(c: CInstance, obj: object, v: unknown): number;
  fromC(c: CInstance, obj: object, v: number): unknown;
}
const cred: Conv = {
  toC: (_c, _o, v) => (v === 'NOCRED' ? 0 : (PC_HANDLE_BASE + H_UCRED * (1 << HANDLE_SHIFT)) >>> 0),
  fromC: (_c, _o, v) => (v === 0 ? 'NOCRED' : 'td_ucred'),
};
const CONVERT: Readonly<Record<string, Conv>> = {
  'buf.b_rcred': cred,
  'buf.b_wcred': cred,
  'buf.b_data': { toC: (c, o, v) => c.dataAddress(o as buf, v as b_data_t), fromC: (c, o, v) => c.dataAt(v, o as buf) },
  'buf.b_kvabase': {
    toC: (c, o) => c.kvaOf(o as buf),
    fromC: () => {
      throw new HarnessBug('the compiled seed stores b_kvabase');
    },
  },
  'buf.b_iodone': {
    toC: () => {
      throw new HarnessBug('the compiled seed reads b_iodone');
    },
    fromC: (c, _o, v) => c.iodoneAt(v),
  },
};

export class CInstance {
  readonly ex: Exports;
  private readonly fields = new Map<string, Field[]>();
  private readonly objs: (object | undefined)[] = [];
  private readonly types: string[] = [];
  private readonly ids = new Map<object, number>();
  private readonly free: CThread[] = [];
  private readonly bufobjs = new Map<string, BufObj>();
  /** The name of bdone's function (its import index) as the function table gives it. */
  private readonly bdoneName: string;
  private heapTop: number;
  private readonly scratch: number;
  current: CThread | null = null;
  /** Counts for the design note and the bench: instrumented accesses (all, and at handles), C calls, unwinds. */
  readonly stats = { accesses: 0, fields: 0, calls: 0, imports: 0, unwinds: 0 };
  /** Per object, a store the field policies wait to pair with another (cwasm/fields.ts). */
  readonly marks = new Map<object, string>();
  private lastLoad: Access | null = null;
  readonly accessSite: ReadonlyMap<number, readonly [string, number]>;
  readonly seedLines: readonly string[];

  constructor(readonly k: Kernel) {
    const c = compiledModule();
    this.accessSite = c.accessSite;
    this.seedLines = c.seedLines;
    const env: Record<string, unknown> = { ...this.memoryImports(), ...calleeImports(this) };
    for (const imp of WebAssembly.Module.imports(c.module)) {
      if (!(imp.name in env)) env[imp.name] = () => {
        throw new HarnessBug(`the compiled seed called ${imp.name}, which cwasm/imports.ts does not provide yet`);
      };
    }
    const inst = new WebAssembly.Instance(c.module, { env: env as WebAssembly.ModuleImports });
    this.ex = inst.exports as unknown as Exports;
    this.bdoneName = String(WebAssembly.Module.imports(c.module).filter((i) => i.kind === 'function').findIndex((i) => i.name === 'bdone'));
    this.heapTop = (this.ex.__heap_base.value as number + 15) & ~15;
    this.scratch = this.alloc(4096 + 64) + 4096;
    this.readLayout();
    this.bind(H_CURTHREAD, new Singleton('thread', { td_ucred: null }));
    /* vm_cnt: the kernel's counters themselves (v_free_count, read unlocked by putpages at 1168). */
    this.bind(H_VM_CNT, new Singleton('vmmeter', k.vm_cnt));
  }

  /* ---- linear memory ---- */

  private alloc(bytes: number): number {
    const at = this.heapTop;
    this.heapTop = (at + bytes + 15) & ~15;
    if (this.heapTop > DMAP_BASE) throw new HarnessBug('the compiled seed\'s linear memory reached the direct-map addresses');
    const need = this.heapTop - this.ex.memory.buffer.byteLength;
    if (need > 0) this.ex.memory.grow(Math.ceil(need / 65536));
    return at;
  }

  get i32(): Int32Array {
    return new Int32Array(this.ex.memory.buffer);
  }

  cstring(addr: number): string {
    const b = new Uint8Array(this.ex.memory.buffer);
    let end = addr;
    while (b[end] !== 0) end++;
    return Buffer.from(b.subarray(addr, end)).toString('latin1');
  }

  private readLayout(): void {
    const base = this.ex.pc_layout.value as number;
    const n = this.i32[(this.ex.pc_layout_count.value as number) >> 2]!;
    for (let i = 0; i < n; i++) {
      const w = (base >> 2) + i * 6;
      const m = this.i32;
      const name = this.cstring(m[w + 1]!);
      const f: Field = { type: this.cstring(m[w]!), name, path: name.split('.'), offset: m[w + 2]!, size: m[w + 3]!, count: m[w + 4]!, kind: String.fromCharCode(m[w + 5]!) as Field['kind'] };
      let list = this.fields.get(f.type);
      if (list === undefined) this.fields.set(f.type, (list = []));
      list.push(f);
    }
  }

  /* ---- handles ---- */

  private bind(id: number, obj: object): void {
    this.objs[id] = obj;
    this.types[id] = typeOf(obj);
    this.ids.set(obj, id);
  }

  /** The handle the C is given for a kernel object (0 for null). */
  handle(obj: object | null | undefined): number {
    if (obj === null || obj === undefined) return 0;
    let id = this.ids.get(obj);
    if (id === undefined) {
      id = Math.max(FIRST_DYNAMIC, this.objs.length);
      this.bind(id, obj);
    }
    return (PC_HANDLE_BASE + id * (1 << HANDLE_SHIFT)) >>> 0;
  }

  /** The handle of curthread (a struct thread the C reads td_ucred of). */
  curthread(): number {
    return (PC_HANDLE_BASE + H_CURTHREAD * (1 << HANDLE_SHIFT)) >>> 0;
  }

  /** The kernel object behind a handle (null for 0). */
  object<T extends object>(addr: number): T | null {
    if (addr === 0) return null;
    const a = addr >>> 0;
    const id = a >= PC_HANDLE_BASE ? (a - PC_HANDLE_BASE) >>> HANDLE_SHIFT : -1;
    const o = this.objs[id];
    if (o === undefined || (a & ((1 << HANDLE_SHIFT) - 1)) !== 0) throw new HarnessBug(`the compiled seed passed 0x${a.toString(16)}, which is no kernel object's handle`);
    return o as T;
  }

  /** The field a load or store at address ea (>= PC_HANDLE_BASE) reaches. */
  private access(ea: number, bytes: number, id: number): Access {
    const hid = (ea - PC_HANDLE_BASE) >>> HANDLE_SHIFT;
    const off = ea - PC_HANDLE_BASE - hid * (1 << HANDLE_SHIFT);
    const obj = this.objs[hid];
    const type = this.types[hid];
    const [fn, line] = this.accessSite.get(id) ?? ['?', 0];
    if (obj === undefined || type === undefined) throw new HarnessBug(`${fn}: an access at 0x${ea.toString(16)} reaches no kernel object`);
    for (const f of this.fields.get(type) ?? []) {
      const rel = off - f.offset;
      if (rel >= 0 && rel < f.size * f.count) {
        /* The compiler may narrow a load or a flag test to some bytes of a field: those bytes of its value. */
        const sub = rel % f.size;
        if (sub + bytes > f.size || (f.kind === 'p' && bytes !== f.size)) throw new HarnessBug(`${fn}: a ${bytes}-byte access at offset ${off} of a ${type} straddles ${f.name}`);
        return { field: f, index: (rel - sub) / f.size, obj, fn, line, sub, bytes };
      }
    }
    throw new HarnessBug(`${fn}: the compiled seed accesses offset ${off} of a ${type}, a field include/pc_kernel.h does not lay out`);
  }

  /* ---- addresses the callees are given ---- */

  private idOf(obj: object): number {
    return (this.handle(obj) - PC_HANDLE_BASE) >>> HANDLE_SHIFT;
  }

  /** The pbuf's KVA (b_kvabase). */
  kvaOf(bp: buf): number {
    const id = this.idOf(bp);
    if (id >= (PC_HANDLE_BASE - KVA_BASE) / KVA_STRIDE) throw new HarnessBug(`${bp.name}: handle ${id} has no KVA below the handles (more kernel objects than the address map holds)`);
    return KVA_BASE + id * KVA_STRIDE;
  }

  /** A page's direct-map address (amd64's sf_buf_kva). */
  dmapOf(m: vm_page): number {
    const id = this.idOf(m);
    if (id >= (KVA_BASE - DMAP_BASE) >>> HANDLE_SHIFT) throw new HarnessBug(`${m.name}: handle ${id} has no direct-map address below the KVA`);
    return DMAP_BASE + id * (1 << HANDLE_SHIFT);
  }

  /** The C's address of what b_data points at. */
  dataAddress(bp: buf, d: b_data_t): number {
    switch (d.kind) {
      case 'unmapped':
        return (PC_HANDLE_BASE + H_UNMAPPED_BUF * (1 << HANDLE_SHIFT)) >>> 0;
      case 'kva':
        return this.kvaOf(bp) + d.off;
      case 'page':
        return this.dmapOf(d.m) + d.off;
      case 'scratch':
        throw new HarnessBug(`${bp.name}: the compiled seed reads the b_data of a filesystem's private buffer`);
    }
  }

  /** What a C address stored in b_data (or given as iov_base) points at; bp: the buffer whose KVA it may be in. */
  dataAt(addr: number, bp: buf | null): b_data_t {
    const a = addr >>> 0;
    if (a === (PC_HANDLE_BASE + H_UNMAPPED_BUF * (1 << HANDLE_SHIFT)) >>> 0) return unmapped_buf;
    if (a >= KVA_BASE && a < PC_HANDLE_BASE) {
      const id = Math.floor((a - KVA_BASE) / KVA_STRIDE);
      const owner = this.objs[id];
      if (bp !== null && owner !== bp) throw new HarnessBug(`the compiled seed points ${bp.name}'s b_data into another buffer's KVA`);
      return { kind: 'kva', off: (a - KVA_BASE) % KVA_STRIDE };
    }
    if (a >= DMAP_BASE && a < KVA_BASE) {
      const id = (a - DMAP_BASE) >>> HANDLE_SHIFT;
      const m = this.objs[id];
      if (!(m instanceof vm_page)) throw new HarnessBug(`0x${a.toString(16)} is no page's direct-map address`);
      return { kind: 'page', m, off: a & ((1 << HANDLE_SHIFT) - 1) };
    }
    throw new HarnessBug(`the compiled seed gave 0x${a.toString(16)} as a data address: linear memory, not a page or a pbuf's KVA`);
  }

  /** The buffer whose KVA an address is in, or null. */
  kvaOwner(addr: number): buf | null {
    const a = addr >>> 0;
    if (a < KVA_BASE || a >= PC_HANDLE_BASE) return null;
    const o = this.objs[Math.floor((a - KVA_BASE) / KVA_STRIDE)];
    return o instanceof buf ? o : null;
  }

  /** The kernel's b_iodone for a function-table index the C stored: bdone, or the C function (run on a C stack of its own). */
  iodoneAt(idx: number): iodone_t | null {
    if (idx === 0) return null;
    const f = this.ex.__indirect_function_table.get(idx) as ((bp: number) => void) | null;
    if (f === null) throw new HarnessBug(`the compiled seed stored ${idx}, no function, as b_iodone`);
    if (f.name === this.bdoneName) return bdone;
    return (_k, bp) => this.run(() => f(this.handle(bp)), () => undefined);
  }

  /** The table index the C is given for a kernel iodone (the trampoline pc_pgiodone). */
  get pgiodoneIndex(): number {
    return this.i32[(this.ex.pc_pgiodone_fn.value as number) >> 2]!;
  }

  /** The bufobj handle object of a device name (one per name). */
  bufobj(name: string): BufObj {
    let bo = this.bufobjs.get(name);
    if (bo === undefined) this.bufobjs.set(name, (bo = new BufObj(this.k, name)));
    return bo;
  }

  /** A word at a C address: a kernel object's field (no policy: a callee's own access) or linear memory. */
  loadWord(addr: number, bytes: 4 | 8): number | bigint {
    const ea = addr >>> 0;
    if (ea >= PC_HANDLE_BASE) return this.read(this.access(ea, bytes, -1));
    const d = new DataView(this.ex.memory.buffer);
    return bytes === 8 ? d.getBigInt64(ea, true) : d.getInt32(ea, true);
  }

  storeWord(addr: number, bytes: 4 | 8, v: number | bigint): void {
    const ea = addr >>> 0;
    if (ea >= PC_HANDLE_BASE) return this.write(this.access(ea, bytes, -1), v);
    const d = new DataView(this.ex.memory.buffer);
    if (bytes === 8) d.setBigInt64(ea, BigInt(v), true);
    else d.setInt32(ea, Number(v), true);
  }

  /** The pages of a `vm_page_t *` array (the C's memory, or a buffer's b_pages). */
  pages(addr: number, n: number): vm_page[] {
    return Array.from({ length: n }, (_, i) => this.object<vm_page>(Number(this.loadWord(addr + 4 * i, 4)) >>> 0)!);
  }

  /** The offset of a field of a shim structure (cwasm/layout.c). */
  offsetOf(type: string, name: string): number {
    const f = this.fields.get(type)?.find((x) => x.name === name);
    if (f === undefined) throw new HarnessBug(`cwasm/layout.c does not lay out ${type}.${name}`);
    return f.offset;
  }

  /* ---- field values ---- */

  private read(a: Access): number | bigint {
    const conv = CONVERT[`${a.field.type}.${a.field.name}`];
    const raw = getPath(a.obj, a.field, a.index);
    const v = conv !== undefined ? conv.toC(this, a.obj, raw) | 0 : this.toC(raw, a.field);
    if (a.sub === 0 && a.bytes === a.field.size) return v;
    const part = (BigInt.asUintN(64, BigInt(v)) >> BigInt(8 * a.sub)) & ((1n << BigInt(8 * a.bytes)) - 1n);
    return a.bytes === 8 ? BigInt.asIntN(64, part) : Number(BigInt.asIntN(32, part));
  }

  toC(v: unknown, f: Field): number | bigint {
    let n: number;
    if (f.kind === 'p' || f.kind === 'f') n = typeof v === 'number' ? v : this.handle(v as object | null);
    else if (typeof v === 'boolean') n = v ? 1 : 0;
    else n = v as number;
    if (f.size === 8) return BigInt.asIntN(64, BigInt(n));
    return n | 0;
  }

  private write(a: Access, given: number | bigint): void {
    const f = a.field;
    let raw = given;
    if (a.sub !== 0 || a.bytes !== f.size) {
      /* A store of some bytes of the field: merged into its value. */
      const mask = ((1n << BigInt(8 * a.bytes)) - 1n) << BigInt(8 * a.sub);
      const old = BigInt.asUintN(64, BigInt(this.toC(getPath(a.obj, f, a.index), f)));
      const merged = (old & ~mask) | ((BigInt.asUintN(64, BigInt(given)) << BigInt(8 * a.sub)) & mask);
      raw = f.size === 8 ? BigInt.asIntN(64, merged) : Number(BigInt.asIntN(32, merged));
    }
    let v: unknown;
    const conv = CONVERT[`${f.type}.${f.name}`];
    if (conv !== undefined) v = conv.fromC(this, a.obj, Number(raw) >>> 0);
    else if (f.kind === 'p') v = this.object(Number(raw) >>> 0);
    else if (typeof raw === 'bigint') v = f.kind === 'u' ? Number(BigInt.asUintN(64, raw)) : Number(raw);
    else v = f.kind === 'u' ? (f.size === 1 ? raw & 0xff : f.size === 2 ? raw & 0xffff : raw >>> 0) : raw;
    setPath(a.obj, f, a.index, v);
  }

  /* An access neither at a handle nor in linear memory (a KVA the C dereferences, a wild pointer): named, not a trap. */
  private outside(id: number, ea: number): never {
    const [fn, line] = this.accessSite.get(id) ?? ['?', 0];
    throw new HarnessBug(`${fn} (seed line ${line}): the compiled seed accesses 0x${ea.toString(16)}, outside linear memory and every kernel object`);
  }

  private memoryImports(): Record<string, unknown> {
    const loadPtr = (id: number, bytes: number, offset: number, ptr: number): number => {
      const ea = (ptr >>> 0) + offset;
      this.stats.accesses++;
      if (ea < PC_HANDLE_BASE) {
        if (ea + bytes > this.ex.memory.buffer.byteLength) this.outside(id, ea);
        this.lastLoad = null;
        return ptr;
      }
      this.stats.fields++;
      this.lastLoad = this.access(ea, bytes, id);
      return this.scratch - offset;
    };
    /* wide: an i64 load; of fewer bytes than 8 (i64.load32_u of a u64's low half) it is widened as the field's kind says. */
    const loadVal = (id: number, v: number | bigint, wide = false): unknown => {
      const t = this.current!;
      if (t.rewinding) return this.resume(t);
      const a = this.lastLoad;
      if (a === null) return v;
      this.lastLoad = null;
      const value = (): number | bigint => {
        const r = this.read(a);
        if (!wide || typeof r !== 'number') return r;
        return a.field.kind === 'u' || a.field.kind === 'p' ? BigInt(r >>> 0) : BigInt(r);
      };
      const policy = fieldPolicy(a, false);
      if (policy === null) return value();
      const r = policy(this, a, id);
      if (r === undefined) return value();
      return this.suspend(t, r, value);
    };
    const storePtr = (id: number, bytes: number, offset: number, ptr: number): number => {
      const ea = (ptr >>> 0) + offset;
      const t = this.current!;
      this.stats.accesses++;
      if (ea < PC_HANDLE_BASE) {
        if (ea + bytes > this.ex.memory.buffer.byteLength) this.outside(id, ea);
        t.stores.set(id, null);
        return ptr;
      }
      this.stats.fields++;
      t.stores.set(id, this.access(ea, bytes, id));
      return this.scratch - offset;
    };
    const storeVal = (id: number, v: number | bigint): number | bigint => {
      const t = this.current!;
      const a = t.stores.get(id);
      t.stores.delete(id);
      if (a === undefined) throw new HarnessBug(`store ${id}: a value without its address`);
      if (a !== null) {
        const old = getPath(a.obj, a.field, a.index);
        this.write(a, v);
        fieldPolicy(a, true)?.(this, a, id, old);
      }
      return v;
    };
    const loadVal64 = (id: number, v: bigint): unknown => loadVal(id, v, true);
    return {
      load_ptr: loadPtr, load_val_i32: loadVal, load_val_i64: loadVal64, load_val_f32: (_: number, v: number) => v, load_val_f64: (_: number, v: number) => v,
      store_ptr: storePtr, store_val_i32: storeVal, store_val_i64: storeVal, store_val_f32: (_: number, v: number) => v, store_val_f64: (_: number, v: number) => v,
    };
  }

  /* ---- suspending the C ---- */

  /** In a callee import: the rewound call returning its result. */
  resume(t: CThread): unknown {
    this.ex.asyncify_stop_rewind();
    t.rewinding = false;
    const r = t.result;
    t.result = undefined;
    return r;
  }

  /**
   * In an import: run `gen` until its first Op; if it yields, unwind the C
   * stack (runC yields the rest and rewinds); else return its result now.
   */
  suspend(t: CThread, gen: KThread<unknown>, convert: (v: unknown) => unknown): unknown {
    const first = gen.next();
    if (first.done) return convert(first.value);
    return this.unwind(t, { gen, first, convert });
  }

  /**
   * In an import whose routine may enter the C again (the pager's dealloc
   * through vm_pager_deallocate): unwind first, and start the routine with
   * no C on the JavaScript stack.
   */
  suspendFirst(t: CThread, gen: KThread<unknown>, convert: (v: unknown) => unknown): unknown {
    return this.unwind(t, { gen, first: null, convert });
  }

  /* Starts unwinding the C stack into the thread's Asyncify buffer; run() takes over when the call returns. */
  private unwind(t: CThread, p: Pending): number {
    t.pending = p;
    this.stats.unwinds++;
    const m = this.i32;
    m[t.data >> 2] = t.data + 8;
    m[(t.data >> 2) + 1] = t.data + 8 + ASYNC_BYTES;
    this.ex.asyncify_start_unwind(t.data);
    return 0;
  }

  private thread(): CThread {
    const t = this.free.pop();
    if (t !== undefined) return t;
    const region = this.alloc(STACK_BYTES + 8 + ASYNC_BYTES);
    return { region, sp: region + STACK_BYTES, data: region + STACK_BYTES, pending: null, rewinding: false, result: undefined, stores: new Map() };
  }

  /** Calls the C through `call` on a stack of its own, suspending it as the kernel routines it calls yield. */
  *run<R>(call: () => unknown, convert: (v: unknown) => R): KThread<R> {
    const t = this.thread();
    t.sp = t.region + STACK_BYTES;
    this.stats.calls++;
    try {
      for (;;) {
        const outer = this.current;
        if (outer !== null) throw new HarnessBug('the compiled seed was entered while another C call is on the JavaScript stack');
        this.current = t;
        this.ex.__stack_pointer.value = t.sp;
        let r: unknown;
        try {
          r = call();
        } finally {
          this.current = null;
        }
        if (this.ex.asyncify_get_state() !== ASYNCIFY_UNWINDING) return convert(r);
        this.ex.asyncify_stop_unwind();
        t.sp = this.ex.__stack_pointer.value as number;
        const p = t.pending!;
        t.pending = null;
        let res = p.first ?? p.gen.next();
        while (!res.done) {
          yield res.value;
          res = p.gen.next();
        }
        t.result = p.convert(res.value);
        t.rewinding = true;
        this.ex.asyncify_start_rewind(t.data);
      }
    } finally {
      t.stores.clear();
      t.rewinding = false;
      this.free.push(t);
    }
  }

  /** A word of linear memory for an `int *` argument (on the stack of the next call: the caller's frame). */
  scratchInts(n: number): number {
    return this.alloc(4 * n);
  }

  /** The seed's first line at or before `line` that calls `name` (clang's __LINE__ is a multi-line call's last line). */
  callLine(name: string, line: number): number {
    const re = new RegExp(`\\b${name}\\s*\\(`);
    for (let l = line; l > 0 && l > line - 12; l--) if (re.test(this.seedLines[l - 1] ?? '')) return l;
    return line;
  }

  /** The pager table's entries: their indices in the function table. */
  pagerop(name: 'pgo_alloc' | 'pgo_dealloc' | 'pgo_getpages' | 'pgo_getpages_async' | 'pgo_putpages' | 'pgo_haspage'): (...a: unknown[]) => unknown {
    const order = ['pgo_alloc', 'pgo_dealloc', 'pgo_getpages', 'pgo_getpages_async', 'pgo_putpages', 'pgo_haspage'];
    const idx = this.i32[((this.ex.vnodepagerops.value as number) >> 2) + order.indexOf(name)]!;
    return this.ex.__indirect_function_table.get(idx) as (...a: unknown[]) => unknown;
  }
}

function typeOf(obj: object): string {
  if (obj instanceof Singleton) return obj.type;
  if (obj instanceof vnode) return 'vnode';
  if (obj instanceof vm_object) return 'vm_object';
  if (obj instanceof vm_page) return 'vm_page';
  if (obj instanceof mount) return 'mount';
  if (obj instanceof buf) return 'buf';
  if (obj instanceof BufObj) return 'bufobj';
  if (obj instanceof CIodone) return 'pc_iodone';
  throw new HarnessBug(`no shim structure for a ${obj.constructor.name}`);
}

function holder(obj: object, f: Field): Record<string, unknown> {
  let o = (obj instanceof Singleton ? obj.fields : obj) as Record<string, unknown>;
  for (let i = 0; i < f.path.length - 1; i++) o = o[f.path[i]!] as Record<string, unknown>;
  return o;
}

function getPath(obj: object, f: Field, index: number): unknown {
  const v = holder(obj, f)[f.path[f.path.length - 1]!];
  return f.count > 1 ? (v as unknown[])[index] ?? null : v;
}

function setPath(obj: object, f: Field, index: number, v: unknown): void {
  const h = holder(obj, f);
  const last = f.path[f.path.length - 1]!;
  if (f.count > 1) (h[last] as unknown[])[index] = v;
  else h[last] = v;
}

/** The module instance of a kernel (one per execution). */
export function cinstance(k: Kernel): CInstance {
  return k.kernelStatic('cwasm', () => new CInstance(k));
}

export type { CalleeImpl };
