// One Steward node of a deployment hosted in this process: its core (server or client), its
// real crypto, its TCP mesh endpoint and the NodeHost that drives the core. Used by the node
// processes (node-main.ts) and by the service client a gateway process hosts (steward-service-client.ts).
import type { SigningPool } from '../../crypto/signing-pool.js';
import type { Core, Json } from '../../sim/core.js';
import { StewardClient } from '../client-core.js';
import { StewardServer } from '../server-core.js';
import { isServer, siteOf } from '../topology.js';
import { CryptoHost } from './crypto-host.js';
import { readNodeKeys, type Deployment } from './deployment.js';
import { NodeHost } from './node-host.js';
import { TcpMesh } from './tcp-mesh.js';

/** Client retry: a few non-leader local timeouts (the client's own site replaces a bad rep by then). */
const CLIENT_RETRY_LOCAL_TIMEOUTS = 2;

export interface HostedNode {
  readonly id: number;
  readonly host: NodeHost;
  readonly mesh: TcpMesh;
  readonly crypto: CryptoHost;
}

export interface HostOptions {
  dir: string;
  deployment: Deployment;
  id: number;
  /** Updates a client sends by itself (closed loop); 0 for a client driven by `request` events. */
  clientUpdates: number;
  pool?: SigningPool;
  onOutput(name: string, data: Json, node: HostedNode): void;
}

/** Starts listening; the caller sends `start` once every node it hosts is listening. */
export async function hostNode(o: HostOptions): Promise<HostedNode> {
  const d = o.deployment;
  const t = d.topology;
  const id = o.id;
  const crypto = new CryptoHost(readNodeKeys(o.dir, id), siteOf(t, id), o.pool);
  const core: Core = isServer(t, id)
    ? new StewardServer({ topology: t, node: id, kUs: d.kUs, window: d.window, reconPeriodUs: d.reconPeriodUs, reconThrottleUs: d.reconPeriodUs / 2 })
    : new StewardClient({ topology: t, node: id, updates: o.clientUpdates, opBytes: d.opBytes, retryUs: (CLIENT_RETRY_LOCAL_TIMEOUTS * d.kUs) / ((t.f + 2) * (t.f + 3)) });
  let node: HostedNode | null = null;
  const mesh = new TcpMesh({ me: id, ports: d.ports, siteOf: (n) => siteOf(t, n), wan: d.wan, onMessage: (from, bytes) => node?.host.handle({ kind: 'receive', from, bytes }) });
  // Outputs come only from handled events, so `node` is set by then.
  const host = new NodeHost(core, (to, b) => mesh.send(to, b), crypto, (name, data) => o.onOutput(name, data, node!));
  node = { id, host, mesh, crypto };
  await mesh.listen();
  return node;
}
