// One point of the composable bench (Lane 2008 §4.7; spec §12.1–12.2, C1/C2) in the
// deterministic simulator: 5 sites × 16 servers on a full mesh of 50 ms links at 10 Mbps (one
// shared link per site pair, src/steward/wan-routers.ts), 200-byte updates, closed-loop
// clients at the leader site. Every one of the 80 servers runs the real composable core on
// its own virtual CPU, charged the cost of every crypto operation it asks for (measured on
// this machine in the same run, or the paper's 2008 costs). A BFT LM has 16 = 3f+1 servers
// (f = 5, (6, 16) threshold key); a Paxos LM has 16 servers for f = 7, as in §4.7.
import type { CostedOp } from '../src/crypto/cost-model.js';
import { clusterSetup, WAN_WINDOW_DEFAULT } from '../src/composable/cluster.js';
import { OUT, type AcceptedRecord } from '../src/composable/outputs.js';
import { ComposableServer } from '../src/composable/server-core.js';
import { defaultTimings } from '../src/composable/timings.js';
import { isServer, nodeCount, serverIdOf, serverNode, siteOf, type ComposableTopology, type Protocol } from '../src/composable/topology.js';
import type { Core } from '../src/sim/core.js';
import { Simulator } from '../src/sim/simulator.js';
import { withWanRouters } from '../src/steward/wan-routers.js';
import { emulatedCosts, emulatedLm, relayTo, withEmulatedLms } from './composable-emulated-site.js';
import { E1_DELAY_US, E1_OP_BYTES, E1_SITES, WAN_HEADER_BYTES } from './steward-e1.js';
import { bottlenecks, type Bottlenecks } from './wan-bottleneck.js';

/** §4.7: 16 servers per site; BFT LMs f = 5 (3f+1), Paxos LMs f = 7 (2f+1 ≤ 16). */
export const SERVERS_PER_SITE = 16;
const LAN_US = 200;

export interface CompositionPoint {
  wide: Protocol;
  local: Protocol;
  optimized: boolean;
  clients: number;
  linkMbps: number;
  costsUs: Record<CostedOp, number>;
  warmupUs: number;
  measureUs: number;
  /** `emulated`: the leader site in full, the other sites emulated per event (as on the paper's testbed); `full`: all 80 servers. */
  sites: 'emulated' | 'full';
}

export interface CompositionOutcome {
  throughput: number;
  latencyMeanMs: number;
  wanBytesPerUpdate: number;
  /** LM signatures per outgoing wide-area message at the leader site (1 unoptimized; < 1 with Merkle batches). */
  signaturesPerMessage: number;
  answered: number;
  /** Busiest crypto CPU at the leader site and among the other sites, busiest site-pair link. */
  bottlenecks: Bottlenecks;
  events: number;
  wallMs: number;
}

export function compositionTopology(p: { wide: Protocol; local: Protocol; clients: number }): ComposableTopology {
  return { wide: p.wide, local: p.local, sites: E1_SITES, f: p.local === 'bft' ? 5 : 7, serversPerSite: SERVERS_PER_SITE, clientsPerSite: p.clients };
}

export function runComposition(p: CompositionPoint): CompositionOutcome {
  const t = compositionTopology(p);
  const timings = defaultTimings(E1_DELAY_US);
  const endUs = p.warmupUs + p.measureUs;
  const servers: ComposableServer[] = [];
  const setup = clusterSetup(
    {
      topology: t,
      wan: { latency: { kind: 'fixed', us: E1_DELAY_US } },
      wanOneWayUs: E1_DELAY_US,
      optimized: p.optimized,
      updatesPerClient: 0,
      // Clients attach to the leader site (site 0), as in the Steward bench (bench/steward-e1.ts).
      updatesOf: (site) => (site === 0 ? Number.MAX_SAFE_INTEGER : 0),
      opBytes: E1_OP_BYTES,
      costsUs: p.costsUs,
      timings,
      server: () => ({ outputs: 'minimal' }),
      wrap: (_node, core: Core) => {
        if (core instanceof ComposableServer && siteOf(t, core.o.node) === 0) servers.push(core);
        return core;
      },
    },
    { limitUs: endUs },
  );
  const emulated = (node: number) => p.sites === 'emulated' && isServer(t, node) && siteOf(t, node) !== 0;
  const nodes = setup.nodes.map((factory, node) =>
    !emulated(node)
      ? factory
      : serverIdOf(t, node) === 0
      ? () => emulatedLm({ topology: t, site: siteOf(t, node), optimized: p.optimized, wanWindow: WAN_WINDOW_DEFAULT, timings: timings.machine, costsUs: p.costsUs })
      : () => relayTo(serverNode(t, siteOf(t, node), 0)),
  );
  const crypto = withEmulatedLms(setup.crypto!, t, emulated, emulatedCosts(t, p.costsUs).signUs);
  const lan = { latency: { kind: 'fixed' as const, us: LAN_US }, bandwidthBytesPerSec: Infinity };
  const wan = { latency: { kind: 'fixed' as const, us: E1_DELAY_US - 2 * LAN_US }, bandwidthBytesPerSec: (p.linkMbps * 1e6) / 8, overheadBytes: WAN_HEADER_BYTES };
  const placement = { nodes: nodeCount(t), sites: t.sites, siteOf: (n: number) => siteOf(t, n) };
  const routed = withWanRouters(placement, nodes, lan, wan);
  const sim = new Simulator({ ...setup, nodes: routed.nodes, network: routed.network, crypto }, { seed: 1, usageWindow: { fromUs: p.warmupUs, toUs: endUs } });
  const started = Date.now();
  const result = sim.run();
  const window = result.trace.outputs.filter((r) => r.name === OUT.accepted && r.t >= p.warmupUs && r.t < endUs);
  const lat = window.map((r) => (r.data as unknown as AcceptedRecord).latencyUs);
  const executedAt0 = result.trace.outputs.filter((r) => r.name === OUT.execute && r.node === 0).length;
  const signatures = servers.reduce((n, s) => n + s.signatures().signatures, 0);
  const messages = servers.reduce((n, s) => n + s.signatures().messages, 0);
  return {
    throughput: window.length / (p.measureUs / 1e6),
    latencyMeanMs: lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length / 1000 : NaN,
    wanBytesPerUpdate: executedAt0 ? routed.counters.wanBytes / executedAt0 : NaN,
    signaturesPerMessage: messages ? signatures / messages : NaN,
    answered: window.length,
    bottlenecks: bottlenecks(result.usage!, { placement, wan, isServer: (n) => isServer(t, n) }),
    events: result.steps,
    wallMs: Date.now() - started,
  };
}

