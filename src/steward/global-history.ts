// Applying Proposals, Accepts and Globally_Ordered_Updates to the Global_History (Steward
// Fig. 3.8) and Globally-Ordered-Ready (Fig. 3.9, main branch: D13). A GOU advances
// Global_aru and executes in seq order (execution.ts); progress is reported to the server.
import { encode, type Msg } from './messages.js';
import { hex } from './crypto-port.js';
import type { Execution } from './execution.js';
import { OUT } from './outputs.js';
import type { ServerContext } from './server-context.js';
import { sameBytes, type GouRec, type ProposalRec } from './server-state.js';
import { acceptsNeeded } from './topology.js';
import type { ConstrainingEntry } from './unions.js';

export class GlobalHistory {
  constructor(
    private readonly ctx: ServerContext,
    private readonly execution: Execution,
    /** Global_aru advanced (Fig. 3.8 C step 3 and what waited for it). */
    private readonly onProgress: () => void,
  ) {}

  /** Fig. 3.8 Proposal apply: an empty slot or an older gv is replaced; the PC is dropped (§15.7). */
  storeProposal(seq: number, p: ProposalRec): boolean {
    const { state: s } = this.ctx;
    if (seq <= s.globalAru) return false;
    const g = s.slotOf(seq);
    if (g.gou) return false;
    if (g.proposal && g.proposal.gv >= p.gv) return sameBytes(g.proposal.digest, p.digest);
    g.proposal = p;
    this.ctx.emit(OUT.proposalStored, { seq, gv: p.gv, digest: hex(p.digest) });
    s.noteSeq(seq);
    this.ctx.assign.dropCertificate(seq, p.gv);
    if (this.ctx.inLeaderSite) s.recomputePendingProposalAru();
    for (const [site, e] of g.early) if (e.gv === p.gv && sameBytes(e.digest, p.digest)) this.addAccept(seq, site, e.gv, e.env);
    g.early.clear();
    s.runDeferred(seq + 1);
    this.checkOrdered(seq);
    return true;
  }

  /** An Accept of another site (Fig. 3.8 B); one before its Proposal is buffered (§15.12). */
  onAccept(site: number, a: Msg<'accept'>, bytes: Uint8Array, fromOutside: boolean): void {
    const { state: s } = this.ctx;
    if (a.gv !== s.gv || site === this.ctx.site) return;
    if (fromOutside && this.ctx.amRep) this.ctx.sendSite(bytes);
    s.noteSeq(a.seq);
    const g = s.slotOf(a.seq);
    if (g.gou) return;
    if (!g.proposal || g.proposal.gv !== a.gv) {
      if (g.early.size < this.ctx.t.sites) g.early.set(site, { gv: a.gv, digest: a.digest, env: bytes });
      return;
    }
    if (!sameBytes(g.proposal.digest, a.digest)) return;
    this.addAccept(a.seq, site, a.gv, bytes);
  }

  addAccept(seq: number, site: number, gv: number, env: Uint8Array): void {
    const g = this.ctx.state.slotOf(seq);
    if (g.acceptsGv < gv) {
      g.accepts.clear();
      g.acceptsGv = gv;
    } else if (g.acceptsGv > gv) return;
    if (!g.accepts.has(site)) g.accepts.set(site, env);
    this.checkOrdered(seq);
  }

  /** Globally-Ordered-Ready, main branch (spec §15.13, D13). */
  private checkOrdered(seq: number): void {
    const g = this.ctx.state.global.get(seq);
    if (!g?.proposal || g.gou) return;
    const p = g.proposal;
    if (g.acceptsGv !== p.gv) return;
    const others = [...g.accepts].filter(([s]) => s !== p.site).sort((a, b) => a[0] - b[0]);
    if (others.length < acceptsNeeded(this.ctx.t)) return;
    const bytes = encode({ type: 'gou', proposal: p.env, accepts: others.slice(0, acceptsNeeded(this.ctx.t)).map(([, e]) => e) });
    this.applyGou(seq, { gv: p.gv, lv: p.lv, update: p.update, digest: p.digest, bytes });
  }

  /** A GOU received bare (reconciliation): checked, unless this server already ordered that seq. */
  onBareGou(bytes: Uint8Array): void {
    const { state: s } = this.ctx;
    const g = this.ctx.evidence.parseGou(bytes);
    if (!g) return this.ctx.countDrop('bad-gou');
    if (g.seq <= s.globalAru || s.global.get(g.seq)?.gou) return;
    this.ctx.evidence.verifyGou(g, (ok) => ok && this.applyGou(g.seq, { gv: g.gv, lv: g.lv, update: g.update, digest: g.digest, bytes }));
  }

  /** A GOU out of a verified constraint (CONSTRUCT-ARU, Collected_Global_Constraints). */
  applyEntryGou(e: ConstrainingEntry): void {
    const { state: s } = this.ctx;
    if (e.seq <= s.globalAru || s.global.get(e.seq)?.gou) return;
    this.applyGou(e.seq, { gv: e.gv, lv: e.lv, update: e.update, digest: e.digest, bytes: e.parts[0]! });
  }

  /** Fig. 3.8 C: store a GOU, advance Global_aru, execute in order. */
  applyGou(seq: number, rec: GouRec): void {
    const { state: s } = this.ctx;
    if (seq <= s.globalAru || s.global.get(seq)?.gou) return;
    s.noteSeq(seq);
    if (!this.ctx.isContiguous(seq)) return s.defer(seq, () => this.applyGou(seq, rec));
    const g = s.slotOf(seq);
    g.gou = rec;
    this.ctx.emit(OUT.gou, { seq, gv: rec.gv, digest: hex(rec.digest) });
    const before = s.globalAru;
    while (s.global.get(s.globalAru + 1)?.gou) this.execution.execute(s.globalAru + 1);
    if (s.globalAru > before) this.onProgress();
    s.runDeferred(seq + 1);
  }
}
