// Typed view of binding.ramcast.RamcastDriver (native/ramcast/driver_js.cc): the real
// runtime's native half. One driver per OS process polls the mailboxes of every node placed in
// it on its own thread and hands JS batches; endpoints are the nodes (a core + its mailboxes).
import type { RmaBackend } from '../../rma/native-rma.js';
import type { RamcastTopology } from '../config.js';
import { ramcastNative, type NativeEffects, type NativeServer } from '../native.js';

export type MailboxLog = 'data' | 'ts';
export type AwaitMode = 'none' | 'one' | 'quorum' | 'all';

export interface EndpointOptions {
  backend?: RmaBackend;
  /** Where peers reach this node's regions (verbs, fabric). */
  address?: string;
  /** Record the arrival of every write hop per message (the bench's breakdown). */
  trace?: boolean;
}

export interface EndpointStats {
  /** Records queued for ring space, an attach, or a new grant. */
  pendingRecords: number;
  /** Peers whose ts mailbox refuses my writes right now (they fenced me, §6). */
  fencedBy: number[];
  recordsIn: number;
  recordsOut: number;
  rmaWrites: number;
  bytesOut: number;
  fencedWrites: number;
  stalls: number;
  dropped: number;
  badRecords: number;
}

interface EndpointCommon {
  /** A fresh write permission for `peer` on my `log` mailbox (the bytes it attaches). */
  grant(peer: number, log: MailboxLog): Uint8Array;
  /** On return no write of `peer` lands in my `log` mailbox (spec §6 fencing). */
  revoke(peer: number, log: MailboxLog): void;
  attach(peer: number, log: MailboxLog, handle: Uint8Array): void;
  /** `peer` crashed: drop my links to it. */
  detach(peer: number): void;
  stats(): EndpointStats;
}

/** A server endpoint: the server core's control surface (src/ramcast/native.ts) plus links. */
export interface ServerEndpoint extends EndpointCommon, Omit<NativeServer, 'landed' | 'takeEffects'> {
  /** Always empty: the driver executes the core's writes and streams its deliveries. */
  takeEffects(): NativeEffects;
}

export interface ClientEndpoint extends EndpointCommon {
  multicast(dst: number[], payload: Uint8Array, awaitMode: AwaitMode): number;
  nextSeq(): number;
  suspectServer(node: number, suspected: boolean): void;
  queued(): number;
  awaiting(): number;
}

export interface DriverEvent {
  node: number;
  deliveryCount: number;
  /** Packed deliveries (see DeliveryBatch). */
  deliveries: Uint8Array;
  /** (seq, issuedNs, doneNs) triples. */
  completions: Float64Array;
  /** (client, seq, bodyNs, tsNs, ackNs, deliverNs) sextuples, with trace on. */
  traces: Float64Array;
}

export interface DriverStats {
  polls: number;
  wakeups: number;
  /** Waits that ended asleep in the kernel (an idle driver must keep adding to these). */
  sleeps: number;
  errors: number;
  lastError: string;
}

export interface NativeDriver {
  addServer(topology: RamcastTopology, self: number, options?: EndpointOptions): ServerEndpoint;
  addClient(topology: RamcastTopology, self: number, options?: EndpointOptions): ClientEndpoint;
  start(onEvents: (events: DriverEvent[]) => void): void;
  stop(): void;
  stats(): DriverStats;
}

export interface DriverOptions {
  /** Keep polling this long after activity, yielding the CPU between looks, before sleeping
   *  in the kernel (D16; default 100 µs). */
  spinUs?: number;
}

export function createDriver(options: DriverOptions = {}): NativeDriver {
  const binding = ramcastNative() as unknown as { RamcastDriver: new (o: DriverOptions) => NativeDriver };
  return new binding.RamcastDriver(options);
}

export interface Delivery {
  client: number;
  seq: number;
  /** Final timestamp (counter · 2^16 + group, D6). */
  ts: number;
  dst: number[];
  payload: Uint8Array;
}

const DELIVERY_HEADER_BYTES = 20;

/** A batch of deliveries as the driver packs them; decoded only when iterated. */
export class DeliveryBatch implements Iterable<Delivery> {
  constructor(readonly count: number, private readonly packed: Uint8Array) {}

  *[Symbol.iterator](): Iterator<Delivery> {
    const view = new DataView(this.packed.buffer, this.packed.byteOffset, this.packed.byteLength);
    let at = 0;
    for (let i = 0; i < this.count; i++) {
      const client = view.getUint32(at, true);
      const seq = view.getUint32(at + 4, true);
      const ts = Number(view.getBigUint64(at + 8, true));
      const plen = view.getUint16(at + 16, true);
      const ndst = view.getUint8(at + 18);
      at += DELIVERY_HEADER_BYTES;
      const dst: number[] = [];
      for (let k = 0; k < ndst; k++, at += 2) dst.push(view.getUint16(at, true));
      const payload = this.packed.subarray(at, at + plen);
      at += plen;
      yield { client, seq, ts, dst, payload };
    }
  }
}
