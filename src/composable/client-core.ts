// A composable-architecture client as a sans-IO core (Lane 2008 §4.2, §4.5 CLink): one
// outstanding update, timestamps strictly increasing, talks only to the servers of its own
// site. It sends each signed update to the server at the head of its list; when no answer
// comes in time it sends the identical update, with the retransmit flag, to f+1 servers of
// the site (one is correct and will run CLink-Order) and moves its list on by one. A result
// counts once enough servers of its site sent matching signed replies: f+1 for a BFT LM, one
// for a Paxos LM, whose servers are benign (decisions D4).
import { signedBytesFor } from '../crypto/merkle-batch.js';
import { hex, sha256, CryptoPort } from '../steward/crypto-port.js';
import { kvCommands } from '../service/kv-commands.js';
import type { Core, CoreEffect, CoreEvent, NodeId, TimeUs } from '../sim/core.js';
import { DecodeError } from '../wire/decode-error.js';
import { decode, encode } from './messages.js';
import { OUT } from './outputs.js';
import { serverNode, serversPerSite, siteOf, witnesses, type ComposableTopology } from './topology.js';

export interface ComposableClientOptions {
  topology: ComposableTopology;
  node: NodeId;
  /** Closed-loop updates to send one after another (0: only `request` events). */
  updates: number;
  /** Bytes per update (the paper's 200, §4.7): a KV put padded to this size. */
  opBytes: number;
  startUs?: TimeUs;
  retryUs: TimeUs;
}

const TIMER_RETRY = 'retry';
const TIMER_START = 'start';
/** The KV put's own bytes besides its value (tags, key, lengths). */
const PUT_OVERHEAD_BYTES = 16;

export class ComposableClient implements Core {
  readonly port = new CryptoPort();
  private readonly servers: NodeId[];
  private readonly quorum: number;
  private head: number;
  private ts = 0;
  private sent = 0;
  private current: { env: Uint8Array; ts: number; sentUs: TimeUs; votes: Map<string, Set<NodeId>> } | null = null;
  private readonly queue: Uint8Array[] = [];
  private now: TimeUs = 0;

  constructor(readonly o: ComposableClientOptions) {
    const site = siteOf(o.topology, o.node);
    this.servers = Array.from({ length: serversPerSite(o.topology) }, (_, i) => serverNode(o.topology, site, i));
    this.quorum = witnesses(o.topology.local, o.topology.f);
    this.head = o.node % this.servers.length;
  }

  handle(nowUs: TimeUs, event: CoreEvent): CoreEffect[] {
    this.now = nowUs;
    switch (event.kind) {
      case 'start':
        if (!event.restarted) this.port.out.push({ kind: 'set-timer', timer: TIMER_START, afterUs: this.o.startUs ?? 0 });
        break;
      case 'timer':
        if (event.timer === TIMER_START) this.next();
        else if (event.timer === TIMER_RETRY) this.retry();
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

  private makeOp(): Uint8Array | undefined {
    const queued = this.queue.shift();
    if (queued) return queued;
    if (this.sent >= this.o.updates) return undefined;
    this.sent++;
    const value = new Uint8Array(Math.max(0, this.o.opBytes - PUT_OVERHEAD_BYTES)).fill((this.o.node + this.sent) & 0xff);
    return kvCommands.encode({ type: 'put', key: `c${this.o.node}`, value });
  }

  private next(): void {
    const op = this.makeOp();
    if (!op) return;
    const ts = ++this.ts;
    const body = encode({ type: 'update', client: this.o.node, ts, op });
    const sentUs = this.now;
    this.port.sign(body, (sig) => {
      const env = encode({ type: 'signed', from: this.o.node, body, sig });
      this.current = { env, ts, sentUs, votes: new Map() };
      this.port.out.push({ kind: 'output', name: OUT.submit, data: { client: this.o.node, ts, digest: hex(sha256(env)) } });
      this.port.out.push({ kind: 'send', to: this.servers[this.head]!, bytes: encode({ type: 'clientUpdate', retransmit: false, update: env }) });
      this.port.out.push({ kind: 'set-timer', timer: TIMER_RETRY, afterUs: this.o.retryUs });
    });
  }

  /** §4.5: the same update to f+1 servers with the retransmit flag; the list moves on. */
  private retry(): void {
    const cur = this.current;
    if (!cur) return;
    const bytes = encode({ type: 'clientUpdate', retransmit: true, update: cur.env });
    for (let i = 0; i < this.o.topology.f + 1; i++) this.port.out.push({ kind: 'send', to: this.servers[(this.head + i) % this.servers.length]!, bytes });
    this.head = (this.head + 1) % this.servers.length;
    this.port.out.push({ kind: 'set-timer', timer: TIMER_RETRY, afterUs: this.o.retryUs });
  }

  private onReply(from: NodeId, bytes: Uint8Array): void {
    const cur = this.current;
    if (!cur || !this.servers.includes(from)) return;
    let env;
    let reply;
    try {
      env = decode(bytes);
      if ((env.type !== 'signed' && env.type !== 'batchSigned') || env.from !== from) return;
      reply = decode(env.body);
    } catch (e) {
      if (e instanceof DecodeError) return;
      throw e;
    }
    if (reply.type !== 'reply' || reply.client !== this.o.node || reply.ts !== cur.ts) return;
    // A batch-signed reply's signature covers the batch's root, which its path implies (D13).
    const signed = env.type === 'signed' ? env.body : signedBytesFor(env.body, { index: env.index, leafCount: env.leafCount, path: env.path, signature: env.sig });
    if (signed === undefined) return;
    const key = `${reply.seq}:${hex(reply.result)}`;
    const seq = reply.seq;
    this.port.verify(from, signed, env.sig, (ok) => {
      if (!ok || this.current !== cur) return;
      let voters = cur.votes.get(key);
      if (!voters) cur.votes.set(key, (voters = new Set()));
      voters.add(from);
      if (voters.size < this.quorum) return;
      this.current = null;
      this.port.out.push({ kind: 'cancel-timer', timer: TIMER_RETRY });
      this.port.out.push({ kind: 'output', name: OUT.accepted, data: { client: this.o.node, ts: cur.ts, seq, latencyUs: this.now - cur.sentUs } });
      this.next();
    });
  }
}
