// The replicated KV service on a local Steward cluster: one process per server (LocalCluster)
// and, in this process, a StewardServiceClient hosting the clients of site 0, ready to sit
// behind the HTTP gateway (`castellan serve`, the gateway bench, the service test).
import type { LinkSpec } from '../../net/link-shaper.js';
import { serverNode, type StewardTopology } from '../topology.js';
import { LocalCluster } from './local-cluster.js';
import { StewardServiceClient } from './steward-service-client.js';

/** The site whose clients the gateway hosts: the leader site of view 0, so updates start one wide-area hop shorter. */
export const GATEWAY_SITE = 0;
/** Bytes per workload update in the deployment (the paper's, §3.5); gateway commands carry their own. */
const DEPLOYMENT_OP_BYTES = 200;

export interface StewardServiceOptions {
  sites: number;
  f: number;
  /** Client identities the gateway spreads requests over: the most requests Steward orders at once. */
  clients: number;
  wan: LinkSpec;
  thresholdCrypto?: 'inline' | 'pool';
}

export interface StewardService {
  readonly cluster: LocalCluster;
  readonly client: StewardServiceClient;
  readonly topology: StewardTopology;
  /** Server node ids of the gateway's site that are not its representative in local view 0. */
  readonly nonRepServers: number[];
  stop(): Promise<void>;
}

export async function startStewardService(o: StewardServiceOptions): Promise<StewardService> {
  const topology: StewardTopology = { sites: o.sites, f: o.f, clientsPerSite: o.clients };
  const cluster = await LocalCluster.start({ topology, wan: o.wan, updatesPerClient: 0, opBytes: DEPLOYMENT_OP_BYTES, thresholdCrypto: o.thresholdCrypto, clientProcess: false });
  let client: StewardServiceClient;
  try {
    client = await StewardServiceClient.open({ dir: cluster.dir, site: GATEWAY_SITE, clients: o.clients });
  } catch (e) {
    await cluster.stop();
    cluster.remove();
    throw e;
  }
  return {
    cluster,
    client,
    topology,
    nonRepServers: Array.from({ length: 3 * o.f }, (_, i) => serverNode(topology, GATEWAY_SITE, i + 1)),
    async stop() {
      await client.close();
      await cluster.stop();
      cluster.remove();
    },
  };
}
