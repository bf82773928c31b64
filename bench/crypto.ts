// `castellan bench crypto` (issue 3): per-operation costs of Shoup threshold RSA at the chosen
// key sizes and (n, k) = (16,11), (16,6), (4,3), beside their floors measured in the same
// run: one full-size constant-time exponentiation (`modexp.full`) and node:crypto's plain
// RSA sign/verify; threshold BLS; and Merkle batch signing throughput of one party through
// the signing pool. The paper's 2008 figures are in bench/RESULTS.md, never compared here.
import { randomBytes } from 'node:crypto';
import type { Bench, BenchContext, BenchResult } from './harness/bench.js';
import { ratio } from './harness/ratio.js';
import { measure, type MeasureOptions } from './harness/stats.js';
import { generatePlainKeyPair } from '../src/crypto/node-signer.js';
import { dealBls, ThresholdBlsPublicKey, ThresholdBlsShare } from '../src/crypto/threshold-bls.js';
import { MerkleBatcher } from '../src/crypto/merkle-batcher.js';
import { SigningPool } from '../src/crypto/signing-pool.js';
import { dealThresholdKey, generateSafePrimePair } from '../src/crypto/threshold-rsa/keygen.js';
import { ThresholdRsaPublicKey, ThresholdRsaShare } from '../src/crypto/threshold-rsa/threshold-rsa.js';
import type { PartialSignature } from '../src/crypto/signer.js';

const BITS_DEFAULT = [1024, 2048];
const BITS_QUICK = [1024];
const SETTINGS: Array<[number, number]> = [[16, 11], [16, 6], [4, 3]];
const BATCHES_FULL = [1, 4, 16, 64, 256, 1024];
const BATCHES_QUICK = [1, 256];
/** Merkle runs: this many batches per size, so each run lasts long enough to time. */
const MERKLE_BATCHES_PER_RUN = 64;
const MERKLE_MESSAGES_MIN = 2000;
/** The paper's update size (Steward §3.5: 200-byte SQL statement). */
const MESSAGE_BYTES = 200;
/** Per operation: ~0.5 s gives a stable mean on a shared 2-core machine. */
const TIMING_FULL: MeasureOptions = { minIterations: 20, minTimeMs: 500, warmupIterations: 5 };
const TIMING_QUICK: MeasureOptions = { minIterations: 5, minTimeMs: 50, warmupIterations: 2 };
/** BLS in pure JS is slow (ms per pairing): fewer iterations suffice. */
const BLS_TIMING: MeasureOptions = { minIterations: 5, minTimeMs: 300, warmupIterations: 1 };

const ms = (ns: number) => ns / 1e6;

function bitsList(ctx: BenchContext): number[] {
  const given = ctx.options.bits;
  if (given === undefined || given === true) return ctx.quick ? BITS_QUICK : BITS_DEFAULT;
  const list = String(given).split(',').map(Number);
  if (list.some((b) => ![1024, 2048, 3072].includes(b))) throw new RangeError(`--bits expects some of 1024,2048,3072, got ${given}`);
  return list;
}

function timed(name: string, params: BenchResult['params'], fn: () => unknown, timing: MeasureOptions): BenchResult {
  return { name, params, unit: 'ms', value: ms(measure(fn, timing).nsPerOp) };
}

async function rsaSizeResults(ctx: BenchContext, bits: number, timing: MeasureOptions): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const message = randomBytes(MESSAGE_BYTES);
  ctx.progress(`${bits} bits: generating two ${bits / 2}-bit safe primes`);
  let t0 = process.hrtime.bigint();
  const primes = await generateSafePrimePair(bits);
  const primeMs = ms(Number(process.hrtime.bigint() - t0));
  let floor: BenchResult | undefined;
  for (const [n, k] of SETTINGS) {
    const params = { bits, n, k };
    t0 = process.hrtime.bigint();
    const set = await dealThresholdKey({ bits, parties: n, threshold: k }, primes);
    out.push({ name: 'tsig.keygen', params, unit: 'ms', value: primeMs + ms(Number(process.hrtime.bigint() - t0)) });
    const site = new ThresholdRsaPublicKey(set.publicKey);
    const shares = set.shares.map((s) => new ThresholdRsaShare(s));
    if (!floor) {
      const base = randomBytes(bits / 8 - 1);
      const exponent = randomBytes(bits / 8);
      exponent[0]! |= 0x80; // exactly |n| bits
      floor = timed('modexp.full', { bits }, () => shares[0]!.modexpSecretSync(base, exponent), timing);
      const plain = generatePlainKeyPair('rsa', bits);
      const sig = plain.signer.signSync(message);
      out.push(floor, timed('rsa.sign', { bits }, () => plain.signer.signSync(message), timing));
      out.push(timed('rsa.verify', { bits }, () => plain.verifier.verifySync(message, sig), timing));
    }
    ctx.progress(`${bits} bits, (n,k) = (${n},${k})`);
    const partial = timed('tsig.partial_with_proof', params, () => shares[0]!.signSync(message), timing);
    const partials: PartialSignature[] = shares.slice(0, k).map((s) => ({ party: s.party, bytes: s.signSync(message) }));
    const combined = site.combineExactlySync(message, partials);
    if (!combined.ok) throw new Error('benchmark key failed to combine');
    out.push(
      partial,
      ratio('tsig.partial_with_proof_over_modexp', partial, floor, params),
      timed('tsig.verify_share', params, () => site.verifyPartialSync(message, partials[0]!), timing),
      // Optimistic combine: Lagrange combination plus the y^e = x check, no share proofs.
      timed('tsig.combine', params, () => site.combineExactlySync(message, partials), timing),
      timed('tsig.verify', params, () => site.verifySync(message, combined.signature), timing),
    );
  }
  return out;
}

async function blsResults(ctx: BenchContext): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const message = randomBytes(MESSAGE_BYTES);
  for (const [n, k] of SETTINGS) {
    ctx.progress(`BLS12-381 (n,k) = (${n},${k})`);
    const { publicKey, shares } = dealBls(n, k);
    const site = new ThresholdBlsPublicKey(publicKey);
    const signers = shares.slice(0, k).map((s) => new ThresholdBlsShare(s));
    const partials = await Promise.all(signers.map((s) => s.partialSign(message)));
    const { signature } = await site.combine(message, partials);
    const params = { n, k };
    const asyncTimed = async (name: string, fn: () => Promise<unknown>) => {
      const samples: number[] = [];
      await fn();
      for (let t = 0; samples.length < BLS_TIMING.minIterations || t < BLS_TIMING.minTimeMs * 1e6; ) {
        const t0 = process.hrtime.bigint();
        await fn();
        const dt = Number(process.hrtime.bigint() - t0);
        samples.push(dt);
        t += dt;
      }
      out.push({ name, params, unit: 'ms', value: ms(samples.reduce((a, b) => a + b, 0) / samples.length) });
    };
    await asyncTimed('bls.sign', () => signers[0]!.sign(message));
    await asyncTimed('bls.verify_share', () => site.verifyPartial(message, partials[0]!));
    await asyncTimed('bls.combine', () => site.combineExactly(message, partials));
    await asyncTimed('bls.verify', () => site.verify(message, signature));
  }
  return out;
}

async function merkleResults(ctx: BenchContext): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const [n, k] = SETTINGS[0]!;
  const set = await dealThresholdKey({ bits: 1024, parties: n, threshold: k }, await generateSafePrimePair(1024));
  const pool = new SigningPool();
  try {
    for (const batch of ctx.quick ? BATCHES_QUICK : BATCHES_FULL) {
      const batcher = new MerkleBatcher(pool.merkleSigner(set.shares[0]!), { concurrency: pool.threads, maxBatch: batch });
      const total = Math.ceil(Math.max(MERKLE_MESSAGES_MIN, batch * MERKLE_BATCHES_PER_RUN * pool.threads) / (ctx.quick ? 8 : 1));
      const messages = Array.from({ length: total }, () => randomBytes(MESSAGE_BYTES));
      await Promise.all(messages.slice(0, batch * pool.threads).map((m) => batcher.submit(m))); // warm the workers' keys
      ctx.progress(`Merkle batch ${batch}: ${total} messages, ${pool.threads} threads`);
      const t0 = process.hrtime.bigint();
      await Promise.all(messages.map((m) => batcher.submit(m)));
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      out.push({ name: 'merkle.sign_rate', params: { batch, bits: 1024, threads: pool.threads }, unit: 'messages/s', value: total / seconds });
    }
  } finally {
    await pool.close();
  }
  return out;
}

export const cryptoBench: Bench = {
  name: 'crypto',
  summary: 'threshold RSA per-op costs vs a full exponentiation and node:crypto RSA; BLS; Merkle signing rate',
  optionsHelp: `  --bits LIST   key sizes (default ${BITS_DEFAULT.join(',')}; 3072 on request: its safe primes take minutes)`,
  plots: [
    { title: 'Threshold RSA cost per operation', metric: ['tsig.partial_with_proof', 'tsig.verify_share', 'tsig.combine'], x: 'k', series: 'bits', where: { n: 16 } },
    { title: 'Merkle batch signing, one party', metric: 'merkle.sign_rate', x: 'batch', logX: true, logY: true },
  ],
  async run(ctx) {
    const timing = ctx.quick ? TIMING_QUICK : TIMING_FULL;
    const out: BenchResult[] = [];
    for (const bits of bitsList(ctx)) out.push(...(await rsaSizeResults(ctx, bits, timing)));
    out.push(...(await blsResults(ctx)));
    out.push(...(await merkleResults(ctx)));
    return out;
  },
};
