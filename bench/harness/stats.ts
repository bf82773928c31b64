// Small statistics for benchmarks: percentiles over latency samples, and a timing loop for
// per-operation costs too small to time one at a time.

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('mean of no samples');
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1). */
export function stddev(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** The p-th percentile (0..100) by nearest rank: always a value that was observed. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) throw new RangeError('percentile of no samples');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside [0, 100]`);
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface MeasureOptions {
  /** At least this many timed calls. */
  minIterations: number;
  /** And at least this long, in ms. */
  minTimeMs: number;
  /** Untimed calls first, so the JIT has compiled `fn` (default: minIterations / 10, at least 1). */
  warmupIterations?: number;
}

export interface Measurement {
  iterations: number;
  elapsedMs: number;
  nsPerOp: number;
  opsPerS: number;
}

/** First batch size; doubled until a batch lasts long enough that timer overhead vanishes. */
const BATCH_START = 16;
/** A batch this long (ms) makes the clock's cost per call negligible. */
const BATCH_TARGET_MS = 5;

/**
 * Times `fn` in batches (one clock read per batch, not per call) until both minimums are
 * met. `fn`'s return value is kept in a sink so the JIT cannot drop the call.
 */
export function measure(fn: () => unknown, opts: MeasureOptions): Measurement {
  let sink: unknown;
  const warmup = opts.warmupIterations ?? Math.max(1, Math.floor(opts.minIterations / 10));
  for (let i = 0; i < warmup; i++) sink = fn();
  let iterations = 0;
  let elapsedNs = 0n;
  let batch = BATCH_START;
  while (iterations < opts.minIterations || Number(elapsedNs) / 1e6 < opts.minTimeMs) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) sink = fn();
    const dt = process.hrtime.bigint() - t0;
    elapsedNs += dt;
    iterations += batch;
    if (Number(dt) / 1e6 < BATCH_TARGET_MS) batch *= 2;
  }
  blackhole.value = sink;
  const nsPerOp = Number(elapsedNs) / iterations;
  return { iterations, elapsedMs: Number(elapsedNs) / 1e6, nsPerOp, opsPerS: 1e9 / nsPerOp };
}

/** Where measured results go so the JIT cannot prove them unused. */
const blackhole: { value: unknown } = { value: undefined };
