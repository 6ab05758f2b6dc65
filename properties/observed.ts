/*
 * What a property looks at: the simulated kernel of one execution plus what
 * the scenario's threads saw (operation outcomes, lifecycle events, the port
 * steps they ran). Built by program.ts; read-only for properties.
 */
import type { Kernel } from '../impl/kernel/kernel.ts';
import type { vnode } from '../impl/kernel/vnode.ts';
import type { KEvent } from '../impl/kernel/observe.ts';
import type { Block } from '../impl/kernel/data.ts';
import type { ThreadId, OpKind } from '../checker/op.ts';
import type { Scenario, Op } from './scenario.ts';

/** One executed step of a scenario thread (or of a thread it spawned), with the events the step emitted. */
export interface StepNote {
  readonly tid: ThreadId;
  readonly kind: OpKind;
  readonly label: string;
  readonly line?: number;
  readonly fn?: string;
  /** Index of the scenario operation the step belongs to (-1: initial state, I/O completion). */
  readonly opIndex: number;
  /** events[evFrom, evTo) were emitted during the step. */
  readonly evFrom: number;
  readonly evTo: number;
}

/** How one scenario operation ended. */
export interface OpOutcome {
  readonly thread: string;
  readonly index: number;
  readonly op: Op;
  /** 'done', 'skipped: <why>' or a pager return code name ("VM_PAGER_OK"). */
  readonly result: string;
  /** Operation-specific facts (rtvals, rbehind/rahead reported, haspage answer, object name). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** An asynchronous getpages request and what happened to it. */
export interface AsyncRequest {
  readonly id: number;
  readonly thread: string;
  /** Pager return code, once vm_pager_get_pages_async returned. */
  returned: number | null;
  /** Times the iodone ran. */
  completions: number;
  errors: number[];
}

/** Values recorded once the initial state is built, that end-of-run checks return to. */
export interface Baseline {
  /** v_usecount not accounted for by object references (open files, the world's own reference). */
  readonly usecount: number;
  /** v_writecount not accounted for by writemappings (files open for writing). */
  readonly writecount: number;
  readonly pbufSync: number;
  readonly pbufAsync: number;
  readonly runningbufspace: number;
}

export interface Observed {
  readonly scenario: Scenario;
  readonly variant: string;
  readonly k: Kernel;
  /** The scenario's file. */
  readonly vp: vnode;
  /**
   * The file's content for the DEV_BSIZE block at byte offset `off` (a
   * multiple of 512) as the filesystem holds it now: disk data for an
   * allocated block, zeros for a hole. null past the filesystem's size.
   */
  fileBlock(off: number): Block | null;
  /** The file size as the filesystem knows it (inode size). */
  fsSize(): number;
  readonly events: readonly KEvent[];
  readonly steps: readonly StepNote[];
  readonly outcomes: readonly OpOutcome[];
  readonly async: readonly AsyncRequest[];
  /** Objects ever attached to the vnode (OBJ_ATTACH), by name. */
  readonly attached: ReadonlySet<string>;
  /** Objects discarded (OBJ_DISCARD), by name, in event order: kept apart so per-step checks need not rescan events. */
  readonly discarded: readonly string[];
  /** Violations noticed by a thread at an operation boundary (e.g. putpages' report), by property name. */
  readonly failures: readonly { readonly property: string; readonly message: string }[];
  /** Null until the initial state is built. */
  readonly baseline: Baseline | null;
}
