// Authenticating everything a composable server accepts, through the crypto port: RSA
// envelopes of its own site's servers and of clients, BLink frames (an LM signature, direct
// or through a Merkle-batch proof, §4.6) with every signed message and client update nested
// inside them, and whole batches of LM events before a server agrees to order them (a BFT
// LM's correct servers prepare nothing they could not have verified themselves, §4.3).
// Every check answers through a callback; the port caches what verified once.
import { signedBytesFor } from '../crypto/merkle-batch.js';
import type { CryptoPort } from '../steward/crypto-port.js';
import { DecodeError } from '../wire/decode-error.js';
import { decode, isAgreement, type Msg, type WireMessage } from './messages.js';
import { openUpdate } from './lm-machine.js';
import { isClient, serverNode, serversPerSite, siteOf, witnesses, type ComposableTopology } from './topology.js';

type Done = (ok: boolean) => void;

export interface OpenedLocal {
  /** The signer's node id, and its server id in this site. */
  node: number;
  server: number;
  body: WireMessage;
  bodyBytes: Uint8Array;
  sig: Uint8Array;
}

/** Nesting allowed inside a frame (newView → state frames → certificate frames). */
const FRAME_DEPTH_MAX = 3;

function tryDecode(bytes: Uint8Array): WireMessage | null {
  try {
    return decode(bytes);
  } catch (e) {
    if (e instanceof DecodeError) return null;
    throw e;
  }
}

export class Validator {
  constructor(
    private readonly t: ComposableTopology,
    private readonly site: number,
    private readonly port: CryptoPort,
  ) {}

  /** A `signed` envelope from a server of this site, parsed (not yet verified). */
  openLocal(raw: Uint8Array): OpenedLocal | null {
    const e = tryDecode(raw);
    if (e?.type !== 'signed') return null;
    const n = serversPerSite(this.t);
    const server = e.from - serverNode(this.t, this.site, 0);
    if (server < 0 || server >= n) return null;
    const body = tryDecode(e.body);
    if (!body || body.type === 'signed') return null;
    return { node: e.from, server, body, bodyBytes: e.body, sig: e.sig };
  }

  /** `remember` for messages that come again (requests and notes inside batches, reports inside a newView). */
  verifyLocal(o: OpenedLocal, done: Done, remember = false): void {
    this.port.verify(o.node, o.bodyBytes, o.sig, done, remember);
  }

  /**
   * A local agreement message's nested signed messages: the certificate parts of view-change
   * state reports, and the reports bundled in a newView (batches inside were checked by the
   * correct servers that prepared them).
   */
  verifyLocalNested(m: WireMessage, done: Done, depth = 0): void {
    const checks: Array<(d: Done) => void> = [];
    const signed = (raw: Uint8Array) => {
      const o = this.openLocal(raw);
      checks.push((d) => (o && depth < FRAME_DEPTH_MAX ? this.verifyLocal(o, (ok) => (ok ? this.verifyLocalNested(o.body, d, depth + 1) : d(false)), true) : d(false)));
    };
    if (m.type === 'state' || m.type === 'newView') m.entries.forEach((e) => e.proofs.forEach(signed));
    if (m.type === 'newView') m.states.forEach(signed);
    this.port.all(checks, done);
  }

  /** A client's signed update (or the empty no-op value). */
  verifyUpdate(env: Uint8Array, done: Done): void {
    if (env.length === 0) return done(true);
    const u = openUpdate(env);
    if (!u || !isClient(this.t, u.client)) return done(false);
    const e = decode(env) as Msg<'signed'>;
    this.port.verify(u.client, e.body, e.sig, done, true);
  }

  /** A BLink frame: the sending LM's signature over its lmMessage, then everything nested. */
  verifyFrame(raw: Uint8Array, done: Done, depth = 0): void {
    const f = tryDecode(raw);
    if (f?.type !== 'blinkData' || depth > FRAME_DEPTH_MAX) return done(false);
    const lm = tryDecode(f.lm);
    if (lm?.type !== 'lmMessage' || lm.from >= this.t.sites) return done(false);
    const signed = f.leafCount === 0 ? f.lm : signedBytesFor(f.lm, { signature: f.sig, index: f.index, leafCount: f.leafCount, path: f.path });
    if (!signed) return done(false);
    const body = tryDecode(lm.body);
    if (!body) return done(false);
    this.port.verifySite(lm.from, signed, f.sig, (ok) => (ok ? this.verifyNested(body, done, depth) : done(false)));
  }

  /** What a wide-area message carries: client updates as values, and signed frames as proofs. */
  private verifyNested(m: WireMessage, done: Done, depth: number): void {
    const checks: Array<(d: Done) => void> = [];
    const update = (v: Uint8Array) => checks.push((d) => this.verifyUpdate(v, d));
    const frame = (r: Uint8Array) => checks.push((d) => this.verifyFrame(r, d, depth + 1));
    const entries = (list: Msg<'state'>['entries']) => list.forEach((e) => (update(e.value), e.proofs.forEach(frame)));
    if (m.type === 'propose') update(m.value);
    else if (m.type === 'forward') update(m.update);
    else if (m.type === 'fetched') m.decided.forEach((d) => update(d.value));
    else if (m.type === 'state') entries(m.entries);
    else if (m.type === 'newView') (entries(m.entries), m.states.forEach(frame));
    else if (!isAgreement(m) && m.type !== 'ack') return done(false);
    this.port.all(checks, done);
  }

  /** One LM event, before it may be ordered. */
  verifyEvent(bytes: Uint8Array, done: Done): void {
    const ev = tryDecode(bytes);
    if (!ev) return done(false);
    if (ev.type === 'evLink') {
      const lm = tryDecode((tryDecode(ev.data) as Msg<'blinkData'> | null)?.lm ?? new Uint8Array(0));
      if (lm?.type !== 'lmMessage' || !lm.links.some((l) => l.to === this.site)) return done(false);
      return this.verifyFrame(ev.data, done);
    }
    if (ev.type === 'evRequest') {
      const o = this.openLocal(ev.request);
      if (o?.body.type !== 'orderingRequest' || o.body.origin !== o.server) return done(false);
      const update = o.body.update;
      return this.verifyLocal(o, (ok) => (ok ? this.verifyUpdate(update, done) : done(false)), true);
    }
    if (ev.type === 'evTimeout') {
      const signers = new Set<number>();
      const checks: Array<(d: Done) => void> = [];
      for (const n of ev.notes) {
        const o = this.openLocal(n);
        if (o?.body.type !== 'expiry' || o.body.name !== ev.name || o.body.epoch !== ev.epoch || signers.has(o.server)) return done(false);
        signers.add(o.server);
        checks.push((d) => this.verifyLocal(o, d, true));
      }
      // §4.3: f+1 notes prove one correct server's timer expired (one suffices in a benign LM, D4).
      if (signers.size < witnesses(this.t.local, this.t.f)) return done(false);
      return this.port.all(checks, done);
    }
    done(false);
  }

  /** A proposed batch: every event must verify. */
  verifyBatch(value: Uint8Array, done: Done): void {
    if (value.length === 0) return done(true);
    const b = tryDecode(value);
    if (b?.type !== 'batch') return done(false);
    this.port.all(b.events.map((e) => (d: Done) => this.verifyEvent(e, d)), done);
  }

  /** The site a client of this topology belongs to. */
  clientSite(client: number): number {
    return siteOf(this.t, client);
  }
}
