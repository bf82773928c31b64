// Bad input is counted and dropped, never thrown at the caller (DESIGN principle 5): the one
// place RMP's cores turn a DecodeError into a counter.
import { DecodeError } from '../wire/decode-error.js';

export function decodeCounted<T>(family: { decode(bytes: Uint8Array): T }, bytes: Uint8Array, stats: { decodeErrors: number }): T | null {
  try {
    return family.decode(bytes);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    stats.decodeErrors++;
    return null;
  }
}
