// Threshold BLS on BLS12-381 (@noble/curves), the alternative site-signature scheme: shares
// are Shamir shares of the secret key over the scalar field, a partial is H(m)^s_i, any k
// of them interpolate in the exponent to H(m)^s. Shares need no proof: each checks with one
// pairing against its public share g^s_i. Signatures in G2 (96 bytes), keys in G1 (48).
import { randomBytes } from 'node:crypto';
import { bls12_381, bls12_381_Fr as Fr } from '@noble/curves/bls12-381.js';
import { optimisticCombine, type CombinePrimitives } from './optimistic-combine.js';
import { CryptoError, type CombineOutcome, type PartialSignature, type ThresholdScheme, type ThresholdShareSigner } from './signer.js';

export const BLS_THRESHOLD = 'bls12-381-threshold';
const bls = bls12_381.longSignatures;
const G1 = bls12_381.G1.Point;
const SIGNATURE_BYTES = 96;
const PARTY_BYTES = 2;
/** 64 random bytes reduced mod r: bias below 2^-250. */
const SCALAR_SEED_BYTES = 64;

export interface BlsPublicKeyJson {
  scheme: typeof BLS_THRESHOLD;
  parties: number;
  threshold: number;
  publicKey: string;
  verificationKeys: string[];
}

export interface BlsShareJson {
  scheme: typeof BLS_THRESHOLD;
  party: number;
  share: string;
  publicKey: BlsPublicKeyJson;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const randomScalar = () => Fr.create(BigInt('0x' + randomBytes(SCALAR_SEED_BYTES).toString('hex')));

/** Trusted dealer: f of degree k-1 over Fr, s_i = f(i), public key g^f(0). */
export function dealBls(parties: number, threshold: number): { publicKey: BlsPublicKeyJson; shares: BlsShareJson[] } {
  if (!Number.isInteger(parties) || parties < 1 || !Number.isInteger(threshold) || threshold < 1 || threshold > parties)
    throw new CryptoError('ERR_CASTELLAN_TSIG_SPEC', `need 1 <= threshold <= parties, got (${parties}, ${threshold})`);
  const coeffs = Array.from({ length: threshold }, randomScalar);
  const f = (x: bigint) => coeffs.reduceRight((acc, c) => Fr.add(Fr.mul(acc, x), c), 0n);
  const shares = Array.from({ length: parties }, (_, i) => f(BigInt(i + 1)));
  const publicKey: BlsPublicKeyJson = {
    scheme: BLS_THRESHOLD,
    parties,
    threshold,
    publicKey: hex(G1.BASE.multiply(coeffs[0]!).toBytes()),
    verificationKeys: shares.map((s) => hex(G1.BASE.multiply(s).toBytes())),
  };
  return { publicKey, shares: shares.map((s, i) => ({ scheme: BLS_THRESHOLD, party: i + 1, share: hex(Fr.toBytes(s)), publicKey })) };
}

function verifyBytes(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return bls.verify(signature, bls.hash(message), publicKey);
  } catch {
    return false;
  }
}

/** λ_i = prod_{j≠i} j / (j - i) mod r: interpolation at 0. */
function lagrangeAtZero(parties: number[], i: number): bigint {
  let num = 1n;
  let den = 1n;
  for (const j of parties) {
    if (j === i) continue;
    num = Fr.mul(num, BigInt(j));
    den = Fr.mul(den, Fr.create(BigInt(j - i)));
  }
  return Fr.div(num, den);
}

export class ThresholdBlsPublicKey implements ThresholdScheme, CombinePrimitives {
  readonly scheme = BLS_THRESHOLD;
  readonly parties: number;
  readonly threshold: number;
  private readonly publicKey: Uint8Array;
  private readonly verificationKeys: Uint8Array[];

  constructor(readonly json: BlsPublicKeyJson) {
    this.parties = json.parties;
    this.threshold = json.threshold;
    this.publicKey = unhex(json.publicKey);
    this.verificationKeys = json.verificationKeys.map(unhex);
  }

  async verify(message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return verifyBytes(signature, message, this.publicKey);
  }

  wellFormed(p: PartialSignature): boolean {
    return p.bytes.length === PARTY_BYTES + SIGNATURE_BYTES && ((p.bytes[0]! << 8) | p.bytes[1]!) === p.party;
  }

  async verifyPartial(message: Uint8Array, p: PartialSignature): Promise<boolean> {
    const vk = this.verificationKeys[p.party - 1];
    return vk !== undefined && this.wellFormed(p) && verifyBytes(p.bytes.subarray(PARTY_BYTES), message, vk);
  }

  async combineExactly(message: Uint8Array, partials: PartialSignature[]): Promise<{ ok: boolean; signature: Uint8Array }> {
    const parties = partials.map((p) => p.party);
    let sum;
    try {
      sum = partials
        .map((p) => bls.Signature.fromBytes(p.bytes.subarray(PARTY_BYTES)).multiply(lagrangeAtZero(parties, p.party)))
        .reduce((a, b) => a.add(b));
    } catch {
      return { ok: false, signature: new Uint8Array(SIGNATURE_BYTES) };
    }
    const signature = bls.Signature.toBytes(sum);
    return { ok: verifyBytes(signature, message, this.publicKey), signature };
  }

  combine(message: Uint8Array, partials: PartialSignature[]): Promise<CombineOutcome> {
    return optimisticCombine(this, message, partials);
  }
}

export class ThresholdBlsShare implements ThresholdShareSigner {
  readonly scheme = BLS_THRESHOLD;
  readonly party: number;
  private readonly secret: Uint8Array;

  constructor(json: BlsShareJson) {
    this.party = json.party;
    this.secret = unhex(json.share);
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    const out = new Uint8Array(PARTY_BYTES + SIGNATURE_BYTES);
    out[0] = this.party >> 8;
    out[1] = this.party & 0xff;
    out.set(bls.Signature.toBytes(bls.sign(bls.hash(message), this.secret)), PARTY_BYTES);
    return out;
  }

  async partialSign(message: Uint8Array): Promise<PartialSignature> {
    return { party: this.party, bytes: await this.sign(message) };
  }
}
