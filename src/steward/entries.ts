// Self-proving evidence carried between servers and sites: Globally_Ordered_Updates (a
// Proposal plus ⌊S/2⌋ Accepts, §3.4.2) and the constraining entries of state reports (a PC,
// a Proposal or a GOU, Def. 3.6.7). Parsing checks structure; verification checks every
// signature inside through the crypto port. Used by reconciliation, CONSTRUCT-LOCAL-
// CONSTRAINT / -ARU / -GLOBAL-CONSTRAINT, and reusable wherever a GOU must be trusted.
import { digestOf } from './assign-sequence.js';
import type { CryptoPort } from './crypto-port.js';
import { openSigned, openSiteSigned, type Opened } from './envelopes.js';
import { decode, ENTRY_KIND, type Entry, type Msg, type WireMessage } from './messages.js';
import { acceptsNeeded, repOf, serverNode, siteOf, type StewardTopology } from './topology.js';
import type { ConstrainingEntry } from './unions.js';
import { DecodeError } from '../wire/decode-error.js';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

export interface ParsedGou {
  seq: number;
  gv: number;
  lv: number;
  /** The client's signed Update envelope. */
  update: Uint8Array;
  digest: Uint8Array;
  bytes: Uint8Array;
  signed: Opened<WireMessage>[];
}

/** Entries of a report must be exactly the seqs invocationAru+1, +2, … (Fig. 3.5 contiguity). */
export function contiguousAbove(from: number, entries: Entry[]): boolean {
  return entries.every((e, i) => e.seq === from + 1 + i);
}

export class Evidence {
  constructor(
    private readonly t: StewardTopology,
    private readonly port: CryptoPort,
  ) {}

  /** A GOU's structure: one Proposal, Accepts of distinct other sites matching its gv, seq and digest. Null if malformed. */
  parseGou(bytes: Uint8Array): ParsedGou | null {
    try {
      const g = decode(bytes);
      if (g.type !== 'gou') return null;
      const prop = openSiteSigned(g.proposal);
      const p = prop.body;
      if (p.type !== 'proposal' || p.site !== prop.site || p.site >= this.t.sites) return null;
      const digest = digestOf(p.update);
      const accs = g.accepts.map((a) => openSiteSigned(a));
      const sites = new Set<number>();
      for (const a of accs) {
        const b = a.body;
        if (b.type !== 'accept' || b.site !== a.site || a.site === p.site || a.site >= this.t.sites || sites.has(a.site)) return null;
        if (b.gv !== p.gv || b.seq !== p.seq || !same(b.digest, digest)) return null;
        sites.add(a.site);
      }
      if (sites.size < acceptsNeeded(this.t)) return null;
      return { seq: p.seq, gv: p.gv, lv: p.lv, update: p.update, digest, bytes, signed: [prop, ...accs] };
    } catch (e) {
      if (e instanceof DecodeError) return null;
      throw e;
    }
  }

  verifyGou(g: ParsedGou, done: (ok: boolean) => void): void {
    this.port.all(g.signed.map((x) => (d: (ok: boolean) => void) => this.port.verifySite(x.site, x.bodyBytes, x.sig, d)), done);
  }

  /** An entry's binding (signatures are checked by verifyEntries). Null if malformed. */
  parseEntry(e: Entry): ConstrainingEntry | null {
    try {
      if (e.kind === ENTRY_KIND.pc) {
        const pp = openSigned(e.parts[0]!).body;
        if (pp.type !== 'prePrepare' || pp.seq !== e.seq) return null;
        return { kind: 'pc', seq: e.seq, gv: pp.gv, lv: pp.lv, update: pp.update, digest: digestOf(pp.update), parts: e.parts };
      }
      if (e.kind === ENTRY_KIND.proposal) {
        const p = openSiteSigned(e.parts[0]!).body;
        if (p.type !== 'proposal' || p.seq !== e.seq) return null;
        return { kind: 'proposal', seq: e.seq, gv: p.gv, lv: p.lv, update: p.update, digest: digestOf(p.update), parts: e.parts };
      }
      if (e.kind === ENTRY_KIND.gou) {
        const g = this.parseGou(e.parts[0]!);
        if (!g || g.seq !== e.seq) return null;
        return { kind: 'gou', seq: e.seq, gv: g.gv, lv: g.lv, update: g.update, digest: g.digest, parts: e.parts };
      }
      return null;
    } catch (err) {
      if (err instanceof DecodeError) return null;
      throw err;
    }
  }

  /** Entries already known to parse (they came through verifyEntries). */
  parseEntries(entries: Entry[]): ConstrainingEntry[] {
    return entries.map((e) => this.parseEntry(e)).filter((e): e is ConstrainingEntry => e !== null);
  }

  /**
   * Every signature inside every entry: a PC's Pre-Prepare (from the rep of its local view in
   * `pcSite`) and 2f Prepares from distinct other servers of that site; a Proposal's site
   * signature; a GOU's Proposal and Accepts. `done(false)` at the first malformed entry.
   */
  verifyEntries(entries: Entry[], pcSite: number, done: (ok: boolean) => void): void {
    const checks: Array<(d: (ok: boolean) => void) => void> = [];
    try {
      for (const e of entries) {
        const c = this.parseEntry(e);
        if (!c) return done(false);
        if (c.kind === 'pc') {
          const pp = openSigned(e.parts[0]!);
          if (pp.from !== serverNode(this.t, pcSite, repOf(this.t, c.lv))) return done(false);
          const senders = new Set<number>();
          for (const part of e.parts.slice(1)) {
            const p = openSigned(part);
            const pb = p.body as Msg<'prepare'>;
            if (pb.type !== 'prepare' || siteOf(this.t, p.from) !== pcSite || p.from === pp.from || senders.has(p.from)) return done(false);
            if (pb.gv !== c.gv || pb.lv !== c.lv || pb.seq !== c.seq || !same(pb.digest, c.digest)) return done(false);
            senders.add(p.from);
            checks.push((d) => this.port.verify(p.from, p.bodyBytes, p.sig, d));
          }
          if (senders.size < 2 * this.t.f) return done(false);
          checks.push((d) => this.port.verify(pp.from, pp.bodyBytes, pp.sig, d));
        } else if (c.kind === 'proposal') {
          const p = openSiteSigned(e.parts[0]!);
          checks.push((d) => this.port.verifySite(p.site, p.bodyBytes, p.sig, d));
        } else {
          const g = this.parseGou(e.parts[0]!)!;
          checks.push((d) => this.verifyGou(g, d));
        }
      }
    } catch (err) {
      if (err instanceof DecodeError) return done(false);
      throw err;
    }
    this.port.all(checks, done);
  }
}
