// A non-member process using multi-RPC (seed §6, spec §9): it sends NON_MEMBER_DATA to the
// group address and re-sends each request until an acknowledgement or a response arrives.
// It answers data NACKs for its own requests (members order its packets like any source's,
// so they notice its gaps) and never joins the group. A client without multicast names
// forwarding members instead (seed §5, D21): it sends each request inside FORWARD to the
// first, gets replies relayed by it, and moves on to the next when the current one stays
// silent for FORWARDER_SILENT_ROUNDS retry rounds.
import type { Core, CoreEffect, CoreEvent, Json, NodeId, TimeUs } from '../sim/core.js';
import { rmpCommands, validSend, type ValidSend } from './commands.js';
import { decodeCounted } from './decode-counted.js';
import type { RmpConfig } from './config.js';
import { MULTICAST_NODE } from './member-io.js';
import { OUT } from './outputs.js';
import { DataControl, NackKind, rmpPackets, type RmpPacket } from './packets.js';
import { makePid, type Pid } from './pid.js';
import { Qos } from './qos.js';

/** Requests in flight at once; more wait in order (a client is one RPC stream). */
export const CLIENT_OUTSTANDING_MAX = 8;
/**
 * Retry rounds without any reply after which a client gives up on its forwarder (D21): three
 * `clientRetryUs`, so a lost datagram or two does not move it, a crashed forwarder does.
 */
export const FORWARDER_SILENT_ROUNDS = 3;

interface Outstanding {
  bytes: Uint8Array;
  sentAtUs: TimeUs;
  /** An unreliable request expects no reply. */
  awaitsReply: boolean;
}

export type ReplySink = (seq: number, from: Pid, status: number, payload: Uint8Array) => void;

export class RmpClient implements Core {
  readonly pid: Pid;
  readonly stats = { decodeErrors: 0, badCommands: 0, retries: 0, failovers: 0 };
  private now: TimeUs = 0;
  private fx: CoreEffect[] = [];
  private nextSeq = 0;
  private readonly queue: ValidSend[] = [];
  private readonly outstanding = new Map<number, Outstanding>();
  private retryArmed = false;
  /** Index into `forwarders` of the member used now. */
  private forwarder = 0;
  /** Retry rounds since the last reply (D21). */
  private silentRounds = 0;

  /** `forwarders`: member nodes to send through, in order of preference; none = the group's multicast address. */
  constructor(node: NodeId, hostEpoch: number, private readonly config: Pick<RmpConfig, 'group' | 'timers'>, private readonly sink?: ReplySink, private readonly forwarders: readonly NodeId[] = []) {
    this.pid = makePid(node, hostEpoch, 0);
  }

  handle(nowUs: TimeUs, event: CoreEvent): CoreEffect[] {
    this.now = nowUs;
    this.fx = [];
    if (event.kind === 'start') this.out(OUT.incarnation, { pid: this.pid, node: -1 });
    else if (event.kind === 'request') this.command(event.bytes);
    else if (event.kind === 'receive') this.receive(event.bytes);
    else if (event.kind === 'timer') {
      this.retryArmed = false;
      this.retry();
    }
    this.pump();
    if (!this.retryArmed && [...this.outstanding.values()].some((o) => o.awaitsReply)) {
      this.retryArmed = true;
      this.fx.push({ kind: 'set-timer', timer: 'retry', afterUs: this.config.timers.clientRetryUs });
    }
    return this.fx;
  }

  private out(name: string, data: Json): void {
    this.fx.push({ kind: 'output', name, data });
  }

  private command(bytes: Uint8Array): void {
    const c = decodeCounted(rmpCommands, bytes, this.stats);
    if (c === null) return;
    const send = c.type === 'send' ? validSend(c) : null;
    if (send === null) this.stats.badCommands++; // a non-member only sends
    else this.queue.push(send);
  }

  private pump(): void {
    while (this.queue.length > 0 && this.outstanding.size < CLIENT_OUTSTANDING_MAX) {
      const r = this.queue.shift()!;
      const seq = ++this.nextSeq;
      const p: RmpPacket = { type: 'nonMemberData', group: this.config.group, sender: this.pid, viewEpoch: 0, viewCreator: 0, seq, qos: r.qos, k: r.k, handler: r.handler, control: DataControl.none, messages: [r.payload] };
      const bytes = rmpPackets.encode(p);
      const awaitsReply = r.qos !== Qos.unreliable;
      if (awaitsReply) this.outstanding.set(seq, { bytes, sentAtUs: this.now, awaitsReply });
      this.out(OUT.request, { pid: this.pid, seq, qos: r.qos, handler: r.handler });
      this.transmit(bytes);
    }
  }

  /** To the group address, or inside FORWARD to the current forwarding member (D21). */
  private transmit(request: Uint8Array): void {
    if (this.forwarders.length === 0) this.fx.push({ kind: 'send', to: MULTICAST_NODE, bytes: request });
    else {
      const wrapper = rmpPackets.encode({ type: 'forward', group: this.config.group, sender: this.pid, viewEpoch: 0, viewCreator: 0, packet: request });
      this.fx.push({ kind: 'send', to: this.forwarders[this.forwarder]!, bytes: wrapper });
    }
  }

  private receive(bytes: Uint8Array, relayed = false): void {
    const p = decodeCounted(rmpPackets, bytes, this.stats);
    if (p === null) return;
    if (p.group !== this.config.group) return;
    if (p.type === 'forward' && !relayed) this.receive(p.packet, true);
    else if (p.type === 'reply' && p.client === this.pid) {
      this.silentRounds = 0;
      if (!this.outstanding.delete(p.seq)) return; // a duplicate reply
      this.out(OUT.reply, { pid: this.pid, seq: p.seq, from: p.sender, status: p.status });
      this.sink?.(p.seq, p.sender, p.status, p.payload);
    } else if (p.type === 'nack') {
      for (const w of p.wants) {
        if (w.kind !== NackKind.data || w.a !== this.pid) continue;
        for (let seq = w.b; seq <= w.c; seq++) {
          const o = this.outstanding.get(seq);
          if (o !== undefined) this.transmit(o.bytes);
        }
      }
    }
  }

  private retry(): void {
    const due = [...this.outstanding.values()].filter((o) => this.now - o.sentAtUs >= this.config.timers.clientRetryUs);
    if (due.length > 0 && this.forwarders.length > 0 && ++this.silentRounds >= FORWARDER_SILENT_ROUNDS) this.nextForwarder();
    for (const o of due) {
      o.sentAtUs = this.now;
      this.stats.retries++;
      this.transmit(o.bytes);
    }
  }

  /** The forwarder stayed silent: its successor in the list gets the retries (D21). */
  private nextForwarder(): void {
    this.silentRounds = 0;
    this.stats.failovers++;
    this.forwarder = (this.forwarder + 1) % this.forwarders.length;
    this.out(OUT.forwarder, { pid: this.pid, node: this.forwarders[this.forwarder]! });
  }
}
