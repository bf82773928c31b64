// Plain signatures of servers and clients (Steward §2.2.3: every message carries its
// sender's RSA signature) through node:crypto: RSA PKCS#1 v1.5 with SHA-256, or Ed25519.
import { generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { Signer, Verifier } from './signer.js';

export type PlainScheme = 'rsa' | 'ed25519';

/** node:crypto's digest argument: SHA-256 for RSA; Ed25519 hashes internally (null). */
const DIGEST: Record<PlainScheme, string | null> = { rsa: 'sha256', ed25519: null };

/** The paper's RSA size (Steward §3.5: 1024-bit RSA). */
export const DEFAULT_RSA_BITS = 1024;

export class NodeSigner implements Signer {
  constructor(
    readonly scheme: PlainScheme,
    private readonly privateKey: KeyObject,
  ) {}

  /** Synchronous: one RSA-1024 signature is ~0.1 ms here (bench `rsa.sign`). */
  async sign(message: Uint8Array): Promise<Uint8Array> {
    return this.signSync(message);
  }

  signSync(message: Uint8Array): Uint8Array {
    return cryptoSign(DIGEST[this.scheme], message, this.privateKey);
  }
}

export class NodeVerifier implements Verifier {
  constructor(
    readonly scheme: PlainScheme,
    readonly publicKey: KeyObject,
  ) {}

  async verify(message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return this.verifySync(message, signature);
  }

  verifySync(message: Uint8Array, signature: Uint8Array): boolean {
    try {
      return cryptoVerify(DIGEST[this.scheme], message, this.publicKey, signature);
    } catch {
      return false;
    }
  }
}

export function generatePlainKeyPair(scheme: PlainScheme, rsaBits = DEFAULT_RSA_BITS): { signer: NodeSigner; verifier: NodeVerifier } {
  const { privateKey, publicKey } =
    scheme === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: rsaBits, publicExponent: 65537 }) : generateKeyPairSync('ed25519');
  return { signer: new NodeSigner(scheme, privateKey), verifier: new NodeVerifier(scheme, publicKey) };
}
