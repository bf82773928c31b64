// Length-prefixed frames over a byte stream (TCP: Steward's wide-area links and the control
// plane). Each frame is a u32 LE body length then the body. The decoder takes chunks of any
// size and returns whole frames; a length above the bound is rejected as soon as its prefix
// arrives, before any of the body is buffered.
import { DecodeError, EncodeError } from './decode-error.js';

export const FRAME_PREFIX_BYTES = 4;
/** Default bound on one frame body (16 MiB): above any castellan message, well below memory. */
export const FRAME_MAX_BYTES_DEFAULT = 16 * 1024 * 1024;
const FRAMER_FAMILY = 'frame';

export function encodeFrame(body: Uint8Array, maxFrameBytes = FRAME_MAX_BYTES_DEFAULT): Uint8Array {
  if (body.length > maxFrameBytes) throw new EncodeError(`frame body of ${body.length} bytes exceeds ${maxFrameBytes}`);
  const out = new Uint8Array(FRAME_PREFIX_BYTES + body.length);
  new DataView(out.buffer).setUint32(0, body.length, true);
  out.set(body, FRAME_PREFIX_BYTES);
  return out;
}

export class FrameDecoder {
  /** Received chunks not yet returned as frames; `head` is the read offset into chunks[0]. */
  private chunks: Uint8Array[] = [];
  private head = 0;
  private buffered = 0;
  /** Absolute stream offset of the first buffered byte, for error positions. */
  private consumed = 0;
  private bodyLength: number | undefined;
  /** A stream cannot resynchronise after a bad prefix: every later push repeats the error. */
  private failed: DecodeError | undefined;

  constructor(readonly maxFrameBytes = FRAME_MAX_BYTES_DEFAULT) {}

  /** Bytes held for an incomplete frame. */
  get pending(): number {
    return this.buffered;
  }

  /**
   * Feeds one chunk (kept by reference until its bytes are framed: do not reuse it); returns
   * the frames it completed, in order, each a fresh array. Throws only DecodeError.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw this.failed;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.bodyLength === undefined) {
        if (this.buffered < FRAME_PREFIX_BYTES) break;
        const prefix = this.take(FRAME_PREFIX_BYTES);
        const n = new DataView(prefix.buffer, prefix.byteOffset, FRAME_PREFIX_BYTES).getUint32(0, true);
        if (n > this.maxFrameBytes) {
          this.failed = new DecodeError(
            'ERR_WIRE_LENGTH',
            `frame length ${n} exceeds the maximum ${this.maxFrameBytes}`,
            this.consumed - FRAME_PREFIX_BYTES,
            FRAMER_FAMILY,
          );
          throw this.failed;
        }
        this.bodyLength = n;
      }
      if (this.buffered < this.bodyLength) break;
      frames.push(this.take(this.bodyLength));
      this.bodyLength = undefined;
    }
    return frames;
  }

  /** The stream ended: an incomplete frame is an error. */
  end(): void {
    if (this.failed) throw this.failed;
    if (this.buffered > 0 || this.bodyLength !== undefined)
      throw new DecodeError(
        'ERR_WIRE_TRUNCATED',
        `stream ended inside a frame (${this.buffered} bytes of ${this.bodyLength ?? 'an unread length'})`,
        this.consumed,
        FRAMER_FAMILY,
      );
  }

  /** Removes `n` buffered bytes (n ≤ buffered) as one fresh array. */
  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const first = this.chunks[0]!;
      const part = Math.min(n - filled, first.length - this.head);
      out.set(first.subarray(this.head, this.head + part), filled);
      filled += part;
      this.head += part;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.buffered -= n;
    this.consumed += n;
    return out;
  }
}
