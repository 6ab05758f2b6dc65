/*
 * Abstraction functions: from the simulated kernel's world to the state each
 * spec machine instance should be in, and from a machine snapshot to the
 * same form, so the monitor can compare the two after every step.
 *
 * An abstract state is the machine's state string plus the context fields
 * the world can show (reference counts, masks, pending allocations), as one
 * canonical string. Where the world cannot say which vnode an object
 * belonged to (vnode_pager_dealloc clears object->handle), the owner comes
 * from the object's OBJ_ALLOCATE event: `owner`.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { Kernel } from '../impl/kernel/kernel.ts';
import { OBJ_DEAD, OBJ_DISCONNECTWNT, OBJT_DEAD, OBJT_VNODE, type vm_object } from '../impl/kernel/vm_object.ts';
import { VPB_BIT_EXCLUSIVE, VPB_BIT_SHARED, VPB_SHARERS_SHIFT, type vm_page } from '../impl/kernel/vm_page.ts';
import type { vnode } from '../impl/kernel/vnode.ts';
import { stateString } from './catalog.ts';
import type { DetachedObject, ObjectLifecycleContext } from './objectLifecycle.ts';
import type { PageValidityContext } from './pageValidity.ts';
import type { WriteMappingsContext } from './writeMappings.ts';

export interface Abstract {
  readonly state: string;
  /** Canonical JSON of the context fields compared. */
  readonly ctx: string;
}
export type AbstractResult = Abstract | { readonly undefinedBecause: string };

export function abstractKey(a: Abstract): string {
  return `${a.state} ${a.ctx}`;
}

/* ---- object lifecycle ---- */

const NONE: readonly string[] = [];
const NONE_DETACHED: readonly DetachedObject[] = [];

/* The common case (no pending or detached object) by object name and refs: built once, not after every step. */
const SIMPLE_CTX = new Map<string | null, string[]>();

/** Canonical JSON of the compared fields (sync parses it back). Built by hand: this runs after every step. */
function lifecycleCtx(obj: string | null, refs: number, pending: readonly string[], detached: readonly DetachedObject[]): string {
  if (pending.length === 0 && detached.length === 0 && refs >= 0 && refs < 64) {
    let byRefs = SIMPLE_CTX.get(obj);
    if (byRefs === undefined) SIMPLE_CTX.set(obj, (byRefs = []));
    return (byRefs[refs] ??= `{"obj":${obj === null ? 'null' : `"${obj}"`},"refs":${refs},"pending":[],"detached":[]}`);
  }
  let p = '';
  for (const x of pending) p += (p ? ',' : '') + `"${x}"`;
  let d = '';
  for (const x of detached) d += (d ? ',' : '') + `["${x.name}",${x.refs},${x.dead},${x.handle}]`;
  return `{"obj":${obj === null ? 'null' : `"${obj}"`},"refs":${refs},"pending":[${p}],"detached":[${d}]}`;
}

export function projectObjectLifecycle(s: AnyMachineSnapshot): Abstract {
  const c = s.context as ObjectLifecycleContext;
  return { state: stateString(s.value), ctx: lifecycleCtx(c.obj, c.refs, c.pending, c.detached) };
}

/**
 * The lifecycle state of vnode `vp` in the world. `owned` lists the objects
 * allocated for it (from OBJ_ALLOCATE), in allocation order.
 */
export function abstractObjectLifecycle(vp: vnode, owned: readonly vm_object[]): AbstractResult {
  const o = vp.v_object;
  let state: string;
  let refs = 0;
  if (o !== null) {
    if (!owned.includes(o)) return { undefinedBecause: `${vp.name}.v_object is ${o.name}, which was not allocated for ${vp.name}` };
    if (o.destroyed) return { undefinedBecause: `${vp.name}.v_object is ${o.name}, which was destroyed` };
    refs = o.ref_count;
    if ((o.flags & OBJ_DEAD) !== 0) state = (o.flags & OBJ_DISCONNECTWNT) !== 0 ? 'dead.disconnectWait' : 'dead.terminating';
    else if (o.type === OBJT_VNODE) {
      if ((o.flags & OBJ_DISCONNECTWNT) !== 0) return { undefinedBecause: `${o.name} has OBJ_DISCONNECTWNT without OBJ_DEAD` };
      state = 'alive';
    } else return { undefinedBecause: `${vp.name}.v_object ${o.name} has type ${o.type} without OBJ_DEAD` };
  } else {
    state = owned.some((x) => x.handle === null || (x.flags & OBJ_DEAD) !== 0) ? 'deallocated' : 'noObject';
  }
  let pending: string[] | null = null;
  let detached: DetachedObject[] | null = null;
  for (const x of owned) {
    if (x === o || x.destroyed) continue;
    if (x.handle === vp && x.type === OBJT_VNODE && (x.flags & OBJ_DEAD) === 0) (pending ??= []).push(x.name);
    else (detached ??= []).push({ name: x.name, refs: x.ref_count, dead: (x.flags & OBJ_DEAD) !== 0, handle: x.handle === vp });
  }
  pending?.sort();
  detached?.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { state, ctx: lifecycleCtx(o ? o.name : null, refs, pending ?? NONE, detached ?? NONE_DETACHED) };
}

/* ---- page validity ---- */

export function projectPageValidity(s: AnyMachineSnapshot): Abstract {
  const c = s.context as PageValidityContext;
  const state = stateString(s.value);
  if (state === 'notResident') return { state, ctx: '{}' };
  return { state, ctx: JSON.stringify({ valid: c.valid, dirty: c.dirty, xbusy: c.xbusy, sbusy: c.sbusy }) };
}

function contentsOf(valid: number, dirty: number): string | null {
  if (valid === 0) return dirty === 0 ? 'invalid' : null;
  if (valid !== 0xff) return dirty === 0 ? 'partiallyValid' : null;
  return dirty === 0 ? 'fullyValid.clean' : dirty === 0xff ? 'fullyValid.dirty' : 'fullyValid.partiallyDirty';
}

/** The page's busy state as the PAGE_BITS event reports it. */
export function pageBusy(m: vm_page): { xbusy: boolean; sbusy: number } {
  return {
    xbusy: (m.busy_lock & VPB_BIT_EXCLUSIVE) !== 0,
    sbusy: (m.busy_lock & VPB_BIT_SHARED) !== 0 ? m.busy_lock >>> VPB_SHARERS_SHIFT : 0,
  };
}

export function abstractPageValidity(m: vm_page | null): AbstractResult {
  if (m === null) return { state: 'notResident', ctx: '{}' };
  const { xbusy, sbusy } = pageBusy(m);
  const contents = contentsOf(m.valid, m.dirty);
  if (contents === null) return { undefinedBecause: `page ${m.name} has dirty 0x${m.dirty.toString(16)} with valid 0x${m.valid.toString(16)}` };
  if (xbusy && sbusy > 0) return { undefinedBecause: `page ${m.name} is exclusive and shared busy at once (busy_lock 0x${m.busy_lock.toString(16)})` };
  const busy = xbusy ? 'exclusiveBusy' : sbusy > 0 ? 'sharedBusy' : 'unbusied';
  return { state: `resident.(contents.${contents}, busy.${busy})`, ctx: JSON.stringify({ valid: m.valid, dirty: m.dirty, xbusy, sbusy }) };
}

/* ---- write mappings ---- */

export function projectWriteMappings(s: AnyMachineSnapshot): Abstract {
  const c = s.context as WriteMappingsContext;
  return { state: stateString(s.value), ctx: `{"writemappings":${c.writemappings}}` };
}

/**
 * `attached`: the object is its vnode's v_object. vnode_pager_dealloc turns
 * the object OBJT_DEAD (seed 290) a step before it gives back the write count
 * and clears v_object (seed 296-302) when it wakes disconnect waiters in
 * between; the object counts as dead once it has left the vnode.
 */
const WM_CTX: string[] = [];
/** `{"writemappings":N}`, kept for the small values scenarios use (this runs for every object after every step). */
function writemappingsCtx(wm: number): string {
  if (wm >= 0 && wm < 1 << 20 && wm % 4096 === 0) return (WM_CTX[wm / 4096] ??= `{"writemappings":${wm}}`);
  return `{"writemappings":${wm}}`;
}

export function abstractWriteMappings(o: vm_object, attached: boolean): AbstractResult {
  const wm = o.un_pager.vnp.writemappings;
  if (wm < 0) return { undefinedBecause: `${o.name}.writemappings is negative (${wm})` };
  let state: string;
  if (o.destroyed) state = 'destroyed';
  else if (o.type === OBJT_DEAD && !attached) state = 'dead';
  else state = wm > 0 ? 'writeMapped.counted' : 'noWriteMappings';
  return { state, ctx: writemappingsCtx(wm) };
}

/* ---- lookups the monitor needs ---- */

export function findPage(o: vm_object, pindex: number): vm_page | null {
  for (const p of o.memq) if (p.pindex === pindex) return p;
  return null;
}

/** Objects and vnodes of a kernel by name; rebuilt when the kernel has created more. */
export class WorldIndex {
  private objs = new Map<string, vm_object>();
  private vps = new Map<string, vnode>();
  private seenObjs = 0;
  private seenVps = 0;
  constructor(readonly k: Kernel) {}
  object(name: string): vm_object | undefined {
    this.refresh();
    return this.objs.get(name);
  }
  vnode(name: string): vnode | undefined {
    this.refresh();
    return this.vps.get(name);
  }
  private refresh(): void {
    if (this.k.objects.length !== this.seenObjs) {
      for (let i = this.seenObjs; i < this.k.objects.length; i++) this.objs.set(this.k.objects[i]!.name, this.k.objects[i]!);
      this.seenObjs = this.k.objects.length;
    }
    if (this.k.vnodes.length !== this.seenVps) {
      for (let i = this.seenVps; i < this.k.vnodes.length; i++) this.vps.set(this.k.vnodes[i]!.name, this.k.vnodes[i]!);
      this.seenVps = this.k.vnodes.length;
    }
  }
}
