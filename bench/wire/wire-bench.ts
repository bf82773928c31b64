// `castellan bench wire`: what the codec conventions cost. Encode/decode of a representative
// message against JSON of the same message (the baseline, same run), and CRC-32C native vs
// TypeScript by input size (which sets CRC32C_NATIVE_MIN_BYTES in src/wire/crc32c.ts).
import type { Bench, BenchContext, BenchResult } from '../harness/bench.js';
import { ratio } from '../harness/ratio.js';
import { measure, type MeasureOptions } from '../harness/stats.js';
import { addon } from '../../src/native/addon.js';
import { crc32cReference } from '../../src/wire/crc32c.js';
import { benchFamily, jsonDecode, jsonEncode, PAYLOAD_MAX, sampleProposal } from './sample-message.js';

const PAYLOADS_FULL = [64, 256, 1024, 4096, 16384];
const PAYLOADS_QUICK = [64, 1024];
const CRC_SIZES_FULL = [16, 32, 64, 128, 256, 1024, 4096, 65536];
const CRC_SIZES_QUICK = [16, 256, 4096];
/** Per measurement: long enough for a stable figure on a shared 2-core machine. */
const TIMING_FULL: MeasureOptions = { minIterations: 1000, minTimeMs: 300 };
/** --quick: a smoke test of the pipeline, figures are indicative only. */
const TIMING_QUICK: MeasureOptions = { minIterations: 100, minTimeMs: 20 };
const MB = 1e6;

function sizes(ctx: BenchContext, option: string, full: number[], quick: number[], max: number): number[] {
  const given = ctx.options[option];
  if (given === undefined) return ctx.quick ? quick : full;
  const list = String(given).split(',').map(Number);
  if (list.some((n) => !Number.isInteger(n) || n < 0 || n > max))
    throw new RangeError(`--${option} expects comma-separated integers in [0, ${max}], got ${given}`);
  return list;
}

const codecs = {
  wire: { encode: (m: ReturnType<typeof sampleProposal>) => benchFamily.encode(m), decode: (b: Uint8Array) => benchFamily.decode(b) },
  json: { encode: jsonEncode, decode: jsonDecode },
};

function codecResults(ctx: BenchContext, timing: MeasureOptions): BenchResult[] {
  const out: BenchResult[] = [];
  for (const payload of sizes(ctx, 'payloads', PAYLOADS_FULL, PAYLOADS_QUICK, PAYLOAD_MAX)) {
    const m = sampleProposal(payload);
    const rate: Record<string, BenchResult> = {};
    for (const [codec, c] of Object.entries(codecs)) {
      const encoded = c.encode(m);
      for (const op of ['encode', 'decode'] as const) {
        ctx.progress(`wire: ${op} ${codec}, payload ${payload} B`);
        const t = op === 'encode' ? measure(() => c.encode(m), timing) : measure(() => c.decode(encoded), timing);
        const params = { codec, payload, encodedBytes: encoded.length };
        const r = { name: `wire.${op}`, params, unit: 'messages/s', value: t.opsPerS };
        rate[`${op}.${codec}`] = r;
        out.push(r, { name: `wire.${op}.bytes`, params, unit: 'MB/s', value: (t.opsPerS * encoded.length) / MB });
      }
    }
    for (const op of ['encode', 'decode'])
      out.push(ratio(`wire.${op}.speedup_vs_json`, rate[`${op}.wire`]!, rate[`${op}.json`]!, { payload }));
  }
  return out;
}

function crcResults(ctx: BenchContext, timing: MeasureOptions): BenchResult[] {
  const native = addon().checksum.crc32c;
  const out: BenchResult[] = [];
  for (const size of sizes(ctx, 'crc-sizes', CRC_SIZES_FULL, CRC_SIZES_QUICK, 16 * 1024 * 1024)) {
    const data = new Uint8Array(size).map((_, i) => i);
    const impls = { native: () => native(data), typescript: () => crc32cReference(data) };
    const r: Record<string, BenchResult> = {};
    for (const [impl, fn] of Object.entries(impls)) {
      ctx.progress(`wire: crc32c ${impl}, ${size} B`);
      const t = measure(fn, timing);
      r[impl] = { name: 'crc32c', params: { impl, bytes: size }, unit: 'MB/s', value: (t.opsPerS * size) / MB };
      out.push(r[impl]!, { name: 'crc32c.call', params: { impl, bytes: size }, unit: 'ns', value: t.nsPerOp });
    }
    out.push(ratio('crc32c.native_vs_typescript', r.native!, r.typescript!, { bytes: size }));
  }
  return out;
}

export const wireBench: Bench = {
  name: 'wire',
  summary: 'codec encode/decode vs JSON of the same message; CRC-32C native vs TypeScript',
  optionsHelp: `  --payloads LIST   payload sizes in bytes (default ${PAYLOADS_FULL.join(',')}; quick ${PAYLOADS_QUICK.join(',')})
  --crc-sizes LIST  CRC-32C input sizes in bytes (default ${CRC_SIZES_FULL.join(',')}; quick ${CRC_SIZES_QUICK.join(',')})`,
  optionNames: ['payloads', 'crc-sizes'],
  plots: [
    { title: 'encode/decode rate: castellan wire vs JSON', metric: ['wire.encode', 'wire.decode'], x: 'payload', series: 'codec', logX: true, logY: true },
    { title: 'CRC-32C throughput: native vs TypeScript', metric: 'crc32c', x: 'bytes', series: 'impl', logX: true, logY: true },
  ],
  async run(ctx) {
    const timing = ctx.quick ? TIMING_QUICK : TIMING_FULL;
    return [...codecResults(ctx, timing), ...crcResults(ctx, timing)];
  },
};
