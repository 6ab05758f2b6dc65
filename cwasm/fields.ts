/*
 * What a field access of the compiled seed is besides the read or write:
 * the port (impl/vnode_pager.ts) makes some unprotected reads a step of
 * their own (an `access` Op) and declares others, and some writes, in the
 * running step's footprint (ctx.touch); and it reports some changes as
 * kernel events. The C does the same here, keyed by the seed line of the
 * access (cwasm/vnode_pager.map.json, from the compiler's line table) and
 * the field.
 *
 * Only the functions the `c` variant runs (cwasm/cport.ts RUNNING) are
 * described; a function of the seed the variant refuses has none here.
 */
import type { KThread } from '../checker/op.ts';
import type { vnode } from '../impl/kernel/vnode.ts';
import type { vm_object } from '../impl/kernel/vm_object.ts';
import type { Access, CInstance } from './runtime.ts';

/** What an access does besides the read or write; a write's is told the field's value before it. */
type Policy = (c: CInstance, a: Access, id: number, old?: unknown) => KThread<void> | undefined;

/** Reads that are a step of their own in the port: seed line -> the field read there. */
export const READ_STEPS: Readonly<Record<number, string>> = {
  120: 'vnode.v_object',
  162: 'vnode.v_object',
  224: 'vnode.v_object',
  402: 'vnode.v_object',
};

/* Reads the port declares in the running step (ctx.touch, not atomic): seed line -> field -> resource field. */
const READ_TOUCHES: Readonly<Record<number, Readonly<Record<string, string>>>> = {
  /* Under the interlock (245) or the caller's vnode lock (152): declared, as the port does. */
  152: { 'vnode.v_object': 'v_object' },
  194: { 'vnode.v_object': 'v_object' },
  245: { 'vnode.v_object': 'v_object' },
  /* getpages without the object lock (impl/vnode_pager.ts vp_object, vnp_size_unlocked, size_unlocked). */
  529: { 'vm_object.handle': 'handle' },
  547: { 'vm_object.un_pager.vnp.vnp_size': 'vnp_size' },
  759: { 'vnode.v_object': 'v_object' },
  764: { 'vm_object.un_pager.vnp.vnp_size': 'vnp_size' },
  860: { 'vm_object.size': 'size' },
  872: { 'vm_object.size': 'size' },
  994: { 'vm_object.un_pager.vnp.vnp_size': 'vnp_size' },
  1082: { 'vnode.v_object': 'v_object' },
  /* generic_putpages, under the caller's vnode lock (vp_object). */
  1205: { 'vnode.v_object': 'v_object' },
};

/* Reads the port declares as guarded by the object lock (ctx.guarded): seed line -> field -> resource field. */
const GUARDED_READS: Readonly<Record<number, Readonly<Record<string, string>>>> = {
  226: { 'vm_object.flags': 'flags' },
};

/* A write the port declares guarded by the object lock, besides what `then` does. */
function objectGuarded(field: string, then: Policy): Policy {
  return (c, a, id, old) => {
    const o = a.obj as vm_object;
    c.k.ctx.guarded(`${o.name}.${field}`, true, o.lock.res);
    return then(c, a, id, old);
  };
}

function* readStep(label: string, res: string, line: number): KThread<void> {
  yield { kind: 'access', label, line, fp: [{ res, write: false, atomic: true }] };
}

const name = (o: object): string => (o as { name: string }).name;

const READS: Readonly<Record<string, Policy>> = {
  /* putpages' low-memory test reads the free count unlocked: a step of its own in the port (1168). */
  'vmmeter.v_free_count': (_c, a) => {
    if (a.line !== 1168) return undefined;
    return (function* (): KThread<void> {
      yield { kind: 'access', label: 'vm_cnt.v_free_count < vm_cnt.v_pageout_free_min', line: 1168, fp: [{ res: 'vm_cnt.v_free_count', write: false, atomic: true }] };
    })();
  },
  /* The KASSERT at 232 reads v_usecount unlocked: a reference-count read (checker/refcount.ts), as the port declares it. */
  'vnode.v_usecount': (c, a) => {
    const vp = a.obj as vnode;
    if (a.line === 232) c.k.ctx.touch(`${vp.name}.v_usecount`, false, true, { seen: vp.v_usecount, delta: 0, floor: vp.v_usecount > 0 ? 1 : null });
    return undefined;
  },
  /* VI_DOOMED is tested without the interlock: an atomic read (the port's vp_doomed). */
  'vnode.v_iflag': (c, a) => {
    c.k.ctx.touch(`${name(a.obj)}.v_iflag`, false, true);
    return undefined;
  },
};

/*
 * The port reports the new size once both fields hold it (seed 471-472).
 * The compiler may order the two stores either way (they are different
 * fields): the event goes out at the second.
 */
function setsizeStore(c: CInstance, a: Access, field: 'vnp_size' | 'size'): undefined {
  const o = a.obj as vm_object;
  c.k.ctx.touch(`${o.name}.${field}`, true);
  const seen = c.marks.get(o);
  if (seen === undefined || seen === field) {
    c.marks.set(o, field);
    return undefined;
  }
  c.marks.delete(o);
  c.k.observer.emit({ type: 'OBJ_SETSIZE', obj: o.name, vnp_size: o.un_pager.vnp.vnp_size, size: o.size });
  return undefined;
}

/* The port reports every change of writemappings (update_writecount 1358, release_writecount 1399). */
function writemappingsStore(c: CInstance, a: Access): undefined {
  const o = a.obj as vm_object;
  c.k.observer.emit({ type: 'WRITEMAPPINGS', obj: o.name, writemappings: o.un_pager.vnp.writemappings });
  return undefined;
}

/*
 * Two stores the port reports as one event after both (the compiler may
 * order them either way): the event goes out at the second.
 */
function paired(c: CInstance, a: Access, key: string, emit: () => void): undefined {
  const seen = c.marks.get(a.obj);
  if (seen === undefined || seen === key) {
    c.marks.set(a.obj, key);
    return undefined;
  }
  c.marks.delete(a.obj);
  emit();
  return undefined;
}

function refsStore(c: CInstance, a: Access): undefined {
  const o = a.obj as vm_object;
  c.k.observer.emit({ type: 'OBJ_REFS', obj: o.name, refs: o.ref_count });
  return undefined;
}

/* vp->v_object = object at 259: the port declares the write (set_v_object) and reports the attach. */
function attachStore(c: CInstance, a: Access): undefined {
  const vp = a.obj as vnode;
  c.k.ctx.touch(`${vp.name}.v_object`, true);
  c.k.observer.emit({ type: 'OBJ_ATTACH', obj: (vp.v_object as vm_object).name, vp: vp.name });
  return undefined;
}

function discardStore(c: CInstance, a: Access, key: string): undefined {
  const o = a.obj as vm_object;
  return paired(c, a, key, () => c.k.observer.emit({ type: 'OBJ_DISCARD', obj: o.name, vp: (o.handle as vnode).name }));
}

/** Writes the port declares or reports: seed line -> field -> what it does besides the write. */
const WRITES: Readonly<Record<number, Readonly<Record<string, Policy>>>> = {
  148: { 'vm_object.ref_count': refsStore },
  262: { 'vm_object.ref_count': objectGuarded('ref_count', refsStore) },
  /* The port reports the allocation once the object is the vnode's handle (no event comes between). */
  243: {
    'vm_object.handle': (c, a) => {
      const o = a.obj as vm_object;
      c.k.observer.emit({ type: 'OBJ_ALLOCATE', obj: o.name, vp: (o.handle as vnode).name, size: o.size });
      return undefined;
    },
  },
  /* type is read without the object lock by the callers (impl/callers/vm_map.ts): declared unguarded. */
  253: {
    'vm_object.type': (c, a) => {
      c.k.ctx.touch(`${name(a.obj)}.type`, true);
      return discardStore(c, a, 'type');
    },
  },
  254: { 'vm_object.ref_count': objectGuarded('ref_count', (c, a) => discardStore(c, a, 'ref_count')) },
  259: { 'vnode.v_object': attachStore },
  /* vp->v_object = NULL: declared; destroy_vobject (184) reports the detach, dealloc (302) the dealloc. */
  184: {
    'vnode.v_object': (c, a, _id, old) => {
      const vp = a.obj as vnode;
      c.k.ctx.touch(`${vp.name}.v_object`, true);
      c.k.observer.emit({ type: 'OBJ_DETACH', obj: (old as vm_object).name, vp: vp.name });
      return undefined;
    },
  },
  302: {
    'vnode.v_object': (c, a, _id, old) => {
      const vp = a.obj as vnode;
      const o = old as vm_object;
      c.k.ctx.touch(`${vp.name}.v_object`, true);
      c.k.observer.emit({ type: 'OBJ_DEALLOC', obj: o.name, vp: vp.name, refs: o.ref_count });
      return undefined;
    },
  },
  297: { 'vm_object.un_pager.vnp.writemappings': writemappingsStore },
  1358: { 'vm_object.un_pager.vnp.writemappings': writemappingsStore },
  1399: { 'vm_object.un_pager.vnp.writemappings': writemappingsStore },
  /* Read elsewhere without the object lock (getpages, under the vnode lock): declared. */
  471: { 'vm_object.un_pager.vnp.vnp_size': (c, a) => setsizeStore(c, a, 'vnp_size') },
  472: { 'vm_object.size': (c, a) => setsizeStore(c, a, 'size') },
};

/** The policy of a read or write, or null when it is a plain access under the caller's locks. */
export function fieldPolicy(a: Access, write: boolean): Policy | null {
  const key = `${a.field.type}.${a.field.name}`;
  if (write) return WRITES[a.line]?.[key] ?? null;
  if (READ_STEPS[a.line] === key) {
    return (_c, x) => readStep(`read ${name(x.obj)}->${a.field.name}`, `${name(x.obj)}.${a.field.name}`, a.line);
  }
  const guarded = GUARDED_READS[a.line]?.[key];
  if (guarded !== undefined) {
    return (c, x) => {
      c.k.ctx.guarded(`${name(x.obj)}.${guarded}`, false, (x.obj as vm_object).lock.res);
      return undefined;
    };
  }
  const touched = READ_TOUCHES[a.line]?.[key];
  if (touched !== undefined) {
    return (c, x) => {
      c.k.ctx.touch(`${name(x.obj)}.${touched}`, false);
      return undefined;
    };
  }
  return READS[key] ?? null;
}

export type { vnode };
