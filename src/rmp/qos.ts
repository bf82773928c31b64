// The seven RMP delivery levels, selectable per packet (seed §3–§4, spec §6), in increasing
// strength. The numeric order matters: "≥ TOTAL" means "delivered in the total order".
export const Qos = {
  unreliable: 0,
  reliable: 1,
  sourceOrdered: 2,
  totallyOrdered: 3,
  kResilient: 4,
  majorityResilient: 5,
  safe: 6,
} as const;

export type QosLevel = (typeof Qos)[keyof typeof Qos];
export type QosName = keyof typeof Qos;

export const QOS_MAX: QosLevel = Qos.safe;
export const QOS_NAMES = Object.keys(Qos) as QosName[];

export function qosName(q: QosLevel): QosName {
  return QOS_NAMES[q]!;
}

export function parseQos(name: string): QosLevel {
  const q = (Qos as Record<string, QosLevel>)[name];
  if (q === undefined) throw new RangeError(`unknown QoS "${name}" (one of ${QOS_NAMES.join(', ')})`);
  return q;
}

/** Delivered at its position in the total order (ACK needed), not on receipt. */
export function inTotalOrder(q: QosLevel): boolean {
  return q >= Qos.totallyOrdered;
}

/** The level in prose, for checkers' messages. */
export function qosLabel(q: number): string {
  return ['unreliable', 'reliable', 'source ordered', 'totally ordered', 'k-resilient', 'majority', 'safe'][q] ?? String(q);
}
