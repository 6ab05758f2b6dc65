/*
 * The four classic benchmarks of the DPOR literature, written against the
 * checker's protocol (Ops with footprints) and the kernel model's mutexes:
 *  - indexer(N): Flanagan and Godefroid (POPL 2005); N threads insert 4
 *    messages each into a 128-entry hash table by compare-and-swap, probing
 *    linearly; collisions start at 12 threads.
 *  - filesystem(N): Flanagan and Godefroid; N threads each lock an inode,
 *    and if it has no block, search the 26 blocks for a free one under each
 *    block's lock; collisions start at 14 threads.
 *  - lastzero(N): Abdulla, Aronis, Jonsson, Sagonas (POPL 2014); a reader
 *    scans array[N..0] down for the last zero while N writers each set
 *    array[j] = array[j-1] + 1.
 *  - readers(N): the same paper; one writer of x, N readers of x: 2^N traces.
 * A CAS is one step that writes its cell (dependent with any access to it),
 * as in those papers. Shared data under a lock is ordered by the lock.
 */
import type { Ctx, Op } from '../checker/op.ts';
import type { Program } from '../checker/runtime.ts';
import { mtx, mtx_lock, mtx_unlock } from '../impl/kernel/sync.ts';
import { explore } from '../checker/explore.ts';
import { DporStrategy } from '../checker/strategies/dpor.ts';
import { registerBenchCase } from './registry.ts';
import { REDUCTIONS } from './reductions.ts';

interface W {
  readonly ctx: Ctx;
  readonly mem: Int32Array;
}

const opCache = new Map<string, Op>();
function access(res: string, write: boolean): Op {
  const key = `${res}/${write ? 'w' : 'r'}`;
  let op = opCache.get(key);
  if (op === undefined) {
    op = { kind: 'access', label: `${write ? 'write' : 'read'} ${res}`, fp: [{ res, write, atomic: true }] };
    opCache.set(key, op);
  }
  return op;
}

/* ---- indexer ---- */
const SIZE = 128;
const MAX = 4;

function* indexerThread(w: W, tid: number) {
  for (let m = 1; ; m++) {
    const v = m * 11 + tid;
    let h = (v * 7) % SIZE;
    for (;;) {
      yield access(`table[${h}]`, true);
      if (w.mem[h] === 0) {
        w.mem[h] = v;
        break;
      }
      h = (h + 1) % SIZE;
    }
    if (m >= MAX) return;
  }
}

export function indexer(n: number): Program<W> {
  return {
    name: `indexer(${n})`,
    setup(ctx) {
      const w: W = { ctx, mem: new Int32Array(SIZE) };
      for (let t = 0; t < n; t++) ctx.spawn(`T${t}`, () => indexerThread(w, t));
      return w;
    },
  };
}

/* ---- filesystem ---- */
const NUMBLOCKS = 26;
const NUMINODE = 32;

interface FsW extends W {
  readonly locki: mtx[];
  readonly lockb: mtx[];
  readonly sleepq: never[];
}

function* fsThread(w: FsW, tid: number) {
  const inode = w.mem; // [0, NUMINODE): inode[i]; [NUMINODE, NUMINODE + NUMBLOCKS): busy[b]
  const i = tid % NUMINODE;
  const li = w.locki[i]!.res;
  yield* mtx_lock(w, w.locki[i]!, `lock locki[${i}]`);
  // Declared guarded accesses: ordered by the locks either way; with sections they say what a section holds.
  w.ctx.guarded(`inode[${i}]`, false, li);
  if (inode[i] === 0) {
    let b = (i * 2) % NUMBLOCKS;
    for (;;) {
      yield* mtx_lock(w, w.lockb[b]!, `lock lockb[${b}]`);
      w.ctx.guarded(`busy[${b}]`, false, w.lockb[b]!.res);
      if (inode[NUMINODE + b] === 0) {
        w.ctx.guarded(`busy[${b}]`, true, w.lockb[b]!.res);
        w.ctx.guarded(`inode[${i}]`, true, li);
        inode[NUMINODE + b] = 1;
        inode[i] = b + 1;
        yield* mtx_unlock(w, w.lockb[b]!, `unlock lockb[${b}]`);
        break;
      }
      yield* mtx_unlock(w, w.lockb[b]!, `unlock lockb[${b}]`);
      b = (b + 1) % NUMBLOCKS;
    }
  }
  yield* mtx_unlock(w, w.locki[i]!, `unlock locki[${i}]`);
}

/** With `sections`, the locks say their accesses are declared: sections may run as one step (checker/runtime.ts Sections). */
export function filesystem(n: number, sections = true): Program<FsW> {
  return {
    name: `filesystem(${n})`,
    setup(ctx) {
      const w: FsW = {
        ctx,
        mem: new Int32Array(NUMINODE + NUMBLOCKS),
        locki: Array.from({ length: NUMINODE }, (_, i) => new mtx(`locki[${i}]`, sections)),
        lockb: Array.from({ length: NUMBLOCKS }, (_, i) => new mtx(`lockb[${i}]`, sections)),
        sleepq: [],
      };
      for (let t = 0; t < n; t++) ctx.spawn(`T${t}`, () => fsThread(w, t));
      return w;
    },
  };
}

/* ---- lastzero ---- */
function* lastzeroReader(w: W, n: number) {
  for (let i = n; ; i--) {
    yield access(`array[${i}]`, false);
    if (w.mem[i] === 0) return;
  }
}

function* lastzeroWriter(w: W, j: number) {
  yield access(`array[${j - 1}]`, false);
  const v = w.mem[j - 1]! + 1;
  yield access(`array[${j}]`, true);
  w.mem[j] = v;
}

export function lastzero(n: number): Program<W> {
  return {
    name: `lastzero(${n})`,
    setup(ctx) {
      const w: W = { ctx, mem: new Int32Array(n + 1) };
      ctx.spawn('reader', () => lastzeroReader(w, n));
      for (let j = 1; j <= n; j++) ctx.spawn(`W${j}`, () => lastzeroWriter(w, j));
      return w;
    },
  };
}

/* ---- readers ---- */
function* readersWriter(w: W) {
  yield access('x', true);
  w.mem[0] = 1;
}

function* readersReader(w: W, i: number) {
  yield access('x', false);
  w.mem[i] = w.mem[0]!;
}

export function readers(n: number): Program<W> {
  return {
    name: `readers(${n})`,
    setup(ctx) {
      const w: W = { ctx, mem: new Int32Array(n + 1) };
      ctx.spawn('writer', () => readersWriter(w));
      for (let i = 1; i <= n; i++) ctx.spawn(`R${i}`, () => readersReader(w, i));
      return w;
    },
  };
}

/** The sizes measured, with the trace counts published (POPL 2005, POPL 2014, JACM 2017) or 2^N for readers. */
export const CLASSIC: readonly { readonly name: string; readonly program: () => Program<unknown>; readonly traces: number }[] = [
  ...[12, 13, 14].map((n) => ({ name: `indexer(${n})`, program: () => indexer(n) as Program<unknown>, traces: 8 ** (n - 11) })),
  ...[14, 16, 18, 19].map((n) => ({ name: `filesystem(${n})`, program: () => filesystem(n) as Program<unknown>, traces: 2 ** (n - 13) })),
  // lastzero(5): 64 published; lastzero(10): 3,328 as DPOR and the trace count agree here.
  ...[5, 10].map((n) => ({ name: `lastzero(${n})`, program: () => lastzero(n) as Program<unknown>, traces: n === 5 ? 64 : 3328 })),
  ...[2, 8, 13].map((n) => ({ name: `readers(${n})`, program: () => readers(n) as Program<unknown>, traces: 2 ** n })),
];

for (const c of CLASSIC) registerBenchCase({ name: c.name, group: 'classic', program: c.program, traces: c.traces, dfs: false, races: false });

/** `npm run bench -- classic`: executions and sleep-set blocked executions of each classic benchmark under each reduction. */
export async function classicMode(): Promise<void> {
  const head = ['benchmark', 'traces', ...REDUCTIONS.flatMap((r) => [`${r.label} exec`, `${r.label} cut`, `${r.label} time`])];
  const rows: string[][] = [head];
  for (const c of CLASSIC) {
    const row = [c.name, c.traces.toLocaleString('en-US')];
    for (const r of REDUCTIONS) {
      const o = explore(c.program(), { strategy: new DporStrategy(r.dpor), stopOnViolation: false, races: false });
      row.push(o.stats.executions.toLocaleString('en-US') + (o.stats.complete ? '' : '+'), o.stats.cut.toLocaleString('en-US'), `${(o.stats.elapsedMs / 1000).toFixed(2)} s`);
    }
    rows.push(row);
  }
  const w = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join('  '));
}
