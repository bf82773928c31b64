// CLink on a server (Lane 2008 §4.5). CLink-Opt: a server of a non-leader LM forwards a new
// client update, unordered and without crypto, to the leader-LM server at the head of its
// list, and falls back to CLink-Order (rotating the list) if the update is not executed in
// time. CLink-Order: the server signs an Ordering_Request(id_r, u, seq_r) and sends it to its
// LM; every server keeps the requests per origin and the LM orders each origin's requests
// strictly in seq_r order (round-robin across origins at the leader, server-core.ts). Two
// requests of one origin with the same seq_r and different updates prove the origin faulty:
// the proof is broadcast and the origin blacklisted. It is invoked when the client's first
// server timed out (the retransmit flag), and when a leader-LM server gets a new update.
import { hex, sha256 } from '../steward/crypto-port.js';
import type { NodeId, TimeUs } from '../sim/core.js';
import type { LmMachine } from './lm-machine.js';
import { openUpdate } from './lm-machine.js';
import { encode, type Msg, type WireMessage } from './messages.js';
import { serverNode, serversPerSite, siteOf, type ComposableTopology } from './topology.js';
import type { OpenedLocal, Validator } from './validation.js';

export interface ClinkContext {
  t: ComposableTopology;
  site: number;
  myId: number;
  /** This server's incarnation: a restarted server numbers its requests afresh (D11). */
  epoch: number;
  machine: LmMachine;
  validator: Validator;
  signLocal(body: WireMessage, done: (raw: Uint8Array) => void): void;
  sendLocalAll(bytes: Uint8Array): void;
  sendTo(node: NodeId, bytes: Uint8Array): void;
  corrupted: Set<number>;
  blacklist(server: number, reason: string): void;
  optUs: TimeUs;
}

interface Request {
  raw: Uint8Array;
  epoch: number;
  seqR: number;
  digest: string;
}

const key = (client: number, ts: number) => `${client}:${ts}`;

/** Ordering requests held per origin: a faulty origin cannot grow a server's memory beyond this. */
export const REQUESTS_PER_ORIGIN_MAX = 4096;

export class ClinkServer {
  private readonly requests: Map<string, Request>[];
  private seqR = 0;
  /** Updates this server asked its LM to order. */
  private readonly ordered = new Set<string>();
  private readonly optimistic = new Map<string, { env: Uint8Array; at: TimeUs }>();
  private optHead = 0;
  private now: TimeUs = 0;
  /** Ordering requests whose update is being verified before this server signs (one at a time per update). */
  private readonly verifying = new Set<string>();

  constructor(private readonly c: ClinkContext) {
    this.requests = Array.from({ length: serversPerSite(c.t) }, () => new Map());
  }

  setNow(now: TimeUs): void {
    this.now = now;
  }

  private executed(client: number, ts: number): boolean {
    return (this.c.machine.lastTs.get(client) ?? 0) >= ts;
  }

  private inLeaderLm(): boolean {
    return this.c.machine.wan.leader === this.c.site;
  }

  /** A client's update (clients talk only to their own site, §4.2). */
  onClientUpdate(env: Uint8Array, retransmit: boolean): void {
    const u = openUpdate(env);
    if (!u || siteOf(this.c.t, u.client) !== this.c.site || this.executed(u.client, u.ts)) return;
    if (this.inLeaderLm() || retransmit) return this.order(env);
    const k = key(u.client, u.ts);
    if (this.optimistic.has(k) || this.ordered.has(k)) return;
    this.optimistic.set(k, { env, at: this.now });
    const n = serversPerSite(this.c.t);
    this.c.sendTo(serverNode(this.c.t, this.c.machine.wan.leader, this.optHead % n), encode({ type: 'forwardUpdate', update: env }));
  }

  /** CLink-Opt at the receiving end: a leader-LM server orders what it was forwarded. */
  onForwardUpdate(env: Uint8Array): void {
    const u = openUpdate(env);
    if (u && this.inLeaderLm() && !this.executed(u.client, u.ts)) this.order(env);
  }

  /** CLink-Order: Ordering_Request(id_r, u, seq_r), signed, to the whole LM. */
  order(env: Uint8Array): void {
    const u = openUpdate(env);
    if (!u) return;
    const k = key(u.client, u.ts);
    if (this.ordered.has(k) || this.verifying.has(k)) return;
    this.verifying.add(k);
    this.c.validator.verifyUpdate(env, (ok) => {
      this.verifying.delete(k);
      if (!ok || this.ordered.has(k) || this.executed(u.client, u.ts)) return;
      this.ordered.add(k);
      this.optimistic.delete(k);
      const body: Msg<'orderingRequest'> = { type: 'orderingRequest', origin: this.c.myId, epoch: this.c.epoch, seqR: ++this.seqR, update: env };
      this.c.signLocal(body, (raw) => {
        this.store(this.c.myId, body, raw);
        this.c.sendLocalAll(raw);
      });
    });
  }

  /** A verified Ordering_Request (its update's client signature too). */
  onRequest(o: OpenedLocal, raw: Uint8Array): void {
    if (o.body.type !== 'orderingRequest' || o.body.origin !== o.server) return;
    this.store(o.server, o.body, raw);
  }

  private store(origin: number, or: Msg<'orderingRequest'>, raw: Uint8Array): void {
    const last = this.c.machine.origins[origin]!;
    if (or.epoch < last.epoch || (or.epoch === last.epoch && or.seqR <= last.seqR)) return;
    const slot = `${or.epoch}:${or.seqR}`;
    const digest = hex(sha256(or.update));
    const prior = this.requests[origin]!.get(slot);
    if (prior && prior.digest !== digest) {
      // §4.5: the same seq_r for two updates is proof that the origin is faulty.
      this.c.sendLocalAll(encode({ type: 'faultProof', a: prior.raw, b: raw }));
      this.c.blacklist(origin, 'two ordering requests with one seq_r');
      return;
    }
    if (!prior && this.requests[origin]!.size < REQUESTS_PER_ORIGIN_MAX) this.requests[origin]!.set(slot, { raw, epoch: or.epoch, seqR: or.seqR, digest });
  }

  /** A fault proof from another server: both requests are checked before anyone is blacklisted. */
  onFaultProof(a: Uint8Array, b: Uint8Array): void {
    const oa = this.c.validator.openLocal(a);
    const ob = this.c.validator.openLocal(b);
    if (oa?.body.type !== 'orderingRequest' || ob?.body.type !== 'orderingRequest' || oa.server !== ob.server || this.c.corrupted.has(oa.server)) return;
    const ra = oa.body;
    const rb = ob.body;
    if (ra.origin !== oa.server || ra.epoch !== rb.epoch || ra.seqR !== rb.seqR || Buffer.compare(ra.update, rb.update) === 0) return;
    this.c.validator.verifyLocal(oa, (okA) => okA && this.c.validator.verifyLocal(ob, (okB) => okB && this.c.blacklist(oa.server, 'fault proof: two ordering requests with one seq_r')));
  }

  /** The request of `origin` that comes right after (epoch, seqR), if held here. */
  nextAfter(origin: number, after: { epoch: number; seqR: number }): Request | undefined {
    const reqs = this.requests[origin]!;
    const same = reqs.get(`${after.epoch}:${after.seqR + 1}`);
    if (same) return same;
    let best: Request | undefined;
    for (const r of reqs.values()) if (r.epoch > after.epoch && r.seqR === 1 && (!best || r.epoch < best.epoch)) best = r;
    return best;
  }

  /** Drop what the LM executed; CLink-Opt fallback to CLink-Order for what the leader LM did not order in time. */
  tick(): void {
    for (let origin = 0; origin < this.requests.length; origin++) {
      const last = this.c.machine.origins[origin]!;
      for (const [slot, r] of this.requests[origin]!) if (r.epoch < last.epoch || (r.epoch === last.epoch && r.seqR <= last.seqR)) this.requests[origin]!.delete(slot);
    }
    for (const [k, o] of this.optimistic) {
      const u = openUpdate(o.env)!;
      if (this.executed(u.client, u.ts)) this.optimistic.delete(k);
      else if (this.now - o.at >= this.c.optUs) {
        this.optimistic.delete(k);
        this.optHead++;
        this.order(o.env);
      }
    }
  }
}
