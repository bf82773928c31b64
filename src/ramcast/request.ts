// The application request a RamCast client core accepts in the simulator (and the Skeen
// baseline's client): multicast(groups, payload). A versioned family (src/wire) with the same
// bounds as the wire everywhere else; the native core then enforces its own, tighter layout
// limits (8 groups, 188 payload bytes) and refuses with a coded error.
import { array, bytes, struct, u16 } from '../wire/codec.js';
import { DecodeError } from '../wire/decode-error.js';
import { defineFamily } from '../wire/family.js';

/** Loose on purpose: requests over the core's limits must reach it and be refused there. */
const REQUEST_GROUPS_MAX = 255;
const REQUEST_PAYLOAD_MAX = 4096;

export const requestWire = defineFamily({
  name: 'ramcast.request',
  version: 1,
  messages: { multicast: { tag: 1, codec: struct({ dst: array(u16, REQUEST_GROUPS_MAX), payload: bytes(REQUEST_PAYLOAD_MAX) }) } },
});

export interface MulticastRequest {
  dst: number[];
  payload: Uint8Array;
}

export function encodeMulticastRequest(dst: number[], payload: Uint8Array): Uint8Array {
  return requestWire.encode({ type: 'multicast', dst, payload });
}

/** Throws only DecodeError (a request to no group is one too). */
export function decodeMulticastRequest(bytes: Uint8Array): MulticastRequest {
  const m = requestWire.decode(bytes);
  if (m.dst.length === 0) throw new DecodeError('ERR_WIRE_VALUE', 'a multicast needs at least one group', 2, requestWire.name);
  return { dst: m.dst, payload: m.payload };
}
