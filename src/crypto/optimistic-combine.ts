// Optimistic combining (issue 3; Steward Fig. 3.10): combine the first k shares and check
// the result with the public key, which costs one public-exponent verification; only when
// that fails, verify every share (k full proofs) to name the faulty parties, and combine
// again from k valid ones. Shared by every threshold scheme.
import { CryptoError, type CombineOutcome, type PartialSignature } from './signer.js';

export interface CombinePrimitives {
  readonly parties: number;
  readonly threshold: number;
  /** Combines exactly `threshold` distinct, well-formed shares; ok: the result verifies. */
  combineExactly(message: Uint8Array, partials: PartialSignature[]): Promise<{ ok: boolean; signature: Uint8Array }>;
  verifyPartial(message: Uint8Array, partial: PartialSignature): Promise<boolean>;
  /** False when the bytes cannot be a share of this key (wrong length, out of range). */
  wellFormed(partial: PartialSignature): boolean;
}

export async function optimisticCombine(
  scheme: CombinePrimitives,
  message: Uint8Array,
  partials: PartialSignature[],
): Promise<CombineOutcome> {
  const faulty = new Set<number>();
  const candidates: PartialSignature[] = [];
  const seen = new Set<number>();
  for (const p of partials) {
    if (!Number.isInteger(p.party) || p.party < 1 || p.party > scheme.parties)
      throw new CryptoError('ERR_CASTELLAN_TSIG_PARTY', `party ${p.party} is not 1..${scheme.parties}`);
    if (seen.has(p.party)) continue;
    seen.add(p.party);
    if (scheme.wellFormed(p)) candidates.push(p);
    else faulty.add(p.party);
  }
  const tooFew = (have: number) =>
    new CryptoError(
      'ERR_CASTELLAN_TSIG_TOO_FEW',
      `need ${scheme.threshold} valid shares from distinct parties, have ${have}` +
        (faulty.size ? `; faulty: ${[...faulty].join(', ')}` : ''),
      [...faulty],
    );
  if (candidates.length < scheme.threshold) throw tooFew(candidates.length);

  const first = await scheme.combineExactly(message, candidates.slice(0, scheme.threshold));
  if (first.ok) return { signature: first.signature, faulty: [...faulty] };

  const checks = await Promise.all(candidates.map((p) => scheme.verifyPartial(message, p)));
  const valid = candidates.filter((p, i) => {
    if (!checks[i]) faulty.add(p.party);
    return checks[i];
  });
  if (valid.length < scheme.threshold) throw tooFew(valid.length);
  const second = await scheme.combineExactly(message, valid.slice(0, scheme.threshold));
  if (!second.ok) throw new CryptoError('ERR_CASTELLAN_TSIG_COMBINE', 'verified shares did not combine to a valid signature');
  return { signature: second.signature, faulty: [...faulty] };
}
