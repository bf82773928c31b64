// Resilience checks (spec §12.6–12.7, D8), as each delivery is reported: a K-resilient packet
// was held by K+1 processes (K clamped to the live members of its view), an agreed one by a
// majority of its view, a safe one by every member of its view that was not removed — held
// by the processes' own `rmp.have` reports at that moment, not by what the deliverer believed.
import type { DeliverRecord } from './outputs.js';
import type { Pid } from './pid.js';
import type { ProcessState, RmpTracker } from './property-tracker.js';
import { Qos } from './qos.js';

export function resilienceAtDelivery(t: RmpTracker, p: ProcessState, d: DeliverRecord): void {
  const list = d.orderView !== null ? t.views.get(d.orderView) : undefined;
  if (list === undefined) return;
  const held = t.holders.get(d.id) ?? new Set<Pid>();
  if (d.qos === Qos.kResilient) {
    const live = list.filter((x) => !p.removed.has(x)).length;
    const k = Math.min(d.k, live - 1);
    if (held.size < k + 1) t.flag('rmp-k-resilience', `process ${d.pid} delivered ${d.id} (K=${d.k}, effective ${k}) when only ${held.size} processes held it`);
  } else if (d.qos === Qos.majorityResilient) {
    const need = Math.floor(list.length / 2) + 1;
    const inView = list.filter((x) => held.has(x)).length;
    if (inView < need) t.flag('rmp-majority', `process ${d.pid} delivered agreed ${d.id} when ${inView} of the ${list.length} members of its view held it`);
  } else if (d.qos === Qos.safe) {
    const missing = list.filter((x) => !p.removed.has(x) && !held.has(x));
    if (missing.length > 0) t.flag('rmp-safe', `process ${d.pid} delivered safe ${d.id} while members ${missing.join(',')} of view ${d.orderView} did not hold it`);
  }
}
