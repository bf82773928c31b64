// The reusable decoder fuzzer: every message family's tests call `fuzzDecoder` with the
// family's decoder and some valid encodings. It feeds random bytes and mutations of the
// samples (bit flips, truncations, extensions, corrupted length fields, splices) and fails
// on anything but a DecodeError. Accepted inputs must re-encode consistently. Runs are a
// function of the seed; a failure names the seed, the iteration and the input.
import assert from 'node:assert/strict';
import { DecodeError, DECODE_ERROR_CODES } from '../../src/wire/decode-error.js';
import { encodeFrame, FrameDecoder } from '../../src/wire/stream-framer.js';

/** Default inputs per fuzz run: the floor for CI. */
export const FUZZ_INPUTS_DEFAULT = 100_000;
/** Longest purely random input: longer than every header, short enough to stay fast. */
const RANDOM_INPUT_MAX_BYTES = 96;
/** Mutations stacked on one sample: one to this many. */
const MUTATIONS_MAX = 3;

export interface FuzzTarget<T> {
  name: string;
  decode(bytes: Uint8Array): T;
  /** Given: accepted inputs must re-encode (byte-equal if canonical, else decode-equal). */
  encode?(value: T): Uint8Array;
  /** Valid encodings to mutate; include every message type and some boundary values. */
  samples: Uint8Array[];
  /** Decoders built on Reader accept only canonical bytes, so re-encoding is byte-exact (default). */
  canonical?: boolean;
}

export interface FuzzReport {
  inputs: number;
  accepted: number;
  rejected: Partial<Record<DecodeError['code'], number>>;
}

/** mulberry32: tiny, seedable, good enough to pick mutations. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Mutator {
  constructor(readonly rnd: () => number) {}

  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  randomBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  /** Values a corrupted length field likes to take: zero, one, sign bits, all ones, just past a bound. */
  lengthLike(input: Uint8Array): number[] {
    const width = [1, 2, 4][this.int(3)]!;
    const candidates = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x1_0000, 0x7fff_ffff, 0xffff_ffff, input.length, input.length + 1];
    const v = candidates[this.int(candidates.length)]! % 2 ** (8 * width);
    return Array.from({ length: width }, (_, i) => Math.floor(v / 256 ** i) & 0xff);
  }

  mutate(input: Uint8Array, samples: Uint8Array[]): Uint8Array {
    const b = Uint8Array.from(input);
    const at = this.int(b.length + 1);
    switch (this.int(8)) {
      case 0: {
        if (b.length === 0) return this.randomBytes(1);
        const bits = 1 + this.int(3);
        for (let i = 0; i < bits; i++) b[this.int(b.length)]! ^= 1 << this.int(8);
        return b;
      }
      case 1:
        return b.subarray(0, this.int(b.length));
      case 2:
        return concat(b, this.randomBytes(1 + this.int(16)));
      case 3: {
        const field = this.lengthLike(b);
        const out = Uint8Array.from(b);
        for (let i = 0; i < field.length && at + i < out.length; i++) out[at + i] = field[i]!;
        return out;
      }
      case 4:
        return concat(b.subarray(0, at), this.randomBytes(1 + this.int(8)), b.subarray(at));
      case 5:
        return concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + this.int(8))));
      case 6: {
        const other = samples[this.int(samples.length)]!;
        return concat(b.subarray(0, at), other.subarray(this.int(other.length + 1)));
      }
      default: {
        const len = 1 + this.int(8);
        return concat(b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len));
      }
    }
  }

  /** One fuzz input: a mutated sample most of the time, sometimes plain random bytes. */
  next(samples: Uint8Array[]): Uint8Array {
    if (samples.length === 0 || this.int(10) === 0) return this.randomBytes(this.int(RANDOM_INPUT_MAX_BYTES + 1));
    let b = samples[this.int(samples.length)]!;
    const n = 1 + this.int(MUTATIONS_MAX);
    for (let i = 0; i < n; i++) b = this.mutate(b, samples);
    return b;
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function hex(b: Uint8Array): string {
  const s = Buffer.from(b.subarray(0, 64)).toString('hex');
  return b.length > 64 ? `${s}… (${b.length} bytes)` : s;
}

function assertDecodeError(err: unknown, where: string): DecodeError {
  if (err instanceof DecodeError && (DECODE_ERROR_CODES as readonly string[]).includes(err.code)) return err;
  throw new assert.AssertionError({ message: `${where}: threw a non-DecodeError: ${String(err)}`, actual: err });
}

function count(report: FuzzReport, err: DecodeError): void {
  report.rejected[err.code] = (report.rejected[err.code] ?? 0) + 1;
}

/** Feeds `inputs` fuzz inputs to `target.decode`; fails on the first non-DecodeError or re-encode mismatch. */
export function fuzzDecoder<T>(target: FuzzTarget<T>, opts: { inputs?: number; seed?: number } = {}): FuzzReport {
  const inputs = opts.inputs ?? FUZZ_INPUTS_DEFAULT;
  const seed = opts.seed ?? 1;
  const m = new Mutator(prng(seed));
  const report: FuzzReport = { inputs: 0, accepted: 0, rejected: {} };
  for (let i = 0; i < inputs; i++) {
    const input = m.next(target.samples);
    const where = `fuzz ${target.name} seed=${seed} input #${i} [${hex(input)}]`;
    report.inputs++;
    let value: T;
    try {
      value = target.decode(input);
    } catch (err) {
      count(report, assertDecodeError(err, where));
      continue;
    }
    report.accepted++;
    if (target.encode) checkReencode(target, value, input, where);
  }
  return report;
}

function checkReencode<T>(target: FuzzTarget<T>, value: T, input: Uint8Array, where: string): void {
  const again = target.encode!(value);
  if (target.canonical ?? true) assert.deepEqual(again, Uint8Array.from(input), `${where}: re-encodes differently`);
  else assert.deepEqual(target.decode(again), value, `${where}: re-encoded value decodes differently`);
}

export interface FramerFuzzOptions<T> {
  /** Frame bodies to stream (e.g. a family's samples). */
  samples: Uint8Array[];
  maxFrameBytes: number;
  /** Streams to feed, each of several frames in random chunks. */
  streams?: number;
  seed?: number;
  /** Optional: decode each complete frame too (stream → frames → messages). */
  target?: FuzzTarget<T>;
}

/** Chunks are usually 1..this many bytes, so length prefixes get split across pushes. */
const TINY_CHUNK_MAX_BYTES = 5;
/** Frames per fuzzed stream: one to this many. */
const FRAMES_PER_STREAM_MAX = 6;

/**
 * Streams of framed samples, sometimes mutated (the length prefixes included), fed in random
 * chunks to a FrameDecoder: only DecodeError may escape, and an unmutated stream must yield
 * exactly its frames whatever the chunking.
 */
export function fuzzFramer<T>(opts: FramerFuzzOptions<T>): FuzzReport {
  const seed = opts.seed ?? 1;
  const m = new Mutator(prng(seed));
  const report: FuzzReport = { inputs: 0, accepted: 0, rejected: {} };
  const streams = opts.streams ?? 10_000;
  for (let s = 0; s < streams; s++) {
    const bodies = Array.from({ length: 1 + m.int(FRAMES_PER_STREAM_MAX) }, () => opts.samples[m.int(opts.samples.length)]!);
    const clean = concat(...bodies.map((b) => encodeFrame(b, opts.maxFrameBytes)));
    const mutated = m.int(2) === 0;
    const stream = mutated ? m.mutate(clean, opts.samples) : clean;
    const where = `fuzz framer seed=${seed} stream #${s} [${hex(stream)}]`;
    const decoder = new FrameDecoder(opts.maxFrameBytes);
    const frames: Uint8Array[] = [];
    report.inputs++;
    try {
      for (let at = 0; at < stream.length; ) {
        // Mostly tiny chunks (prefixes split across pushes), sometimes one big one.
        const len = m.int(3) === 0 ? 1 + m.int(stream.length - at) : 1 + m.int(TINY_CHUNK_MAX_BYTES);
        frames.push(...decoder.push(stream.subarray(at, at + len)));
        at += len;
      }
      decoder.end();
      report.accepted++;
    } catch (err) {
      count(report, assertDecodeError(err, where));
    }
    if (!mutated) assert.deepEqual(frames, bodies.map((b) => Uint8Array.from(b)), `${where}: frames differ`);
    if (opts.target) {
      for (const f of frames) {
        try {
          const value = opts.target.decode(f);
          if (opts.target.encode) checkReencode(opts.target, value, f, where);
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          assertDecodeError(err, `${where} (frame body)`);
        }
      }
    }
  }
  return report;
}
