// The one error a decoder may throw (DESIGN principle 5: a malformed or forged message is
// counted and dropped, never crashes a replica). Callers catch DecodeError, count it by
// `code`, and drop the input; anything else escaping a decoder is a bug.

export const DECODE_ERROR_CODES = [
  /** The input ended before the field it declares. */
  'ERR_WIRE_TRUNCATED',
  /** A declared length or count exceeds its maximum. */
  'ERR_WIRE_LENGTH',
  /** The family's version byte is not the one this build speaks. */
  'ERR_WIRE_VERSION',
  /** The message-type tag is unknown to the family. */
  'ERR_WIRE_TAG',
  /** Bytes remain after the last field. */
  'ERR_WIRE_TRAILING',
  /** The CRC-32C trailer does not match the frame. */
  'ERR_WIRE_CHECKSUM',
  /** A field's bytes are not a canonical value of its type (bad UTF-8, unsafe integer, …). */
  'ERR_WIRE_VALUE',
] as const;

export type DecodeErrorCode = (typeof DECODE_ERROR_CODES)[number];

export class DecodeError extends Error {
  override name = 'DecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    detail: string,
    /** Byte offset in the decoded input where the problem was found. */
    readonly offset: number,
    /** The message family (or framer) that was decoding. */
    readonly family: string,
  ) {
    super(`${family}: ${detail} at byte ${offset} [${code}]`);
  }
}

/** A value the encoder cannot represent within its declared bounds: a caller bug, not input. */
export class EncodeError extends RangeError {
  override name = 'EncodeError';
  readonly code = 'ERR_WIRE_ENCODE';
}
