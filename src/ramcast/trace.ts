// The observable outputs of RamCast nodes: what the safety checkers (properties.ts) read from
// a simulator trace or a real process's delivery log.
import type { CoreEffect } from '../sim/core.js';
import type { NativeDelivery, NativeEffects } from './native.js';

export const OUT_MULTICAST = 'ramcast.multicast';
export const OUT_DELIVER = 'ramcast.deliver';
export const OUT_LEADER = 'ramcast.leader';

/** Message identity as text: `client:seq`. */
export function messageKey(client: number, seq: number): string {
  return `${client}:${seq}`;
}

export interface MulticastRecord {
  id: string;
  dst: number[];
}
export interface DeliverRecord {
  id: string;
  ts: number;
  dst: number[];
}

export function deliverOutput(d: NativeDelivery): CoreEffect {
  return { kind: 'output', name: OUT_DELIVER, data: { id: messageKey(d.client, d.seq), ts: d.ts, dst: d.dst } };
}

/** A native core's effects as CoreEffects (writes, deliveries, issued multicasts). */
export function toCoreEffects(fx: NativeEffects): CoreEffect[] {
  const out: CoreEffect[] = [];
  for (const m of fx.issued)
    out.push({ kind: 'output', name: OUT_MULTICAST, data: { id: messageKey(m.client, m.seq), dst: m.dst } });
  for (const w of fx.writes) out.push({ kind: 'write', to: w.to, region: w.region, offset: w.offset, bytes: w.bytes });
  for (const d of fx.deliveries) out.push(deliverOutput(d));
  return out;
}

