// A Steward client as a sans-IO core (§3.2): one outstanding update, timestamps strictly
// increasing, talks only to the servers of its own site. It sends each signed update to one
// server and, after CLIENT_RETRY timeouts, to all of them (§3.4.2 step 1). A result counts once
// f+1 servers of the site sent matching signed replies (spec §15.2, decisions.md D7): at
// least one of them is correct, so the update was ordered at that seq with that result.
// Read-only queries go to every server of the site and need f+1 matching (aru, result) (D5).
import type { Core, CoreEffect, CoreEvent, NodeId, TimeUs } from '../sim/core.js';
import { CryptoPort, hex, sha256 } from './crypto-port.js';
import { openSigned, tryOpenSigned } from './envelopes.js';
import { encode, decode, type Msg } from './messages.js';
import { OUT } from './outputs.js';
import { serverNode, serversPerSite, siteOf, type StewardTopology } from './topology.js';

export interface StewardClientOptions {
  topology: StewardTopology;
  node: NodeId;
  /** Closed-loop updates to send, one after another (0: only `request` events). */
  updates: number;
  /** Bytes per update (the paper's 200, §3.5). */
  opBytes: number;
  /** Read-only queries after the updates. */
  queries?: number;
  /** First send at this virtual time. */
  startUs?: TimeUs;
  /** Re-send to every server of the site when no answer came by then. */
  retryUs: TimeUs;
  /** Whom the client may talk to; default: the servers of its own site (§3.2). */
  servers?: NodeId[];
  /** Where an update goes first; default: one server of its site chosen by client id. */
  firstServer?: NodeId;
  /** Matching replies needed; default f+1 (D7). */
  quorum?: number;
}

const TIMER_RETRY = 'retry';
const TIMER_START = 'start';

export class StewardClient implements Core {
  readonly port = new CryptoPort();
  private readonly targets: NodeId[];
  private readonly quorum: number;
  private ts = 0;
  private current: { kind: 'update' | 'query'; env: Uint8Array; sentUs: TimeUs; votes: Map<string, Set<NodeId>> } | null = null;
  private sent = 0;
  private queried = 0;
  /** Application requests waiting their turn (runtime clients drive the core with `request`). */
  private readonly queue: Uint8Array[] = [];
  private now: TimeUs = 0;
  readonly accepted: Array<{ ts: number; seq: number; latencyUs: number }> = [];

  constructor(readonly o: StewardClientOptions) {
    const site = siteOf(o.topology, o.node);
    this.targets = o.servers ?? Array.from({ length: serversPerSite(o.topology) }, (_, i) => serverNode(o.topology, site, i));
    this.quorum = o.quorum ?? o.topology.f + 1;
  }

  handle(nowUs: TimeUs, event: CoreEvent): CoreEffect[] {
    this.now = nowUs;
    switch (event.kind) {
      case 'start':
        if (!event.restarted) this.port.out.push({ kind: 'set-timer', timer: TIMER_START, afterUs: this.o.startUs ?? 0 });
        break;
      case 'timer':
        if (event.timer === TIMER_START) this.next();
        else if (event.timer === TIMER_RETRY && this.current) this.retry();
        break;
      case 'request':
        this.queue.push(event.bytes);
        if (!this.current) this.next();
        break;
      case 'receive':
        this.onReply(event.from, event.bytes);
        break;
      case 'crypto':
        this.port.answer(event.job, event.ok, event.bytes);
        break;
      default:
        break;
    }
    return this.port.drain();
  }


  private next(): void {
    let op: Uint8Array | undefined = this.queue.shift();
    let kind: 'update' | 'query' = 'update';
    if (!op && this.sent < this.o.updates) {
      op = new Uint8Array(this.o.opBytes).fill((this.o.node + this.sent) & 0xff);
      new DataView(op.buffer).setUint32(0, this.o.node);
      if (op.length >= 8) new DataView(op.buffer).setUint32(4, this.sent);
      this.sent++;
    } else if (!op && this.queried < (this.o.queries ?? 0)) {
      op = new Uint8Array(8);
      this.queried++;
      kind = 'query';
    }
    if (!op) return;
    const ts = ++this.ts;
    const body = encode({ type: kind, client: this.o.node, ts, op });
    const sentUs = this.now;
    this.port.sign(body, (sig) => {
      const env = encode({ type: 'signed', from: this.o.node, body, sig });
      this.current = { kind, env, sentUs, votes: new Map() };
      if (kind === 'update') this.port.out.push({ kind: 'output', name: OUT.submit, data: { client: this.o.node, ts, digest: hex(sha256(env)) } });
      const targets = kind === 'query' ? this.targets : [this.o.firstServer ?? this.targets[this.o.node % this.targets.length]!];
      for (const to of targets) this.port.out.push({ kind: 'send', to, bytes: env });
      this.port.out.push({ kind: 'set-timer', timer: TIMER_RETRY, afterUs: this.o.retryUs });
    });
  }

  private retry(): void {
    for (const to of this.targets) this.port.out.push({ kind: 'send', to, bytes: this.current!.env });
    this.port.out.push({ kind: 'set-timer', timer: TIMER_RETRY, afterUs: this.o.retryUs });
  }

  private onReply(from: NodeId, bytes: Uint8Array): void {
    const cur = this.current;
    if (!cur || !this.targets.includes(from)) return;
    const o = tryOpenSigned(bytes);
    if (!o) return;
    const b = o.body;
    if (o.from !== from) return;
    const mine = decode(openSigned(cur.env).bodyBytes) as Msg<'update'>;
    if ((b.type === 'reply' && cur.kind === 'update') || (b.type === 'queryReply' && cur.kind === 'query')) {
      if (b.client !== this.o.node || b.ts !== mine.ts) return;
      const key = b.type === 'reply' ? `${b.seq}:${hex(b.result)}` : `${b.aru}:${hex(b.result)}`;
      this.port.verify(from, o.bodyBytes, o.sig, (ok) => {
        if (!ok || this.current !== cur) return;
        let voters = cur.votes.get(key);
        if (!voters) cur.votes.set(key, (voters = new Set()));
        voters.add(from);
        if (voters.size < this.quorum) return;
        const seq = b.type === 'reply' ? b.seq : b.aru;
        const latencyUs = this.now - cur.sentUs;
        this.current = null;
        this.port.out.push({ kind: 'cancel-timer', timer: TIMER_RETRY });
        const data = { client: this.o.node, ts: mine.ts, seq, latencyUs };
        if (cur.kind === 'update') this.port.out.push({ kind: 'output', name: OUT.accepted, data });
        else this.port.out.push({ kind: 'output', name: OUT.queryAnswered, data: { ...data, state: hex(b.result).slice(0, 16) } });
        if (cur.kind === 'update') this.accepted.push({ ts: mine.ts, seq, latencyUs });
        this.next();
      });
    }
  }
}
