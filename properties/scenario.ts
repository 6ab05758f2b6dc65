/*
 * A scenario: plain data naming a filesystem, a file, the faults allowed, the
 * state before the threads start, and each thread's operations. Validated with
 * zod; a bad scenario is rejected with one line naming the field and what is
 * accepted. Everything a checker run depends on is derived from this value.
 *
 * Operations are the pager's callers as the 2017 kernel makes them; the lock
 * each caller holds is a parameter with the kernel's default (program.ts says
 * which caller each default stands for).
 */
import { z } from 'zod';

export const PAGE_SIZE = 4096;
export const DEV_BSIZE = 512;
/** Largest file a scenario may describe (pages); keeps worlds small. */
export const MAX_FILE_PAGES = 32;
/** nitems(bp->b_pages) with MAXPHYS 128K. */
export const MAX_IO_PAGES = 32;
export const MAX_THREADS = 8;
/*
 * Bounds of every numeric and list field: a size becomes arrays of pages in
 * the model, a name becomes a file name, so unbounded values would fail late
 * (or abort V8) instead of being rejected on load.
 */
/** Pages the model follows: the file's and 8 past its largest size. */
export const MODEL_PAGES = MAX_FILE_PAGES + 8;
/** Largest byte size an operation may name (setsize, alloc, create_vobject's isize, writecounts). */
export const MAX_BYTES = MODEL_PAGES * PAGE_SIZE;
/** Longest scenario name: trace files are named NAME.VARIANT.VIOLATION.trace.json. */
export const MAX_NAME = 64;
export const MAX_DESCRIPTION = 4000;
/** Longest list (holes, runs, fault lists). */
export const MAX_LIST = 64;
export const MAX_PBUFS = 256;
/** Scenario bounds: the checker's own caps (cli/args.ts uses the same). */
export const MAX_PREEMPTIONS = 64;
export const MAX_STEPS = 1_000_000;
export const MAX_EXECUTIONS = 1_000_000_000;

export const FLAVORS = ['block', 'small', 'nobmap'] as const;
export type Flavor = (typeof FLAVORS)[number];
/** f_iosize values per flavor: 'small' is below PAGE_SIZE (input_smlfs), 'block' at or above it. */
export const IOSIZES: Readonly<Record<Flavor, readonly number[]>> = {
  block: [4096, 8192, 16384, 32768, 65536],
  small: [512, 1024, 2048],
  nobmap: [512, 1024, 2048, 4096, 8192, 16384, 32768],
};

export const PUT_FLAGS = ['PUT_SYNC', 'PUT_INVAL', 'PUT_NOREUSE', 'CLUSTER_OK'] as const;
export type PutFlag = (typeof PUT_FLAGS)[number];
export const PUT_FLAG_BITS: Readonly<Record<PutFlag, number>> = { PUT_SYNC: 0x1, PUT_INVAL: 0x2, PUT_NOREUSE: 0x4, CLUSTER_OK: 0x8 };

const nat = z.number().int().min(0);
const pindex = nat.max(MODEL_PAGES);
const bytes = nat.max(MAX_BYTES);
const list = <T extends z.ZodType>(t: T) => z.array(t).max(MAX_LIST);
const iocount = z.number().int().min(1).max(MAX_IO_PAGES);

/*
 * Operations. `vnodeLock` is the vnode lock the caller holds around the call
 * ('none': taken by nobody, as sendfile and the NFS client do).
 */
export const OpSchema = z.discriminatedUnion('op', [
  /**
   * vm_pager_allocate(OBJT_VNODE): vnode_pager_alloc, as vm_mmap_vnode makes it (vnode lock held) or a caller
   * that holds no vnode lock; the reference is kept until `deallocate`.
   */
  z.strictObject({ op: z.literal('alloc'), size: bytes.optional(), vnodeLock: z.enum(['shared', 'exclusive', 'none']).default('shared') }),
  /** munmap of the last mapping made by this thread's `alloc`: vm_object_deallocate, no locks held. */
  z.strictObject({ op: z.literal('deallocate') }),
  /** open(2): vnode_create_vobject under the exclusive vnode lock (VOP_OPEN of a local filesystem); isize 0 asks VOP_GETATTR. */
  z.strictObject({
    op: z.literal('create_vobject'),
    isize: bytes.default(0),
    /** 'shared': a read-only open on a filesystem with shared-lock lookups (MNTK_EXTENDED_SHARED) calls VOP_OPEN with the vnode lock shared. */
    vnodeLock: z.enum(['exclusive', 'shared']).default('exclusive'),
  }),
  /** A filesystem's VOP_RECLAIM alone: vnode_destroy_vobject under the exclusive vnode lock, vnode not doomed. */
  z.strictObject({ op: z.literal('destroy_vobject') }),
  /** Forced reclaim (revoke, unmount): vn_lock exclusive, vgone (dooms the vnode, VOP_RECLAIM -> vnode_destroy_vobject). */
  z.strictObject({ op: z.literal('vgone') }),
  /** The filesystem changes the file size (truncate or extend) and tells the pager: vnode_pager_setsize. */
  z.strictObject({ op: z.literal('setsize'), size: bytes, vnodeLock: z.enum(['exclusive', 'none']).default('exclusive') }),
  /** A page fault (vm_fault): pages busied under the object lock, vm_pager_get_pages, pages unbusied. */
  z.strictObject({
    op: z.literal('getpages'),
    pindex,
    count: iocount.default(1),
    rbehind: nat.max(MAX_IO_PAGES).default(0),
    rahead: nat.max(MAX_IO_PAGES).default(0),
    vnodeLock: z.enum(['shared', 'none']).default('shared'),
  }),
  /** sendfile's swap-in: pages busied, vm_pager_get_pages_async; the iodone records completion and unbusies. */
  z.strictObject({
    op: z.literal('getpages_async'),
    pindex,
    count: iocount.default(1),
    rbehind: nat.max(MAX_IO_PAGES).default(0),
    rahead: nat.max(MAX_IO_PAGES).default(0),
  }),
  /** A store through a writable mapping: the resident valid page becomes dirty with new data. */
  z.strictObject({ op: z.literal('dirty'), pindex }),
  /** The page daemon's laundering (vm_pageout_flush): dirty valid pages sbusied, pip raised, vm_pager_put_pages. */
  z.strictObject({
    op: z.literal('putpages'),
    pindex,
    count: iocount.default(1),
    flags: z.array(z.enum(PUT_FLAGS)).max(PUT_FLAGS.length).default([]),
    /** Store to the pages first, so they are dirty when laundered. */
    dirty: z.boolean().default(true),
    /** vm_pageout_clean and msync hold the vnode lock exclusively around the flush. */
    vnodeLock: z.enum(['exclusive', 'none']).default('exclusive'),
  }),
  /** vm_pager_has_page under the object lock, as sendfile_swapin asks it (vnode lock shared). */
  z.strictObject({ op: z.literal('haspage'), pindex, before: z.boolean().default(true), after: z.boolean().default(true), vnodeLock: z.enum(['shared', 'none']).default('shared') }),
  /** mmap(PROT_WRITE, MAP_SHARED): vnode_pager_update_writecount under the exclusive vnode lock. */
  z.strictObject({ op: z.literal('update_writecount'), bytes: z.number().int().min(PAGE_SIZE).max(MAX_BYTES).multipleOf(PAGE_SIZE).default(PAGE_SIZE) }),
  /** munmap of that writable mapping: vnode_pager_release_writecount, no locks held. */
  z.strictObject({ op: z.literal('release_writecount'), bytes: z.number().int().min(PAGE_SIZE).max(MAX_BYTES).multipleOf(PAGE_SIZE).default(PAGE_SIZE) }),
]);
export type Op = z.output<typeof OpSchema>;
export type OpInput = z.input<typeof OpSchema>;
export type OpName = Op['op'];
export const OP_NAMES: readonly OpName[] = OpSchema.options.map((o) => o.shape.op.value);

/** Operations that work on the thread's vm object (a mapping's object). */
export const OBJECT_OPS: ReadonlySet<OpName> = new Set<OpName>(['getpages', 'getpages_async', 'dirty', 'putpages', 'haspage', 'update_writecount', 'release_writecount']);

const InitialPage = z.strictObject({
  pindex,
  /** Read in by a page fault before the threads start. */
  valid: z.boolean().default(true),
  /** Stored to through a writable mapping after the read (needs valid). */
  dirty: z.boolean().default(false),
  /**
   * Only these DEV_BSIZE blocks are valid (bit j: bytes j*512 .. j*512+511), as a read(2) through the buffer
   * cache leaves a page when the filesystem's blocks are smaller than a page: the buffer's range is valid, the
   * rest of the page is not. Needs valid, not dirty; default: the whole page.
   */
  validMask: z.number().int().min(1).max(0xfe).optional(),
});

export const ScenarioSchema = z
  .strictObject({
    name: z.string().max(MAX_NAME, `expected at most ${MAX_NAME} characters`).regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a kebab-case name (a-z, 0-9, -)'),
    description: z.string().min(1).max(MAX_DESCRIPTION),
    fs: z.strictObject({ flavor: z.enum(FLAVORS), f_iosize: z.number().int().min(DEV_BSIZE).max(65536) }),
    file: z.strictObject({
      /** File size in bytes. */
      size: nat.max(MAX_FILE_PAGES * PAGE_SIZE),
      /** Logical filesystem blocks (units of f_iosize) that are holes. */
      holes: list(nat.max(MAX_BYTES / DEV_BSIZE)).default([]),
      /** Lengths of the physically contiguous runs of the file's blocks, in order (VOP_BMAP's runp/runb); default one run. */
      runs: list(z.number().int().min(1).max(MAX_BYTES / DEV_BSIZE)).optional(),
    }),
    faults: z
      .strictObject({
        /** File pages whose disk sectors fail to read (BIO_ERROR). */
        readErrorPages: list(pindex).default([]),
        /** File pages whose disk sectors fail to write (EIO). */
        writeErrorPages: list(pindex).default([]),
        /** File DEV_BSIZE blocks (byte offset / 512) whose one sector fails to read: a bad sector inside a page (a block in a hole has none). */
        readErrorBlocks: list(nat.max(MAX_FILE_PAGES * 8 - 1)).optional(),
        /** File DEV_BSIZE blocks whose one sector fails to write. */
        writeErrorBlocks: list(nat.max(MAX_FILE_PAGES * 8 - 1)).optional(),
        /** The filesystem is full: a write that must allocate a block (into a hole) fails with ENOSPC. */
        noSpace: z.boolean().optional(),
        /** Each VOP_WRITE stops after this many bytes. */
        shortWriteBytes: bytes.optional(),
        /** vm_page_alloc fails at these pindexes; 'choose' leaves every allocation to the scheduler. */
        pageAllocFail: z.union([list(pindex), z.literal('choose')]).optional(),
        /** Logical filesystem blocks whose VOP_BMAP fails with EIO (an unreadable indirect block). */
        bmapErrorBlocks: list(nat.max(MAX_BYTES / DEV_BSIZE)).optional(),
        /** Sizes of the sync and async pbuf pools. */
        pbufs: z.strictObject({ sync: z.number().int().min(1).max(MAX_PBUFS), async: z.number().int().min(1).max(MAX_PBUFS) }).optional(),
      })
      .default({ readErrorPages: [], writeErrorPages: [] }),
    initial: z
      .strictObject({
        /** The file is open: vnode_create_vobject has run. */
        object: z.boolean().default(true),
        /** Mappings of the file held by an address space (vnode_pager_alloc references); threads fault through them. */
        mappings: nat.max(3).default(0),
        /** One of those mappings is writable and shared (vnode_pager_update_writecount). */
        writeMapped: z.boolean().default(false),
        /** Resident pages. */
        pages: z.array(InitialPage).max(MODEL_PAGES).default([]),
      })
      .default({ object: true, mappings: 0, writeMapped: false, pages: [] }),
    threads: z
      .array(z.strictObject({ name: z.string().max(32, 'expected at most 32 characters').regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'expected an identifier'), ops: z.array(OpSchema).min(1).max(8) }))
      .min(1)
      .max(MAX_THREADS),
    /** Exploration bounds, only where exhaustive search needs them. */
    bounds: z
      .strictObject({
        preemptions: nat.max(MAX_PREEMPTIONS).optional(),
        maxSteps: z.number().int().min(1).max(MAX_STEPS).optional(),
        maxExecutions: z.number().int().min(1).max(MAX_EXECUTIONS).optional(),
      })
      .default({}),
  })
  .superRefine((s, ctx) => {
    const bad = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const sizes = IOSIZES[s.fs.flavor];
    if (!sizes.includes(s.fs.f_iosize)) bad(['fs', 'f_iosize'], `${s.fs.f_iosize} is not a block size of a ${s.fs.flavor} filesystem; accepted: ${sizes.join(', ')}`);
    const fsBlocks = Math.ceil(s.file.size / s.fs.f_iosize);
    if (s.fs.flavor === 'nobmap' && s.file.holes.length > 0) bad(['file', 'holes'], 'a nobmap filesystem has no block map; accepted: []');
    s.file.holes.forEach((b, i) => {
      if (b >= fsBlocks) bad(['file', 'holes', i], `block ${b} is past the file's ${fsBlocks} blocks of ${s.fs.f_iosize} bytes; accepted: 0..${fsBlocks - 1}`);
    });
    if (s.file.runs) {
      const total = s.file.runs.reduce((a, b) => a + b, 0);
      if (total !== fsBlocks) bad(['file', 'runs'], `runs cover ${total} blocks; accepted: run lengths summing to the file's ${fsBlocks} blocks`);
    }
    const npages = Math.ceil(s.file.size / PAGE_SIZE);
    for (const key of ['readErrorPages', 'writeErrorPages'] as const)
      s.faults[key].forEach((p, i) => {
        if (p >= npages) bad(['faults', key, i], `page ${p} is past the file's ${npages} pages; accepted: 0..${npages - 1}`);
      });
    const init = s.initial;
    if (!init.object && (init.mappings > 0 || init.pages.length > 0)) bad(['initial', 'object'], 'mappings and resident pages need the object; accepted: true');
    if (init.writeMapped && init.mappings === 0) bad(['initial', 'writeMapped'], 'a writable mapping needs initial.mappings >= 1');
    const seen = new Set<number>();
    init.pages.forEach((p, i) => {
      if (p.pindex >= npages) bad(['initial', 'pages', i, 'pindex'], `page ${p.pindex} is past the file's ${npages} pages; accepted: 0..${npages - 1}`);
      if (seen.has(p.pindex)) bad(['initial', 'pages', i, 'pindex'], `page ${p.pindex} listed twice`);
      seen.add(p.pindex);
      if (p.dirty && !p.valid) bad(['initial', 'pages', i, 'dirty'], 'only a valid page can be dirtied through a mapping; accepted: false');
      if (p.validMask !== undefined && (!p.valid || p.dirty)) bad(['initial', 'pages', i, 'validMask'], 'a partly valid page must be valid and clean; accepted: valid true, dirty false');
    });
    const names = new Set<string>();
    s.threads.forEach((t, ti) => {
      if (names.has(t.name)) bad(['threads', ti, 'name'], `thread name "${t.name}" used twice`);
      names.add(t.name);
      let held = 0;
      const wmaps: number[] = [];
      t.ops.forEach((o, oi) => {
        const at = ['threads', ti, 'ops', oi];
        if (o.op === 'alloc') held++;
        if (o.op === 'deallocate') {
          if (held === 0) bad(at, 'deallocate without an earlier alloc in this thread; accepted: after alloc');
          else held--;
        }
        if (OBJECT_OPS.has(o.op) && held === 0 && init.mappings === 0)
          bad(at, `${o.op} needs a mapping of the file; accepted: after an alloc in this thread, or with initial.mappings >= 1`);
        if ((o.op === 'getpages' || o.op === 'getpages_async' || o.op === 'putpages') && o.pindex + o.count > MODEL_PAGES)
          bad(at, `pages ${o.pindex}..${o.pindex + o.count - 1} lie outside the modelled range; accepted: pindex + count <= ${MODEL_PAGES}`);
        if (o.op === 'update_writecount') wmaps.push(o.bytes);
        if (o.op === 'release_writecount') {
          const i = wmaps.indexOf(o.bytes);
          if (i < 0) bad(at, `release_writecount of ${o.bytes} bytes without a matching update_writecount in this thread`);
          else wmaps.splice(i, 1);
        }
      });
    });
  });

export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

/** One line: the first problem, naming the field path and what is accepted. */
export function formatIssue(scenarioName: string, issue: { path: readonly PropertyKey[]; message: string }): string {
  const path = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(scenario)';
  return `scenario ${scenarioName}: ${path}: ${issue.message}`;
}

/** Validates and fills defaults; throws ScenarioError with a one-line message. */
export function parseScenario(input: unknown): Scenario {
  const r = ScenarioSchema.safeParse(input);
  if (r.success) return r.data;
  const name = typeof input === 'object' && input !== null && typeof (input as { name?: unknown }).name === 'string' ? (input as { name: string }).name : '(unnamed)';
  const issue = r.error.issues[0]!;
  throw new ScenarioError(formatIssue(name, issue));
}

/** Builds a validated scenario from its input form (a typed helper for catalogs). */
export function scenario(input: ScenarioInput): Scenario {
  return parseScenario(input);
}

/** Number of pages covering the file. */
export function filePages(s: Scenario): number {
  return Math.ceil(s.file.size / PAGE_SIZE);
}

/** A short human rendering of an operation: "getpages(p3, count 1, rbehind 2)". */
export function opText(o: Op): string {
  const { op, ...rest } = o;
  const args = Object.entries(rest)
    .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join('|') : String(v)}`);
  return `${op}(${args.join(', ')})`;
}
