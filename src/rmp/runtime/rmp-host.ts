// The real runtime of an RMP process: the same sans-IO core the simulator runs, driven by the
// native multicast socket (src/mcast: I/O thread, batched recvmmsg/sendmmsg) and Node timers.
// Two sockets: one bound to the group's port and joined to its address (receive only), one
// ephemeral socket that sends everything — multicast and unicast — and receives unicast
// (NACKs, votes, replies). Every datagram's source is therefore the sender's unicast
// address, which the host learns per node from the packet header (decisions.md D4, D20).
import type { Core, CoreEffect, Json, NodeId } from '../../sim/core.js';
import { DecodeError } from '../../wire/decode-error.js';
import { McastSocket, type Datagram } from '../../mcast/mcast-socket.js';
import { rmpCommands, type RmpCommand } from '../commands.js';
import type { GroupAddress } from '../group-address.js';
import { MULTICAST_NODE } from '../member-io.js';
import { peekSender } from '../packets.js';
import { nodeOf } from '../pid.js';

/** Datagrams the I/O thread may queue for JS before it pauses reading (kernel buffers absorb bursts). */
const QUEUED_DATAGRAMS_MAX = 8192;
/** Largest datagram we accept: a full RMP packet inside a RETRANS, with room to spare. */
const DATAGRAM_BYTES_MAX = 32 * 1024;

export interface HostOptions {
  group: GroupAddress;
  /** This host's address on the LAN: multicast leaves and is joined on this interface. */
  interfaceAddress: string;
  /** Members join the group address; non-member clients only send to it. */
  listen: boolean;
  /** Deliver our multicast to other sockets on this host (several members on one host). */
  loopback: boolean;
  /** Unicast addresses known before any datagram arrives: a client's forwarding members (D21). */
  peers?: ReadonlyMap<NodeId, PeerAddress>;
}

export interface PeerAddress {
  address: string;
  port: number;
}

export interface HostStats {
  datagramsIn: number;
  datagramsOut: number;
  /** Unicast effects for a node whose address we have not learned yet (dropped; the core retries). */
  unknownDestination: number;
  /** Datagrams whose header could not even be read. */
  badHeader: number;
  kernelDrops: number;
}

export type OutputListener = (name: string, data: Json, tUs: number) => void;

/** Monotonic µs, shared by every process on the machine (CLOCK_MONOTONIC): logs of processes merge. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export class RmpHost {
  readonly stats: HostStats = { datagramsIn: 0, datagramsOut: 0, unknownDestination: 0, badHeader: 0, kernelDrops: 0 };
  private readonly groupSock: McastSocket | null;
  private readonly uniSock: McastSocket;
  private readonly addresses: Map<NodeId, PeerAddress>;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly outgoing = new Map<string, Uint8Array[]>();
  private closed = false;

  constructor(
    private readonly core: Core,
    private readonly options: HostOptions,
    private readonly onOutput: OutputListener = () => {},
  ) {
    this.addresses = new Map(options.peers ?? []);
    const onBatch = (batch: Datagram[]) => this.receive(batch);
    this.uniSock = new McastSocket({ port: 0, bindAddress: options.interfaceAddress, interfaceAddress: options.interfaceAddress, ttl: options.group.ttl, loopback: options.loopback, queuedMax: QUEUED_DATAGRAMS_MAX, datagramMax: DATAGRAM_BYTES_MAX }, onBatch);
    this.groupSock = null;
    if (options.listen) {
      this.groupSock = new McastSocket({ port: options.group.port, bindAddress: '0.0.0.0', loopback: options.loopback, queuedMax: QUEUED_DATAGRAMS_MAX, datagramMax: DATAGRAM_BYTES_MAX }, onBatch);
      this.groupSock.join(options.group.address, options.interfaceAddress);
    }
  }

  /** The unicast port peers reach us on. */
  get port(): number {
    return this.uniSock.port;
  }

  start(): void {
    this.run((now) => this.core.handle(now, { kind: 'start', restarted: false }));
  }

  command(c: RmpCommand): void {
    const bytes = rmpCommands.encode(c);
    this.run((now) => this.core.handle(now, { kind: 'request', bytes }));
  }

  private receive(batch: Datagram[]): void {
    if (this.closed) return;
    this.stats.datagramsIn += batch.length;
    this.run((now) => {
      const fx: CoreEffect[] = [];
      for (const d of batch) {
        try {
          this.addresses.set(nodeOf(peekSender(d.data)), { address: d.address, port: d.port });
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          this.stats.badHeader++;
          continue;
        }
        // The socket's batch buffer is reused: the core keeps packets, so it gets its own copy.
        for (const e of this.core.handle(now, { kind: 'receive', from: -1, bytes: Uint8Array.from(d.data) })) fx.push(e);
      }
      return fx;
    });
  }

  /** Runs one step of the core and applies its effects; sends go out together (sendmmsg batches). */
  private run(step: (nowUs: number) => CoreEffect[]): void {
    if (this.closed) return;
    const now = monotonicUs();
    for (const fx of step(now)) this.apply(fx, now);
    this.flush();
  }

  private apply(fx: CoreEffect, now: number): void {
    switch (fx.kind) {
      case 'send': {
        let key: string;
        if (fx.to === MULTICAST_NODE) key = `${this.options.group.address}:${this.options.group.port}`;
        else {
          const a = this.addresses.get(fx.to);
          if (a === undefined) {
            this.stats.unknownDestination++;
            return;
          }
          key = `${a.address}:${a.port}`;
        }
        let q = this.outgoing.get(key);
        if (q === undefined) this.outgoing.set(key, (q = []));
        q.push(fx.bytes);
        return;
      }
      case 'set-timer': {
        const old = this.timers.get(fx.timer);
        if (old !== undefined) clearTimeout(old);
        const t = setTimeout(() => {
          this.timers.delete(fx.timer);
          this.run((n) => this.core.handle(n, { kind: 'timer', timer: fx.timer }));
        }, fx.afterUs / 1000);
        this.timers.set(fx.timer, t);
        return;
      }
      case 'cancel-timer': {
        const old = this.timers.get(fx.timer);
        if (old !== undefined) clearTimeout(old);
        this.timers.delete(fx.timer);
        return;
      }
      case 'output':
        this.onOutput(fx.name, fx.data, now);
        return;
      default:
        throw new Error(`RMP host: a core asked for a "${fx.kind}" effect, which RMP never uses`);
    }
  }

  private flush(): void {
    for (const [key, datagrams] of this.outgoing) {
      const at = key.lastIndexOf(':');
      this.stats.datagramsOut += this.uniSock.send(key.slice(0, at), Number(key.slice(at + 1)), datagrams);
    }
    this.outgoing.clear();
  }

  /** Kernel drops on our receive queues (socket buffer overflow): reported, never silent. */
  socketStats(): { kernelDrops: number; received: number; sent: number } {
    const g = this.groupSock?.stats();
    const u = this.uniSock.stats();
    return { kernelDrops: (g?.kernelDrops ?? 0) + u.kernelDrops, received: (g?.received ?? 0) + u.received, sent: u.sent };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.groupSock?.close();
    this.uniSock.close();
  }
}
