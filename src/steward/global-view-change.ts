// GLOBAL-VIEW-CHANGE (Steward §3.4.3, Fig. 3.17): after a new global view is preinstalled,
// the new leader site runs CONSTRUCT-ARU (Fig. 3.19) and sends its Aru_Message; each other
// site answers with CONSTRUCT-GLOBAL-CONSTRAINT (Fig. 3.20); the leader site's rep bundles a
// majority of Global_Constraints into a Collected_Global_Constraints, and every leader-site
// server that applies it is globally constrained (Fig. 3.8 D). Unions: unions.ts (Fig. 3.22).
import type { AssignGlobalOrder } from './assign-global-order.js';
import { hex } from './crypto-port.js';
import { openSigned, openSiteSigned, type Opened } from './envelopes.js';
import type { GlobalHistory } from './global-history.js';
import { ENTRY_KIND, SCOPE, type Entry, type Msg } from './messages.js';
import { OUT } from './outputs.js';
import type { ServerContext } from './server-context.js';
import type { StateCollection } from './state-collection.js';
import { contiguousAbove } from './entries.js';
import { siteMajority } from './topology.js';
import { computeConstraintUnion, computeGlobalUnion, extractAru, type ConstrainingEntry } from './unions.js';

export class GlobalViewChange {
  constructor(
    private readonly ctx: ServerContext,
    private readonly parts: { collection: StateCollection; history: GlobalHistory; order: AssignGlobalOrder },
  ) {}

  /** Convert the union's PCs into T-signed Proposals (D19), then sign what the site reports. */
  private signUnion(union: ConstrainingEntry[], done: (entries: Entry[]) => void): void {
    const { site } = this.ctx;
    const out: Entry[] = [];
    let left = union.length;
    if (left === 0) return done(out);
    union.forEach((e, i) => {
      const finish = (entry: Entry) => {
        out[i] = entry;
        if (--left === 0) done(out);
      };
      if (e.kind === 'pc') {
        this.ctx.siteSign({ type: 'proposal', site, gv: e.gv, lv: e.lv, seq: e.seq, update: e.update }, (env) => {
          this.parts.history.storeProposal(e.seq, { site, gv: e.gv, lv: e.lv, update: e.update, digest: e.digest, env });
          finish({ kind: ENTRY_KIND.proposal, seq: e.seq, parts: [env] });
        });
      } else finish({ kind: e.kind === 'gou' ? ENTRY_KIND.gou : ENTRY_KIND.proposal, seq: e.seq, parts: e.parts });
    });
  }

  /** CONSTRUCT-ARU at the new leader site (Fig. 3.19): own Global_Constraint and the Aru_Message. */
  constructAru(invocationAru: number, entries: ConstrainingEntry[]): void {
    const { site, state: s } = this.ctx;
    const gv = s.gv;
    const union = computeGlobalUnion(entries);
    this.signUnion(union, (signed) => {
      if (gv !== s.gv) return;
      this.ctx.siteSign({ type: 'globalConstraint', site, gv, invocationAru, entries: signed }, (gc) => {
        for (const e of union) if (e.kind === 'gou') this.parts.history.applyEntryGou(e);
        const aru = extractAru(invocationAru, union);
        this.ctx.siteSign({ type: 'aruMessage', site, gv, aru }, (am) => {
          if (gv !== s.gv || !this.ctx.amRep) return;
          this.onGlobalConstraint(site, gc);
          this.ctx.sendToOtherReps(am);
        });
      });
    });
  }

  /** At a non-leader site (Fig. 3.17): the rep relays the Aru_Message; the site collects state above it. */
  onAruMessage(a: Msg<'aruMessage'>, bytes: Uint8Array, fromOutside: boolean): void {
    if (fromOutside && this.ctx.amRep) this.ctx.sendSite(bytes);
    if (this.ctx.amRep && this.ctx.state.constraintSent < a.gv) this.parts.collection.start(SCOPE.global, a.aru);
  }

  /** CONSTRUCT-GLOBAL-CONSTRAINT (Fig. 3.20): the rep sends the site's constraint to the leader site's rep. */
  constructGlobalConstraint(invocationAru: number, entries: ConstrainingEntry[]): void {
    const { site, state: s } = this.ctx;
    const gv = s.gv;
    const union = computeGlobalUnion(entries);
    this.signUnion(union, (signed) => {
      this.ctx.siteSign({ type: 'globalConstraint', site, gv, invocationAru, entries: signed }, (gc) => {
        if (gv !== s.gv || !this.ctx.amRep) return;
        s.constraintSent = gv;
        this.ctx.send(this.ctx.siteRep(this.ctx.leaderSite), gc);
      });
    });
  }

  /** The leader site's rep collects Global_Constraints from a majority of sites (own included). */
  onGlobalConstraint(site: number, bytes: Uint8Array): void {
    const { state: s } = this.ctx;
    if (!this.ctx.inLeaderSite || !this.ctx.amRep || s.constraints.has(site) || s.globallyConstrained) return;
    const b = openSiteSigned(bytes).body as Msg<'globalConstraint'>;
    if (b.gv !== s.gv || !contiguousAbove(b.invocationAru, b.entries)) return;
    this.ctx.evidence.verifyEntries(b.entries, site, (ok) => {
      if (!ok || b.gv !== s.gv || s.constraints.has(site)) return;
      s.constraints.set(site, bytes);
      if (s.constraints.size !== siteMajority(this.ctx.t)) return;
      const constraints = [...s.constraints].sort((x, y) => x[0] - y[0]).map(([, c]) => c);
      this.ctx.sign({ type: 'collectedGlobalConstraints', gv: s.gv, lv: s.lv, constraints }, (cgc) => {
        this.ctx.sendSite(cgc);
        this.onCGC(openSigned(cgc) as Opened<Msg<'collectedGlobalConstraints'>>);
      });
    });
  }

  /** A Collected_Global_Constraints: a majority of distinct sites, each constraint and entry verified. */
  onCGC(o: Opened<Msg<'collectedGlobalConstraints'>>): void {
    const { state: s } = this.ctx;
    const b = o.body;
    if (b.gv !== s.gv || s.globallyConstrained || !this.ctx.inLeaderSite) return;
    const cs = b.constraints.map((c) => openSiteSigned(c));
    const sites = new Set(cs.map((c) => c.site));
    if (sites.size < siteMajority(this.ctx.t) || sites.size !== cs.length) return this.ctx.countDrop('bad-cgc');
    for (const c of cs) if (c.body.type !== 'globalConstraint' || c.body.gv !== b.gv || c.body.site !== c.site) return this.ctx.countDrop('bad-cgc');
    const checks = cs.map((c) => (d: (ok: boolean) => void) => this.ctx.port.verifySite(c.site, c.bodyBytes, c.sig, (ok) => (ok ? this.ctx.evidence.verifyEntries((c.body as Msg<'globalConstraint'>).entries, c.site, d) : d(false))));
    this.ctx.port.all(checks, (ok) => {
      if (!ok) return this.ctx.countDrop('bad-cgc');
      s.pendingCGC = o;
      this.applyCGC();
    });
  }

  /** Fig. 3.8 D: adopt the constraint union; then this server is globally constrained. */
  applyCGC(): void {
    const { state: s } = this.ctx;
    const o = s.pendingCGC;
    if (!o || o.body.gv !== s.gv || s.globallyConstrained) return void (s.pendingCGC = null);
    const cs = o.body.constraints.map((c) => openSiteSigned(c).body as Msg<'globalConstraint'>);
    const need = Math.max(...cs.map((c) => c.invocationAru));
    if (s.globalAru < need) return s.noteSeq(need); // catch up first (Fig. 3.5)
    s.pendingCGC = null;
    const union = computeConstraintUnion(cs.flatMap((c) => this.ctx.evidence.parseEntries(c.entries)));
    const maxHeld = this.ctx.highestHeldSeq();
    for (let seq = s.globalAru + 1; seq <= maxHeld; seq++) {
      const g = s.global.get(seq);
      if (g?.proposal && g.proposal.gv < s.gv) {
        this.ctx.emit(OUT.proposalDropped, { seq, gv: g.proposal.gv });
        g.proposal = undefined;
      }
      this.ctx.assign.dropOlder(seq, s.gv, 0);
    }
    for (const e of union) {
      if (e.kind === 'gou') this.parts.history.applyEntryGou(e);
      else {
        const g = s.slotOf(e.seq);
        if (!g.proposal && !g.gou) {
          g.proposal = { site: openSiteSigned(e.parts[0]!).site, gv: e.gv, lv: e.lv, update: e.update, digest: e.digest, env: e.parts[0]! };
          this.ctx.emit(OUT.proposalStored, { seq: e.seq, gv: e.gv, digest: hex(e.digest) });
        }
      }
    }
    s.globallyConstrained = true;
    s.lastCGC = o.raw;
    s.pendingProposalAru = s.globalAru;
    s.globalSeq = s.globalAru + 1; // spec §15.10
    this.ctx.emitView();
    // D12: a site that just became leader constrains its local view too (no PC of this gv exists yet
    // at a server that applies the CGC first, but a later local view must still respect them).
    if (this.ctx.amRep && !s.locallyConstrained) this.parts.collection.start(SCOPE.local, s.pendingProposalAru);
    this.parts.order.tryPropose();
  }
}
