// A simulated composable deployment: cores for every server and client, LAN links inside
// sites and WAN links between them, and the cost-model signer with one key per site.
// Scenarios (sim-scenarios.ts), the main job and the bench build on it.
import type { CostedOp } from '../crypto/cost-model.js';
import type { Core, NodeId, TimeUs } from '../sim/core.js';
import type { LinkConfig, LinkOverride, NetworkConfig } from '../sim/link.js';
import type { SimSetup } from '../sim/setup.js';
import { ComposableClient } from './client-core.js';
import { ComposableServer, type ComposableServerOptions } from './server-core.js';
import { composableCrypto } from './sim-crypto.js';
import { defaultTimings, type ComposableTimings } from './timings.js';
import { checkTopology, clientNode, nodeCount, serverCount, serverNode, serversPerSite, siteOf, type ComposableTopology } from './topology.js';

/**
 * Local instances in flight unoptimized: an instance needs ~3 LAN rounds and two signatures,
 * so a handful keeps every CPU busy; 32 leaves room, and bounds how many proposals an event
 * may wait behind (server-core.ts FAIRNESS_PASSES).
 */
export const LOCAL_WINDOW_DEFAULT = 32;
/** Wide-area seqs in flight: above the clients' outstanding updates (one each). */
export const WAN_WINDOW_DEFAULT = 256;
/** A LAN hop inside a site: 200 µs one way (as in Steward's cluster.ts). */
export const LAN_ONE_WAY_US = 200;

export interface ClusterOptions {
  topology: ComposableTopology;
  wan: Partial<LinkConfig> & { latency: LinkConfig['latency'] };
  /** Estimated WAN one-way delay, for the timeouts (timings.ts). */
  wanOneWayUs: TimeUs;
  lan?: Partial<LinkConfig>;
  optimized: boolean;
  updatesPerClient: number;
  /** Per-client override of updatesPerClient (the bench drives only the leader site's clients). */
  updatesOf?: (site: number, c: number) => number;
  opBytes: number;
  startUs?: (site: number, c: number) => TimeUs;
  costsUs?: Partial<Record<CostedOp, number>>;
  timings?: ComposableTimings;
  server?: (node: NodeId) => Partial<ComposableServerOptions>;
  wrap?: (node: NodeId, core: Core) => Core;
}

export function clusterNetwork(o: ClusterOptions): NetworkConfig {
  const t = o.topology;
  const lan: LinkOverride = { latency: { kind: 'uniform', minUs: LAN_ONE_WAY_US / 2, maxUs: LAN_ONE_WAY_US }, bandwidthBytesPerSec: Infinity, loss: 0, reorder: 0, duplicate: 0, ...o.lan };
  const links: LinkOverride[] = [];
  const members = (s: number) => [...Array.from({ length: serversPerSite(t) }, (_, i) => serverNode(t, s, i)), ...Array.from({ length: t.clientsPerSite }, (_, c) => clientNode(t, s, c))];
  for (let s = 0; s < t.sites; s++) for (const a of members(s)) for (const b of members(s)) if (a !== b) links.push({ ...lan, from: a, to: b });
  return { defaults: { ...o.wan }, links };
}

export function serverOptions(o: ClusterOptions, node: NodeId, incarnation: number): ComposableServerOptions {
  return {
    topology: o.topology,
    node,
    timings: o.timings ?? defaultTimings(o.wanOneWayUs),
    optimized: o.optimized,
    localWindow: LOCAL_WINDOW_DEFAULT,
    wanWindow: WAN_WINDOW_DEFAULT,
    epoch: incarnation + 1,
    ...o.server?.(node),
  };
}

export function clusterSetup(o: ClusterOptions, extra: Partial<SimSetup> & { limitUs: TimeUs }): SimSetup {
  const t = o.topology;
  checkTopology(t);
  const timings = o.timings ?? defaultTimings(o.wanOneWayUs);
  const nodes = Array.from({ length: nodeCount(t) }, (_, node) => (_n: NodeId, incarnation: number): Core => {
    const core: Core =
      node < serverCount(t)
        ? new ComposableServer(serverOptions({ ...o, timings }, node, incarnation))
        : new ComposableClient({
            topology: t,
            node,
            updates: o.updatesOf?.(siteOf(t, node), (node - serverCount(t)) % t.clientsPerSite) ?? o.updatesPerClient,
            opBytes: o.opBytes,
            retryUs: timings.clientRetryUs,
            startUs: o.startUs?.(siteOf(t, node), (node - serverCount(t)) % Math.max(1, t.clientsPerSite)) ?? 0,
          });
    return o.wrap ? o.wrap(node, core) : core;
  });
  return { nodes, network: clusterNetwork(o), crypto: composableCrypto(t, { costsUs: o.costsUs, secret: new Uint8Array(32).fill(9) }), ...extra };
}
