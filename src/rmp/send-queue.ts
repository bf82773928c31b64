// A member's own outgoing messages (spec §5.1, §10): the application's queue, the pluggable
// flow policy, and the byte counts it is judged by. Figure 1's packet size decides how many
// queued messages of one class (QoS, K, handler) share the next DATA packet; a message is
// never split (decisions.md D16).
import { WAIT, type FlowPolicy } from './flow-control.js';
import { MAX_PACKET_BYTES, MESSAGES_PER_PACKET_MAX } from './limits.js';
import { DataControl, type DataControlKind } from './packets.js';
import { Qos, type QosLevel } from './qos.js';

export interface Queued {
  qos: QosLevel;
  k: number;
  handler: number;
  control: DataControlKind;
  payload: Uint8Array;
}

function sameClass(a: Queued, b: Queued): boolean {
  return a.qos === b.qos && a.k === b.k && a.handler === b.handler && a.control === DataControl.none && b.control === DataControl.none;
}

export class SendQueue {
  private readonly queue: Queued[] = [];
  /** Own bytes sent and not yet ordered: what the window counts (Figure 1's A = W − inFlight). */
  private inFlight = 0;
  /** Own bytes sent and not yet stable: bounded separately (the buffer bound of spec §12.11). */
  unstableBytes = 0;

  constructor(private flow: FlowPolicy, private readonly unstableBytesMax: number) {}

  /** A new incarnation starts with a fresh window; the application's queue is kept. */
  restart(flow: FlowPolicy): void {
    this.flow = flow;
    this.inFlight = this.unstableBytes = 0;
  }

  push(m: Queued): void {
    this.queue.push(m);
  }

  get length(): number {
    return this.queue.length;
  }

  get window(): number {
    return this.flow.window;
  }

  /**
   * The messages of the next packet, or null to wait for an ACK. Unreliable messages bypass
   * flow control and go one per packet.
   */
  next(): Queued[] | null {
    const head = this.queue[0];
    if (head === undefined) return null;
    if (head.qos === Qos.unreliable) return [this.queue.shift()!];
    if (this.unstableBytes >= this.unstableBytesMax) return null;
    let offered = 0;
    let n = 0;
    for (const m of this.queue) {
      if (n > 0 && !sameClass(head, m)) break;
      if (n === MESSAGES_PER_PACKET_MAX || (n > 0 && offered + m.payload.length > MAX_PACKET_BYTES)) break;
      offered += m.payload.length;
      n++;
      if (head.control !== DataControl.none) break; // a lock operation travels alone
    }
    const size = this.flow.nextPacketSize(Math.max(offered, 1), this.inFlight);
    if (size === WAIT) return null;
    // A message larger than the window's share goes out once nothing is in flight.
    if (head.payload.length > size && this.inFlight > 0) return null;
    const take = [this.queue.shift()!];
    let bytes = head.payload.length;
    while (take.length < n && bytes + this.queue[0]!.payload.length <= size) {
      bytes += this.queue[0]!.payload.length;
      take.push(this.queue.shift()!);
    }
    return take;
  }

  sent(bytes: number): void {
    this.inFlight += bytes;
    this.unstableBytes += bytes;
  }

  ordered(bytes: number): void {
    this.inFlight -= bytes;
    this.flow.onOrdered(bytes);
  }

  /** A reformation voided the timestamp of one of our packets: it is in flight again. */
  unordered(bytes: number): void {
    this.inFlight += bytes;
  }

  released(bytes: number): void {
    this.unstableBytes -= bytes;
  }

  lost(): void {
    this.flow.onLoss();
  }
}
