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

/* The machine input is made only when the instance is created: deliver runs for every event. */
type InputOf = (name: string, e: KEvent | null) => Record<string, unknown>;

function lifecycleInput(vp: string): Record<string, unknown> {
  return { vp };
}
function pageInput(_name: string, e: KEvent | null): Record<string, unknown> {
  const p = e as KEvent & { obj: string; pindex: number };
  return { obj: p.obj, pindex: p.pindex };
}
function asyncInput(_name: string, e: KEvent | null): Record<string, unknown> {
  return { req: (e as KEvent & { req: number }).req };
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

/**
 * The monitor of one program: every piece of its state is a field here.
 * Public methods are bound (callers pass conf.stepCheck on its own).
 * Per execution (cleared by reset): the instances, who owns what, the
 * write counts, the pending violation. Kept across executions: the tally,
 * the stats and the memo of page keys.
 */
class ConformanceMonitor implements Conformance {
  readonly tally: CoverageTally = { transitions: new Map(), states: new Map() };
  readonly stats = { events: 0, cacheHits: 0, cacheMisses: 0, steps: 0 };
  readonly observer: Observer = { emit: (e) => this.emit(e) };
  private readonly enabled: ReadonlySet<MachineName>;

  private instances = new Map<string, Instance>();
  /** The pageValidity instances, for the per-step walk. */
  private pages: Instance[] = [];
  /** obj -> vp of its OBJ_ALLOCATE. */
  private owner = new Map<string, string>();
  /** vp -> its objects in allocation order. */
  private owned = new Map<string, string[]>();
  /** vp -> its objects, resolved in the world; rebuilt when an allocation is registered. */
  private ownedCache = new Map<string, vm_object[]>();
  /** vp -> v_writecount as last reported (WRITECOUNT) or seen at sync. */
  private writecount = new Map<string, number>();
  /** vp -> v_writecount not owed to any object (at sync). */
  private baseline = new Map<string, number>();
  private pending: SpecViolation | null = null;
  private phase: 'setup' | 'running' = 'setup';
  private lastStep = -1;
  private index: WorldIndex | null = null;
  private indexK: Kernel | null = null;
  /** World-side abstract keys of pages, memoized on the fields they read. */
  private readonly pageKeys = new Map<number, AbstractResult>();
  private readonly wmInput: InputOf = (obj) => {
    const vp = this.owner.get(obj);
    return { obj, v_writecount: vp !== undefined ? (this.writecount.get(vp) ?? 0) : 0 };
  };

  constructor(
    private readonly kernelRef: () => Kernel | undefined,
    private readonly opts: ConformanceOptions,
  ) {
    this.enabled = new Set<MachineName>(opts.machines ?? (Object.keys(MACHINES) as MachineName[]));
    for (const m of Object.keys(MACHINES) as MachineName[]) {
      this.tally.transitions.set(m, new Map());
      this.tally.states.set(m, new Map());
    }
  }

  private world(): WorldIndex | null {
    const k = this.kernelRef();
    if (!k) return null;
    if (this.indexK !== k) {
      this.index = new WorldIndex(k);
      this.indexK = k;
    }
    return this.index;
  }

  private note(inst: Instance, n: Next, ids: readonly string[]): void {
    const t = this.tally.transitions.get(inst.machine)!;
    for (const id of ids) t.set(id, (t.get(id) ?? 0) + 1);
    const s = this.tally.states.get(inst.machine)!;
    for (const p of n.paths) s.set(p, (s.get(p) ?? 0) + 1);
  }

  private fail(machine: MachineName, instance: string, state: string, e: KEvent | null, message: string): void {
    if (this.pending) return;
    this.pending = { kind: 'spec', machine, instance, state, event: e ? describeEvent(e) : null, message, step: this.lastStep + 1 };
  }

  private instance(machine: MachineName, name: string, inputOf: InputOf, e: KEvent | null = null): Instance {
    const key = instanceKey(machine, name);
    let inst = this.instances.get(key);
    if (!inst) {
      const n = initial(machine, inputOf(name, e));
      inst = { machine, name, cur: n, last: null };
      this.instances.set(key, inst);
      if (machine === 'pageValidity') this.pages.push(inst);
      this.note(inst, n, []);
    }
    return inst;
  }

  /** A starting instance, set from the world's abstraction by sync(). */
  private adopt(machine: MachineName, name: string, n: Next): Instance {
    const inst: Instance = { machine, name, cur: n, last: null };
    this.instances.set(instanceKey(machine, name), inst);
    if (machine === 'pageValidity') this.pages.push(inst);
    this.note(inst, n, []);
    return inst;
  }

  private deliver(machine: MachineName, name: string, inputOf: InputOf, e: KEvent): void {
    if (!this.enabled.has(machine) || this.pending) return;
    const inst = this.instance(machine, name, inputOf, e);
    const n = step(machine, inst.cur, e, this.stats);
    inst.last = e;
    if (n === null) {
      this.fail(machine, name, inst.cur.stateStr, e, `${machine} ${name} in state ${inst.cur.stateStr} does not accept ${describeEvent(e)}`);
      return;
    }
    const from = inst.cur;
    inst.cur = n;
    this.note(inst, n, n.ids);
    this.opts.listener?.({ machine, instance: name, event: e, transitions: n.ids, from: from.stateStr, to: n.stateStr, stutter: from.skey === n.skey });
  }

  private register(obj: string, vp: string): void {
    if (this.owner.has(obj)) return;
    this.owner.set(obj, vp);
    const l = this.owned.get(vp);
    if (l) l.push(obj);
    else this.owned.set(vp, [obj]);
  }

  private ownerOr(e: KEvent & { obj: string }): string | null {
    const vp = this.owner.get(e.obj);
    if (vp === undefined) {
      this.fail('objectLifecycle', e.obj, 'unknown', e, `${describeEvent(e)} is about ${e.obj}, which no OBJ_ALLOCATE introduced`);
      return null;
    }
    return vp;
  }

  private route(e: KEvent): void {
    switch (e.type) {
      case 'OBJ_ALLOCATE':
        this.register(e.obj, e.vp);
        this.deliver('objectLifecycle', e.vp, lifecycleInput, e);
        if (this.enabled.has('writeMappings')) this.instance('writeMappings', e.obj, this.wmInput);
        return;
      case 'OBJ_ATTACH':
      case 'OBJ_DETACH':
      case 'OBJ_DISCARD':
      case 'OBJ_DEALLOC': {
        const vp = this.ownerOr(e);
        if (vp === null) return;
        if (vp !== e.vp) return this.fail('objectLifecycle', e.vp, 'unknown', e, `${describeEvent(e)} names ${e.vp}, but ${e.obj} was allocated for ${vp}`);
        this.deliver('objectLifecycle', vp, lifecycleInput, e);
        if (e.type === 'OBJ_DISCARD' || e.type === 'OBJ_DEALLOC') this.deliver('writeMappings', e.obj, this.wmInput, e);
        return;
      }
      case 'OBJ_REFS':
      case 'OBJ_DEAD':
      case 'OBJ_DISCONNECT_WAIT':
      case 'OBJ_DISCONNECT_WAKE':
      case 'OBJ_SETSIZE':
      case 'OBJ_DESTROY': {
        const vp = this.ownerOr(e);
        if (vp === null) return;
        this.deliver('objectLifecycle', vp, lifecycleInput, e);
        if (e.type === 'OBJ_DESTROY') this.deliver('writeMappings', e.obj, this.wmInput, e);
        return;
      }
      case 'PAGE_INSERT':
      case 'PAGE_REMOVE':
      case 'PAGE_BITS':
        this.deliver('pageValidity', `${e.obj}.p${e.pindex}`, pageInput, e);
        return;
      case 'WRITEMAPPINGS':
        if (this.ownerOr(e) === null) return;
        this.deliver('writeMappings', e.obj, this.wmInput, e);
        return;
      case 'WRITECOUNT': {
        this.writecount.set(e.vp, e.v_writecount);
        for (const obj of this.owned.get(e.vp) ?? []) {
          const inst = this.instances.get(instanceKey('writeMappings', obj));
          if (inst && inst.cur.snap.status === 'active') this.deliver('writeMappings', obj, this.wmInput, e);
        }
        return;
      }
      case 'ASYNC_ISSUE':
        this.deliver('asyncGetpages', `req${e.req}`, asyncInput, e);
        return;
      case 'ASYNC_DONE':
        if (this.enabled.has('asyncGetpages') && !this.instances.has(instanceKey('asyncGetpages', `req${e.req}`)))
          return this.fail('asyncGetpages', `req${e.req}`, 'notIssued', e, `completion of request ${e.req}, which was never issued`);
        this.deliver('asyncGetpages', `req${e.req}`, asyncInput, e);
        return;
      case 'VNODE_DOOMED':
        return;
      default: {
        const never: never = e;
        this.fail('objectLifecycle', '?', 'unknown', null, `unknown kernel event ${JSON.stringify(never)}`);
      }
    }
  }

  private emit(e: KEvent): void {
    this.stats.events++;
    if (this.phase === 'setup') {
      const k = this.kernelRef();
      if (!k || !inStep(k)) {
        /* A fixture building the starting world: learn who owns what; the states come from sync(). */
        if (e.type === 'OBJ_ALLOCATE') this.register(e.obj, e.vp);
        if (e.type === 'WRITECOUNT') this.writecount.set(e.vp, e.v_writecount);
        return;
      }
      this.sync();
    }
    if (this.pending) return;
    this.route(e);
  }

  /* ---- the world check ---- */

  private ownedObjects(w: WorldIndex, vp: string): vm_object[] {
    const names = this.owned.get(vp) ?? [];
    let out = this.ownedCache.get(vp);
    if (out && out.length === names.length) return out;
    out = [];
    for (const name of names) {
      const o = w.object(name);
      if (o) out.push(o);
    }
    if (out.length === names.length) this.ownedCache.set(vp, out);
    return out;
  }

  private compare(inst: Instance, a: AbstractResult): string | null {
    if ('undefinedBecause' in a) return `the world has no ${inst.machine} state: ${a.undefinedBecause}`;
    // Compared in parts: this runs for every instance after every step, and the key string is only for the message.
    if (a.state === inst.cur.absState && a.ctx === inst.cur.absCtx) return null;
    return `the world abstracts to ${abstractKey(a)}, the machine is in ${inst.cur.absKey}`;
  }

  private pageKey(m: vm_page | null): AbstractResult {
    if (m === null) return NOT_RESIDENT;
    const n = m.valid | (m.dirty << 8) | ((m.busy_lock & 0xffff) << 16);
    let a = this.pageKeys.get(n);
    if (!a) this.pageKeys.set(n, (a = abstractPageValidity(m)));
    return a;
  }

  private checkWorld(): void {
    const w = this.world();
    if (!w || this.pending) return;
    const k = w.k;
    const enabled = this.enabled;
    if (enabled.has('objectLifecycle')) {
      for (const vp of k.vnodes) {
        const inst = this.instances.get(instanceKey('objectLifecycle', vp.name)) ?? this.instance('objectLifecycle', vp.name, lifecycleInput);
        const msg = this.compare(inst, abstractObjectLifecycle(vp, this.ownedObjects(w, vp.name)));
        if (msg) return this.fail('objectLifecycle', vp.name, inst.cur.stateStr, inst.last, msg);
      }
    }
    let resident = 0;
    for (const o of k.objects) {
      const vpName = this.owner.get(o.name);
      if (vpName === undefined) {
        if (o.type === OBJT_VNODE) return this.fail('objectLifecycle', o.name, 'unknown', null, `${o.name} is an OBJT_VNODE object no OBJ_ALLOCATE introduced`);
        continue;
      }
      if (enabled.has('writeMappings')) {
        const inst = this.instances.get(instanceKey('writeMappings', o.name));
        if (!inst) return this.fail('writeMappings', o.name, 'unknown', null, `${o.name} has no writeMappings instance`);
        const vp = w.vnode(vpName);
        const msg = this.compare(inst, abstractWriteMappings(o, vp !== undefined && vp.v_object === o));
        if (msg) return this.fail('writeMappings', o.name, inst.cur.stateStr, inst.last, msg);
      }
      if (!o.destroyed) resident += o.memq.length;
    }
    if (enabled.has('writeMappings')) {
      for (const vp of k.vnodes) {
        const msg = this.checkWritecount(vp);
        if (msg) {
          const inst = this.instances.get(instanceKey('writeMappings', vp.v_object?.name ?? ''));
          return this.fail('writeMappings', vp.name, inst?.cur.stateStr ?? 'n/a', inst?.last ?? null, msg);
        }
      }
    }
    if (enabled.has('pageValidity')) {
      let residentInstances = 0;
      for (const inst of this.pages) {
        const c = inst.cur.snap.context as { obj: string; pindex: number };
        const o = w.object(c.obj);
        const m = o && !o.destroyed ? findPage(o, c.pindex) : null;
        if (m !== null) residentInstances++;
        const msg = this.compare(inst, this.pageKey(m));
        if (msg) return this.fail('pageValidity', inst.name, inst.cur.stateStr, inst.last, msg);
      }
      /* Every page instance matched its page; a resident page left over has no instance. */
      if (residentInstances !== resident) {
        for (const o of k.objects) {
          if (o.destroyed || !this.owner.has(o.name)) continue;
          for (const m of o.memq) {
            if (!this.instances.has(instanceKey('pageValidity', `${o.name}.p${m.pindex}`)))
              return this.fail('pageValidity', `${o.name}.p${m.pindex}`, 'notResident', null, `page ${m.name} is resident but no PAGE_INSERT reported it`);
          }
        }
      }
    }
  }

  /** Counted write-mapped objects, from their machines' states. */
  private countedWriteMapped(vp: string): number {
    let counted = 0;
    for (const obj of this.owned.get(vp) ?? []) if (this.instances.get(instanceKey('writeMappings', obj))?.cur.stateStr === 'writeMapped.counted') counted++;
    return counted;
  }

  private checkWritecount(vp: vnode): string | null {
    const counted = this.countedWriteMapped(vp.name);
    const before = this.baseline.get(vp.name) ?? 0;
    if (vp.v_writecount === before + counted) return null;
    return `${vp.name}.v_writecount is ${vp.v_writecount}, but ${counted} of its objects have write mappings${before ? ` (plus ${before} from before)` : ''}`;
  }

  /* ---- sync: instances from the world ---- */

  readonly sync = (): Violation | null => {
    this.phase = 'running';
    const w = this.world();
    if (!w) return null;
    const k = w.k;
    this.ownedCache = new Map();
    this.instances = new Map();
    this.pages = [];
    for (const o of k.objects) if (!this.owner.has(o.name) && o.handle !== null) this.register(o.name, o.handle.name);
    for (const vp of k.vnodes) {
      const a = abstractObjectLifecycle(vp, this.ownedObjects(w, vp.name));
      if ('undefinedBecause' in a) {
        this.fail('objectLifecycle', vp.name, 'unknown', null, `the starting world has no objectLifecycle state: ${a.undefinedBecause}`);
        continue;
      }
      const ctx = JSON.parse(a.ctx) as { obj: string | null; refs: number; pending: string[]; detached: [string, number, boolean, boolean][] };
      this.adopt(
        'objectLifecycle',
        vp.name,
        resolved('objectLifecycle', valueOf(a.state), {
          vp: vp.name,
          obj: ctx.obj,
          refs: ctx.refs,
          pending: ctx.pending,
          detached: ctx.detached.map(([name, refs, dead, handle]) => ({ name, refs, dead, handle })),
        }),
      );
    }
    for (const o of k.objects) {
      const vpName = this.owner.get(o.name);
      if (vpName === undefined) continue;
      const vp = w.vnode(vpName);
      const a = abstractWriteMappings(o, vp !== undefined && vp.v_object === o);
      if ('undefinedBecause' in a) this.fail('writeMappings', o.name, 'unknown', null, `the starting world has no writeMappings state: ${a.undefinedBecause}`);
      else this.adopt('writeMappings', o.name, resolved('writeMappings', valueOf(a.state), { obj: o.name, writemappings: o.un_pager.vnp.writemappings, v_writecount: vp?.v_writecount ?? 0 }));
      if (o.destroyed) continue;
      for (const m of o.memq) {
        const pa = abstractPageValidity(m);
        const name = `${o.name}.p${m.pindex}`;
        if ('undefinedBecause' in pa) {
          this.fail('pageValidity', name, 'unknown', null, `the starting world has no pageValidity state: ${pa.undefinedBecause}`);
          continue;
        }
        const ctx = JSON.parse(pa.ctx) as { valid: number; dirty: number; xbusy: boolean; sbusy: number };
        this.adopt('pageValidity', name, resolved('pageValidity', valueOf(pa.state), { obj: o.name, pindex: m.pindex, ...ctx }));
      }
    }
    for (const vp of k.vnodes) {
      this.writecount.set(vp.name, vp.v_writecount);
      this.baseline.set(vp.name, vp.v_writecount - this.countedWriteMapped(vp.name));
    }
    return this.pending;
  };

  readonly stepCheck = (_rec: StepRecord, idx: number): Violation | null => {
    this.stats.steps++;
    if (this.phase === 'setup') this.sync();
    if (!this.pending) this.checkWorld();
    this.lastStep = idx;
    return this.pending ? { ...this.pending, step: idx } : null;
  };

  readonly finalCheck = (stepNo: number): Violation | null => {
    if (this.pending) return { ...this.pending, step: stepNo };
    for (const inst of this.instances.values()) {
      if (inst.machine === 'asyncGetpages' && inst.cur.stateStr === 'issued')
        return { kind: 'spec', machine: 'asyncGetpages', instance: inst.name, state: 'issued', event: inst.last ? describeEvent(inst.last) : null, message: `request ${inst.name} was issued and never completed`, step: stepNo };
    }
    return null;
  };

  readonly reset = (): void => {
    this.ownedCache = new Map();
    this.instances = new Map();
    this.pages = [];
    this.owner = new Map();
    this.owned = new Map();
    this.writecount = new Map();
    this.baseline = new Map();
    this.pending = null;
    this.phase = 'setup';
    this.lastStep = -1;
  };

  readonly states = (): Map<string, string> => {
    const out = new Map<string, string>();
    for (const [k, inst] of this.instances) out.set(k, inst.cur.stateStr);
    return out;
  };

  readonly worldState = (machine: MachineName, name: string): string => {
    const w = this.world();
    if (!w) return 'no world';
    let a: AbstractResult;
    switch (machine) {
      case 'objectLifecycle': {
        const vp = w.vnode(name);
        if (!vp) return `no vnode ${name}`;
        a = abstractObjectLifecycle(vp, this.ownedObjects(w, name));
        break;
      }
      case 'writeMappings': {
        const o = w.object(name);
        const vp = o ? w.vnode(this.owner.get(name) ?? '') : undefined;
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
  };

  readonly fingerprint = (): string => {
    const parts: string[] = [];
    for (const [k, inst] of this.instances) parts.push(`${k}=${inst.cur.skey}`);
    return parts.join('\n');
  };
}

export function createConformance(kernelRef: () => Kernel | undefined, opts: ConformanceOptions = {}): Conformance {
  return new ConformanceMonitor(kernelRef, opts);
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
