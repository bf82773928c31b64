// The simulator's crypto (issue 3): a core's `crypto` effect is answered after the virtual
// time the real operation costs, with a stand-in result that is unforgeable inside the run
// (an HMAC under a key only the host holds), so Byzantine cores still cannot forge. Plugs
// into SimSetup.crypto (src/sim/setup.ts). Costs default to the paper's 2008 figures.
//
// Ops and their request bytes (fields are u32-length-prefixed, see encodeFields):
//   sign               message                          → signature
//   verify             [signer u32, message, signature] → ok
//   tsig.partial       message                          → partial (this node's share)
//   tsig.verify-share  [message, partial]               → ok
//   tsig.combine       [message, partial, partial, ...] → site signature; ok false if < k valid
//   tsig.verify        [site u32, message, signature]   → ok
import { createHmac, randomBytes } from 'node:crypto';
import type { NodeId } from '../sim/core.js';
import type { CryptoAnswer, CryptoHandler, CryptoJob } from '../sim/setup.js';

export type CostedOp = 'sign' | 'verify' | 'tsig.partial' | 'tsig.verify-share' | 'tsig.combine' | 'tsig.verify';

/**
 * Steward §3.5/§4.7, 3.2 GHz Xeon, 1024-bit keys. The paper gives no share-verification time;
 * it costs the same exponentiations as making the share and its proof, so it is set equal.
 */
export const PAPER_2008_COSTS_US: Record<CostedOp, number> = {
  sign: 1300,
  verify: 70,
  'tsig.partial': 3900,
  'tsig.verify-share': 3900,
  'tsig.combine': 5600,
  'tsig.verify': 70,
};

/** Wire sizes at 1024 bits, so the network model carries realistic bytes. */
export const RSA_1024_SIGNATURE_BYTES = 128;
/** party (2) + x_i (128) + c (16) + z (161): src/crypto/threshold-rsa/partial-codec.ts. */
export const SHOUP_1024_PARTIAL_BYTES = 307;

export interface CostModelOptions {
  /** Which site each node signs for, and as which party (1-based). Nodes absent: no share. */
  sites: Map<NodeId, { site: number; party: number }>;
  /** Shares needed per site signature. */
  threshold: number;
  costsUs?: Partial<Record<CostedOp, number>>;
  signatureBytes?: number;
  partialBytes?: number;
  /** The host's MAC key; fixed in tests for byte-exact traces, random otherwise. */
  secret?: Uint8Array;
}

export function encodeFields(fields: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(fields.reduce((n, f) => n + 4 + f.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const f of fields) {
    view.setUint32(at, f.length);
    out.set(f, at + 4);
    at += 4 + f.length;
  }
  return out;
}

/** undefined when the bytes are not a well-formed field list. */
export function decodeFields(bytes: Uint8Array): Uint8Array[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    if (at + 4 > bytes.length) return undefined;
    const len = view.getUint32(at);
    if (at + 4 + len > bytes.length) return undefined;
    out.push(bytes.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

export function u32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value);
  return b;
}

const readU32 = (b: Uint8Array | undefined) => (b?.length === 4 ? new DataView(b.buffer, b.byteOffset).getUint32(0) : -1);
const equal = (a: Uint8Array | undefined, b: Uint8Array) => a !== undefined && Buffer.compare(a, b) === 0;

export function costModelCrypto(options: CostModelOptions): CryptoHandler {
  const costs = { ...PAPER_2008_COSTS_US, ...options.costsUs };
  const secret = options.secret ?? randomBytes(32);
  const signatureBytes = options.signatureBytes ?? RSA_1024_SIGNATURE_BYTES;
  const partialBytes = options.partialBytes ?? SHOUP_1024_PARTIAL_BYTES;

  // A stand-in signature: HMAC over (kind, ids, message), stretched to the real size.
  const tag = (kind: string, ids: number[], message: Uint8Array, size: number) => {
    const mac = createHmac('sha256', secret).update(kind).update(Buffer.from(Uint32Array.from(ids).buffer)).update(message).digest();
    const out = new Uint8Array(size);
    for (let at = 0; at < size; at += mac.length) out.set(mac.subarray(0, Math.min(mac.length, size - at)), at);
    return out;
  };
  const partialOf = (site: number, party: number, message: Uint8Array) => {
    const out = tag('share', [site, party], message, partialBytes);
    out[0] = party >> 8;
    out[1] = party & 0xff;
    return out;
  };
  const shareValid = (site: number, message: Uint8Array, partial: Uint8Array) => {
    const party = (partial[0]! << 8) | partial[1]!;
    return party >= 1 && equal(partialOf(site, party, message), partial) ? party : 0;
  };

  const answer = (op: CostedOp, ok: boolean, bytes: Uint8Array = new Uint8Array(0)): CryptoAnswer => ({ ok, bytes, costUs: costs[op] });
  const refuse = (job: CryptoJob): CryptoAnswer => ({ ok: false, bytes: new Uint8Array(0), costUs: costs[job.op as CostedOp] ?? 0 });

  return (job) => {
    const me = options.sites.get(job.node);
    const f = decodeFields(job.bytes);
    switch (job.op) {
      case 'sign':
        return answer('sign', true, tag('sig', [job.node], job.bytes, signatureBytes));
      case 'verify':
        if (!f || f.length !== 3) return refuse(job);
        return answer('verify', equal(f[2], tag('sig', [readU32(f[0])], f[1]!, signatureBytes)));
      case 'tsig.partial':
        if (!me) return refuse(job);
        return answer('tsig.partial', true, partialOf(me.site, me.party, job.bytes));
      case 'tsig.verify-share':
        if (!me || !f || f.length !== 2) return refuse(job);
        return answer('tsig.verify-share', shareValid(me.site, f[0]!, f[1]!) > 0);
      case 'tsig.combine': {
        if (!me || !f || f.length < 1) return refuse(job);
        const parties = new Set(f.slice(1).map((p) => shareValid(me.site, f[0]!, p)).filter((p) => p > 0));
        if (parties.size < options.threshold) return answer('tsig.combine', false);
        return answer('tsig.combine', true, tag('site', [me.site], f[0]!, signatureBytes));
      }
      case 'tsig.verify':
        if (!f || f.length !== 3) return refuse(job);
        return answer('tsig.verify', equal(f[2], tag('site', [readU32(f[0])], f[1]!, signatureBytes)));
      default:
        return refuse(job);
    }
  };
}
