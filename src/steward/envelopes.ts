// Opening the two authentication envelopes of messages.ts: decode the envelope, then its body
// (a message of the same family that is not itself an envelope). Throws only DecodeError; the
// signature is checked by the caller through the crypto port.
import { DecodeError } from '../wire/decode-error.js';
import { decode, type WireMessage } from './messages.js';

export interface Opened<B extends WireMessage> {
  /** The whole envelope as received (what gets relayed and embedded). */
  raw: Uint8Array;
  /** Signer: a node id (signed) or -1 (siteSigned). */
  from: number;
  /** Signing site (siteSigned) or -1. */
  site: number;
  body: B;
  bodyBytes: Uint8Array;
  sig: Uint8Array;
}

function body(bytes: Uint8Array): WireMessage {
  const b = decode(bytes);
  if (b.type === 'signed' || b.type === 'siteSigned') throw new DecodeError('ERR_WIRE_VALUE', 'an envelope inside an envelope', 0, 'steward');
  return b;
}

export function openSigned(raw: Uint8Array): Opened<WireMessage> {
  const e = decode(raw);
  if (e.type !== 'signed') throw new DecodeError('ERR_WIRE_VALUE', `expected a signed envelope, got ${e.type}`, 1, 'steward');
  return { raw, from: e.from, site: -1, body: body(e.body), bodyBytes: e.body, sig: e.sig };
}

export function openSiteSigned(raw: Uint8Array): Opened<WireMessage> {
  const e = decode(raw);
  if (e.type !== 'siteSigned') throw new DecodeError('ERR_WIRE_VALUE', `expected a site-signed envelope, got ${e.type}`, 1, 'steward');
  return { raw, from: -1, site: e.site, body: body(e.body), bodyBytes: e.body, sig: e.sig };
}

/** openSigned for untrusted input: null (not an exception) when the bytes are malformed. */
export function tryOpenSigned(raw: Uint8Array): Opened<WireMessage> | null {
  try {
    return openSigned(raw);
  } catch (e) {
    if (e instanceof DecodeError) return null;
    throw e;
  }
}
