// Client of the Skeen-over-TCP baseline: sends a multicast to the leader of every destination
// group and reports it completed once the servers' `delivered` notices meet the same condition
// RamCast's client awaits (ClientCore::Await), so both latencies mean the same thing.
import type { Core, CoreEffect, CoreEvent, NodeId, TimeUs } from '../../../src/sim/core.js';
import { groupOf, quorum, type RamcastTopology } from '../../../src/ramcast/config.js';
import { decodeMulticastRequest } from '../../../src/ramcast/request.js';
import type { AwaitMode } from '../../../src/ramcast/runtime/native-driver.js';
import { messageKey, OUT_MULTICAST } from '../../../src/ramcast/trace.js';
import { DecodeError } from '../../../src/wire/decode-error.js';
import { decodeSkeen, skeenWire } from './skeen-wire.js';

export const OUT_COMPLETED = 'skeen.completed';

interface Awaiting {
  dst: number[];
  /** Per destination group: members that reported delivery. */
  heard: Map<number, Set<NodeId>>;
}

export class SkeenClient implements Core {
  private seq = 0;
  private readonly leaders: NodeId[];
  private readonly awaiting = new Map<number, Awaiting>();
  badFrames = 0;

  constructor(private readonly topology: RamcastTopology, private readonly self: NodeId, private readonly awaitMode: AwaitMode) {
    this.leaders = topology.groups.map((m) => Math.min(...m));
  }

  handle(_now: TimeUs, event: CoreEvent): CoreEffect[] {
    if (event.kind === 'request') return this.multicast(event.bytes);
    if (event.kind !== 'receive') return [];
    const m = decodeSkeen(event.bytes, this);
    const a = m?.type === 'delivered' ? this.awaiting.get(m.seq) : undefined;
    const g = groupOf(this.topology, event.from);
    if (!a || g < 0 || !a.heard.has(g)) return [];
    a.heard.get(g)!.add(event.from);
    if (!this.complete(a)) return [];
    const seq = (m as { seq: number }).seq;
    this.awaiting.delete(seq);
    return [{ kind: 'output', name: OUT_COMPLETED, data: { seq } }];
  }

  private multicast(bytes: Uint8Array): CoreEffect[] {
    let req;
    try {
      req = decodeMulticastRequest(bytes);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.badFrames++;
      return [];
    }
    const dst = [...new Set(req.dst)].sort((a, b) => a - b);
    const seq = ++this.seq;
    const fx: CoreEffect[] = [{ kind: 'output', name: OUT_MULTICAST, data: { id: messageKey(this.self, seq), dst } }];
    const body = skeenWire.encode({ type: 'mcast', client: this.self, seq, dst, payload: req.payload });
    for (const g of dst) fx.push({ kind: 'send', to: this.leaders[g]!, bytes: body });
    if (this.awaitMode !== 'none') this.awaiting.set(seq, { dst, heard: new Map(dst.map((g) => [g, new Set()])) });
    else fx.push({ kind: 'output', name: OUT_COMPLETED, data: { seq } });
    return fx;
  }

  private complete(a: Awaiting): boolean {
    return a.dst.every((g) => {
      const n = a.heard.get(g)!.size;
      const size = this.topology.groups[g]!.length;
      return n >= (this.awaitMode === 'one' ? 1 : this.awaitMode === 'all' ? size : quorum(this.topology, g));
    });
  }
}
