// A member forwarding for non-members (seed §5, D21): a client without multicast names one
// member and sends it its NON_MEMBER_DATA inside FORWARD; the member multicasts it inside a
// FORWARD of its own, so every member learns which member the client uses, and relays the
// replies meant for that client back to it. Ordering, QoS, duplicate suppression and replies
// are the client's packet's own (the forwarder re-encodes nothing); retransmission stays the
// client's (it re-sends until answered, through another member if its forwarder goes silent).
import { decodeCounted } from './decode-counted.js';
import type { DataReceipt } from './data-receipt.js';
import type { MemberIo } from './member-io.js';
import type { MemberState, MemberStats } from './member-state.js';
import { rmpPackets, type DataPacket, type PacketOf } from './packets.js';
import { nodeOf, type Pid } from './pid.js';
import { Qos } from './qos.js';

export class Forwarding {
  constructor(
    private readonly s: MemberState,
    private readonly io: MemberIo,
    private readonly group: number,
    private readonly stats: MemberStats,
    private readonly receipt: DataReceipt,
  ) {}

  onForward(outer: PacketOf<'forward'>): void {
    const inner = decodeCounted(rmpPackets, outer.packet, this.stats);
    if (inner === null || inner.group !== this.group) return;
    if (inner.type === 'nonMemberData') this.onRequest(outer.sender, inner, outer.packet);
    else if (inner.type === 'reply') this.relayReply(inner.client, outer.packet);
  }

  /** A request the client sent us (we forward it) or a fellow member forwarded (we note through whom). */
  private onRequest(from: Pid, p: DataPacket, bytes: Uint8Array): void {
    let forwarder = from;
    if (from === p.sender) {
      if (!this.s.isMember()) return; // not in a group to forward to: the client fails over
      this.io.mcast({ type: 'forward', ...this.io.header(), packet: bytes });
      forwarder = this.s.pid;
    }
    // Unreliable requests get no reply and keep no per-source state (D7).
    if (p.qos !== Qos.unreliable) this.s.stream(p.sender).forwarder = forwarder;
    this.receipt.onData(p, bytes);
  }

  /**
   * A reply on its way to a client that forwards through the group: straight to the client
   * (a forwarder we no longer are still reaches it; relaying on to another member could
   * ping-pong between two that each think the other forwards), never to strangers.
   */
  private relayReply(client: Pid, reply: Uint8Array): void {
    if (this.s.sources.get(client)?.forwarder !== undefined) this.io.send(nodeOf(client), wrapped(this.io, reply));
  }
}

/**
 * Who a packet for a non-member goes to (D21): the client itself when it reaches the group by
 * multicast or we are its forwarder, else the member it forwards through (which relays a
 * reply, and answers a NACK from what it forwarded).
 */
export function clientHop(s: MemberState, client: Pid): Pid {
  const forwarder = s.sources.get(client)?.forwarder;
  return forwarder === undefined || forwarder === s.pid ? client : forwarder;
}

/** A reply to a client behind a forwarder travels inside FORWARD (the outer sender is us, D4). */
export function sendReply(s: MemberState, io: MemberIo, client: Pid, reply: Uint8Array): void {
  const forwarded = s.sources.get(client)?.forwarder !== undefined;
  io.send(nodeOf(clientHop(s, client)), forwarded ? wrapped(io, reply) : reply);
}

function wrapped(io: MemberIo, packet: Uint8Array): Uint8Array {
  return rmpPackets.encode({ type: 'forward', ...io.header(), packet });
}
