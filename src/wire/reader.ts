// A bounds-checked little-endian reader. Each read checks the remaining input first and
// each length against its declared maximum before anything is allocated, so a forged length
// can cost neither memory nor time. It accepts only canonical encodings (the ones Writer
// produces), so a decoded message re-encodes to the exact bytes it came from.
import { DecodeError, type DecodeErrorCode } from './decode-error.js';
import { prefixWidth } from './length-prefix.js';
import { ASCII_FAST_PATH_MAX_CHARS, CANONICAL_NAN_BITS } from './writer.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** High 32 bits of Number.MAX_SAFE_INTEGER (2^53 − 1). */
const SAFE_HIGH_WORD_MAX = 0x1f_ffff;

export class Reader {
  private readonly view: DataView;
  private pos = 0;

  constructor(
    private readonly input: Uint8Array,
    /** Named in every DecodeError this reader throws. */
    readonly family: string,
  ) {
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  get remaining(): number {
    return this.input.length - this.pos;
  }

  fail(code: DecodeErrorCode, detail: string, offset = this.pos): never {
    throw new DecodeError(code, detail, offset, this.family);
  }

  private take(n: number, what: string): number {
    if (n > this.remaining) this.fail('ERR_WIRE_TRUNCATED', `${what} needs ${n} bytes, ${this.remaining} remain`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.input[this.take(1, 'u8')]!;
  }

  u16(): number {
    return this.view.getUint16(this.take(2, 'u16'), true);
  }

  u32(): number {
    return this.view.getUint32(this.take(4, 'u32'), true);
  }

  u64(): bigint {
    return this.view.getBigUint64(this.take(8, 'u64'), true);
  }

  /** A u64 that must fit a JS safe integer; larger values are ERR_WIRE_VALUE. No BigInt on this path. */
  u64n(): number {
    const at = this.take(8, 'u64');
    const hi = this.view.getUint32(at + 4, true);
    if (hi > SAFE_HIGH_WORD_MAX) this.fail('ERR_WIRE_VALUE', `u64 ${this.view.getBigUint64(at, true)} exceeds the safe-integer range`, at);
    return hi * 2 ** 32 + this.view.getUint32(at, true);
  }

  i64(): bigint {
    return this.view.getBigInt64(this.take(8, 'i64'), true);
  }

  f64(): number {
    const at = this.take(8, 'f64');
    const v = this.view.getFloat64(at, true);
    if (Number.isNaN(v) && this.view.getBigUint64(at, true) !== CANONICAL_NAN_BITS)
      this.fail('ERR_WIRE_VALUE', 'non-canonical NaN', at);
    return v;
  }

  bool(): boolean {
    const at = this.pos;
    const v = this.u8();
    if (v > 1) this.fail('ERR_WIRE_VALUE', `bool byte ${v} is neither 0 nor 1`, at);
    return v === 1;
  }

  /** Exactly `length` bytes (a copy: decoded messages never alias a network buffer). */
  fixed(length: number): Uint8Array {
    const at = this.take(length, `fixed field of ${length} bytes`);
    return this.input.slice(at, at + length);
  }

  bytes(max: number): Uint8Array {
    const n = this.prefix(max, 'bytes length');
    const at = this.take(n, 'bytes field');
    return this.input.slice(at, at + n);
  }

  string(maxBytes: number): string {
    const n = this.prefix(maxBytes, 'string length');
    const at = this.take(n, 'string');
    if (n <= ASCII_FAST_PATH_MAX_CHARS) {
      // Short ASCII (ids, names): build the string directly, no TextDecoder call.
      let ascii = '';
      for (let i = at; i < at + n; i++) {
        const c = this.input[i]!;
        if (c > 0x7f) break;
        ascii += String.fromCharCode(c);
      }
      if (ascii.length === n) return ascii;
    }
    try {
      return utf8.decode(this.input.subarray(at, at + n));
    } catch {
      return this.fail('ERR_WIRE_VALUE', 'string is not valid UTF-8', at);
    }
  }

  /**
   * A counted array. Every item occupies at least one byte (Writer.array enforces it), so a
   * count beyond the remaining bytes is refused before any item is read, and nothing is
   * preallocated from the count.
   */
  array<T>(maxCount: number, item: (r: this) => T): T[] {
    const n = this.prefix(maxCount, 'array count');
    if (n > this.remaining) this.fail('ERR_WIRE_TRUNCATED', `array of ${n} items cannot fit in ${this.remaining} bytes`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }

  private prefix(max: number, what: string): number {
    const at = this.pos;
    const width = prefixWidth(max);
    const n = width === 1 ? this.u8() : width === 2 ? this.u16() : this.u32();
    if (n > max) this.fail('ERR_WIRE_LENGTH', `${what} ${n} exceeds its maximum ${max}`, at);
    return n;
  }

  /** Every message ends exactly at its last field. */
  end(): void {
    if (this.remaining !== 0) this.fail('ERR_WIRE_TRAILING', `${this.remaining} unread bytes after the last field`);
  }
}
