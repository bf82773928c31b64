// A simulated Steward deployment: cores for every server and client, a network with LAN links
// inside sites and WAN links between them, and the cost-model signer with one threshold key
// per site. Scenarios (sim-scenarios.ts), the main job and the bench build on it.
import { costModelCrypto, type CostedOp } from '../crypto/cost-model.js';
import type { Core, NodeId, TimeUs } from '../sim/core.js';
import type { LinkConfig, LinkOverride, NetworkConfig } from '../sim/link.js';
import type { SimSetup } from '../sim/setup.js';
import { StewardClient } from './client-core.js';
import { StewardServer, type StewardServerOptions } from './server-core.js';
import { defaultK } from './timeouts.js';
import { clientNode, nodeCount, serverCount, serverIdOf, serversPerSite, siteOf, siteThreshold, type StewardTopology } from './topology.js';

/** W (D2): far above the closed-loop clients' outstanding updates (one each), small enough for cheap scans. */
export const WINDOW_DEFAULT = 128;
/** A LAN hop inside a site: 200 µs one way (a switched hop plus a software stack). */
export const LAN_ONE_WAY_US = 200;

export interface ClusterOptions {
  topology: StewardTopology;
  wan: Partial<LinkConfig> & { latency: LinkConfig['latency'] };
  /** Estimated WAN one-way delay for timeouts (K, D1). */
  wanOneWayUs: TimeUs;
  lan?: Partial<LinkConfig>;
  updatesPerClient: number;
  opBytes: number;
  queriesPerClient?: number;
  /** Client i of site s starts at startUs(s, i). */
  startUs?: (site: number, c: number) => TimeUs;
  costsUs?: Partial<Record<CostedOp, number>>;
  server?: Partial<StewardServerOptions>;
  /** Wraps a node's core (e.g. to expose it to a test). */
  wrap?: (node: NodeId, core: Core) => Core;
}

export function serverOptions(o: ClusterOptions, node: NodeId): StewardServerOptions {
  const kUs = defaultK(o.wanOneWayUs, o.topology.f);
  const reconPeriodUs = Math.max(4 * o.wanOneWayUs, 50_000);
  return { topology: o.topology, node, kUs, window: WINDOW_DEFAULT, reconPeriodUs, reconThrottleUs: reconPeriodUs / 2, ...o.server };
}

export function clusterNetwork(o: ClusterOptions): NetworkConfig {
  const t = o.topology;
  const lan: LinkOverride = { latency: { kind: 'uniform', minUs: LAN_ONE_WAY_US / 2, maxUs: LAN_ONE_WAY_US }, bandwidthBytesPerSec: Infinity, loss: 0, reorder: 0, duplicate: 0, ...o.lan };
  const links: LinkOverride[] = [];
  const members = (s: number) => [
    ...Array.from({ length: serversPerSite(t) }, (_, i) => s * serversPerSite(t) + i),
    ...Array.from({ length: t.clientsPerSite }, (_, c) => clientNode(t, s, c)),
  ];
  for (let s = 0; s < t.sites; s++) for (const a of members(s)) for (const b of members(s)) if (a !== b) links.push({ ...lan, from: a, to: b });
  return { defaults: { ...o.wan }, links };
}

export function clusterSetup(o: ClusterOptions, extra: Partial<SimSetup> & { limitUs: TimeUs }): SimSetup {
  const t = o.topology;
  const sites = new Map<NodeId, { site: number; party: number }>();
  for (let node = 0; node < serverCount(t); node++) sites.set(node, { site: siteOf(t, node), party: serverIdOf(t, node) + 1 });
  const retryUs = 2 * defaultK(o.wanOneWayUs, t.f) / ((t.f + 2) * (t.f + 3));
  const nodes = Array.from({ length: nodeCount(t) }, (_, node) => (_n: NodeId, _inc: number): Core => {
    const core: Core =
      node < serverCount(t)
        ? new StewardServer(serverOptions(o, node))
        : new StewardClient({
            topology: t,
            node,
            updates: o.updatesPerClient,
            opBytes: o.opBytes,
            queries: o.queriesPerClient ?? 0,
            retryUs,
            startUs: o.startUs?.(siteOf(t, node), (node - serverCount(t)) % Math.max(1, t.clientsPerSite)) ?? 0,
          });
    return o.wrap ? o.wrap(node, core) : core;
  });
  return {
    nodes,
    network: clusterNetwork(o),
    crypto: costModelCrypto({ sites, threshold: siteThreshold(t), costsUs: o.costsUs, secret: new Uint8Array(32).fill(7) }),
    ...extra,
  };
}
