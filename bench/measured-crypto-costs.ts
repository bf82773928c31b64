// The crypto costs of this machine, measured now, for the benches that charge the simulator's
// virtual CPUs per operation (steward, composable): RSA sign/verify (node:crypto) and Shoup
// threshold RSA partial, share check, combine and verify (native addon) at a given (n, k).
import { createHash } from 'node:crypto';
import type { CostedOp } from '../src/crypto/cost-model.js';
import { generatePlainKeyPair } from '../src/crypto/node-signer.js';
import type { PartialSignature } from '../src/crypto/signer.js';
import { dealThresholdKey } from '../src/crypto/threshold-rsa/keygen.js';
import { ThresholdRsaPublicKey, ThresholdRsaShare } from '../src/crypto/threshold-rsa/threshold-rsa.js';
import { sitePrimes, SITE_KEY_BITS } from '../src/steward/runtime/deployment.js';
import type { BenchContext } from './harness/bench.js';
import { measure, type MeasureOptions } from './harness/stats.js';

const TIMING: MeasureOptions = { minIterations: 20, minTimeMs: 300, warmupIterations: 5 };

/** µs per operation; `signedBytes` is the size of what a plain RSA signature covers (an update). */
export async function measuredCryptoCosts(ctx: BenchContext, tsig: { parties: number; threshold: number }, signedBytes: number): Promise<Record<CostedOp, number>> {
  const { parties, threshold } = tsig;
  ctx.progress(`measuring crypto: RSA-${SITE_KEY_BITS} and (${parties}, ${threshold}) threshold RSA-${SITE_KEY_BITS}`);
  const key = await dealThresholdKey({ bits: SITE_KEY_BITS, parties, threshold }, await sitePrimes(0, SITE_KEY_BITS));
  const pub = new ThresholdRsaPublicKey(key.publicKey);
  const shares = key.shares.slice(0, threshold).map((s) => new ThresholdRsaShare(s));
  const digest = createHash('sha256').update('castellan-measured-costs').digest();
  const partials: PartialSignature[] = shares.map((s) => ({ party: s.party, bytes: s.signSync(digest) }));
  const combined = pub.combineExactlySync(digest, partials);
  if (!combined.ok) throw new Error('threshold RSA self-check failed');
  const { signer, verifier } = generatePlainKeyPair('rsa');
  const update = new Uint8Array(signedBytes);
  const sig = signer.signSync(update);
  const us = (fn: () => unknown) => measure(fn, TIMING).nsPerOp / 1000;
  return {
    sign: us(() => signer.signSync(update)),
    verify: us(() => verifier.verifySync(update, sig)),
    'tsig.partial': us(() => shares[0]!.signSync(digest)),
    'tsig.verify-share': us(() => pub.verifyPartialSync(digest, partials[0]!)),
    'tsig.combine': us(() => pub.combineExactlySync(digest, partials)),
    'tsig.verify': us(() => pub.verifySync(digest, combined.signature)),
  };
}
