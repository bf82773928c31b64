// Codec of RamCast's two-sided control messages (spec §5 Tasks 7–8; [CODE] uses SEND/RECV
// for these, never the rings): CATCH_UP, its reply, and the NACK a member sends to a
// candidate whose round is stale. Every length is bounded; a bad frame is a typed error.
import type { CatchUpReport, GroupStamp, ReportedMessage } from './native.js';

export class RamcastWireError extends Error {
  override name = 'RamcastWireError';
  readonly code = 'ERR_CASTELLAN_RAMCAST_WIRE';
}

// Bounds on a reply: one entry per message a process still holds; slots are 256 bytes.
const MAX_REPORTED_MESSAGES = 1 << 20;
const MAX_IMAGE_BYTES = 4096;
const MAX_STAMPS = 8; // kMaxDstGroups: one stamp per destination group

export type ControlMessage =
  | { kind: 'catch-up'; group: number; round: number }
  | { kind: 'catch-up-reply'; group: number; round: number; report: CatchUpReport }
  | { kind: 'nack'; group: number; round: number };

const KIND = { 'catch-up': 1, 'catch-up-reply': 2, nack: 3 } as const;

class Writer {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private n = 0;
  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void { this.room(1); this.view.setUint8(this.n, v); this.n += 1; }
  u16(v: number): void { this.room(2); this.view.setUint16(this.n, v, true); this.n += 2; }
  u32(v: number): void { this.room(4); this.view.setUint32(this.n, v, true); this.n += 4; }
  f64(v: number): void { this.room(8); this.view.setFloat64(this.n, v, true); this.n += 8; }
  bytes(b: Uint8Array): void { this.u16(b.length); this.room(b.length); this.buf.set(b, this.n); this.n += b.length; }
  done(): Uint8Array { return this.buf.slice(0, this.n); }
}

class Reader {
  private readonly view: DataView;
  private n = 0;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(k: number): void {
    if (this.n + k > this.buf.length) throw new RamcastWireError(`ramcast control frame truncated at byte ${this.n}`);
  }
  u8(): number { this.need(1); return this.view.getUint8(this.n++); }
  u16(): number { this.need(2); const v = this.view.getUint16(this.n, true); this.n += 2; return v; }
  u32(): number { this.need(4); const v = this.view.getUint32(this.n, true); this.n += 4; return v; }
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.n, true);
    this.n += 8;
    if (!Number.isSafeInteger(v) || v < 0) throw new RamcastWireError('ramcast control frame: bad integer');
    return v;
  }
  bytes(max: number): Uint8Array {
    const len = this.u16();
    if (len > max) throw new RamcastWireError(`ramcast control frame: ${len} bytes over ${max}`);
    this.need(len);
    const b = this.buf.slice(this.n, this.n + len);
    this.n += len;
    return b;
  }
  end(): void {
    if (this.n !== this.buf.length) throw new RamcastWireError('ramcast control frame: trailing bytes');
  }
}

export function encodeControl(m: ControlMessage): Uint8Array {
  const w = new Writer();
  w.u8(KIND[m.kind]);
  w.u16(m.group);
  w.f64(m.round);
  if (m.kind === 'catch-up-reply') {
    w.u32(m.report.clock);
    w.u32(m.report.messages.length);
    for (const msg of m.report.messages) {
      w.u32(msg.client);
      w.u32(msg.seq);
      w.bytes(msg.image);
      w.u8(msg.stamps.length);
      for (const s of msg.stamps) {
        w.u16(s.group);
        w.f64(s.round);
        w.f64(s.value);
      }
    }
  }
  return w.done();
}

export function decodeControl(bytes: Uint8Array): ControlMessage {
  const r = new Reader(bytes);
  const kind = r.u8();
  const group = r.u16();
  const round = r.f64();
  let out: ControlMessage;
  if (kind === KIND['catch-up']) out = { kind: 'catch-up', group, round };
  else if (kind === KIND.nack) out = { kind: 'nack', group, round };
  else if (kind === KIND['catch-up-reply']) {
    const clock = r.u32();
    const count = r.u32();
    if (count > MAX_REPORTED_MESSAGES) throw new RamcastWireError(`ramcast reply lists ${count} messages`);
    const messages: ReportedMessage[] = [];
    for (let i = 0; i < count; i++) {
      const client = r.u32();
      const seq = r.u32();
      const image = r.bytes(MAX_IMAGE_BYTES);
      const n = r.u8();
      if (n > MAX_STAMPS) throw new RamcastWireError('ramcast reply: too many stamps');
      const stamps: GroupStamp[] = [];
      for (let k = 0; k < n; k++) stamps.push({ group: r.u16(), round: r.f64(), value: r.f64() });
      messages.push({ client, seq, image, stamps });
    }
    out = { kind: 'catch-up-reply', group, round, report: { clock, messages } };
  } else throw new RamcastWireError(`unknown ramcast control kind ${kind}`);
  r.end();
  return out;
}
