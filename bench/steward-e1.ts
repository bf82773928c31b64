// The paper's regime E1 (Steward §3.5; spec §12.1–12.2) in the deterministic simulator: 5
// sites on a full mesh of 50 ms links at 10 / 5 / 2.5 Mbps (one shared link per site pair,
// wan-routers.ts), 200-byte updates, closed-loop clients spread round-robin over the sites.
// Steward runs 5 × 16 servers (f = 5 per site, (11, 16) threshold keys); the flat BFT
// baseline runs 16 servers in total (f = 5), placed 3/3/3/3/4. Every server has its own CPU,
// as on the paper's testbed: the cost-model signer charges each crypto operation to the
// server's virtual clock, with the per-operation costs measured on this machine in the same
// run (or the paper's 2008 costs). Message handling other than crypto costs no virtual time.
import { costModelCrypto, type CostedOp } from '../src/crypto/cost-model.js';
import type { NodeId } from '../src/sim/core.js';
import type { CoreFactory } from '../src/sim/setup.js';
import { Simulator } from '../src/sim/simulator.js';
import { FlatBftServer } from '../src/steward/bft-baseline.js';
import { StewardClient } from '../src/steward/client-core.js';
import { WINDOW_DEFAULT } from '../src/steward/cluster.js';
import { OUT, type AcceptedRecord } from '../src/steward/outputs.js';
import { StewardServer } from '../src/steward/server-core.js';
import { defaultK } from '../src/steward/timeouts.js';
import { nodeCount, serverCount, serverIdOf, siteOf, siteThreshold, type StewardTopology } from '../src/steward/topology.js';
import { withWanRouters } from '../src/steward/wan-routers.js';
import { emulatedSite, inertCore, siteAcceptCostUs, withEmulatedSiteSigning } from './steward-emulated-site.js';
import { bottlenecks, type Bottlenecks } from './wan-bottleneck.js';

export const E1_SITES = 5;
export const E1_F = 5;
/** §3.5: 50 ms one way on every site pair. */
export const E1_DELAY_US = 50_000;
export const E1_OP_BYTES = 200;
/** TCP/IP headers per wide-area message (the paper's overlay added its own; 40 B is a floor). */
export const WAN_HEADER_BYTES = 40;
/** A LAN hop inside a site (as in cluster.ts). */
const LAN_US = 200;
/** The BFT baseline's placement across the 5 sites (§3.5): 3/3/3/3/4. */
export const BFT_PLACEMENT = [3, 3, 3, 3, 4];
export const BFT_SERVERS = 16;

export interface E1Point {
  /** `steward`: the leader site's 16 servers simulated in full, the 4 other sites emulated per packet; `steward-full`: all 80 servers. */
  system: 'steward' | 'steward-full' | 'bft';
  linkMbps: number;
  clients: number;
  costsUs: Record<CostedOp, number>;
  warmupUs: number;
  measureUs: number;
}

export interface E1Outcome {
  throughput: number;
  latencyMeanMs: number;
  wanBytesPerUpdate: number;
  /** Busiest crypto CPU at the leader site and among the other sites, busiest site-pair link. */
  bottlenecks: Bottlenecks;
  answered: number;
  events: number;
  wallMs: number;
}

function bftSiteOf(node: number): number {
  let acc = 0;
  for (let s = 0; s < BFT_PLACEMENT.length; s++) {
    acc += BFT_PLACEMENT[s]!;
    if (node < acc) return s;
  }
  return -1;
}

export function runE1(p: E1Point): E1Outcome {
  // Clients attach to the leader site (site 0) in every system, so both see the same client LAN.
  const perSite = p.clients;
  const active = (site: number, c: number) => site === 0 && c < p.clients;
  // D7b: two non-leader local timeouts (1 s here), as in the runtime and the scenarios.
  const retryUs = (2 * defaultK(E1_DELAY_US, E1_F)) / ((E1_F + 2) * (E1_F + 3));
  let nodes: CoreFactory[];
  let place: (n: NodeId) => number;
  let isServerNode: (n: NodeId) => boolean;
  let total: number;
  let cryptoSites = new Map<NodeId, { site: number; party: number }>();
  let threshold = 1;
  let topologyForSigning: StewardTopology | null = null;
  if (p.system !== 'bft') {
    const t: StewardTopology = { sites: E1_SITES, f: E1_F, clientsPerSite: perSite };
    total = nodeCount(t);
    const kUs = defaultK(E1_DELAY_US, E1_F);
    const reconPeriodUs = 4 * E1_DELAY_US;
    const emulated = (node: number) => p.system === 'steward' && node < serverCount(t) && siteOf(t, node) !== 0;
    nodes = Array.from({ length: total }, (_, node) => () =>
      emulated(node)
        ? serverIdOf(t, node) === 0 ? emulatedSite(t, siteOf(t, node)) : inertCore
        : node < serverCount(t)
        ? new StewardServer({ topology: t, node, kUs, window: WINDOW_DEFAULT, reconPeriodUs, reconThrottleUs: reconPeriodUs / 2 })
        : new StewardClient({ topology: t, node, updates: active(siteOf(t, node), (node - serverCount(t)) % perSite) ? Number.MAX_SAFE_INTEGER : 0, opBytes: E1_OP_BYTES, retryUs }));
    place = (n) => siteOf(t, n);
    isServerNode = (n) => n < serverCount(t);
    for (let n = 0; n < serverCount(t); n++) cryptoSites.set(n, { site: siteOf(t, n), party: serverIdOf(t, n) + 1 });
    threshold = siteThreshold(t);
    topologyForSigning = t;
  } else {
    total = BFT_SERVERS + E1_SITES * perSite;
    const bftTopology: StewardTopology = { sites: 1, f: E1_F, clientsPerSite: E1_SITES * perSite };
    const servers = Array.from({ length: BFT_SERVERS }, (_, i) => i);
    nodes = Array.from({ length: total }, (_, node) => () => {
      if (node < BFT_SERVERS) return new FlatBftServer({ n: BFT_SERVERS, node, window: WINDOW_DEFAULT });
      const k = node - BFT_SERVERS;
      return new StewardClient({ topology: bftTopology, node, updates: k < p.clients ? Number.MAX_SAFE_INTEGER : 0, opBytes: E1_OP_BYTES, retryUs, servers, firstServer: 0, quorum: E1_F + 1 });
    });
    place = (n) => (n < BFT_SERVERS ? bftSiteOf(n) : 0);
    isServerNode = (n) => n < BFT_SERVERS;
    cryptoSites = new Map();
  }
  const lan = { latency: { kind: 'fixed' as const, us: LAN_US }, bandwidthBytesPerSec: Infinity };
  const wan = { latency: { kind: 'fixed' as const, us: E1_DELAY_US - 2 * LAN_US }, bandwidthBytesPerSec: (p.linkMbps * 1e6) / 8, overheadBytes: WAN_HEADER_BYTES };
  const placement = { nodes: total, sites: E1_SITES, siteOf: place };
  const routed = withWanRouters(placement, nodes, lan, wan);
  const endUs = p.warmupUs + p.measureUs;
  const sim = new Simulator(
    {
      nodes: routed.nodes,
      network: routed.network,
      crypto: topologyForSigning
        ? withEmulatedSiteSigning(costModelCrypto({ sites: cryptoSites, threshold, costsUs: p.costsUs, secret: new Uint8Array(32).fill(1) }), topologyForSigning, siteAcceptCostUs(p.costsUs, E1_F))
        : costModelCrypto({ sites: cryptoSites, threshold, costsUs: p.costsUs, secret: new Uint8Array(32).fill(1) }),
      limitUs: endUs,
    },
    { seed: 1, usageWindow: { fromUs: p.warmupUs, toUs: endUs } },
  );
  const started = Date.now();
  const result = sim.run();
  const window = result.trace.outputs.filter((r) => r.name === OUT.accepted && r.t >= p.warmupUs && r.t < endUs);
  const lat = window.map((r) => (r.data as unknown as AcceptedRecord).latencyUs);
  const executedAt0 = result.trace.outputs.filter((r) => r.name === OUT.execute && r.node === 0).length;
  return {
    throughput: window.length / (p.measureUs / 1e6),
    latencyMeanMs: lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length / 1000 : NaN,
    wanBytesPerUpdate: executedAt0 ? routed.counters.wanBytes / executedAt0 : NaN,
    answered: window.length,
    bottlenecks: bottlenecks(result.usage!, { placement, wan, isServer: isServerNode }),
    events: result.steps,
    wallMs: Date.now() - started,
  };
}
