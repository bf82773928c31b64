// What a member core emits while it handles one event (src/sim/core.ts: events in, effects
// out): sends, timers and output records, stamped with the event's time. Every packet
// carries the same header: our id and our ordering view (D4).
//
// Multicast is a `send` to MULTICAST_NODE; the host maps it to the group address (the
// simulator fans it out to every listener, the runtime uses the IP multicast socket).
import type { CoreEffect, Json, NodeId, TimeUs } from '../sim/core.js';
import type { MemberState, MemberStats, MemberStatus } from './member-state.js';
import { OUT, type ViewRecord } from './outputs.js';
import { rmpPackets, type RmpPacket } from './packets.js';
import { nodeOf, type Pid } from './pid.js';
import type { View } from './view.js';

/** The `send` destination meaning "the group's multicast address". */
export const MULTICAST_NODE: NodeId = -1;

export type MemberTimer =
  | 'join'
  | 'rejoin'
  | 'linger'
  | 'token-hold'
  | 'token-pass'
  | 'silence'
  | 'nack'
  | 'data-retry'
  | 'recovery-vote'
  | 'recovery-start'
  | 'recovery-revote'
  | 'recovery-timeout'
  | 'recovery-commit';

export interface PacketHeader {
  group: number;
  sender: Pid;
  viewEpoch: number;
  viewCreator: number;
}

export class MemberIo {
  /** The time of the event being handled. */
  now: TimeUs = 0;
  private fx: CoreEffect[] = [];
  private readonly armed = new Set<string>();

  constructor(
    private readonly s: MemberState,
    private readonly group: number,
    private readonly stats: MemberStats,
  ) {}

  /** Starts handling an event at `nowUs`. */
  begin(nowUs: TimeUs): void {
    this.now = nowUs;
    this.fx = [];
  }

  /** The effects of the event being handled. */
  get effects(): CoreEffect[] {
    return this.fx;
  }

  fired(timer: string): void {
    this.armed.delete(timer);
  }

  arm(timer: MemberTimer, afterUs: number): void {
    this.armed.add(timer);
    this.fx.push({ kind: 'set-timer', timer, afterUs: Math.max(0, Math.round(afterUs)) });
  }

  armOnce(timer: MemberTimer, afterUs: number): void {
    if (!this.armed.has(timer)) this.arm(timer, afterUs);
  }

  out(name: string, data: Json): void {
    this.fx.push({ kind: 'output', name, data });
  }

  /** Bytes as they are: a stored packet sent again, or an encoded one. */
  send(to: NodeId, bytes: Uint8Array): void {
    this.fx.push({ kind: 'send', to, bytes });
  }

  /** The header every packet carries: our id and our ordering view (non-members: 0/0). */
  header(asNonMember = false): PacketHeader {
    const member = !asNonMember && this.s.status !== 'joining' && this.s.orderView !== undefined;
    return { group: this.group, sender: this.s.pid, viewEpoch: member ? this.s.orderView.epoch : 0, viewCreator: member ? this.s.orderView.creator : 0 };
  }

  mcast(p: RmpPacket): Uint8Array {
    const bytes = rmpPackets.encode(p);
    this.send(MULTICAST_NODE, bytes);
    return bytes;
  }

  ucast(to: Pid, p: RmpPacket): void {
    this.send(nodeOf(to), rmpPackets.encode(p));
  }

  /** A stored DATA or ACK re-sent inside RETRANS, so the outer sender is always us (D4). */
  retransmit(bytes: Uint8Array): void {
    this.stats.retransmissions++;
    this.mcast({ type: 'retrans', ...this.header(), packet: bytes });
  }

  setStatus(status: MemberStatus): void {
    if (this.s.status === status) return;
    this.s.status = status;
    this.out(OUT.status, { pid: this.s.pid, status });
  }

  /** The application sees view `v` installed at `ts`. */
  emitView(v: View, ts: number, cause: ViewRecord['cause']): void {
    const r: ViewRecord = { pid: this.s.pid, key: v.key, list: v.list, prev: this.s.installed?.key ?? null, ts, cause };
    this.s.installed = v;
    this.out(OUT.view, r as unknown as Json);
  }

  /** A broken internal invariant: reported (the simulator's checker fails the run), never thrown at a peer's input. */
  invariant(message: string): void {
    this.out(OUT.invariant, { pid: this.s.pid, message });
  }
}
