// I17 (Claim 3.6.7, Fig. 3.23): with at most f faulty servers per site, a message that a site
// sends by RELIABLE-SEND-TO-ALL-SITES reaches every stable server of every other stable site.
// The claim assumes links that deliver, so the checker judges only runs whose network lost
// nothing (no `loss` or `partition` drop, no partition in the fault plan); in the others it
// holds nothing against the protocol. Definitions, from what the simulator knows:
//   * a server is stable if it is never crashed, paused or Byzantine in the run;
//   * a site is stable if at least 2f+1 of its servers are stable.
// A message counts once a stable server invoked it (OUT.reliableSent) at least
// RELIABLE_DELIVERY_BOUND_US before the run ended; "received" is the simulator's receive
// record of the same bytes (CRC-32C and length) at the server, by any path.
import type { NodeId, TimeUs } from '../sim/core.js';
import type { Property, RunView } from '../sim/property.js';
import type { TraceRecord } from '../sim/trace.js';
import { OUT, type ReliableSentRecord } from './outputs.js';
import { isServer, serverNode, serversPerSite, siteOf, type StewardTopology } from './topology.js';

/**
 * Time a loss-free network needs to carry a message two hops (peer to peer, then relayed inside
 * the receiving site): the sweeps' WAN one-way delays are at most 35 ms, so 1 s leaves room for
 * queueing on the shared site links without judging messages sent just before the run stopped.
 */
export const RELIABLE_DELIVERY_BOUND_US: TimeUs = 1_000_000;

interface Sent {
  site: number;
  atUs: TimeUs;
  invokers: Set<NodeId>;
  receivedBy: Set<NodeId>;
}

export function reliableDeliveryProperty(t: StewardTopology): Property {
  const sent = new Map<string, Sent>();
  let lossy = false;
  return {
    name: 'steward.I17',
    onRecord(r: TraceRecord, v: RunView) {
      if (lossy) return null;
      if (r.kind === 'partition' || (r.kind === 'drop' && (r.info === 'loss' || r.info === 'partition'))) {
        lossy = true;
        sent.clear();
        return null;
      }
      if (r.kind === 'receive' && isServer(t, r.node)) {
        sent.get(`${r.digest}/${r.size}`)?.receivedBy.add(r.node);
        return null;
      }
      if (r.kind !== 'output' || r.name !== OUT.reliableSent || v.byzantine(r.node)) return null;
      const d = r.data as unknown as ReliableSentRecord;
      const key = `${d.message}/${d.size}`;
      let m = sent.get(key);
      if (!m) sent.set(key, (m = { site: siteOf(t, r.node), atUs: r.t, invokers: new Set(), receivedBy: new Set() }));
      m.invokers.add(r.node);
      return null;
    },
    check(v: RunView) {
      if (lossy) return null;
      const n = serversPerSite(t);
      const stable = (node: NodeId) => !v.faulty(node);
      const stableSites: number[] = [];
      for (let s = 0; s < t.sites; s++) {
        let count = 0;
        for (let i = 0; i < n; i++) if (stable(serverNode(t, s, i))) count++;
        if (count >= 2 * t.f + 1) stableSites.push(s);
      }
      for (const [key, m] of sent) {
        if (m.atUs > v.nowUs - RELIABLE_DELIVERY_BOUND_US || ![...m.invokers].some(stable) || !stableSites.includes(m.site)) continue;
        for (const s of stableSites) {
          if (s === m.site) continue;
          for (let i = 0; i < n; i++) {
            const node = serverNode(t, s, i);
            if (stable(node) && !m.receivedBy.has(node)) return `I17: site ${m.site}'s reliably sent message ${key} (sent at t=${m.atUs} µs) never reached stable server ${node} of stable site ${s}`;
          }
        }
      }
      return null;
    },
  };
}
