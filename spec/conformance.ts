/*
 * Lock-step conformance of the kernel with the spec machines.
 *
 * createConformance(kernelRef) gives an Observer to install as the kernel's
 * observer (KernelConfig.observer / makeWorld's `observer`) and a stepCheck
 * for RunOptions.stepCheck. Every event the kernel emits during a step is
 * routed to its machine instance and must be accepted there in its current
 * state (a) — the transition is taken at once; after the step, an
 * abstraction of the world must equal every instance's state (b). Either
 * failure is a `spec` violation naming the machine, instance, state, event
 * and step.
 *
 * The world a Program's setup builds (fixtures such as world.ts's
 * attachObject/residentPage emit events outside any step) is the starting
 * state: at the first step the instances are set from the world's
 * abstraction instead of replaying the fixtures' events. Call sync()
 * yourself at the end of setup to do it explicitly.
 *
 * Cost: a transition is computed once per (machine snapshot, event) and
 * then looked up, as is the abstract key of each snapshot; the per-step
 * world check builds one short string per vnode, object and page.
 */
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine, type StateValue } from 'xstate';
import type { StepRecord, Violation } from '../checker/runtime.ts';
import type { Kernel } from '../impl/kernel/kernel.ts';
import type { KEvent, Observer } from '../impl/kernel/observe.ts';
import { OBJT_VNODE, type vm_object } from '../impl/kernel/vm_object.ts';
import type { vnode } from '../impl/kernel/vnode.ts';
import type { vm_page } from '../impl/kernel/vm_page.ts';
import { MACHINES, activePaths, stateString, transitionInfo, type MachineName } from './catalog.ts';
import {
  WorldIndex,
  abstractObjectLifecycle,
  abstractPageValidity,
  abstractWriteMappings,
  findPage,
  type AbstractResult,
  type Abstract,
  projectObjectLifecycle,
  projectPageValidity,
  projectWriteMappings,
  abstractKey,
} from './abstraction.ts';

export type SpecViolation = Extract<Violation, { kind: 'spec' }>;

/** One accepted event, as the monitor applied it. */
export interface AppliedEvent {
  readonly machine: MachineName;
  readonly instance: string;
  readonly event: KEvent;
  /** Transition ids taken. */
  readonly transitions: readonly string[];
  readonly from: string;
  readonly to: string;
  /** The snapshot (value and context) did not change. */
  readonly stutter: boolean;
}

export interface ConformanceOptions {
  /** Machines to check; default all. */
  readonly machines?: readonly MachineName[];
  /** Told of every event a machine instance accepted, in order. */
  readonly listener?: (a: AppliedEvent) => void;
}

/** What the monitor saw: transitions taken and states entered, per machine. */
export interface CoverageTally {
  readonly transitions: Map<MachineName, Map<string, number>>;
  readonly states: Map<MachineName, Map<string, number>>;
}

export interface Conformance {
  readonly observer: Observer;
  stepCheck(rec: StepRecord, index: number): Violation | null;
  /** Take the world as it stands as the starting state of every instance. */
  sync(): Violation | null;
  /** Checks to run once every thread has finished: every async request completed. */
  finalCheck(step: number): Violation | null;
  /** Forget instances and the pending violation; keeps the transition cache and the tally. */
  reset(): void;
  /** Current state of every instance, "machine/instance" -> state string. */
  states(): Map<string, string>;
  /** Every instance's state and context, as one string: equal strings, equal spec states. */
  fingerprint(): string;
  /** The state the world abstracts to for an instance ("objectLifecycle", "vp1"), or why it has none. */
  worldState(machine: MachineName, instance: string): string;
  readonly tally: CoverageTally;
  readonly stats: { events: number; cacheHits: number; cacheMisses: number; steps: number };
}

interface Next {
  readonly snap: AnyMachineSnapshot;
  readonly skey: string;
  /** Transition ids taken. */
  readonly ids: readonly string[];
  /** State node paths active after the step. */
  readonly paths: readonly string[];
  readonly stateStr: string;
  /** The abstract key the world must match ("state ctx"), and its two parts, compared apart at every step. */
  readonly absKey: string;
  readonly absState: string;
  readonly absCtx: string;
}

interface Instance {
  readonly machine: MachineName;
  readonly name: string;
  cur: Next;
  last: KEvent | null;
}

const PROJECT: Record<Exclude<MachineName, 'asyncGetpages'>, (s: AnyMachineSnapshot) => Abstract> = {
  objectLifecycle: projectObjectLifecycle,
  pageValidity: projectPageValidity,
  writeMappings: projectWriteMappings,
};

/* "machine/name" keys, made once per name: checkWorld looks instances up after every step. */
const KEYS = new Map<MachineName, Map<string, string>>();
function instanceKey(m: MachineName, name: string): string {
  let byName = KEYS.get(m);
  if (byName === undefined) KEYS.set(m, (byName = new Map()));
  let k = byName.get(name);
  if (k === undefined) {
    k = `${m}/${name}`;
    if (byName.size < 100_000) byName.set(name, k);
  }
  return k;
}

/** "OBJ_REFS obj1 refs=2". */
export function describeEvent(e: KEvent): string {
  const { type, ...rest } = e;
  return `${type} ${Object.entries(rest)
    .map(([k, v]) => (k === 'obj' || k === 'vp' ? String(v) : `${k}=${typeof v === 'number' && (k === 'valid' || k === 'dirty') ? `0x${v.toString(16)}` : String(v)}`))
    .join(' ')}`;
}

function snapKey(s: AnyMachineSnapshot): string {
  return JSON.stringify([s.value, s.context]);
}

/** A transition cache shared by all monitors of a process: runs of the same scenario revisit the same snapshots. */
const CACHE = new Map<MachineName, Map<string, Map<string, Next | null>>>();
/** Entries in CACHE, over every machine and snapshot; it is emptied past CACHE_LIMIT. */
let cacheEntries = 0;
const INITIAL = new Map<string, Next>();
const CACHE_LIMIT = 200_000;
const NOT_RESIDENT: AbstractResult = abstractPageValidity(null);

function infoOf(machine: MachineName, snap: AnyMachineSnapshot, ids: readonly string[]): Next {
  const value = snap.value as StateValue;
  const stateStr = stateString(value);
  const abs = machine === 'asyncGetpages' ? null : PROJECT[machine](snap);
  const absKey = abs === null ? stateStr : abstractKey(abs);
  return { snap, skey: snapKey(snap), ids, paths: activePaths(value), stateStr, absKey, absState: abs === null ? stateStr : abs.state, absCtx: abs === null ? '' : abs.ctx };
}

function step(machine: MachineName, cur: Next, e: KEvent, stats: { cacheHits: number; cacheMisses: number }): Next | null {
  let byMachine = CACHE.get(machine);
  if (!byMachine) CACHE.set(machine, (byMachine = new Map()));
  // By snapshot, then by event: the snapshot key is a long string whose hash V8 keeps; no concatenation per event.
  let bySnap = byMachine.get(cur.skey);
  if (!bySnap) byMachine.set(cur.skey, (bySnap = new Map()));
  const key = JSON.stringify(e);
  const hit = bySnap.get(key);
  if (hit !== undefined) {
    stats.cacheHits++;
    return hit;
  }
  stats.cacheMisses++;
  const m = MACHINES[machine] as AnyStateMachine;
  const defs = m.getTransitionData(cur.snap, e);
  let next: Next | null = null;
  if (defs.length > 0 && defs.some((t) => t.target !== undefined || t.actions.length > 0)) {
    const [snap] = transition(m, cur.snap, e);
    next = infoOf(
      machine,
      snap,
      defs.map((t) => transitionInfo(m, t).id),
    );
  }
  if (++cacheEntries > CACHE_LIMIT) {
    for (const c of CACHE.values()) c.clear();
    cacheEntries = 1;
    byMachine.set(cur.skey, bySnap);
    bySnap.clear();
  }
  bySnap.set(key, next);
  return next;
}

function initial(machine: MachineName, input: Record<string, unknown>): Next {
  const key = `${machine}\u0000${JSON.stringify(input)}`;
  let n = INITIAL.get(key);
  if (!n) {
    const [snap] = initialTransition(MACHINES[machine] as AnyStateMachine, input);
    n = infoOf(machine, snap as AnyMachineSnapshot, []);
    INITIAL.set(key, n);
  }
  return n;
}

/** A snapshot built from an abstract state of the world (used by sync). */
function resolved(machine: MachineName, value: StateValue, context: Record<string, unknown>): Next {
  const m = MACHINES[machine] as AnyStateMachine;
  return infoOf(machine, m.resolveState({ value, context }) as AnyMachineSnapshot, []);
}

export function createConformance(kernelRef: () => Kernel | undefined, opts: ConformanceOptions = {}): Conformance {
  const enabled = new Set<MachineName>(opts.machines ?? (Object.keys(MACHINES) as MachineName[]));
  const stats = { events: 0, cacheHits: 0, cacheMisses: 0, steps: 0 };
  const tally: CoverageTally = { transitions: new Map(), states: new Map() };
  for (const m of Object.keys(MACHINES) as MachineName[]) {
    tally.transitions.set(m, new Map());
    tally.states.set(m, new Map());
  }

  let instances = new Map<string, Instance>();
  /** The pageValidity instances, for the per-step walk. */
  let pages: Instance[] = [];
  /** obj -> vp of its OBJ_ALLOCATE. */
  let owner = new Map<string, string>();
  /** vp -> its objects in allocation order. */
  let owned = new Map<string, string[]>();
  /** vp -> v_writecount as last reported (WRITECOUNT) or seen at sync. */
  let writecount = new Map<string, number>();
  /** vp -> v_writecount not owed to any object (at sync). */
  let baseline = new Map<string, number>();
  let pending: SpecViolation | null = null;
  let phase: 'setup' | 'running' = 'setup';
  let index: WorldIndex | null = null;
  let indexK: Kernel | null = null;
  let lastStep = -1;

  const keyOf = instanceKey;
  const world = (): WorldIndex | null => {
    const k = kernelRef();
    if (!k) return null;
    if (indexK !== k) {
      index = new WorldIndex(k);
      indexK = k;
    }
    return index;
  };

  function note(inst: Instance, n: Next, ids: readonly string[]): void {
    const t = tally.transitions.get(inst.machine)!;
    for (const id of ids) t.set(id, (t.get(id) ?? 0) + 1);
    const s = tally.states.get(inst.machine)!;
    for (const p of n.paths) s.set(p, (s.get(p) ?? 0) + 1);
  }

  function fail(machine: MachineName, instance: string, state: string, e: KEvent | null, message: string): void {
    if (pending) return;
    pending = { kind: 'spec', machine, instance, state, event: e ? describeEvent(e) : null, message, step: lastStep + 1 };
  }

  /* The machine input is made only when the instance is created: deliver runs for every event. */
  type InputOf = (name: string, e: KEvent | null) => Record<string, unknown>;
  function instance(machine: MachineName, name: string, inputOf: InputOf, e: KEvent | null = null): Instance {
    const key = keyOf(machine, name);
    let inst = instances.get(key);
    if (!inst) {
      const n = initial(machine, inputOf(name, e));
      inst = { machine, name, cur: n, last: null };
      instances.set(key, inst);
      if (machine === 'pageValidity') pages.push(inst);
      note(inst, n, []);
    }
    return inst;
  }

  function deliver(machine: MachineName, name: string, inputOf: InputOf, e: KEvent): void {
    if (!enabled.has(machine) || pending) return;
    const inst = instance(machine, name, inputOf, e);
    const n = step(machine, inst.cur, e, stats);
    inst.last = e;
    if (n === null) {
      fail(machine, name, inst.cur.stateStr, e, `${machine} ${name} in state ${inst.cur.stateStr} does not accept ${describeEvent(e)}`);
      return;
    }
    const from = inst.cur;
    inst.cur = n;
    note(inst, n, n.ids);
    opts.listener?.({ machine, instance: name, event: e, transitions: n.ids, from: from.stateStr, to: n.stateStr, stutter: from.skey === n.skey });
  }

  function register(obj: string, vp: string): void {
    if (owner.has(obj)) return;
    owner.set(obj, vp);
    const l = owned.get(vp);
    if (l) l.push(obj);
    else owned.set(vp, [obj]);
  }

  function lifecycleInput(vp: string) {
    return { vp };
  }
  function wmInput(obj: string) {
    const vp = owner.get(obj);
    return { obj, v_writecount: vp !== undefined ? (writecount.get(vp) ?? 0) : 0 };
  }
  function pageInput(_name: string, e: KEvent | null) {
    const p = e as KEvent & { obj: string; pindex: number };
    return { obj: p.obj, pindex: p.pindex };
  }
  function asyncInput(_name: string, e: KEvent | null) {
    return { req: (e as KEvent & { req: number }).req };
  }

  function ownerOr(e: KEvent & { obj: string }): string | null {
    const vp = owner.get(e.obj);
    if (vp === undefined) {
      fail('objectLifecycle', e.obj, 'unknown', e, `${describeEvent(e)} is about ${e.obj}, which no OBJ_ALLOCATE introduced`);
      return null;
    }
    return vp;
  }

  function route(e: KEvent): void {
    switch (e.type) {
      case 'OBJ_ALLOCATE':
        register(e.obj, e.vp);
        deliver('objectLifecycle', e.vp, lifecycleInput, e);
        if (enabled.has('writeMappings')) instance('writeMappings', e.obj, wmInput);
        return;
      case 'OBJ_ATTACH':
      case 'OBJ_DETACH':
      case 'OBJ_DISCARD':
      case 'OBJ_DEALLOC': {
        const vp = ownerOr(e);
        if (vp === null) return;
        if (vp !== e.vp) return fail('objectLifecycle', e.vp, 'unknown', e, `${describeEvent(e)} names ${e.vp}, but ${e.obj} was allocated for ${vp}`);
        deliver('objectLifecycle', vp, lifecycleInput, e);
        if (e.type === 'OBJ_DISCARD' || e.type === 'OBJ_DEALLOC') deliver('writeMappings', e.obj, wmInput, e);
        return;
      }
      case 'OBJ_REFS':
      case 'OBJ_DEAD':
      case 'OBJ_DISCONNECT_WAIT':
      case 'OBJ_DISCONNECT_WAKE':
      case 'OBJ_SETSIZE':
      case 'OBJ_DESTROY': {
        const vp = ownerOr(e);
        if (vp === null) return;
        deliver('objectLifecycle', vp, lifecycleInput, e);
        if (e.type === 'OBJ_DESTROY') deliver('writeMappings', e.obj, wmInput, e);
        return;
      }
      case 'PAGE_INSERT':
      case 'PAGE_REMOVE':
      case 'PAGE_BITS':
        deliver('pageValidity', `${e.obj}.p${e.pindex}`, pageInput, e);
        return;
      case 'WRITEMAPPINGS':
        if (ownerOr(e) === null) return;
        deliver('writeMappings', e.obj, wmInput, e);
        return;
      case 'WRITECOUNT': {
        writecount.set(e.vp, e.v_writecount);
        for (const obj of owned.get(e.vp) ?? []) {
          const inst = instances.get(keyOf('writeMappings', obj));
          if (inst && inst.cur.snap.status === 'active') deliver('writeMappings', obj, wmInput, e);
        }
        return;
      }
      case 'ASYNC_ISSUE':
        deliver('asyncGetpages', `req${e.req}`, asyncInput, e);
        return;
      case 'ASYNC_DONE':
        if (enabled.has('asyncGetpages') && !instances.has(keyOf('asyncGetpages', `req${e.req}`)))
          return fail('asyncGetpages', `req${e.req}`, 'notIssued', e, `completion of request ${e.req}, which was never issued`);
        deliver('asyncGetpages', `req${e.req}`, asyncInput, e);
        return;
      case 'VNODE_DOOMED':
        return;
      default: {
        const never: never = e;
        fail('objectLifecycle', '?', 'unknown', null, `unknown kernel event ${JSON.stringify(never)}`);
      }
    }
  }

  /* The runtime's ctx.tid throws outside a step; the probe runs only until setup is over. */
  function inStep(k: Kernel): boolean {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      void k.ctx.tid;
      return true;
    } catch {
      return false;
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  const observer: Observer = {
    emit(e: KEvent): void {
      stats.events++;
      if (phase === 'setup') {
        const k = kernelRef();
        if (!k || !inStep(k)) {
          /* A fixture building the starting world: learn who owns what; the states come from sync(). */
          if (e.type === 'OBJ_ALLOCATE') register(e.obj, e.vp);
          if (e.type === 'WRITECOUNT') writecount.set(e.vp, e.v_writecount);
          return;
        }
        sync();
      }
      if (pending) return;
      route(e);
    },
  };

  /* ---- the world check ---- */

  /* vp -> its objects; rebuilt when an allocation is registered. */
  let ownedCache = new Map<string, vm_object[]>();
  function ownedObjects(w: WorldIndex, vp: string): vm_object[] {
    const names = owned.get(vp) ?? [];
    let out = ownedCache.get(vp);
    if (out && out.length === names.length) return out;
    out = [];
    for (const name of names) {
      const o = w.object(name);
      if (o) out.push(o);
    }
    if (out.length === names.length) ownedCache.set(vp, out);
    return out;
  }

  function compare(inst: Instance, a: AbstractResult): string | null {
    if ('undefinedBecause' in a) return `the world has no ${inst.machine} state: ${a.undefinedBecause}`;
    // Compared in parts: this runs for every instance after every step, and the key string is only for the message.
    if (a.state === inst.cur.absState && a.ctx === inst.cur.absCtx) return null;
    return `the world abstracts to ${abstractKey(a)}, the machine is in ${inst.cur.absKey}`;
  }

  /* World-side abstract keys of pages and write mappings, memoized on the fields they read. */
  const pageKeys = new Map<number, AbstractResult>();
  const pageKey = (m: vm_page | null): AbstractResult => {
    if (m === null) return NOT_RESIDENT;
    const n = m.valid | (m.dirty << 8) | ((m.busy_lock & 0xffff) << 16);
    let a = pageKeys.get(n);
    if (!a) pageKeys.set(n, (a = abstractPageValidity(m)));
    return a;
  };

  function checkWorld(): void {
    const w = world();
    if (!w || pending) return;
    const k = w.k;
    if (enabled.has('objectLifecycle')) {
      for (const vp of k.vnodes) {
        const inst = instances.get(keyOf('objectLifecycle', vp.name)) ?? instance('objectLifecycle', vp.name, lifecycleInput);
        const msg = compare(inst, abstractObjectLifecycle(vp, ownedObjects(w, vp.name)));
        if (msg) return fail('objectLifecycle', vp.name, inst.cur.stateStr, inst.last, msg);
      }
    }
    let resident = 0;
    for (const o of k.objects) {
      const vpName = owner.get(o.name);
      if (vpName === undefined) {
        if (o.type === OBJT_VNODE) return fail('objectLifecycle', o.name, 'unknown', null, `${o.name} is an OBJT_VNODE object no OBJ_ALLOCATE introduced`);
        continue;
      }
      if (enabled.has('writeMappings')) {
        const inst = instances.get(keyOf('writeMappings', o.name));
        if (!inst) return fail('writeMappings', o.name, 'unknown', null, `${o.name} has no writeMappings instance`);
        const vp = w.vnode(vpName);
        const msg = compare(inst, abstractWriteMappings(o, vp !== undefined && vp.v_object === o));
        if (msg) return fail('writeMappings', o.name, inst.cur.stateStr, inst.last, msg);
      }
      if (!o.destroyed) resident += o.memq.length;
    }
    if (enabled.has('writeMappings')) {
      for (const vp of k.vnodes) {
        const msg = checkWritecount(vp);
        if (msg) {
          const inst = instances.get(keyOf('writeMappings', vp.v_object?.name ?? ''));
          return fail('writeMappings', vp.name, inst?.cur.stateStr ?? 'n/a', inst?.last ?? null, msg);
        }
      }
    }
    if (enabled.has('pageValidity')) {
      let residentInstances = 0;
      for (const inst of pages) {
        const c = inst.cur.snap.context as { obj: string; pindex: number };
        const o = w.object(c.obj);
        const m = o && !o.destroyed ? findPage(o, c.pindex) : null;
        if (m !== null) residentInstances++;
        const msg = compare(inst, pageKey(m));
        if (msg) return fail('pageValidity', inst.name, inst.cur.stateStr, inst.last, msg);
      }
      /* Every page instance matched its page; a resident page left over has no instance. */
      if (residentInstances !== resident) {
        for (const o of k.objects) {
          if (o.destroyed || !owner.has(o.name)) continue;
          for (const m of o.memq) {
            if (!instances.has(keyOf('pageValidity', `${o.name}.p${m.pindex}`)))
              return fail('pageValidity', `${o.name}.p${m.pindex}`, 'notResident', null, `page ${m.name} is resident but no PAGE_INSERT reported it`);
          }
        }
      }
    }
  }

  function checkWritecount(vp: vnode): string | null {
    let counted = 0;
    for (const obj of owned.get(vp.name) ?? []) {
      const inst = instances.get(keyOf('writeMappings', obj));
      if (inst && inst.cur.stateStr === 'writeMapped.counted') counted++;
    }
    const want = (baseline.get(vp.name) ?? 0) + counted;
    if (vp.v_writecount === want) return null;
    return `${vp.name}.v_writecount is ${vp.v_writecount}, but ${counted} of its objects have write mappings${baseline.get(vp.name) ? ` (plus ${baseline.get(vp.name)} from before)` : ''}`;
  }

  /* ---- sync: instances from the world ---- */

  function sync(): Violation | null {
    phase = 'running';
    const w = world();
    if (!w) return null;
    const k = w.k;
    ownedCache = new Map();
    instances = new Map();
    pages = [];
    for (const o of k.objects) if (!owner.has(o.name) && o.handle !== null) register(o.name, o.handle.name);
    for (const vp of k.vnodes) {
      const a = abstractObjectLifecycle(vp, ownedObjects(w, vp.name));
      if ('undefinedBecause' in a) {
        fail('objectLifecycle', vp.name, 'unknown', null, `the starting world has no objectLifecycle state: ${a.undefinedBecause}`);
        continue;
      }
      const ctx = JSON.parse(a.ctx) as { obj: string | null; refs: number; pending: string[]; detached: [string, number, boolean, boolean][] };
      const n = resolved('objectLifecycle', valueOf(a.state), {
        vp: vp.name,
        obj: ctx.obj,
        refs: ctx.refs,
        pending: ctx.pending,
        detached: ctx.detached.map(([name, refs, dead, handle]) => ({ name, refs, dead, handle })),
      });
      const inst = { machine: 'objectLifecycle' as const, name: vp.name, cur: n, last: null };
      instances.set(keyOf('objectLifecycle', vp.name), inst);
      note(inst, n, []);
    }
    for (const o of k.objects) {
      const vpName = owner.get(o.name);
      if (vpName === undefined) continue;
      const vp = w.vnode(vpName);
      const a = abstractWriteMappings(o, vp !== undefined && vp.v_object === o);
      if ('undefinedBecause' in a) fail('writeMappings', o.name, 'unknown', null, `the starting world has no writeMappings state: ${a.undefinedBecause}`);
      else {
        const n = resolved('writeMappings', valueOf(a.state), { obj: o.name, writemappings: o.un_pager.vnp.writemappings, v_writecount: vp?.v_writecount ?? 0 });
        const inst = { machine: 'writeMappings' as const, name: o.name, cur: n, last: null };
        instances.set(keyOf('writeMappings', o.name), inst);
        note(inst, n, []);
      }
      if (o.destroyed) continue;
      for (const m of o.memq) {
        const pa = abstractPageValidity(m);
        const name = `${o.name}.p${m.pindex}`;
        if ('undefinedBecause' in pa) {
          fail('pageValidity', name, 'unknown', null, `the starting world has no pageValidity state: ${pa.undefinedBecause}`);
          continue;
        }
        const ctx = JSON.parse(pa.ctx) as { valid: number; dirty: number; xbusy: boolean; sbusy: number };
        const n = resolved('pageValidity', valueOf(pa.state), { obj: o.name, pindex: m.pindex, ...ctx });
        const inst = { machine: 'pageValidity' as const, name, cur: n, last: null };
        instances.set(keyOf('pageValidity', name), inst);
        pages.push(inst);
        note(inst, n, []);
      }
    }
    for (const vp of k.vnodes) {
      writecount.set(vp.name, vp.v_writecount);
      let counted = 0;
      for (const obj of owned.get(vp.name) ?? []) if (instances.get(keyOf('writeMappings', obj))?.cur.stateStr === 'writeMapped.counted') counted++;
      baseline.set(vp.name, vp.v_writecount - counted);
    }
    return pending;
  }

  return {
    observer,
    stepCheck(_rec: StepRecord, idx: number): Violation | null {
      stats.steps++;
      if (phase === 'setup') sync();
      if (!pending) checkWorld();
      lastStep = idx;
      if (pending) {
        const v: SpecViolation = { ...pending, step: idx };
        return v;
      }
      return null;
    },
    sync,
    finalCheck(stepNo: number): Violation | null {
      if (pending) return { ...pending, step: stepNo };
      for (const inst of instances.values()) {
        if (inst.machine === 'asyncGetpages' && inst.cur.stateStr === 'issued')
          return { kind: 'spec', machine: 'asyncGetpages', instance: inst.name, state: 'issued', event: inst.last ? describeEvent(inst.last) : null, message: `request ${inst.name} was issued and never completed`, step: stepNo };
      }
      return null;
    },
    reset(): void {
      ownedCache = new Map();
      instances = new Map();
      pages = [];
      owner = new Map();
      owned = new Map();
      writecount = new Map();
      baseline = new Map();
      pending = null;
      phase = 'setup';
      lastStep = -1;
    },
    states(): Map<string, string> {
      const out = new Map<string, string>();
      for (const [k, inst] of instances) out.set(k, inst.cur.stateStr);
      return out;
    },
    worldState(machine: MachineName, name: string): string {
      const w = world();
      if (!w) return 'no world';
      let a: AbstractResult;
      switch (machine) {
        case 'objectLifecycle': {
          const vp = w.vnode(name);
          if (!vp) return `no vnode ${name}`;
          a = abstractObjectLifecycle(vp, ownedObjects(w, name));
          break;
        }
        case 'writeMappings': {
          const o = w.object(name);
          const vp = o ? w.vnode(owner.get(name) ?? '') : undefined;
          if (!o) return `no object ${name}`;
          a = abstractWriteMappings(o, vp !== undefined && vp.v_object === o);
          break;
        }
        case 'pageValidity': {
          const dot = name.lastIndexOf('.p');
          const o = w.object(name.slice(0, dot));
          a = abstractPageValidity(o && !o.destroyed ? findPage(o, Number(name.slice(dot + 2))) : null);
          break;
        }
        case 'asyncGetpages':
          return 'not visible in the world';
      }
      return 'undefinedBecause' in a ? `none: ${a.undefinedBecause}` : a.state;
    },
    fingerprint(): string {
      const parts: string[] = [];
      for (const [k, inst] of instances) parts.push(`${k}=${inst.cur.skey}`);
      return parts.join('\n');
    },
    tally,
    stats,
  };
}

/** Inverse of stateString for the shapes the abstraction produces. */
export function valueOf(state: string): StateValue {
  const par = state.indexOf('.(');
  if (par >= 0) {
    const head = state.slice(0, par);
    const inner = state.slice(par + 2, -1);
    const regions: Record<string, StateValue> = {};
    for (const part of inner.split(', ')) {
      const dot = part.indexOf('.');
      regions[part.slice(0, dot)] = valueOf(part.slice(dot + 1));
    }
    return { [head]: regions } as StateValue;
  }
  const parts = state.split('.');
  let v: StateValue = parts[parts.length - 1]!;
  for (let i = parts.length - 2; i >= 0; i--) v = { [parts[i]!]: v };
  return v;
}
