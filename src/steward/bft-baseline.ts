// The flat BFT baseline of Steward §3.5 (spec §12.1): N servers in total (16, f = 5), spread
// over the sites, running PBFT's common case across the wide area: the primary's Pre-Prepare,
// all-to-all Prepares (ASSIGN-SEQUENCE, reused from assign-sequence.ts: "their BFT and
// Steward's ASSIGN-SEQUENCE perform about the same"), then all-to-all Commits and execution on
// 2f+1 matching Commits; every message RSA-signed. There is no view change: it is a fault-free
// yardstick for the benchmark, not a replication service. Clients are StewardClients talking
// to all N servers (quorum f+1).
import type { Core, CoreEffect, CoreEvent, NodeId, TimeUs } from '../sim/core.js';
import { AssignSequence, digestOf, type PrepareCertificate } from './assign-sequence.js';
import { CryptoPort, hex, sha256 } from './crypto-port.js';
import { openSigned, tryOpenSigned, type Opened } from './envelopes.js';
import { encode, type Msg, type WireMessage } from './messages.js';
import { OUT, type ExecuteRecord } from './outputs.js';

export interface FlatBftOptions {
  /** Servers are nodes 0..n-1; the primary is 0. */
  n: number;
  node: NodeId;
  window: number;
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

export class FlatBftServer implements Core {
  readonly port = new CryptoPort();
  private readonly f: number;
  private readonly assign: AssignSequence;
  private readonly commits = new Map<number, Map<number, Uint8Array>>();
  private readonly certified = new Map<number, PrepareCertificate>();
  private readonly seen = new Set<string>();
  private nextSeq = 1;
  private executed = 0;
  private state: Uint8Array = new Uint8Array(32);
  private readonly lastTs = new Map<number, number>();

  constructor(private readonly o: FlatBftOptions) {
    this.f = Math.floor((o.n - 1) / 3);
    this.assign = new AssignSequence({
      f: this.f,
      myId: o.node,
      repOf: () => 0,
      mayPrepare: (seq) => seq > this.executed && seq <= this.executed + o.window,
      sendPrepare: (gv, lv, seq, digest, stored) => this.broadcast({ type: 'prepare', gv, lv, seq, digest }, stored),
      onCertificate: (pc) => {
        this.certified.set(pc.seq, pc);
        this.broadcast({ type: 'commit', gv: 0, lv: 0, seq: pc.seq, digest: pc.digest });
        this.onCommit(this.o.node, pc.seq, pc.digest);
      },
    });
  }

  handle(_now: TimeUs, event: CoreEvent): CoreEffect[] {
    if (event.kind === 'crypto') this.port.answer(event.job, event.ok, event.bytes);
    else if (event.kind === 'receive') this.receive(event.from, event.bytes);
    return this.port.drain();
  }

  private broadcast(body: WireMessage, stored?: (env: Uint8Array) => void): void {
    const bodyBytes = encode(body);
    this.port.sign(bodyBytes, (sig) => {
      const env = encode({ type: 'signed', from: this.o.node, body: bodyBytes, sig });
      for (let i = 0; i < this.o.n; i++) if (i !== this.o.node) this.port.out.push({ kind: 'send', to: i, bytes: env });
      stored?.(env);
    });
  }

  private receive(from: NodeId, bytes: Uint8Array): void {
    const o = tryOpenSigned(bytes);
    if (!o) return;
    const b = o.body;
    if (b.type === 'update') return this.onUpdate(o as Opened<Msg<'update'>>);
    if (o.from >= this.o.n || o.from === this.o.node) return;
    if (b.type === 'prepare' && !this.assign.wantsPrepare(0, 0, b.seq, o.from)) return;
    if (b.type === 'commit' && (this.commits.get(b.seq)?.size ?? 0) >= 2 * this.f + 1) return;
    this.port.verify(o.from, o.bodyBytes, o.sig, (ok) => {
      if (!ok) return;
      if (b.type === 'prePrepare') this.verifiedUpdate(b.update, () => this.assign.onPrePrepare(o.from, b.gv, b.lv, b.seq, b.update, bytes));
      else if (b.type === 'prepare') this.assign.onPrepare(o.from, b.gv, b.lv, b.seq, b.digest, bytes);
      else if (b.type === 'commit') this.onCommit(o.from, b.seq, b.digest);
    });
    void from;
  }

  private verifiedUpdate(env: Uint8Array, then: () => void): void {
    const u = openSigned(env);
    if (u.body.type !== 'update' || u.body.client !== u.from) return;
    this.port.verify(u.from, u.bodyBytes, u.sig, (ok) => ok && then(), true);
  }

  private onUpdate(o: Opened<Msg<'update'>>): void {
    const key = `${o.body.client}:${o.body.ts}`;
    if (this.seen.has(key) || o.body.ts <= (this.lastTs.get(o.body.client) ?? 0)) return;
    this.seen.add(key);
    if (this.o.node !== 0) return this.port.out.push({ kind: 'send', to: 0, bytes: o.raw }) as unknown as void;
    this.verifiedUpdate(o.raw, () => {
      const seq = this.nextSeq++;
      const update = o.raw;
      this.broadcast({ type: 'prePrepare', gv: 0, lv: 0, seq, update }, (env) => this.assign.storeOwnPrePrepare(0, 0, seq, update, env));
    });
  }

  private onCommit(from: number, seq: number, digest: Uint8Array): void {
    let m = this.commits.get(seq);
    if (!m) this.commits.set(seq, (m = new Map()));
    if (!m.has(from)) m.set(from, digest);
    while (this.ready(this.executed + 1)) this.execute(this.executed + 1);
  }

  private ready(seq: number): boolean {
    const pc = this.certified.get(seq);
    const m = this.commits.get(seq);
    if (!pc || !m) return false;
    let n = 0;
    for (const d of m.values()) if (same(d, pc.digest)) n++;
    return n >= 2 * this.f + 1;
  }

  private execute(seq: number): void {
    const pc = this.certified.get(seq)!;
    const u = openSigned(pc.update).body as Msg<'update'>;
    const noop = (this.lastTs.get(u.client) ?? 0) >= u.ts;
    if (!noop) {
      this.state = sha256(Buffer.concat([this.state, sha256(u.op)]));
      this.lastTs.set(u.client, u.ts);
    }
    this.executed = seq;
    this.certified.delete(seq);
    this.commits.delete(seq);
    this.assign.garbageCollect(seq);
    const rec: ExecuteRecord = { seq, gv: 0, lv: 0, client: u.client, ts: u.ts, digest: hex(digestOf(pc.update)), noop, state: hex(this.state).slice(0, 16) };
    this.port.out.push({ kind: 'output', name: OUT.execute, data: rec as unknown as Record<string, number | string | boolean> });
    if (noop) return;
    const body = encode({ type: 'reply', client: u.client, ts: u.ts, seq, result: this.state });
    this.port.sign(body, (sig) => this.port.out.push({ kind: 'send', to: u.client, bytes: encode({ type: 'signed', from: this.o.node, body, sig }) }));
  }
}
