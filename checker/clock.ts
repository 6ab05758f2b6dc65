/*
 * Vector clocks of happens-before, one implementation for the checker: DPOR
 * (strategies/dpor.ts: a clock per step and per thread, of the dependency
 * order) and the race detector (races.ts: a clock per thread and per
 * synchronisation object, of the synchronisation order) keep their clocks
 * in ClockTables.
 *
 * A table is `rows` clocks of `width` thread components in one flat
 * Int32Array (row r, thread t at r * width + t): no allocation per step, and
 * the hot loops of DPOR index `data` directly. Components past the threads
 * a caller has seen are 0, so a clock read for a thread it never heard of
 * says "nothing of it is known", as a vector clock should.
 */
export class ClockTable {
  data: Int32Array;
  width: number;
  rows: number;

  constructor(rows = 16, width = 4) {
    this.rows = rows;
    this.width = width;
    this.data = new Int32Array(rows * width);
  }

  /** Makes room for at least `rows` clocks of `width` threads, keeping every value (capacities double). */
  ensure(rows: number, width: number): void {
    if (rows <= this.rows && width <= this.width) return;
    let r2 = this.rows;
    while (r2 < rows) r2 *= 2;
    let w2 = this.width;
    while (w2 < width) w2 *= 2;
    const d = new Int32Array(r2 * w2);
    if (w2 === this.width) d.set(this.data);
    else {
      const w = this.width;
      for (let r = 0; r < this.rows; r++) for (let u = 0; u < w; u++) d[r * w2 + u] = this.data[r * w + u]!;
    }
    this.data = d;
    this.rows = r2;
    this.width = w2;
  }

  get(r: number, t: number): number {
    return this.data[r * this.width + t]!;
  }

  set(r: number, t: number, v: number): void {
    this.data[r * this.width + t] = v;
  }

  /** Adds one to thread t's component of clock r (a new epoch). */
  tick(r: number, t: number): void {
    this.data[r * this.width + t]!++;
  }

  /** Clock r := 0 over the first n threads. */
  zero(r: number, n: number): void {
    this.data.fill(0, r * this.width, r * this.width + n);
  }

  /** Clock dst := clock src of `from` (this table by default), over the first n threads. */
  copy(dst: number, src: number, n: number, from: ClockTable = this): void {
    const d = this.data;
    const s = from.data;
    const db = dst * this.width;
    const sb = src * from.width;
    for (let u = 0; u < n; u++) d[db + u] = s[sb + u]!;
  }

  /** Clock dst := dst joined with clock src of `from`, over the first n threads. */
  join(dst: number, src: number, n: number, from: ClockTable = this): void {
    const d = this.data;
    const s = from.data;
    const db = dst * this.width;
    const sb = src * from.width;
    for (let u = 0; u < n; u++) {
      const v = s[sb + u]!;
      if (v > d[db + u]!) d[db + u] = v;
    }
  }

  /** Whether the event numbered `pos` of thread t happens before (or is) the point of clock r. */
  covers(r: number, t: number, pos: number): boolean {
    return this.data[r * this.width + t]! >= pos;
  }
}
