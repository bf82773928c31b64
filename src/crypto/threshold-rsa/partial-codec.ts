// Wire form of a Shoup RSA partial signature: party (u16) || x_i (|n| bytes) || c (L1/8
// bytes) || z (fixed length, see native/tsig/key.h). Fixed lengths per key, so decoding
// is one length check and a malformed share is rejected before any arithmetic.
import type { NativePartial } from './native-tsig.js';

/** L1 = 128 bits (native/tsig/proof_hash.h kChallengeBits). */
export const CHALLENGE_BYTES = 16;
const PARTY_BYTES = 2;

export interface PartialLayout {
  modulusBytes: number;
  /** Bytes of z = s_i c + r: |n| + 2 L1 + 1 bits. */
  responseBytes: number;
}

export function layoutOf(modulusBits: number): PartialLayout {
  return { modulusBytes: Math.ceil(modulusBits / 8), responseBytes: Math.ceil((modulusBits + 2 * CHALLENGE_BYTES * 8 + 1) / 8) };
}

export function encodePartial(party: number, p: NativePartial): Uint8Array {
  const out = new Uint8Array(PARTY_BYTES + p.xi.length + p.c.length + p.z.length);
  new DataView(out.buffer).setUint16(0, party);
  out.set(p.xi, PARTY_BYTES);
  out.set(p.c, PARTY_BYTES + p.xi.length);
  out.set(p.z, PARTY_BYTES + p.xi.length + p.c.length);
  return out;
}

/** undefined when the bytes cannot be a partial of a key with this layout. */
export function decodePartial(layout: PartialLayout, bytes: Uint8Array): (NativePartial & { party: number }) | undefined {
  const { modulusBytes: nb, responseBytes: zb } = layout;
  if (bytes.length !== PARTY_BYTES + nb + CHALLENGE_BYTES + zb) return undefined;
  const party = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(0);
  let at = PARTY_BYTES;
  const take = (len: number) => bytes.subarray(at, (at += len));
  return { party, xi: take(nb), c: take(CHALLENGE_BYTES), z: take(zb) };
}

/** The party number a partial claims, without checking the rest (0 when too short). */
export function partyOf(bytes: Uint8Array): number {
  return bytes.length < PARTY_BYTES ? 0 : (bytes[0]! << 8) | bytes[1]!;
}
