// The one signing interface every protocol uses (issue 3): servers and clients sign with a
// Signer and check with a Verifier, whatever the scheme behind it (plain RSA, Ed25519,
// threshold RSA, threshold BLS, or the simulator's cost model). A site's threshold scheme
// adds the share operations of Steward's THRESHOLD-SIGN (spec/steward.md §2, Fig. 3.10).

export interface Signer {
  /** Scheme name, e.g. `rsa`, `ed25519`, `shoup-rsa`, `bls12-381`, `cost-model`. */
  readonly scheme: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export interface Verifier {
  readonly scheme: string;
  /** False for a wrong or malformed signature; never throws for bad signature bytes. */
  verify(message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** One party's share of a threshold signature, as it travels in a Partial_Sig message. */
export interface PartialSignature {
  /** 1..parties. */
  party: number;
  /** Scheme-specific encoding (share and, for Shoup RSA, its proof of correctness). */
  bytes: Uint8Array;
}

/** A party's signer: `sign` returns that party's encoded partial signature. */
export interface ThresholdShareSigner extends Signer {
  readonly party: number;
  /** The partial with its party number decoded, for combining. */
  partialSign(message: Uint8Array): Promise<PartialSignature>;
}

export interface CombineOutcome {
  /** The site signature: verifies with the site's public key like a plain signature. */
  signature: Uint8Array;
  /** Parties whose shares failed verification (Steward adds them to corruptedServers). */
  faulty: number[];
}

/**
 * A site's public threshold key: a Verifier of combined signatures, plus share checks and
 * combining (spec/steward.md §2 ThresholdScheme).
 */
export interface ThresholdScheme extends Verifier {
  readonly parties: number;
  readonly threshold: number;
  verifyPartial(message: Uint8Array, partial: PartialSignature): Promise<boolean>;
  /** Optimistic: combine first, verify shares only if the result does not verify. */
  combine(message: Uint8Array, partials: PartialSignature[]): Promise<CombineOutcome>;
}

/** A crypto failure with a stable code, e.g. too few valid shares, a malformed key file. */
export class CryptoError extends Error {
  override name = 'CryptoError';
  constructor(
    readonly code: string,
    message: string,
    /** Parties named faulty while trying (combining). */
    readonly faulty: number[] = [],
  ) {
    super(message);
  }
}
