// A RamCast server in the real runtime. Per message nothing here runs: the native driver
// applies landed writes to the core and executes its writes (D13). This object is the
// control plane around it: the same RamcastServerNode the simulator runs (Ω, rounds, CATCH_UP,
// Task 9, client suspicion) hosted on the TCP mesh, link setup (grants exchanged as bytes in
// the hello), memory-permission fencing of a deposed leader (its grant on my ts mailbox is
// revoked, §6), and the delivery stream.
import { EventEmitter, on } from 'node:events';
import type { Json, NodeId } from '../../sim/core.js';
import { DecodeError } from '../../wire/decode-error.js';
import { RamcastServerNode } from '../server-node.js';
import type { RamcastTopology } from '../config.js';
import { CoreHost } from './core-host.js';
import { CHANNEL_CORE, CHANNEL_LINKS, linkWire, logCode, logName } from './mesh-wire.js';
import { DeliveryBatch, type Delivery, type DriverEvent, type NativeDriver, type ServerEndpoint, type EndpointOptions } from './native-driver.js';
import type { MeshHandlers, TcpMesh } from './tcp-mesh.js';

const NO_HANDLE = new Uint8Array(0);
/** CATCH_UP re-sends on TCP: a live peer gets every frame, so a retry only covers one still
 *  connecting or slowed down; each answer is a full report (D8), so not more often than this.
 *  (The simulator's 2 ms, on a dozen busy processes, fed a flood of reports that never drained.) */
const CATCH_UP_RETRY_RUNTIME_US = 500_000;

export interface ServerEvents {
  deliver: [batch: DeliveryBatch, atMs: number];
  /** A leader change seen here (group, round, leader), from the control plane's outputs. */
  leader: [info: Json];
  /** With trace on: (client, seq, bodyNs, tsNs, ackNs, deliverNs) per delivered message. */
  trace: [rows: Float64Array];
}

export class RamcastServerRuntime extends EventEmitter<ServerEvents> implements MeshHandlers {
  readonly endpoint: ServerEndpoint;
  readonly control: RamcastServerNode;
  private host: CoreHost | undefined;
  /** ts grants made before the hello went out travel in it; later ones as `grant` frames. */
  private readonly helloTs = new Map<NodeId, Uint8Array>();
  private helloSent = new Set<NodeId>();
  delivered = 0;
  badFrames = 0;

  constructor(
    driver: NativeDriver,
    topology: RamcastTopology,
    readonly self: NodeId,
    private readonly mesh: () => TcpMesh,
    options: EndpointOptions = {},
  ) {
    super();
    this.endpoint = driver.addServer(topology, self, options);
    this.control = new RamcastServerNode(topology, self, this.endpoint, CATCH_UP_RETRY_RUNTIME_US);
  }

  /** Runs the control plane's start (its initial fence, D-§6) before any hello is built. */
  start(): void {
    this.host = new CoreHost(this.control, this.mesh(), {
      permit: (region, peer, allowed) => this.permit(region, peer, allowed),
      output: (name, data) => {
        if (name === 'ramcast.leader') this.emit('leader', data);
      },
    });
    this.host.feed({ kind: 'start', restarted: false });
  }

  helloExtra(peer: NodeId): Uint8Array {
    this.helloSent.add(peer);
    const ts = this.helloTs.get(peer) ?? NO_HANDLE;
    this.helloTs.delete(peer);
    return linkWire.encode({ type: 'offer', data: this.endpoint.grant(peer, 'data'), ts });
  }

  hello(peer: NodeId, extra: Uint8Array): void {
    const offer = this.decodeLink(extra);
    if (offer?.type !== 'offer') return;
    this.endpoint.attach(peer, 'data', offer.data);
    if (offer.ts.length) this.endpoint.attach(peer, 'ts', offer.ts);
  }

  frame(peer: NodeId, channel: number, body: Uint8Array): void {
    if (channel === CHANNEL_CORE) {
      this.host?.feed({ kind: 'receive', from: peer, bytes: body });
    } else if (channel === CHANNEL_LINKS) {
      const m = this.decodeLink(body);
      const log = m?.type === 'grant' ? logName(m.log) : undefined;
      if (m?.type === 'grant' && log) this.endpoint.attach(peer, log, m.handle);
      else this.badFrames++;
    } else {
      this.badFrames++;
    }
  }

  suspect(peer: NodeId, suspected: boolean, crashed: boolean): void {
    if (crashed) this.endpoint.detach(peer);
    this.host?.feed({ kind: 'suspect', node: peer, suspected });
  }

  /** Driver events for this node: a batch of deliveries. */
  handle(event: DriverEvent): void {
    if (event.traces.length) this.emit('trace', event.traces);
    if (!event.deliveryCount) return;
    this.delivered += event.deliveryCount;
    this.emit('deliver', new DeliveryBatch(event.deliveryCount, event.deliveries), Date.now());
  }

  /** Every delivery at this process, in delivery order. */
  async *deliveries(): AsyncGenerator<Delivery> {
    for await (const [batch] of on(this, 'deliver')) yield* batch as DeliveryBatch;
  }

  stop(): void {
    this.host?.stop();
  }

  private permit(region: string, peer: NodeId, allowed: boolean): void {
    if (region !== 'ts') throw new Error(`ramcast fences only its ts mailbox, not ${region}`);
    if (!allowed) {
      this.helloTs.delete(peer);
      this.endpoint.revoke(peer, 'ts');
      return;
    }
    const handle = this.endpoint.grant(peer, 'ts');
    // Sent ahead of any control message that follows on the same connection (a CATCH_UP
    // reply): the new leader holds the grant before it can settle and write (Task 9).
    if (this.helloSent.has(peer)) this.mesh().send(peer, CHANNEL_LINKS, linkWire.encode({ type: 'grant', log: logCode('ts'), handle }));
    else this.helloTs.set(peer, handle);
  }

  private decodeLink(bytes: Uint8Array) {
    try {
      return linkWire.decode(bytes);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.badFrames++;
      return undefined;
    }
  }
}
