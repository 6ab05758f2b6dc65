/*
 * Exhaustive search with dynamic partial-order reduction: source sets and
 * sleep sets (Abdulla, Aronis, Jonsson, Sagonas, "Source Sets: A Foundation
 * for Optimal Dynamic Partial Order Reduction", JACM 64(4), 2017, Algorithm 1
 * "source-DPOR"). Explores at least one execution of every Mazurkiewicz trace
 * (equivalence class of executions under swapping adjacent independent
 * steps, checker/dependency.ts); sleep sets make it explore at most one
 * complete execution per trace, at the price of some executions cut as
 * "sleep-set blocked" (counted apart).
 *
 * The search is stateless: each execution replays a recorded prefix of
 * decisions (which thread, which choice value) from a fresh world, then runs
 * on. While it runs, each new step is compared with the earlier steps it
 * races with (dependent, different threads, no step in between ordered
 * after the first and before the second), using vector clocks of the
 * happens-before relation that dependency induces. For a race (e, e') the
 * search makes sure that, at the state before e, some "initial" of
 * v = (steps after e not ordered after e).e' is scheduled: that is what
 * reverses the race.
 *
 * Departures from the paper, for kernel threads that block:
 *  - A race (e, e') is not reversible when the thread of e' would have to
 *    run e' first and e' was disabled in the state before e (e enabled it:
 *    an unlock and the acquire it let through, a wakeup and the resume). It
 *    is skipped (`notCoEnabled`), as Flanagan and Godefroid skip transitions
 *    that cannot be co-enabled (POPL 2005).
 *  - What that skip would lose is found from the blocked step itself: at
 *    every new state, each disabled thread's pending Op is checked against
 *    the last steps it depends on, as if it ran there (FG's check of next(s,p)
 *    for every p). Example: A takes lock L, B blocks on L; the pending
 *    acquire of B races with A's acquire, so B is tried before A. The same
 *    check runs on every unfinished thread at the end of an execution cut
 *    short (deadlock, violation, step bound, sleep-set blocked).
 *  - If an initial other than e' is disabled (not expected under the
 *    footprint assumption of dependency.ts), every thread enabled at that
 *    state is added (`fallbacks`), which is always sound.
 *  - A nondeterministic choice inside a step (ctx.choose) is a branch point
 *    explored exhaustively. A thread put to sleep carries the union of the
 *    footprints its step had over all the choice values explored.
 *
 * Known redundancy: source sets with sleep sets may start executions that
 * end sleep-set blocked (every enabled thread asleep); the paper's wakeup
 * trees (optimal-DPOR) would avoid them. Complete executions are never
 * equivalent to each other.
 */
import { HarnessBug, type Access, type Op } from '../op.ts';
import { Sections, type ExecutionResult, type ExecutionView, type StepRecord, type ThreadView } from '../runtime.ts';
import { ADD, dependentFp, READ, ResourceTable, unionFp, WRITE, type CompiledFp, type Relation } from '../dependency.ts';
import { describeThread, ExecutionCut, Nondeterminism, type Strategy, type StrategyInfo } from '../strategy.ts';
import { ClockTable } from '../clock.ts';
import { DecisionPath, type PathNode } from './path.ts';
import { RefLedger, type RefFailure } from '../refcount.ts';

interface SleepEntry {
  readonly tid: number;
  /** Executed footprint of the thread's step (union over choice values). */
  readonly fp: CompiledFp;
}

/* A scheduling point: its options are the backtrack set, in the order threads were added (chosen and done included); index is the chosen one. */
class ThreadNode implements PathNode {
  readonly kind = 0;
  index = 0;
  /** Threads explored here already, with their steps' footprints (NO_SLEEP until the first backtrack: most nodes never get one). */
  done: readonly SleepEntry[] = NO_SLEEP;
  /** Footprint of the chosen step so far (union over its choice branches). */
  fp: CompiledFp | null = null;
  constructor(
    /** Index of the step this node schedules. */
    readonly step: number,
    /** Threads enabled in the state, by tid. */
    readonly enabled: readonly number[],
    /** Sleep set on entry: threads whose step here is covered elsewhere. */
    readonly sleep: readonly SleepEntry[],
    /** The backtrack set: threads to explore here, in the order they were added. */
    readonly options: number[],
    /** Label of the chosen thread's Op; null until seen after a backtrack. */
    public label: string | null,
  ) {}
  get n(): number {
    return this.options.length;
  }
  get chosen(): number {
    return this.options[this.index]!;
  }
}

interface ChoiceNode extends PathNode {
  readonly kind: 1;
  readonly step: number;
  readonly options: null;
}

type Node = ThreadNode | ChoiceNode;

const NO_SLEEP: readonly SleepEntry[] = [];
const EMPTY_FP: CompiledFp = [];

export interface DporOptions {
  /**
   * Decisions every execution starts with, in order: at a scheduling point
   * the tid to run, at a ctx.choose the value. The search explores only the
   * subtree below them and never backtracks into them: races with a step of
   * the prefix are dropped (`aboveSplit`). Sound when every sibling prefix is
   * explored too (checker/split.ts enumerates them all, up to sleep sets).
   */
  readonly prefix?: readonly number[];
  /**
   * Sleep set at the first scheduling point after `prefix` (which must end at
   * a step boundary): threads whose step there, with this executed
   * footprint, is covered by an earlier subtree (checker/split.ts). Empty by
   * default.
   */
  readonly initialSleep?: readonly { readonly tid: number; readonly fp: readonly Access[] }[];
  /** The dependency relation (dependency.ts): 'commuting' (default) or 'plain', the off switch of the commuting kinds. */
  readonly relation?: Relation;
  /**
   * Lock-aware races (default on; false is the off switch): a blocking
   * acquire of a lock whose last operation was its holder's release races
   * with that holder's acquire instead (see the header).
   */
  readonly lockAware?: boolean;
  /** Told of every race analysed, with its outcome (costs a label per step; off by default). */
  readonly explain?: RaceExplainer;
  /**
   * The refcount reduction (default on with the commuting relation; false is
   * the off switch): robust reference-count operations commute as adds
   * (checker/refcount.ts). A counter whose ownership discipline fails is
   * plain from then on, and the search starts again when it had taken one of
   * its operations as an add (`counters.refcountRestarts`).
   */
  readonly refcounts?: boolean;
  /**
   * Critical sections as single steps (default on; false is the off switch):
   * the runtime runs a lock's section that makes only guarded accesses as
   * one step, reading the lock (runtime.ts Sections). Why the footprint
   * assumption of dependency.ts holds for such a step: it is enabled when
   * the lock is free, and only a step that writes the lock (an unmerged
   * acquire, release or sleep interlock) changes that; every such step
   * conflicts with its read of the lock. Its later Ops are always enabled
   * (the runtime merges only enabled ones) and what it does depends only on
   * what it reads, all in its footprint.
   */
  readonly sections?: boolean;
}

/** One side of a race, as `DporOptions.explain` is told it. */
export interface RaceSide {
  readonly label: string;
  readonly kind: Op['kind'];
  /** A blocked thread's pending Op (checked as if it ran), not an executed step. */
  readonly pending: boolean;
}

/**
 * What became of a race (e, e'): `reversed` added a backtrack point at the
 * state before e, `fallback` added every enabled thread there, `covered`
 * found an initial of v scheduled there already, `notCoEnabled` and
 * `aboveSplit` were skipped (see the header).
 */
export type RaceOutcome = 'reversed' | 'fallback' | 'covered' | 'notCoEnabled' | 'aboveSplit';

/** Told of every race the search analyses: where the backtrack points come from (bench/explain.ts). */
export interface RaceExplainer {
  race(first: RaceSide, second: RaceSide, resources: readonly string[], outcome: RaceOutcome): void;
}

export class DporStrategy implements Strategy {
  readonly name = 'dpor';
  readonly exhaustive = true;
  complete = false;

  /** Forced decisions (DporOptions.prefix). */
  private readonly prefix: readonly number[];
  /** Steps whose thread decision lies in the prefix (known once the prefix has run). */
  private frozenSteps = 0;
  private aboveSplit = 0;

  /** DporOptions.initialSleep, compiled; used by the first node below the prefix. */
  private readonly initialSleep: readonly SleepEntry[];

  private readonly explain: RaceExplainer | null;
  private readonly lockAware: boolean;
  /** The runtime's critical-section merging (Scheduler.sections), or null when off. */
  readonly sections: Sections | null;
  /* Per step: 1 a blocking lock acquire (kind 'lock' with an enabled condition), 2 a release (kind 'unlock' or 'sleep'), 0 other. */
  private evLockRole = new Uint8Array(256);
  /* The role of the step being picked (pickThread) and then recorded (onStep). */
  private pickedRole = 0;
  private lockHandoffs = 0;
  /* Steps the runtime merged into the steps it told of (Scheduler.sections): scheduling points saved. */
  private sectionMerged = 0;
  /* With explain: label and kind of each step, and of the step or pending Op being analysed. */
  private evLabel: string[] = [];
  private evKind: Op['kind'][] = [];
  private cur: RaceSide = { label: '', kind: 'start', pending: false };
  private curFp: CompiledFp = EMPTY_FP;

  constructor(opts: DporOptions = {}) {
    this.explain = opts.explain ?? null;
    this.lockAware = opts.lockAware ?? true;
    this.sections = (opts.sections ?? true) ? new Sections() : null;
    this.res = new ResourceTable(opts.relation ?? 'commuting');
    this.ledger = (opts.refcounts ?? true) && this.res.relation === 'commuting' ? new RefLedger() : null;
    this.prefix = opts.prefix ?? [];
    this.initialSleep = (opts.initialSleep ?? []).map((e) => ({ tid: e.tid, fp: this.res.compile(e.fp) }));
  }

  /* ---- exploration state, kept across executions ---- */
  private path = new DecisionPath<Node>();
  /** The refcount reduction's bookkeeping, or null when it is off. */
  private readonly ledger: RefLedger | null;
  /* Per step: its footprint as recorded, when it has count accesses (to rebuild the ledger for a replayed prefix), else null. */
  private evCounted: (readonly Access[] | null)[] = [];
  private refRestarts = 0;
  private exhausted = false;
  private started = false;
  /** Steps with index >= freshStep are new in this execution (analysed); earlier ones replay. */
  private freshStep = 0;
  private readonly res: ResourceTable;

  /* ---- statistics ---- */
  private sleepSetBlocked = 0;
  private racesReversed = 0;
  private notCoEnabled = 0;
  private fallbacks = 0;
  private maxDepth = 0;

  /* ---- per-execution happens-before state ---- */
  /** Thread capacity: width of every clock (of both tables). */
  private S = 4;
  /** Step capacity. */
  private cap = 256;
  /** Vector clock of each step (dependency happens-before), row = step. */
  private readonly ev = new ClockTable(this.cap, this.S);
  /** Clock of each thread after its last step (or inherited from its spawner), row = tid. */
  private readonly th = new ClockTable(this.S, this.S);
  /** Threads seen in any execution so far (only grows: clock columns past it were never written, so are 0). */
  private nThreads = 0;
  private nsteps = 0;
  private evTid = new Int32Array(this.cap);
  /** 1-based index of the step within its thread. */
  private evPos = new Int32Array(this.cap);
  private evFp: CompiledFp[] = [];
  /** Threads spawned by each step, or null. */
  private evSpawned: (readonly number[] | null)[] = [];
  private stepNode: ThreadNode[] = [];
  private thPos = new Int32Array(this.S);
  /* Per resource: last write, and the latest read of each thread since then (step indices). */
  private lastWrite = new Int32Array(64).fill(-1);
  private readers: number[][] = [];
  /** Reads recorded in readers[id] (entries past it are stale: arrays never shrink, as shrinking is slow). */
  private nreaders = new Int32Array(64);
  /* The same for adds (Access.commute 'add') since the last write. */
  private adders: number[][] = [];
  private nadders = new Int32Array(64);
  private resStamp = new Int32Array(64);
  private touchedRes: number[] = [];
  private ntouched = 0;
  private execId = 0;
  /** Sleep set for the next new node, computed when the step before it ran. */
  private nextSleep: readonly SleepEntry[] = NO_SLEEP;
  /** Pending Op last analysed per thread (blocked threads). */
  private pendingSeen: (Op | null)[] = [];
  /** Execution in which pendingSeen[tid] was set. */
  private pendingStamp: number[] = [];
  private lastExec: ExecutionView | null = null;
  private readonly cutSignal = new ExecutionCut('sleep-set', 0);
  /* scratch */
  private cands = new Int32Array(16);
  private ncands = 0;
  private scratch = new Int32Array(this.S);
  private firstInV = new Int32Array(this.S);
  private initial = new Uint8Array(this.S);
  private inBacktrack = new Uint8Array(this.S);

  beginExecution(): boolean {
    if (this.ledger !== null && this.ledger.restart !== null) this.restartSearch();
    if (this.exhausted) return false;
    if (this.started) this.backtrack();
    this.started = true;
    if (this.exhausted) return false;
    this.path.rewind();
    this.nsteps = 0;
    this.nextSleep = NO_SLEEP;
    this.lastExec = null;
    this.execId++;
    return true;
  }

  /*
   * A counter's ownership discipline failed after some of its operations were
   * taken as adds (refcount.ts): the tree explored so far rests on a
   * relation that does not hold, so the search begins again with the counter
   * plain. Violations found so far were found in real executions and stand.
   */
  private restartSearch(): void {
    this.ledger!.restarted();
    this.refRestarts++;
    this.path = new DecisionPath<Node>();
    this.exhausted = false;
    this.complete = false;
    this.started = false;
    this.freshStep = 0;
    this.frozenSteps = 0;
    this.stepNode = [];
  }

  /** Why the refcount reduction was turned off for counters during this search (empty when it never was). */
  refcountFailures(): readonly RefFailure[] {
    return this.ledger?.failures ?? [];
  }

  endExecution(result: ExecutionResult<unknown> | null): void {
    if (result !== null) {
      if (this.path.length < this.prefix.length)
        throw new Nondeterminism(this.nsteps, `the execution ended (${result.result.status}) after ${this.nsteps} steps, before the split prefix of ${this.prefix.length} decisions was replayed`);
      this.path.checkEnd(result);
      const exec = this.lastExec;
      if (exec !== null && this.nsteps > this.freshStep) {
        // The execution stopped with threads unfinished: their pending steps race too.
        if (result.result.status === 'violation') for (const t of exec.threads) this.analysePending(t.tid, t.op);
      }
    }
    if (this.nsteps > this.maxDepth) this.maxDepth = this.nsteps;
  }

  /* Moves the path to the next unexplored branch, deepest first, never into the forced prefix. */
  private backtrack(): void {
    if (this.path.backtrack(this.prefix.length, this.advance)) return;
    this.exhausted = true;
    this.complete = true;
  }

  /* The next option of a node: a choice's next value; at a scheduling point the next thread of the backtrack set neither done nor asleep (those before the chosen one all are). */
  private readonly advance = (node: Node): boolean => {
    if (node.kind === 1) {
      if (node.index + 1 >= node.n) return false;
      node.index++;
      this.freshStep = node.step;
      return true;
    }
    const entry: SleepEntry = { tid: node.chosen, fp: node.fp ?? EMPTY_FP };
    if (node.done === NO_SLEEP) node.done = [entry];
    else (node.done as SleepEntry[]).push(entry);
    const bt = node.options;
    for (let k = node.index + 1; k < bt.length; k++) {
      const t = bt[k]!;
      if (isAsleep(node.done, t) || isAsleep(node.sleep, t)) continue;
      node.index = k;
      node.fp = null;
      this.freshStep = node.step;
      return true;
    }
    return false;
  };

  pickThread(ready: readonly ThreadView[], exec: ExecutionView): number {
    const s = this.nsteps;
    this.lastExec = exec;
    const maxTid = ready[ready.length - 1]!.tid;
    if (maxTid >= this.nThreads) this.ensureThreads(maxTid + 1);
    if (this.path.replaying) {
      const { node } = this.path.replayThread(ready, exec)!;
      if (node.kind !== 0) throw new HarnessBug('dpor: a choice node answered a thread decision');
      if (ready.length !== node.enabled.length) throw new Nondeterminism(s, `${node.enabled.length} threads were ready here before, ${ready.length} now`);
      this.stepNode[s] = node;
      if (this.lockAware) this.pickedRole = lockRole(ready, node.chosen);
      return node.chosen;
    }
    // A new state.
    if (s > this.freshStep && ready.length < exec.threads.length) this.analyseBlocked(exec);
    if (this.path.length < this.prefix.length) return this.forcedThread(ready, exec, s);
    const sleep = this.path.length === this.prefix.length && this.initialSleep.length > 0 ? this.initialSleep : this.nextSleep;
    this.nextSleep = NO_SLEEP;
    let pick = -1;
    const last = exec.lastTid;
    for (let i = 0; i < ready.length; i++) {
      const tid = ready[i]!.tid;
      if (isAsleep(sleep, tid)) continue;
      if (pick < 0) pick = tid;
      if (tid === last) {
        pick = tid; // keep running the current thread: the first execution has no preemption
        break;
      }
    }
    if (pick < 0) {
      this.sleepSetBlocked++;
      // One preallocated signal: an Error built per cut execution would capture a stack each time.
      this.cutSignal.steps = s;
      throw this.cutSignal;
    }
    const enabled = new Array<number>(ready.length);
    let label = '';
    for (let i = 0; i < ready.length; i++) {
      const r = ready[i]!;
      enabled[i] = r.tid;
      if (r.tid === pick) label = r.op.label;
    }
    const node = new ThreadNode(s, enabled, sleep, [pick], label);
    this.path.push(node);
    this.stepNode[s] = node;
    if (this.lockAware) this.pickedRole = lockRole(ready, pick);
    return pick;
  }

  pickChoice(n: number, label: string, exec: ExecutionView): number {
    // The step being run: with merged sections, not exec.steps.length.
    const s = this.nsteps;
    const replayed = this.path.replayChoice(n, label, exec);
    if (replayed !== null) return replayed;
    let value = 0;
    if (this.path.length < this.prefix.length) {
      value = this.prefix[this.path.length]!;
      if (!(value >= 0 && value < n)) throw new Nondeterminism(s, `the split prefix takes value ${value} at the choice "${label}", which has ${n} options`);
    }
    const node: ChoiceNode = { kind: 1, step: s, options: null, n, index: value, label };
    this.path.push(node);
    return value;
  }

  /* A state inside the forced prefix: run the prefix's thread, nothing to backtrack to here. */
  private forcedThread(ready: readonly ThreadView[], exec: ExecutionView, s: number): number {
    const tid = this.prefix[this.path.length]!;
    const enabled = new Array<number>(ready.length);
    let label: string | null = null;
    for (let i = 0; i < ready.length; i++) {
      enabled[i] = ready[i]!.tid;
      if (ready[i]!.tid === tid) label = ready[i]!.op.label;
    }
    if (label === null) throw new Nondeterminism(s, `the split prefix runs thread #${tid} here, but ${describeThread(exec, tid)}`);
    this.nextSleep = NO_SLEEP;
    const node = new ThreadNode(s, enabled, NO_SLEEP, [tid], label);
    this.path.push(node);
    this.stepNode[s] = node;
    this.frozenSteps = s + 1;
    if (this.lockAware) this.pickedRole = lockRole(ready, tid);
    return tid;
  }

  onStep(rec: StepRecord): void {
    const s = this.nsteps++;
    // A replayed step: its clock, footprint and spawns, recorded when it first ran, still hold.
    if (s < this.freshStep) return;
    if (s === this.freshStep) this.restoreState(s);
    const q = rec.tid;
    if (s >= this.cap) this.growSteps();
    if (q >= this.nThreads) this.ensureThreads(q + 1);
    const S = this.S;
    let acc = rec.fp;
    if (this.ledger !== null) {
      const counted = hasCount(acc);
      this.evCounted[s] = counted ? acc : null;
      if (counted) acc = this.ledger.rewrite(q, acc);
    }
    const fp = this.res.compile(acc);
    this.evTid[s] = q;
    const pos = ++this.thPos[q]!;
    this.evPos[s] = pos;
    this.evFp[s] = fp;
    this.evSpawned[s] = rec.spawned ?? null;
    this.curFp = fp;
    if (this.lockAware) {
      if (s >= this.evLockRole.length) {
        const r = new Uint8Array(this.evLockRole.length * 2);
        r.set(this.evLockRole);
        this.evLockRole = r;
      }
      // A whole section leaves its lock free: neither a blocking acquire nor a release.
      this.evLockRole[s] = rec.section !== undefined ? 0 : this.pickedRole;
    }
    if (rec.merged !== undefined) this.sectionMerged += rec.merged - 1;
    if (this.explain !== null) {
      this.evLabel[s] = rec.label;
      this.evKind[s] = rec.kind;
      this.cur = { label: rec.label, kind: rec.kind, pending: false };
    }
    this.gatherCandidates(fp, q);
    const ev = this.ev;
    const base = s * S;
    const nT = this.nThreads;
    // The step's clock: its thread's, joined with every step it depends on directly.
    ev.copy(s, q, nT, this.th);
    const cands = this.cands;
    const nc = this.ncands;
    for (let k = 0; k < nc; k++) ev.join(s, cands[k]!, nT);
    ev.set(s, q, pos);
    if (nc > 0) this.analyseRaces(q, ev.data, base, s);
    this.recordAccesses(fp, s, q);
    this.th.copy(q, s, nT, ev);
    const spawned = rec.spawned;
    if (spawned !== undefined) {
      for (const c of spawned) {
        if (c >= this.nThreads) this.ensureThreads(c + 1);
        this.th.copy(c, s, this.nThreads, this.ev);
        this.thPos[c] = 0;
      }
    }
    {
      const node = this.stepNode[s]!;
      node.fp = node.fp === null ? fp : unionFp(node.fp, fp);
      let sl: SleepEntry[] | null = null;
      for (const e of node.sleep) if (!dependentFp(e.fp, fp)) (sl ??= []).push(e);
      for (const e of node.done) if (!dependentFp(e.fp, fp)) (sl ??= []).push(e);
      this.nextSleep = sl ?? NO_SLEEP;
    }
  }

  /*
   * Rebuilds the happens-before state (thread clocks, last accesses) as it
   * was after the first `b` steps, from what those steps recorded when they
   * first ran: cheaper than recomputing every replayed step.
   */
  private restoreState(b: number): void {
    for (let i = 0; i < this.ntouched; i++) {
      const id = this.touchedRes[i]!;
      this.lastWrite[id] = -1;
      this.nreaders[id] = 0;
      this.nadders[id] = 0;
    }
    this.ntouched = 0;
    const nT = this.nThreads;
    const th = this.th;
    const thPos = this.thPos;
    const ev = this.ev;
    const evTid = this.evTid;
    // A thread's clock is that of its last step before b, or of the step that spawned it: found walking back.
    const found = this.initial; // scratch; reverse() clears it before use
    for (let u = 0; u < nT; u++) found[u] = 0;
    let left = nT;
    for (let k = b - 1; k >= 0 && left > 0; k--) {
      const t = evTid[k]!;
      if (found[t] === 0) {
        found[t] = 1;
        left--;
        th.copy(t, k, nT, ev);
        thPos[t] = this.evPos[k]!;
      }
      const sp = this.evSpawned[k];
      if (sp !== null && sp !== undefined)
        for (const c of sp)
          if (found[c] === 0) {
            found[c] = 1;
            left--;
            th.copy(c, k, nT, ev);
            thPos[c] = 0;
          }
    }
    for (let t = 0; t < nT; t++)
      if (found[t] === 0) {
        th.zero(t, nT);
        thPos[t] = 0;
      }
    for (let k = 0; k < b; k++) this.recordAccesses(this.evFp[k]!, k, evTid[k]!);
    if (this.ledger !== null) {
      // The references each thread holds after the prefix: its count operations again (their modes are in evFp already).
      this.ledger.reset();
      for (let k = 0; k < b; k++) {
        const c = this.evCounted[k];
        if (c !== null && c !== undefined) this.ledger.rewrite(evTid[k]!, c);
      }
    }
  }

  /*
   * Steps the step with footprint fp of thread q depends on directly: the
   * last write of each resource, and since then, for a write the reads and
   * adds, for a read the adds, for an add the reads (dependency.ts: reads
   * commute with reads, adds with adds).
   */
  private gatherCandidates(fp: CompiledFp, q: number): void {
    this.ncands = 0;
    for (let i = 0; i < fp.length; i++) {
      const e = fp[i]!;
      const id = e >> 2;
      const mode = e & 3;
      if (id >= this.lastWrite.length) this.growResources(id + 1);
      const lw = this.lastWrite[id]!;
      if (lw >= 0 && this.evTid[lw] !== q) this.addCand(lw);
      if (mode !== READ) {
        const n = this.nreaders[id]!;
        if (n > 0) {
          const rd = this.readers[id]!;
          for (let k = 0; k < n; k++) if (this.evTid[rd[k]!] !== q) this.addCand(rd[k]!);
        }
      }
      if (mode !== ADD) {
        const n = this.nadders[id]!;
        if (n > 0) {
          const ad = this.adders[id]!;
          for (let k = 0; k < n; k++) if (this.evTid[ad[k]!] !== q) this.addCand(ad[k]!);
        }
      }
    }
  }

  private addCand(c: number): void {
    const n = this.ncands;
    for (let k = 0; k < n; k++) if (this.cands[k] === c) return;
    if (n >= this.cands.length) {
      const a = new Int32Array(n * 2);
      a.set(this.cands);
      this.cands = a;
    }
    this.cands[n] = c;
    this.ncands = n + 1;
  }

  private recordAccesses(fp: CompiledFp, s: number, q: number): void {
    for (let i = 0; i < fp.length; i++) {
      const e = fp[i]!;
      const id = e >> 2;
      const mode = e & 3;
      if (this.resStamp[id] !== this.execId) {
        this.resStamp[id] = this.execId;
        this.touchedRes[this.ntouched++] = id;
      }
      if (mode === WRITE) {
        this.lastWrite[id] = s;
        this.nreaders[id] = 0;
        this.nadders[id] = 0;
      } else if (mode === READ) this.nreaders[id] = latestPerThread(this.readers, this.nreaders, id, s, q, this.evTid);
      else this.nadders[id] = latestPerThread(this.adders, this.nadders, id, s, q, this.evTid);
    }
  }

  /*
   * The candidates that race with step/pending Op of thread q whose clock is
   * clk[cb..]: not already before q's previous step, and not before another
   * candidate (then a step lies between them).
   */
  private analyseRaces(q: number, clk: Int32Array, cb: number, j: number): void {
    const S = this.S;
    const nc = this.ncands;
    const cands = this.cands;
    const qb = q * S;
    const thClock = this.th.data;
    const evClock = this.ev.data;
    for (let k = 0; k < nc; k++) {
      const c = cands[k]!;
      const p = this.evTid[c]!;
      const pc = this.evPos[c]!;
      if (thClock[qb + p]! >= pc) continue;
      let direct = true;
      for (let m = 0; m < nc; m++) {
        const c2 = cands[m]!;
        if (c2 !== c && evClock[c2 * S + p]! >= pc) {
          direct = false;
          break;
        }
      }
      if (!direct) continue;
      if (this.lockAware && j < this.nsteps && this.evLockRole[j] === 1 && this.evLockRole[c] === 2) {
        const a = this.handoffAcquire(c);
        if (a >= 0) {
          this.lockHandoffs++;
          this.reverse(a, q, clk, cb, j);
          continue;
        }
      }
      this.reverse(c, q, clk, cb, j);
    }
  }

  /*
   * Lock-aware races: step c releases lock R and the step being analysed
   * acquires R, blocking while R is held; they conflict on R alone. That
   * acquire cannot be moved before c from the state before c (the releasing
   * thread holds R there); what can be reversed is the acquire against the
   * holder's acquire a of R. Returns a, when c's thread acquired R at a and
   * no other thread touched R between a and c (an exclusive critical
   * section), else -1 (then the race is reversed as it stands).
   */
  private handoffAcquire(c: number): number {
    const a = this.evFp[c]!;
    const b = this.curFp;
    let r = -1;
    for (const x of a)
      for (const y of b)
        if (x >> 2 === y >> 2 && dependentFp([x], [y])) {
          if (r >= 0 && r !== x >> 2) return -1;
          r = x >> 2;
        }
    if (r < 0 || !this.res.names[r]!.startsWith('lock:')) return -1;
    const p = this.evTid[c]!;
    for (let k = c - 1; k >= 0; k--) {
      const fk = this.evFp[k]!;
      let touches = -1;
      for (const e of fk) if (e >> 2 === r) touches = e & 3;
      if (touches < 0) continue;
      if (this.evTid[k] !== p) return -1;
      if (this.evLockRole[k] === 1 && touches === WRITE) return k < this.frozenSteps ? -1 : k;
      return -1;
    }
    return -1;
  }

  /* Race between step i and (step j | pending Op at j) of thread q with clock clk[cb..]. */
  private reverse(i: number, q: number, clk: Int32Array, cb: number, j: number): void {
    if (i < this.frozenSteps) {
      // Reversing it would change the forced prefix: a sibling prefix covers that order.
      this.aboveSplit++;
      if (this.explain !== null) this.told(i, 'aboveSplit');
      return;
    }
    const node = this.stepNode[i]!;
    const S = this.S;
    const nT = this.nThreads;
    const evClock = this.ev.data;
    const evTid = this.evTid;
    const evPos = this.evPos;
    const p = evTid[i]!;
    const pp = evPos[i]!;
    const firstInV = this.firstInV;
    const initial = this.initial;
    const inBt = this.inBacktrack;
    for (let u = 0; u < nT; u++) {
      firstInV[u] = -1;
      initial[u] = 0;
      inBt[u] = 0;
    }
    for (const t of node.options) inBt[t] = 1;
    // v = the steps after i that do not happen after it, then q's step.
    for (let k = i + 1; k < j; k++) {
      const kb = k * S;
      if (evClock[kb + p]! >= pp) continue;
      const t = evTid[k]!;
      if (firstInV[t]! >= 0) continue;
      firstInV[t] = k;
      let ok = 1;
      for (let u = 0; u < nT; u++) {
        const f = firstInV[u]!;
        if (f >= 0 && u !== t && evClock[kb + u]! >= evPos[f]!) {
          ok = 0;
          break;
        }
      }
      if (ok === 1) {
        if (inBt[t] === 1) {
          // An initial of v is already scheduled at i.
          if (this.explain !== null) this.told(i, 'covered');
          return;
        }
        initial[t] = 1;
      }
    }
    let qViaJ = false;
    if (firstInV[q]! < 0) {
      qViaJ = true;
      let ok = 1;
      for (let u = 0; u < nT; u++) {
        const f = firstInV[u]!;
        if (f >= 0 && u !== q && clk[cb + u]! >= evPos[f]!) {
          ok = 0;
          break;
        }
      }
      if (ok === 1) {
        if (inBt[q] === 1) {
          if (this.explain !== null) this.told(i, 'covered');
          return;
        }
        initial[q] = 1;
      }
    }
    let pick = -1;
    if (initial[q] === 1) pick = q;
    else
      for (let t = 0; t < nT; t++)
        if (initial[t] === 1) {
          pick = t;
          break;
        }
    if (pick < 0) throw new HarnessBug(`dpor: race between steps ${i} and ${j} has no initial step`);
    if (!node.enabled.includes(pick)) {
      if (pick === q && qViaJ) {
        this.notCoEnabled++;
        if (this.explain !== null) this.told(i, 'notCoEnabled');
        return;
      }
      this.fallbacks++;
      if (this.explain !== null) this.told(i, 'fallback');
      for (const t of node.enabled) if (!node.options.includes(t)) node.options.push(t);
      return;
    }
    node.options.push(pick);
    this.racesReversed++;
    if (this.explain !== null) this.told(i, 'reversed');
  }

  /* explain: the race between step i and the step or pending Op being analysed, with the resources they conflict on. */
  private told(i: number, outcome: RaceOutcome): void {
    const a = this.evFp[i]!;
    const b = this.curFp;
    const names: string[] = [];
    for (const x of a)
      for (const y of b)
        if (x >> 2 === y >> 2 && dependentFp([x], [y])) names.push(this.res.names[x >> 2]!);
    this.explain!.race({ label: this.evLabel[i]!, kind: this.evKind[i]!, pending: false }, this.cur, names, outcome);
  }

  /* At a new state: blocked threads whose pending Op changed, or that the last step touched. */
  private analyseBlocked(exec: ExecutionView): void {
    const lastFp = this.nsteps > 0 ? this.evFp[this.nsteps - 1]! : [];
    for (const t of exec.threads) {
      if (t.enabled) continue;
      const seen = this.pendingStamp[t.tid] === this.execId ? this.pendingSeen[t.tid] : null;
      if (seen === t.op && !dependentFp(lastFp, this.res.compile(t.op.fp))) continue;
      this.pendingSeen[t.tid] = t.op;
      this.pendingStamp[t.tid] = this.execId;
      this.analysePending(t.tid, t.op);
    }
  }

  /* The pending Op of thread q races with the last steps it depends on, as if it ran now. */
  private analysePending(q: number, op: Op): void {
    if (q >= this.nThreads) this.ensureThreads(q + 1);
    const fp = this.res.compile(op.fp);
    this.gatherCandidates(fp, q);
    const nc = this.ncands;
    if (nc === 0) return;
    if (this.explain !== null) {
      this.cur = { label: op.label, kind: op.kind, pending: true };
      this.curFp = fp;
    }
    const S = this.S;
    const nT = this.nThreads;
    const clk = this.scratch;
    const qb = q * S;
    const thClock = this.th.data;
    const evClock = this.ev.data;
    for (let u = 0; u < nT; u++) clk[u] = thClock[qb + u]!;
    for (let k = 0; k < nc; k++) {
      const cb = this.cands[k]! * S;
      for (let u = 0; u < nT; u++) if (evClock[cb + u]! > clk[u]!) clk[u] = evClock[cb + u]!;
    }
    clk[q] = this.thPos[q]! + 1;
    this.analyseRaces(q, clk, 0, this.nsteps);
  }

  private ensureThreads(n: number): void {
    if (n > this.S) {
      let S2 = this.S;
      while (S2 < n) S2 *= 2;
      // Every step slot is kept: the replayed prefix of this execution lives past nsteps until it is reached.
      this.ev.ensure(this.cap, S2);
      this.th.ensure(S2, S2);
      const pos = new Int32Array(S2);
      pos.set(this.thPos);
      this.thPos = pos;
      this.S = S2;
      this.scratch = new Int32Array(S2);
      this.firstInV = new Int32Array(S2);
      this.initial = new Uint8Array(S2);
      this.inBacktrack = new Uint8Array(S2);
    }
    if (n > this.nThreads) this.nThreads = n;
  }

  private growSteps(): void {
    const cap = this.cap * 2;
    const t = new Int32Array(cap);
    t.set(this.evTid);
    this.evTid = t;
    const p = new Int32Array(cap);
    p.set(this.evPos);
    this.evPos = p;
    this.ev.ensure(cap, this.S);
    this.cap = cap;
  }

  private growResources(n: number): void {
    let m = this.lastWrite.length;
    while (m < n) m *= 2;
    const lw = new Int32Array(m).fill(-1);
    lw.set(this.lastWrite);
    this.lastWrite = lw;
    const st = new Int32Array(m);
    st.set(this.resStamp);
    this.resStamp = st;
    const nr = new Int32Array(m);
    nr.set(this.nreaders);
    this.nreaders = nr;
    const na = new Int32Array(m);
    na.set(this.nadders);
    this.nadders = na;
  }

  fractionDone(): number {
    return this.exhausted ? 1 : this.path.fraction(this.prefix.length);
  }

  /* Backtrack entries still to take (neither done nor asleep at their node) and choice values: each begins an execution. Races found later only add to it. */
  remainingAtLeast(): number {
    if (this.exhausted) return 0;
    return this.path.untried(this.prefix.length, (node, k) => node.kind === 1 || !(isAsleep(node.done, node.options[k]!) || isAsleep(node.sleep, node.options[k]!)));
  }

  counters(): Readonly<Record<string, number>> {
    return {
      sleepSetBlocked: this.sleepSetBlocked,
      racesReversed: this.racesReversed,
      notCoEnabled: this.notCoEnabled,
      fallbacks: this.fallbacks,
      ...(this.lockAware ? { lockHandoffs: this.lockHandoffs } : {}),
      ...(this.ledger !== null ? { refcountRestarts: this.refRestarts } : {}),
      ...(this.sections !== null ? { sectionMerged: this.sectionMerged } : {}),
      maxDepth: this.maxDepth,
      ...(this.prefix.length > 0 ? { aboveSplit: this.aboveSplit } : {}),
    };
  }

  info(): StrategyInfo {
    return { strategy: 'dpor', bounds: {} };
  }
}

function hasCount(fp: readonly Access[]): boolean {
  for (let i = 0; i < fp.length; i++) if (fp[i]!.count !== undefined) return true;
  return false;
}

function isAsleep(sleep: readonly SleepEntry[], tid: number): boolean {
  for (let i = 0; i < sleep.length; i++) if (sleep[i]!.tid === tid) return true;
  return false;
}

/* Records step s of thread q as the latest access of its thread in list[id] (first n current); returns the new count. */
function latestPerThread(lists: number[][], counts: Int32Array, id: number, s: number, q: number, evTid: Int32Array): number {
  let l = lists[id];
  if (l === undefined) lists[id] = l = [];
  const n = counts[id]!;
  let k = 0;
  for (; k < n; k++) if (evTid[l[k]!] === q) break;
  l[k] = s;
  return k === n ? n + 1 : n;
}

/* 1 when the thread's next Op is a blocking exclusive lock acquire, 2 an exclusive release (unlock, or a sleep dropping its interlock), 0 otherwise. */
function lockRole(ready: readonly ThreadView[], tid: number): number {
  for (let i = 0; i < ready.length; i++) {
    const op = ready[i]!.op;
    if (ready[i]!.tid !== tid) continue;
    // A shared acquire may run while others hold the lock shared: never a hand-off (nor is a shared holder's release).
    for (const a of op.fp) if (a.commute === 'shared') return 0;
    if (op.kind === 'lock') return op.enabled !== undefined ? 1 : 0;
    return op.kind === 'unlock' || op.kind === 'sleep' ? 2 : 0;
  }
  return 0;
}
