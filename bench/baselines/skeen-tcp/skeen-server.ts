// The bench's message-passing baseline (spec/ramcast.md §8: "a Skeen/White-Box implementation
// over TCP"): Skeen's timestamp ordering run per group by a fixed leader whose group keeps
// every message and timestamp on a majority before it counts, i.e. RamCast's failure-free
// path with messages instead of one-sided writes:
//   client → leaders (mcast) → followers (propose) → leader (ack, majority) → other leaders
//   (stamp) → final = max, delivered in final order → followers (final) → client (delivered).
// A sans-IO Core (the simulator checks it with RamCast's §9 checkers); failure-free only: no
// leader change, which the bench never exercises. Timestamps as in RamCast (D6).
import type { Core, CoreEffect, CoreEvent, NodeId, TimeUs } from '../../../src/sim/core.js';
import { groupOf, quorum, type RamcastTopology } from '../../../src/ramcast/config.js';
import { deliverOutput } from '../../../src/ramcast/trace.js';
import { decodeSkeen, skeenWire, type SkeenMessage } from './skeen-wire.js';

const GROUP_SPAN = 0x10000;
const encodeTs = (counter: number, group: number) => counter * GROUP_SPAN + group;
const counterOf = (ts: number) => Math.floor(ts / GROUP_SPAN);

interface Pending {
  client: number;
  seq: number;
  dst: number[];
  payload: Uint8Array;
  /** My group's timestamp (leader: proposed; counts once a majority stored it). */
  own: number;
  acks: number;
  accepted: boolean;
  stamps: Map<number, number>;
}

type Key = [ts: number, client: number, seq: number];
const before = (a: Key, b: Key) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

export class SkeenServer implements Core {
  private readonly group: number;
  private readonly leader: NodeId;
  private readonly followers: NodeId[];
  private readonly leaders: NodeId[];
  private clock = 0;
  private readonly pending = new Map<string, Pending>();
  /** Stamps of other groups that came before the client's message. */
  private readonly early = new Map<string, Map<number, number>>();
  /** Decided messages by final timestamp, waiting for Skeen's delivery rule. */
  private readonly ordered: Key[] = [];
  private readonly orderedBodies = new Map<string, Pending>();
  private readonly done = new Set<string>();
  badFrames = 0;

  constructor(private readonly topology: RamcastTopology, private readonly self: NodeId) {
    this.group = groupOf(topology, self);
    if (this.group < 0) throw new Error(`node ${self} is not a server`);
    this.leaders = topology.groups.map((m) => Math.min(...m));
    this.leader = this.leaders[this.group]!;
    this.followers = topology.groups[this.group]!.filter((n) => n !== this.leader);
  }

  handle(_now: TimeUs, event: CoreEvent): CoreEffect[] {
    if (event.kind !== 'receive') return [];
    const m = decodeSkeen(event.bytes, this);
    if (!m) return [];
    const fx: CoreEffect[] = [];
    const key = m.type === 'delivered' ? '' : `${m.client}:${m.seq}`;
    switch (m.type) {
      case 'mcast':
        if (this.self === this.leader && !this.pending.has(key) && !this.done.has(key)) this.propose(m, fx);
        break;
      case 'propose': {
        // Follower: store, move the clock, acknowledge.
        this.clock = Math.max(this.clock, counterOf(m.ts));
        this.pending.set(key, { client: m.client, seq: m.seq, dst: m.dst, payload: m.payload, own: m.ts, acks: 0, accepted: false, stamps: new Map() });
        this.send(fx, this.leader, { type: 'ack', client: m.client, seq: m.seq, ts: m.ts });
        break;
      }
      case 'ack': {
        const p = this.pending.get(key);
        if (!p || p.own !== m.ts || p.accepted) break;
        if (++p.acks + 1 >= quorum(this.topology, this.group)) this.accept(p, fx);
        break;
      }
      case 'stamp': {
        this.clock = Math.max(this.clock, counterOf(m.ts));
        const p = this.pending.get(key);
        if (p) {
          p.stamps.set(m.group, m.ts);
          this.tryOrder(key, p);
        } else {
          let e = this.early.get(key);
          if (!e) this.early.set(key, (e = new Map()));
          e.set(m.group, m.ts);
        }
        break;
      }
      case 'final': {
        // Follower: the leader sends finals in its delivery order over one FIFO connection.
        const p = this.pending.get(key);
        if (!p) break;
        this.pending.delete(key);
        this.deliver(p, m.ts, fx);
        break;
      }
      default:
        this.badFrames++;
    }
    if (this.self === this.leader) this.tryDeliver(fx);
    return fx;
  }

  private propose(m: Extract<SkeenMessage, { type: 'mcast' }>, fx: CoreEffect[]): void {
    const key = `${m.client}:${m.seq}`;
    const own = encodeTs(++this.clock, this.group);
    const p: Pending = { client: m.client, seq: m.seq, dst: m.dst, payload: m.payload, own, acks: 0, accepted: false, stamps: this.early.get(key) ?? new Map() };
    this.early.delete(key);
    this.pending.set(key, p);
    for (const f of this.followers) this.send(fx, f, { type: 'propose', client: m.client, seq: m.seq, dst: m.dst, payload: m.payload, ts: own });
    if (1 >= quorum(this.topology, this.group)) this.accept(p, fx);
  }

  private accept(p: Pending, fx: CoreEffect[]): void {
    p.accepted = true;
    p.stamps.set(this.group, p.own);
    for (const h of p.dst) if (h !== this.group) this.send(fx, this.leaders[h]!, { type: 'stamp', client: p.client, seq: p.seq, group: this.group, ts: p.own });
    this.tryOrder(`${p.client}:${p.seq}`, p);
  }

  private tryOrder(key: string, p: Pending): void {
    if (!p.accepted || !p.dst.every((h) => p.stamps.has(h))) return;
    const final = Math.max(...p.stamps.values());
    this.clock = Math.max(this.clock, counterOf(final));
    this.pending.delete(key);
    this.ordered.push([final, p.client, p.seq]);
    this.ordered.sort(before);
    this.orderedBodies.set(key, p);
  }

  private tryDeliver(fx: CoreEffect[]): void {
    // Skeen's rule: the smallest final goes once no undecided message has a smaller own stamp.
    while (this.ordered.length) {
      const next = this.ordered[0]!;
      for (const p of this.pending.values()) if (before([p.own, p.client, p.seq], next) < 0) return;
      this.ordered.shift();
      const key = `${next[1]}:${next[2]}`;
      const p = this.orderedBodies.get(key)!;
      this.orderedBodies.delete(key);
      for (const f of this.followers) this.send(fx, f, { type: 'final', client: p.client, seq: p.seq, ts: next[0] });
      this.deliver(p, next[0], fx);
    }
  }

  private deliver(p: Pending, final: number, fx: CoreEffect[]): void {
    this.done.add(`${p.client}:${p.seq}`);
    fx.push(deliverOutput({ client: p.client, seq: p.seq, ts: final, dst: p.dst, payload: p.payload }));
    this.send(fx, p.client, { type: 'delivered', seq: p.seq });
  }

  private send(fx: CoreEffect[], to: NodeId, m: SkeenMessage): void {
    fx.push({ kind: 'send', to, bytes: skeenWire.encode(m) });
  }
}
