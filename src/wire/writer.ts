// A growable little-endian binary writer. Every variable-size field carries an explicit
// maximum, checked here so an encoder can never produce bytes its own decoder rejects.
import { EncodeError } from './decode-error.js';
import { prefixWidth } from './length-prefix.js';

/** Initial buffer size: most control messages fit, so the common case never regrows. */
const WRITER_INITIAL_BYTES = 256;
/** Hard ceiling on one encoded message (64 MiB): far above any frame limit, catches runaway loops. */
export const WRITER_MAX_BYTES = 64 * 1024 * 1024;

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
/** The one NaN bit pattern the wire carries (quiet NaN), so every value has one encoding. */
export const CANONICAL_NAN_BITS = 0x7ff8_0000_0000_0000n;

const utf8 = new TextEncoder();
/** Strings up to this many chars are tried as ASCII first: a TextEncoder call costs more than the loop. */
export const ASCII_FAST_PATH_MAX_CHARS = 64;

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

export class Writer {
  private buf: Uint8Array;
  private dv: DataView;
  private pos = 0;

  constructor(initialBytes = WRITER_INITIAL_BYTES) {
    this.buf = new Uint8Array(initialBytes);
    this.dv = new DataView(this.buf.buffer);
  }

  private reserve(n: number): number {
    const at = this.pos;
    const need = at + n;
    if (need > this.buf.length) {
      if (need > WRITER_MAX_BYTES) throw new EncodeError(`message exceeds ${WRITER_MAX_BYTES} bytes`);
      const grown = new Uint8Array(Math.min(WRITER_MAX_BYTES, Math.max(need, this.buf.length * 2)));
      grown.set(this.buf.subarray(0, at));
      this.buf = grown;
      this.dv = new DataView(grown.buffer);
    }
    this.pos = need;
    return at;
  }

  private checkUint(v: number, max: number, kind: string): void {
    if (!Number.isInteger(v) || v < 0 || v > max) throw new EncodeError(`${kind} out of range: ${v}`);
  }

  u8(v: number): this {
    this.checkUint(v, 0xff, 'u8');
    const at = this.reserve(1); // before reading this.buf: reserve may replace it
    this.buf[at] = v;
    return this;
  }

  u16(v: number): this {
    this.checkUint(v, 0xffff, 'u16');
    const at = this.reserve(2);
    this.dv.setUint16(at, v, true);
    return this;
  }

  u32(v: number): this {
    this.checkUint(v, 0xffff_ffff, 'u32');
    const at = this.reserve(4);
    this.dv.setUint32(at, v, true);
    return this;
  }

  u64(v: bigint): this {
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) throw new EncodeError(`u64 out of range: ${v}`);
    const at = this.reserve(8);
    this.dv.setBigUint64(at, v, true);
    return this;
  }

  /** A u64 on the wire holding a JS safe integer (sequence numbers, byte counts); no BigInt on this path. */
  u64n(v: number): this {
    this.checkUint(v, Number.MAX_SAFE_INTEGER, 'u64 (safe integer)');
    const at = this.reserve(8);
    this.dv.setUint32(at, v % 2 ** 32, true);
    this.dv.setUint32(at + 4, Math.floor(v / 2 ** 32), true);
    return this;
  }

  i64(v: bigint): this {
    if (typeof v !== 'bigint' || v < I64_MIN || v > I64_MAX) throw new EncodeError(`i64 out of range: ${v}`);
    const at = this.reserve(8);
    this.dv.setBigInt64(at, v, true);
    return this;
  }

  f64(v: number): this {
    if (typeof v !== 'number') throw new EncodeError(`f64 expects a number, got ${typeof v}`);
    const at = this.reserve(8);
    if (Number.isNaN(v)) this.dv.setBigUint64(at, CANONICAL_NAN_BITS, true);
    else this.dv.setFloat64(at, v, true);
    return this;
  }

  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }

  /** Exactly `length` bytes, no prefix (digests, keys, ids). */
  fixed(bytes: Uint8Array, length: number): this {
    if (!(bytes instanceof Uint8Array) || bytes.length !== length)
      throw new EncodeError(`fixed field expects exactly ${length} bytes, got ${bytes?.length}`);
    const at = this.reserve(length);
    this.buf.set(bytes, at);
    return this;
  }

  /** A length prefix (width by `max`, see length-prefix.ts) then the bytes. */
  bytes(bytes: Uint8Array, max: number): this {
    if (!(bytes instanceof Uint8Array)) throw new EncodeError('bytes field expects a Uint8Array');
    this.prefix(bytes.length, max, 'bytes length');
    const at = this.reserve(bytes.length);
    this.buf.set(bytes, at);
    return this;
  }

  /** UTF-8, length-prefixed; `maxBytes` bounds the encoded byte length, not the characters. */
  string(s: string, maxBytes: number): this {
    if (typeof s !== 'string') throw new EncodeError('string field expects a string');
    if (s.length > ASCII_FAST_PATH_MAX_CHARS || !isAscii(s)) return this.bytes(utf8.encode(s), maxBytes);
    // Short ASCII (ids, names): one byte per char, written in place without a TextEncoder call.
    this.prefix(s.length, maxBytes, 'string length');
    const at = this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.buf[at + i] = s.charCodeAt(i);
    return this;
  }

  /**
   * A count prefix (width by `maxCount`) then each item. An item must encode to at least one
   * byte: that is what lets Reader.array bound a forged count by the remaining input.
   */
  array<T>(items: readonly T[], maxCount: number, item: (w: this, v: T) => void): this {
    if (!Array.isArray(items)) throw new EncodeError('array field expects an array');
    this.prefix(items.length, maxCount, 'array count');
    for (const v of items) {
      const before = this.pos;
      item(this, v);
      if (this.pos === before) throw new EncodeError('an array item encoded to zero bytes');
    }
    return this;
  }

  private prefix(n: number, max: number, what: string): void {
    const width = prefixWidth(max);
    if (n > max) throw new EncodeError(`${what} ${n} exceeds its maximum ${max}`);
    if (width === 1) this.u8(n);
    else if (width === 2) this.u16(n);
    else this.u32(n);
  }

  /** The bytes written so far, without copying (valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** The encoded bytes (a copy sized to the content; the writer may be reused after reset). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  reset(): this {
    this.pos = 0;
    return this;
  }
}
