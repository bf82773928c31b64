// A non-member process using multi-RPC (seed §6, spec §9): it sends NON_MEMBER_DATA to the
// group address and re-sends each request until an acknowledgement or a response arrives.
// It answers data NACKs for its own requests (members order its packets like any source's,
// so they notice its gaps) and never joins the group.
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

interface Outstanding {
  bytes: Uint8Array;
  sentAtUs: TimeUs;
  /** An unreliable request expects no reply. */
  awaitsReply: boolean;
}

export type ReplySink = (seq: number, from: Pid, status: number, payload: Uint8Array) => void;

export class RmpClient implements Core {
  readonly pid: Pid;
  readonly stats = { decodeErrors: 0, badCommands: 0, retries: 0 };
  private now: TimeUs = 0;
  private fx: CoreEffect[] = [];
  private nextSeq = 0;
  private readonly queue: ValidSend[] = [];
  private readonly outstanding = new Map<number, Outstanding>();
  private retryArmed = false;

  constructor(node: NodeId, hostEpoch: number, private readonly config: Pick<RmpConfig, 'group' | 'timers'>, private readonly sink?: ReplySink) {
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
      this.fx.push({ kind: 'send', to: MULTICAST_NODE, bytes });
    }
  }

  private receive(bytes: Uint8Array): void {
    const p = decodeCounted(rmpPackets, bytes, this.stats);
    if (p === null) return;
    if (p.group !== this.config.group) return;
    if (p.type === 'reply' && p.client === this.pid) {
      if (!this.outstanding.delete(p.seq)) return; // a duplicate reply
      this.out(OUT.reply, { pid: this.pid, seq: p.seq, from: p.sender, status: p.status });
      this.sink?.(p.seq, p.sender, p.status, p.payload);
    } else if (p.type === 'nack') {
      for (const w of p.wants) {
        if (w.kind !== NackKind.data || w.a !== this.pid) continue;
        for (let seq = w.b; seq <= w.c; seq++) {
          const o = this.outstanding.get(seq);
          if (o !== undefined) this.fx.push({ kind: 'send', to: MULTICAST_NODE, bytes: o.bytes });
        }
      }
    }
  }

  private retry(): void {
    for (const o of this.outstanding.values()) {
      if (this.now - o.sentAtUs < this.config.timers.clientRetryUs) continue;
      o.sentAtUs = this.now;
      this.stats.retries++;
      this.fx.push({ kind: 'send', to: MULTICAST_NODE, bytes: o.bytes });
    }
  }
}
