// A deliberately broken "total order" broadcast for the checker tests: senders broadcast to
// the receivers and receivers deliver in arrival order. That agrees only while every link is
// FIFO with equal latency; once the network reorders, receivers disagree and the total-order
// property must catch it (and replaying the reported seed must show the same failure).
import type { Core, CoreEffect, CoreEvent, NodeId, TimeUs } from '../../src/sim/core.js';
import type { Property } from '../../src/sim/property.js';
import type { Scenario } from '../../src/sim/scenario.js';

class Sender implements Core {
  private sent = 0;
  constructor(private readonly id: NodeId, private readonly receivers: NodeId[], private readonly messages: number) {}

  handle(_now: TimeUs, ev: CoreEvent): CoreEffect[] {
    if (ev.kind === 'start') return [{ kind: 'set-timer', timer: 'next', afterUs: 0 }];
    if (ev.kind !== 'timer') return [];
    const bytes = new TextEncoder().encode(`${this.id}:${this.sent++}`);
    const fx: CoreEffect[] = this.receivers.map((to) => ({ kind: 'send', to, bytes }));
    if (this.sent < this.messages) fx.push({ kind: 'set-timer', timer: 'next', afterUs: SEND_INTERVAL_US });
    return fx;
  }
}

class Receiver implements Core {
  handle(_now: TimeUs, ev: CoreEvent): CoreEffect[] {
    return ev.kind === 'receive' ? [{ kind: 'output', name: 'deliver', data: new TextDecoder().decode(ev.bytes) }] : [];
  }
}

/** Senders fire at the same instants, so their messages race at every receiver. */
const SEND_INTERVAL_US = 200;

/** Total order: any two receivers deliver the messages they both delivered in the same order. */
export const totalOrder: Property = {
  name: 'total-order',
  check(view) {
    const seqs = new Map<NodeId, string[]>();
    for (const r of view.trace.outputs) {
      if (r.name !== 'deliver') continue;
      if (!seqs.has(r.node)) seqs.set(r.node, []);
      seqs.get(r.node)!.push(r.data as string);
    }
    const nodes = [...seqs.keys()].sort((a, b) => a - b);
    for (const a of nodes) {
      for (const b of nodes) {
        if (a >= b) continue;
        const posB = new Map(seqs.get(b)!.map((m, i) => [m, i]));
        const common = seqs.get(a)!.filter((m) => posB.has(m));
        for (let i = 1; i < common.length; i++) {
          if (posB.get(common[i - 1]!)! > posB.get(common[i]!)!) {
            return `node ${a} delivered ${common[i - 1]} before ${common[i]}, node ${b} the other way round`;
          }
        }
      }
    }
    return null;
  },
};

const defaults = { senders: 2, receivers: 3, messages: 5, reorder: 0.005 };

export const brokenOrder: Scenario<typeof defaults> = {
  name: 'broken-order',
  description: 'a "total order" broadcast that delivers in arrival order: wrong once links reorder',
  params: defaults,
  build(_rng, p) {
    const receivers = Array.from({ length: p.receivers }, (_, i) => p.senders + i);
    return {
      nodes: [
        ...Array.from({ length: p.senders }, (_, i) => () => new Sender(i, receivers, p.messages)),
        ...receivers.map(() => () => new Receiver()),
      ],
      network: { defaults: { latency: { kind: 'fixed', us: 100 }, reorder: p.reorder } },
      properties: [totalOrder],
      limitUs: 1_000_000,
    };
  },
};

export const scenarios = [brokenOrder];
