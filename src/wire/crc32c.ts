// CRC-32C in TypeScript: the reference the native implementation is tested against, and the
// checksum codecs use where no addon call is worth its crossing cost (small frames).
import { addon } from '../native/addon.js';

const table = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32cReference(bytes: Uint8Array, seed = 0): number {
  let crc = ~seed >>> 0;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/**
 * Inputs at least this long go to the native CRC-32C (SSE4.2 on x86-64); shorter ones stay in
 * TypeScript, where the table loop beats the cost of crossing into the addon. Chosen from
 * `castellan bench wire` (bench/RESULTS.md: where the two crc32c series cross).
 */
export const CRC32C_NATIVE_MIN_BYTES = 64;

type Crc32c = (bytes: Uint8Array, seed?: number) => number;
/** undefined: not looked up yet; null: the addon is not built, TypeScript serves every size. */
let nativeCrc: Crc32c | null | undefined;

function native(): Crc32c | null {
  if (nativeCrc === undefined) {
    try {
      nativeCrc = addon().checksum.crc32c;
    } catch {
      nativeCrc = null;
    }
  }
  return nativeCrc;
}

/** CRC-32C by whichever implementation is faster for this length; same result either way. */
export function crc32c(bytes: Uint8Array, seed = 0): number {
  const fast = bytes.length >= CRC32C_NATIVE_MIN_BYTES ? native() : null;
  return fast ? fast(bytes, seed) : crc32cReference(bytes, seed);
}
