// The simulator's only source of randomness. sfc32 (Chris Doty-Humphrey's Small Fast Counting
// generator, 128-bit state, passes PractRand) seeded through splitmix32, all in 32-bit integer
// arithmetic so a run is bit-identical on every platform. `fork` derives an independent
// stream per subsystem (scenario build, network, faults, ...) so that adding draws in one part
// of a run does not shift the numbers another part sees: replays stay stable as code grows.

/** sfc32's authors discard this many outputs after seeding to mix a weak seed. */
const SFC32_WARMUP_ROUNDS = 12;
const TWO_POW_32 = 4294967296;

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private readonly seedLo: number;
  private readonly seedHi: number;

  /** `seed` is any safe integer; `stream` selects an independent sequence for the same seed. */
  constructor(seed: number, stream = 0) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    this.seedLo = seed >>> 0;
    this.seedHi = Math.floor(seed / TWO_POW_32) >>> 0;
    const st = { s: this.seedLo ^ Math.imul(this.seedHi, 0x632be5ab) ^ Math.imul(stream + 1, 0x5bd1e995) };
    this.a = splitmix32(st) | 0;
    this.b = splitmix32(st) | 0;
    this.c = splitmix32(st) | 0;
    this.d = 1; // sfc32's counter starts at 1 by convention
    for (let i = 0; i < SFC32_WARMUP_ROUNDS; i++) this.next();
  }

  /** An independent generator for a named subsystem, derived from this one's seed only. */
  fork(stream: number): Rng {
    return new Rng(this.seedHi * TWO_POW_32 + this.seedLo, stream);
  }

  /** Next raw 32-bit output (unsigned). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next() / TWO_POW_32;
  }

  /** Integer uniform in [0, n), n ≤ 2^32; floor-of-product bias is below 2^-32·n, fine here. */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Integer uniform in [min, max] (both inclusive). */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability p. Draws nothing when p is 0 or 1 so disabled features cost no draws. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.uniform() < p;
  }

  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.uniform());
  }

  /** Normally distributed (Box–Muller; one value per call, the pair's twin is not cached). */
  normal(mean: number, sd: number): number {
    const u = 1 - this.uniform(); // (0, 1]: log stays finite
    const v = this.uniform();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array');
    return items[this.int(items.length)]!;
  }

  /** Fill `out` with random bytes. */
  bytes(out: Uint8Array): Uint8Array {
    for (let i = 0; i < out.length; i += 4) {
      let x = this.next();
      for (let k = 0; k < 4 && i + k < out.length; k++, x >>>= 8) out[i + k] = x & 0xff;
    }
    return out;
  }
}
