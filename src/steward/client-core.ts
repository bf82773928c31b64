// A Steward client as a sans-IO core (§3.2): one outstanding update, timestamps strictly
// increasing, talks only to the servers of its own site. It sends each signed update to one
// server and, after CLIENT_RETRY timeouts, to all of them (§3.4.2 step 1). A result counts once
// f+1 servers of the site sent matching signed replies (spec §15.2, decisions.md D7): at
// least one of them is correct, so the update was ordered at that seq with that result.
// Read-only queries go to every server of the site and need f+1 matching (aru, state, result)
// (D5). An application drives it with `request` events (clientRequests below) and reads each
// answer's result from the `accepted` / `query` outputs, in the order it asked.
import { kvCommands, workloadPut } from '../service/kv-commands.js';
import type { Core, CoreEffect, CoreEvent, NodeId, TimeUs } from '../sim/core.js';
import { bytes, struct, u64n } from '../wire/codec.js';
import { DecodeError } from '../wire/decode-error.js';
import { defineFamily } from '../wire/family.js';
import { CryptoPort, hex, sha256 } from './crypto-port.js';
import { openSigned, tryOpenSigned } from './envelopes.js';
import { encode, decode, OP_BYTES_MAX, type Msg } from './messages.js';
import { OUT, type AnswerRecord } from './outputs.js';
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

/** What an application hands the client core in a `request` event: an update to order or a query to ask. */
export const clientRequests = defineFamily({
  name: 'steward-client-request',
  version: 1,
  messages: {
    update: { tag: 1, codec: struct({ op: bytes(OP_BYTES_MAX) }) },
    /** Answers reflecting fewer than `minAru` executions are not counted (the asker has seen seq minAru already). */
    query: { tag: 2, codec: struct({ op: bytes(OP_BYTES_MAX), minAru: u64n }) },
  },
});

interface Request {
  kind: 'update' | 'query';
  op: Uint8Array;
  minAru: number;
}

const TIMER_RETRY = 'retry';
const TIMER_START = 'start';

export class StewardClient implements Core {
  readonly port = new CryptoPort();
  private readonly targets: NodeId[];
  private readonly quorum: number;
  private ts = 0;
  private current: { kind: 'update' | 'query'; env: Uint8Array; sentUs: TimeUs; minAru: number; votes: Map<string, Set<NodeId>> } | null = null;
  /** A request is being signed or awaits its answers: the next one waits (one outstanding, §3.2). */
  private busy = false;
  /** The highest seq this client has accepted: its queries' answers must reflect at least that (read your writes). */
  private seenSeq = 0;
  private sent = 0;
  private queried = 0;
  /** Application requests waiting their turn (runtime clients drive the core with `request`). */
  private readonly queue: Request[] = [];
  /** Application requests that did not decode: counted and dropped. */
  readonly dropped = new Map<string, number>();
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
        this.onRequest(event.bytes);
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


  private onRequest(bytes: Uint8Array): void {
    let r;
    try {
      r = clientRequests.decode(bytes);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.dropped.set(e.code, (this.dropped.get(e.code) ?? 0) + 1);
      return;
    }
    this.queue.push(r.type === 'query' ? { kind: 'query', op: r.op, minAru: r.minAru } : { kind: 'update', op: r.op, minAru: 0 });
    if (!this.busy) this.next();
  }

  /** The next request: the application's first, else the closed-loop workload's (puts to this client's key, then gets of it). */
  private nextRequest(): Request | undefined {
    const queued = this.queue.shift();
    if (queued) return queued;
    if (this.sent < this.o.updates) return { kind: 'update', op: workloadPut(this.o.node, this.sent++, this.o.opBytes), minAru: 0 };
    if (this.queried < (this.o.queries ?? 0)) {
      this.queried++;
      return { kind: 'query', op: kvCommands.encode({ type: 'get', key: `c${this.o.node}` }), minAru: 0 };
    }
    return undefined;
  }

  private next(): void {
    const request = this.nextRequest();
    if (!request) return;
    const { kind, op } = request;
    const minAru = Math.max(request.minAru, this.seenSeq);
    this.busy = true;
    const ts = ++this.ts;
    const body = encode({ type: kind, client: this.o.node, ts, op });
    const sentUs = this.now;
    this.port.sign(body, (sig) => {
      const env = encode({ type: 'signed', from: this.o.node, body, sig });
      this.current = { kind, env, sentUs, minAru, votes: new Map() };
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
      if (b.type === 'queryReply' && b.aru < cur.minAru) return; // a lagging server: its retry answer will do
      const key = b.type === 'reply' ? `${b.seq}:${hex(b.result)}` : `${b.aru}:${hex(b.state)}:${hex(b.result)}`;
      this.port.verify(from, o.bodyBytes, o.sig, (ok) => {
        if (!ok || this.current !== cur) return;
        let voters = cur.votes.get(key);
        if (!voters) cur.votes.set(key, (voters = new Set()));
        voters.add(from);
        if (voters.size < this.quorum) return;
        const seq = b.type === 'reply' ? b.seq : b.aru;
        const latencyUs = this.now - cur.sentUs;
        this.current = null;
        this.busy = false;
        this.seenSeq = Math.max(this.seenSeq, seq);
        this.port.out.push({ kind: 'cancel-timer', timer: TIMER_RETRY });
        const data: AnswerRecord = { client: this.o.node, ts: mine.ts, seq, latencyUs, result: hex(b.result) };
        if (b.type === 'reply') this.port.out.push({ kind: 'output', name: OUT.accepted, data: { ...data } });
        else this.port.out.push({ kind: 'output', name: OUT.queryAnswered, data: { ...data, state: hex(b.state).slice(0, 16) } });
        if (cur.kind === 'update') this.accepted.push({ ts: mine.ts, seq, latencyUs });
        this.next();
      });
    }
  }
}
