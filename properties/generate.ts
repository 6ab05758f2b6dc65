/*
 * Generated scenarios: a fast-check arbitrary of small scenarios (2-3
 * threads, 1-3 operations each, a filesystem flavor and block size, a file
 * of 1-6 pages with holes, faults, an initial state), for bounded
 * exploration. Raw values are drawn freely and then repaired into a valid
 * scenario, so every shrink of a failing value is itself a valid scenario and
 * shrinking ends at a minimal one.
 */
import fc from 'fast-check';
import { FLAVORS, IOSIZES, PAGE_SIZE, PUT_FLAGS, parseScenario, type OpInput, type Scenario, type ScenarioInput } from './scenario.ts';

/** Pages a generated operation may name (a little past the largest generated file). */
const MAX_GEN_PAGE = 7;

const pidx = fc.integer({ min: 0, max: MAX_GEN_PAGE });
const small = fc.integer({ min: 0, max: 3 });

export const opArb: fc.Arbitrary<OpInput> = fc.oneof(
  fc.record({ op: fc.constant('alloc' as const), vnodeLock: fc.constantFrom('shared' as const, 'exclusive' as const, 'none' as const) }),
  fc.constant({ op: 'deallocate' as const }),
  fc.record({ op: fc.constant('create_vobject' as const), vnodeLock: fc.constantFrom('exclusive' as const, 'shared' as const) }),
  fc.constant({ op: 'destroy_vobject' as const }),
  fc.constant({ op: 'vgone' as const }),
  fc.record({ op: fc.constant('setsize' as const), size: fc.integer({ min: 0, max: 6 * PAGE_SIZE }), vnodeLock: fc.constantFrom('exclusive' as const, 'none' as const) }),
  fc.record({
    op: fc.constant('getpages' as const),
    pindex: pidx,
    count: fc.integer({ min: 1, max: 3 }),
    rbehind: small,
    rahead: small,
    vnodeLock: fc.constantFrom('shared' as const, 'none' as const),
  }),
  fc.record({ op: fc.constant('getpages_async' as const), pindex: pidx, count: fc.integer({ min: 1, max: 3 }), rbehind: small, rahead: small }),
  fc.record({ op: fc.constant('dirty' as const), pindex: pidx }),
  fc.record({
    op: fc.constant('putpages' as const),
    pindex: pidx,
    count: fc.integer({ min: 1, max: 3 }),
    flags: fc.subarray([...PUT_FLAGS]),
    dirty: fc.boolean(),
    vnodeLock: fc.constantFrom('exclusive' as const, 'none' as const),
  }),
  fc.record({ op: fc.constant('haspage' as const), pindex: pidx, vnodeLock: fc.constantFrom('shared' as const, 'none' as const) }),
  fc.record({ op: fc.constant('update_writecount' as const), bytes: fc.constantFrom(PAGE_SIZE, 2 * PAGE_SIZE) }),
  fc.record({ op: fc.constant('release_writecount' as const), bytes: fc.constantFrom(PAGE_SIZE, 2 * PAGE_SIZE) }),
);

/** Free-form draw, repaired by `repair`. */
const rawArb = fc.record({
  flavor: fc.constantFrom(...FLAVORS),
  iosizeIndex: fc.nat(),
  pages: fc.integer({ min: 1, max: 6 }),
  /** Bytes cut from the last page (0: the file ends on a page boundary). */
  tailCut: fc.integer({ min: 0, max: PAGE_SIZE - 1 }),
  holes: fc.uniqueArray(fc.integer({ min: 0, max: 47 }), { maxLength: 3 }),
  readErrorPages: fc.uniqueArray(pidx, { maxLength: 1 }),
  writeErrorPages: fc.uniqueArray(pidx, { maxLength: 1 }),
  pageAllocFail: fc.uniqueArray(pidx, { maxLength: 2 }),
  shortWrite: fc.option(fc.integer({ min: 0, max: 2 * PAGE_SIZE }), { nil: undefined }),
  object: fc.boolean(),
  mappings: fc.integer({ min: 0, max: 2 }),
  writeMapped: fc.boolean(),
  initialPages: fc.uniqueArray(fc.record({ pindex: pidx, valid: fc.boolean(), dirty: fc.boolean() }), { maxLength: 3, selector: (p) => p.pindex }),
  threads: fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 }),
});
type Raw = typeof rawArb extends fc.Arbitrary<infer T> ? T : never;

const OBJECT_OPS = new Set(['getpages', 'getpages_async', 'dirty', 'putpages', 'haspage', 'update_writecount', 'release_writecount']);

/**
 * An operation rewritten to follow the 2017 callers' locking: the vnode lock
 * is held (shared) for alloc, haspage and page faults, exclusively for
 * truncation and laundering; VOP_RECLAIM runs only inside vgone.
 */
export function lawful(o: OpInput): OpInput {
  if (o.op === 'alloc' && o.vnodeLock === 'none') return { ...o, vnodeLock: 'shared' };
  if (o.op === 'haspage' && o.vnodeLock === 'none') return { ...o, vnodeLock: 'shared' };
  /* vm_fault asks for one page, under the vnode lock; multi-page requests come only after vm_pager_has_page. */
  if (o.op === 'getpages') return { ...o, count: 1, vnodeLock: 'shared' };
  if (o.op === 'setsize' && o.vnodeLock === 'none') return { ...o, vnodeLock: 'exclusive' };
  /* vm_pageout_clean and vm_object_page_clean's callers (msync, vinactive) launder under the exclusive vnode lock. */
  if (o.op === 'putpages' && o.vnodeLock === 'none') return { ...o, vnodeLock: 'exclusive' };
  if (o.op === 'destroy_vobject') return { op: 'vgone' };
  return o;
}

export interface GenOptions {
  /** Exploration bounds written into each scenario. */
  readonly bounds?: ScenarioInput['bounds'];
  /**
   * Keep to what the 2017 callers of a local filesystem do: vnode_pager_alloc,
   * vm_pager_has_page, page faults and truncation under the vnode lock, VOP_RECLAIM only
   * from vgone, no getpages_async on a filesystem without VOP_BMAP (the
   * probes of catalog.ts show what happens otherwise).
   */
  readonly lawful?: boolean;
}

/** Turns a raw draw into a valid scenario input (drops what cannot be made valid). */
export function repair(r: Raw, opts: GenOptions = {}): ScenarioInput {
  const bounds = opts.bounds ?? { preemptions: 2, maxExecutions: 400 };
  const sizes = IOSIZES[r.flavor];
  const f_iosize = sizes[r.iosizeIndex % sizes.length]!;
  const size = Math.max(1, r.pages * PAGE_SIZE - r.tailCut);
  const npages = Math.ceil(size / PAGE_SIZE);
  const fsBlocks = Math.ceil(size / f_iosize);
  const holes = r.flavor === 'nobmap' ? [] : r.holes.filter((b) => b < fsBlocks);
  const inFile = (p: number) => p < npages;

  const threads = r.threads.map((ops) => {
    const out: OpInput[] = [];
    let held = 0;
    const wmaps: number[] = [];
    for (const raw of ops) {
      let o = raw;
      if (opts.lawful) o = lawful(o);
      if (o.op === 'alloc') held++;
      if (o.op === 'deallocate') {
        if (held === 0) continue;
        held--;
      }
      /*
       * A store reaches the page only through a writable mapping: the
       * scenario's initial one (no mapping of the thread's own) or the
       * thread's after mmap's write count; through a read-only one it is a
       * protection fault, never a dirty page.
       */
      if (o.op === 'dirty' && wmaps.length === 0 && !(held === 0 && r.writeMapped)) continue;
      if (o.op === 'update_writecount') wmaps.push(o.bytes ?? PAGE_SIZE);
      if (o.op === 'release_writecount') {
        const i = wmaps.indexOf(o.bytes ?? PAGE_SIZE);
        if (i < 0) continue;
        wmaps.splice(i, 1);
      }
      out.push(o);
    }
    return out;
  });
  const needsMapping = threads.some((ops) => {
    let held = 0;
    for (const raw of ops) {
      let o = raw;
      if (opts.lawful) o = lawful(o);
      if (o.op === 'alloc') held++;
      if (o.op === 'deallocate') held--;
      if (OBJECT_OPS.has(o.op) && held === 0) return true;
    }
    return false;
  });
  const object = r.object || needsMapping;
  const mappings = object ? Math.max(r.mappings, needsMapping ? 1 : 0) : 0;
  const writeMapped = mappings > 0 && r.writeMapped;
  const pages = object ? r.initialPages.filter((p) => inFile(p.pindex)).map((p) => ({ pindex: p.pindex, valid: p.valid, dirty: p.valid && p.dirty })) : [];
  const named = threads.filter((ops) => ops.length > 0).map((ops, i) => ({ name: `T${i + 1}`, ops }));
  if (named.length === 0) named.push({ name: 'T1', ops: [{ op: 'vgone' }] });

  return {
    name: 'generated',
    description: 'a generated scenario',
    fs: { flavor: r.flavor, f_iosize },
    file: { size, holes },
    faults: {
      readErrorPages: r.readErrorPages.filter(inFile),
      writeErrorPages: r.writeErrorPages.filter(inFile),
      ...(r.pageAllocFail.length ? { pageAllocFail: r.pageAllocFail } : {}),
      ...(r.shortWrite !== undefined ? { shortWriteBytes: r.shortWrite } : {}),
    },
    initial: { object, mappings, writeMapped, pages },
    threads: named,
    bounds,
  };
}

/** Valid scenarios for bounded exploration; shrinking keeps them valid. */
export function scenarioArb(opts: GenOptions = {}): fc.Arbitrary<Scenario> {
  return rawArb.map((r) => parseScenario(repair(r, opts)));
}
