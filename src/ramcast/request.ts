// The application request a RamCast client core accepts: multicast(groups, payload).
// Frame: ndst u8 | group u16 LE × ndst | payload (the rest).

export class RamcastRequestError extends Error {
  override name = 'RamcastRequestError';
  readonly code = 'ERR_CASTELLAN_RAMCAST_REQUEST';
}

export interface MulticastRequest {
  dst: number[];
  payload: Uint8Array;
}

export function encodeMulticastRequest(dst: number[], payload: Uint8Array): Uint8Array {
  if (dst.length === 0 || dst.length > 255) throw new RamcastRequestError('a multicast needs 1..255 groups');
  const out = new Uint8Array(1 + 2 * dst.length + payload.length);
  const view = new DataView(out.buffer);
  out[0] = dst.length;
  dst.forEach((g, i) => view.setUint16(1 + 2 * i, g, true));
  out.set(payload, 1 + 2 * dst.length);
  return out;
}

export function decodeMulticastRequest(bytes: Uint8Array): MulticastRequest {
  if (bytes.length < 1) throw new RamcastRequestError('empty multicast request');
  const n = bytes[0]!;
  if (n === 0 || bytes.length < 1 + 2 * n) throw new RamcastRequestError('truncated multicast request');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dst: number[] = [];
  for (let i = 0; i < n; i++) dst.push(view.getUint16(1 + 2 * i, true));
  return { dst, payload: bytes.slice(1 + 2 * n) };
}
