// The replicated KV service's client over a real Steward deployment (a ServiceClient for the
// HTTP gateway): this process hosts several Steward client cores of one site, each with its own
// identity and key, each with one request outstanding at a time (§3.2), and spreads the
// application's requests over them, so concurrent HTTP requests are ordered concurrently. A
// request resolves with the state machine's result once its core has f+1 matching signed
// replies (D7) or query answers (D5). Queries ask for an answer reflecting at least every
// update this process has seen acknowledged (read your writes across the gateway).
import type { ServiceClient } from '../../service/state-machine.js';
import { ServiceTimeoutError } from '../../service/state-machine.js';
import { clientRequests } from '../client-core.js';
import { OP_BYTES_MAX } from '../messages.js';
import { OUT, type AnswerRecord } from '../outputs.js';
import { clientNode, siteOf } from '../topology.js';
import { readDeployment } from './deployment.js';
import { hostNode, type HostedNode } from './hosted-node.js';

/** A request Steward has not answered by then is failed to the caller (the core keeps trying; its late answer is dropped). */
export const SERVICE_REQUEST_TIMEOUT_MS = 30_000;

interface Waiter {
  resolve(result: Uint8Array): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  settled: boolean;
}

interface Lane {
  node: HostedNode;
  /** Requests handed to this core, in order: its answers come back in the same order. */
  waiting: Waiter[];
}

export interface StewardServiceClientOptions {
  /** A deployment directory written by writeDeployment (local-cluster.ts). */
  dir: string;
  /** The site whose clients this process hosts (clients talk to their own site only, §3.2). */
  site: number;
  /** How many of the site's client identities to host (≤ topology.clientsPerSite). */
  clients: number;
  requestTimeoutMs?: number;
}

export class StewardServiceClient implements ServiceClient {
  readonly maxCommandBytes = OP_BYTES_MAX;
  private highestSeq = 0;
  private closed = false;

  private constructor(
    private readonly lanes: Lane[],
    private readonly timeoutMs: number,
  ) {}

  static async open(o: StewardServiceClientOptions): Promise<StewardServiceClient> {
    const d = readDeployment(o.dir);
    const t = d.topology;
    if (o.clients < 1 || o.clients > t.clientsPerSite) throw new Error(`clients must be 1..${t.clientsPerSite} (the deployment's clients per site)`);
    const lanes: Lane[] = [];
    let client: StewardServiceClient | null = null;
    for (let i = 0; i < o.clients; i++) {
      const id = clientNode(t, o.site, i);
      if (siteOf(t, id) !== o.site) throw new Error(`node ${id} is not a client of site ${o.site}`);
      const index = i;
      const node = await hostNode({ dir: o.dir, deployment: d, id, clientUpdates: 0, onOutput: (name, data) => client?.onAnswer(lanes[index]!, name, data as unknown as AnswerRecord) });
      lanes.push({ node, waiting: [] });
    }
    client = new StewardServiceClient(lanes, o.requestTimeoutMs ?? SERVICE_REQUEST_TIMEOUT_MS);
    for (const l of lanes) l.node.host.handle({ kind: 'start', restarted: false });
    return client;
  }

  update(update: Uint8Array): Promise<Uint8Array> {
    return this.submit(clientRequests.encode({ type: 'update', op: update }));
  }

  query(query: Uint8Array): Promise<Uint8Array> {
    return this.submit(clientRequests.encode({ type: 'query', op: query, minAru: this.highestSeq }));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const l of this.lanes) {
      l.node.host.stop();
      l.node.mesh.close();
      for (const w of l.waiting) settle(w, () => w.reject(new Error('the service client closed')));
      l.waiting = [];
    }
  }

  private submit(request: Uint8Array): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new Error('the service client is closed'));
    // The core with the fewest requests waiting: each orders one at a time.
    let lane = this.lanes[0]!;
    for (const l of this.lanes) if (l.waiting.length < lane.waiting.length) lane = l;
    return new Promise((resolve, reject) => {
      const w: Waiter = { resolve, reject, settled: false, timer: setTimeout(() => settle(w, () => reject(new ServiceTimeoutError(`Steward did not answer within ${this.timeoutMs} ms`))), this.timeoutMs) };
      lane.waiting.push(w);
      lane.node.host.handle({ kind: 'request', bytes: request });
    });
  }

  private onAnswer(lane: Lane, name: string, a: AnswerRecord): void {
    if (name !== OUT.accepted && name !== OUT.queryAnswered) return;
    this.highestSeq = Math.max(this.highestSeq, a.seq);
    const w = lane.waiting.shift();
    if (w) settle(w, () => w.resolve(Buffer.from(a.result, 'hex')));
  }
}

function settle(w: Waiter, how: () => void): void {
  clearTimeout(w.timer);
  if (w.settled) return;
  w.settled = true;
  how();
}
