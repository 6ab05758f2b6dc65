/*
 * The checker's one source of randomness: xoshiro128** (Blackman and Vigna,
 * 2018), seeded through splitmix32 so that nearby seeds give unrelated
 * streams. 32-bit arithmetic only, so every platform gives the same numbers
 * for the same seed. Nothing else in the checker may draw random numbers.
 */

/** splitmix32: turns a seed into well-mixed 32-bit words (used only for seeding). */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` must be an integer in [0, 2^32); other values are rejected. */
  constructor(readonly seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed ${seed} is not accepted: give an integer in [0, 4294967295]`);
    const st = { s: seed | 0 };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1; // the all-zero state is a fixed point
  }

  /** Next 32-bit unsigned word. */
  next32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform integer in [0, n), 1 <= n <= 2^32, without modulo bias (rejection sampling). */
  below(n: number): number {
    if (n <= 1) return 0;
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.next32();
      if (x < limit) return x % n;
    }
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  float(): number {
    return this.next32() / 0x100000000;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
