// The optional CRC-32C trailer for frames that cross untrusted or lossy links: a u32 (LE)
// over every byte before it. It catches corruption, not forgery; authenticity is the crypto
// layer's job (Steward §3.2 signs messages, it does not trust the link).
import { crc32c } from './crc32c.js';
import { DecodeError } from './decode-error.js';
import type { Writer } from './writer.js';

export const CRC32C_TRAILER_BYTES = 4;

/** Appends the trailer over everything written so far. */
export function writeCrc32cTrailer(w: Writer): void {
  w.u32(crc32c(w.view()));
}

/** Checks the trailer and returns the covered bytes (a view, no copy). */
export function checkCrc32cTrailer(frame: Uint8Array, family: string): Uint8Array {
  if (frame.length < CRC32C_TRAILER_BYTES)
    throw new DecodeError('ERR_WIRE_TRUNCATED', `frame of ${frame.length} bytes cannot hold a CRC-32C trailer`, 0, family);
  const end = frame.length - CRC32C_TRAILER_BYTES;
  const body = frame.subarray(0, end);
  const stated = new DataView(frame.buffer, frame.byteOffset + end, CRC32C_TRAILER_BYTES).getUint32(0, true);
  const actual = crc32c(body);
  if (stated !== actual)
    throw new DecodeError('ERR_WIRE_CHECKSUM', `CRC-32C ${hex(stated)} does not match ${hex(actual)}`, end, family);
  return body;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
