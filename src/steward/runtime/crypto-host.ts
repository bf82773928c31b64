// The runtime's answer to a core's `crypto` effects (crypto-port.ts ops, the cost-model
// layouts of src/crypto/cost-model.ts) with real cryptography: RSA-1024 PKCS#1 v1.5 SHA-256
// through node:crypto for servers' and clients' messages, and native Shoup threshold RSA for
// the site key — inline on the node's thread or through the piscina signing pool.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { decodeFields } from '../../crypto/cost-model.js';
import { NodeSigner, NodeVerifier } from '../../crypto/node-signer.js';
import type { SigningPool } from '../../crypto/signing-pool.js';
import type { PartialSignature, ThresholdScheme, ThresholdShareSigner } from '../../crypto/signer.js';
import { ThresholdRsaPublicKey, ThresholdRsaShare } from '../../crypto/threshold-rsa/threshold-rsa.js';
import type { NodeKeys } from './deployment.js';

export interface CryptoAnswer {
  ok: boolean;
  bytes: Uint8Array;
}

const EMPTY = new Uint8Array(0);
const readU32 = (b: Uint8Array | undefined) => (b?.length === 4 ? new DataView(b.buffer, b.byteOffset).getUint32(0) : -1);
const partyOf = (p: Uint8Array): PartialSignature => ({ party: p.length >= 2 ? (p[0]! << 8) | p[1]! : 0, bytes: p });

export class CryptoHost {
  private readonly signer: NodeSigner;
  private readonly verifiers: NodeVerifier[];
  private readonly sites: ThresholdRsaPublicKey[];
  private readonly share: ThresholdShareSigner | null;
  private readonly mySite: ThresholdScheme | null;
  /** Operations answered, by op (for the bench's CPU accounting). */
  readonly counts = new Map<string, number>();

  constructor(keys: NodeKeys, site: number, pool?: SigningPool) {
    this.signer = new NodeSigner('rsa', createPrivateKey(keys.rsaPrivatePem));
    this.verifiers = keys.rsaPublicPem.map((pem) => new NodeVerifier('rsa', createPublicKey(pem)));
    this.sites = keys.sitePublic.map((k) => new ThresholdRsaPublicKey(k));
    this.share = keys.share ? (pool ? pool.shareSigner(keys.share) : new ThresholdRsaShare(keys.share)) : null;
    this.mySite = keys.share ? (pool ? pool.scheme(keys.sitePublic[site]!) : this.sites[site]!) : null;
  }

  async run(op: string, bytes: Uint8Array): Promise<CryptoAnswer> {
    this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
    try {
      return await this.answer(op, bytes);
    } catch {
      return { ok: false, bytes: EMPTY }; // a malformed request or too few valid shares
    }
  }

  private async answer(op: string, bytes: Uint8Array): Promise<CryptoAnswer> {
    const f = op === 'sign' || op === 'tsig.partial' ? undefined : decodeFields(bytes);
    switch (op) {
      case 'sign':
        return { ok: true, bytes: this.signer.signSync(bytes) };
      case 'verify': {
        const v = this.verifiers[readU32(f?.[0])];
        return { ok: !!v && f!.length === 3 && v.verifySync(f![1]!, f![2]!), bytes: EMPTY };
      }
      case 'tsig.partial':
        if (!this.share) return { ok: false, bytes: EMPTY };
        return { ok: true, bytes: (await this.share.partialSign(bytes)).bytes };
      case 'tsig.verify-share':
        if (!this.mySite || !f || f.length !== 2) return { ok: false, bytes: EMPTY };
        return { ok: await this.mySite.verifyPartial(f[0]!, partyOf(f[1]!)), bytes: EMPTY };
      case 'tsig.combine': {
        if (!this.mySite || !f || f.length < 1) return { ok: false, bytes: EMPTY };
        const out = await this.mySite.combine(f[0]!, f.slice(1).map(partyOf));
        return { ok: true, bytes: out.signature };
      }
      case 'tsig.verify': {
        const k = this.sites[readU32(f?.[0])];
        return { ok: !!k && f!.length === 3 && k.verifySync(f![1]!, f![2]!), bytes: EMPTY };
      }
      default:
        return { ok: false, bytes: EMPTY };
    }
  }
}
