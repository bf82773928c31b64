// Timestamped test traffic for real-process runs (tests, bench, main job): every generated
// message carries its send time (CLOCK_MONOTONIC ns, shared by all processes on the machine,
// namespaces included) so a receiver measures one-way delivery latency directly.

/** Marks a generated message ("RMPT"), so application payloads are never misread as stamps. */
const STAMP_MAGIC = 0x54504d52;
/** send time u64 ns, index u32, magic u32. */
export const STAMP_BYTES = 16;

export function stampedMessage(size: number, index: number): Uint8Array {
  const b = new Uint8Array(Math.max(size, STAMP_BYTES));
  const v = new DataView(b.buffer);
  v.setBigUint64(0, process.hrtime.bigint(), true);
  v.setUint32(8, index, true);
  v.setUint32(12, STAMP_MAGIC, true);
  return b;
}

/** Send time (ns) of a generated message, or null for any other payload. */
export function stampOf(m: Uint8Array): bigint | null {
  if (m.length < STAMP_BYTES) return null;
  const v = new DataView(m.buffer, m.byteOffset, m.byteLength);
  return v.getUint32(12, true) === STAMP_MAGIC ? v.getBigUint64(0, true) : null;
}

/** Latency samples kept per QoS level: enough for stable p50/p99, bounded memory. */
export const LATENCY_SAMPLES_MAX = 5000;

/** What a process measured of what it delivered, per QoS level. */
export interface DeliveryMeter {
  messages: number;
  bytes: number;
  firstUs: number;
  lastUs: number;
  /** One-way latency samples, µs (the first LATENCY_SAMPLES_MAX). */
  latencyUs: number[];
}

export function newMeter(): DeliveryMeter {
  return { messages: 0, bytes: 0, firstUs: 0, lastUs: 0, latencyUs: [] };
}

export function meterDelivery(m: DeliveryMeter, messages: readonly Uint8Array[], nowUs: number): void {
  if (m.messages === 0) m.firstUs = nowUs;
  m.lastUs = nowUs;
  const nowNs = process.hrtime.bigint();
  for (const msg of messages) {
    m.messages++;
    m.bytes += msg.length;
    const sent = stampOf(msg);
    if (sent !== null && m.latencyUs.length < LATENCY_SAMPLES_MAX) m.latencyUs.push(Number(nowNs - sent) / 1000);
  }
}
