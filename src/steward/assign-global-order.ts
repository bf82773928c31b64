// ASSIGN-GLOBAL-ORDER (Steward §3.4.2, Figs 3.12, 3.13), the common case: the leader site's
// rep binds updates to seqs with ASSIGN-SEQUENCE (assign-sequence.ts), the site
// THRESHOLD-SIGNs each PC into a Proposal, every non-leader site THRESHOLD-SIGNs an Accept
// for it, and a Proposal plus a majority of Accepts is a GOU (global-history.ts).
import { DecodeError } from '../wire/decode-error.js';
import { digestOf, type PrepareCertificate } from './assign-sequence.js';
import { hex } from './crypto-port.js';
import { openSigned, type Opened } from './envelopes.js';
import type { GlobalHistory } from './global-history.js';
import type { Msg } from './messages.js';
import { OUT } from './outputs.js';
import type { ServerContext } from './server-context.js';
import { sameBytes } from './server-state.js';
import { isClient } from './topology.js';

export class AssignGlobalOrder {
  constructor(
    private readonly ctx: ServerContext,
    private readonly history: GlobalHistory,
  ) {}

  // ---- at the leader site ----

  /** ASSIGN-GLOBAL-ORDER trigger (Fig. 3.12): the leader site's rep assigns what it can. */
  tryPropose(): void {
    const { state: s } = this.ctx;
    if (!(this.ctx.amRep && this.ctx.inLeaderSite && s.globallyConstrained && s.locallyConstrained)) return;
    if (s.globalSeq <= s.globalAru) s.globalSeq = s.globalAru + 1;
    while (s.inWindow(s.globalSeq)) {
      const seq = s.globalSeq;
      if (s.global.get(seq)?.gou) {
        s.globalSeq++;
        continue;
      }
      const u = this.nextToPropose(seq);
      if (!u) break;
      s.globalSeq++;
      this.assignSequence(seq, u);
      if (this.ctx.o.brokenDoubleAssign && s.inWindow(s.globalSeq)) this.assignSequence(s.globalSeq++, u);
    }
  }

  /** Get-Next-To-Propose (Fig. 3.13): existing bindings first, then an unbound pooled update. */
  private nextToPropose(seq: number): Uint8Array | null {
    const { state: s } = this.ctx;
    const g = s.global.get(seq);
    if (g?.proposal) return g.proposal.update;
    const pc = this.ctx.assign.certificates.get(seq);
    if (pc) return pc.update;
    for (const [key, p] of s.pool) {
      if ((s.lastExecutedTs.get(p.client) ?? 0) >= p.ts) {
        s.pool.delete(key);
        continue;
      }
      if ([...s.assigning.values()].includes(hex(p.digest))) continue;
      if (!this.boundElsewhere(p.digest, seq) && !this.ctx.assign.prePrepared(seq, s.gv, s.lv)) return p.env;
    }
    return null;
  }

  private assignSequence(seq: number, update: Uint8Array): void {
    const { state: s } = this.ctx;
    const gv = s.gv;
    const lv = s.lv;
    this.ctx.emit(OUT.prePrepare, { gv, lv, seq, digest: hex(digestOf(update)), constrained: s.globallyConstrained && s.locallyConstrained });
    s.assigning.set(seq, hex(digestOf(update)));
    this.ctx.sendLocal({ type: 'prePrepare', gv, lv, seq, update }, (env) => {
      s.assigning.delete(seq);
      if (gv === s.gv && lv === s.lv) this.ctx.assign.storeOwnPrePrepare(gv, lv, seq, update, env);
    });
  }

  /** Fig. 3.6 Pre-Prepare / Prepare conflicts that need more than the slot (ASSIGN-SEQUENCE asks). */
  mayPrepare(seq: number, digest: Uint8Array, gv: number, lv: number): boolean {
    const { state: s } = this.ctx;
    if (!(s.globallyConstrained && s.locallyConstrained) || gv !== s.gv || lv !== s.lv || !this.ctx.inLeaderSite) return false;
    if (!s.inWindow(seq) || !this.ctx.isContiguous(seq)) return false;
    const g = s.global.get(seq);
    if (g?.gou && !sameBytes(g.gou.digest, digest)) return false;
    if (g?.proposal && !sameBytes(g.proposal.digest, digest) && (g.proposal.gv >= gv)) return false;
    if (this.ctx.o.brokenDoubleAssign) return true;
    return !this.boundElsewhere(digest, seq);
  }

  /** "u is already bound to another seq' in either history" (Fig. 3.6). */
  private boundElsewhere(digest: Uint8Array, seq: number): boolean {
    if (this.ctx.assign.boundElsewhere(digest, seq)) return true;
    for (const [s, g] of this.ctx.state.global) {
      if (s === seq) continue;
      if ((g.gou && sameBytes(g.gou.digest, digest)) || (g.proposal && sameBytes(g.proposal.digest, digest))) return true;
    }
    return false;
  }

  onPrePrepare(sid: number, pp: Msg<'prePrepare'>, env: Uint8Array): void {
    // The embedded Update must carry its client's signature (Valid(m), §5).
    let u: Opened<Msg<'update'>>;
    try {
      u = openSigned(pp.update) as Opened<Msg<'update'>>;
    } catch (e) {
      if (e instanceof DecodeError) return this.ctx.countDrop('bad-embedded-update');
      throw e;
    }
    if (u.body.type !== 'update' || u.body.client !== u.from || !isClient(this.ctx.t, u.from)) return this.ctx.countDrop('bad-embedded-update');
    this.ctx.port.verify(u.from, u.bodyBytes, u.sig, (ok) => {
      if (!ok) return this.ctx.countDrop('bad-client-signature');
      this.ctx.state.noteSeq(pp.seq);
      this.prePrepareWhenContiguous(sid, pp, env);
    }, true);
  }

  /** Pipelined Pre-Prepares may overtake the PC of the seq before: wait for it rather than drop (D8). */
  private prePrepareWhenContiguous(sid: number, pp: Msg<'prePrepare'>, env: Uint8Array): void {
    const { state: s } = this.ctx;
    if (pp.gv !== s.gv || pp.lv !== s.lv) return;
    if (s.inWindow(pp.seq) && !this.ctx.isContiguous(pp.seq)) return s.defer(pp.seq, () => this.prePrepareWhenContiguous(sid, pp, env));
    this.ctx.assign.onPrePrepare(sid, pp.gv, pp.lv, pp.seq, pp.update, env);
  }

  /** A PC formed: THRESHOLD-SIGN the Proposal (the commit-like third round, §3.4.2). */
  onCertificate(pc: PrepareCertificate): void {
    const { site, state: s } = this.ctx;
    this.ctx.emit(OUT.pc, { site, gv: pc.gv, lv: pc.lv, seq: pc.seq, digest: hex(pc.digest) });
    s.runDeferred(pc.seq + 1);
    if (pc.gv !== s.gv) return;
    const { seq, gv, lv, update } = pc;
    this.ctx.siteSign({ type: 'proposal', site, gv, lv, seq, update }, (env) => {
      this.ctx.emit(OUT.proposal, { site, gv, lv, seq, digest: hex(digestOf(update)) });
      this.history.storeProposal(seq, { site, gv, lv, update, digest: digestOf(update), env });
      if (gv === s.gv && this.ctx.amRep && this.ctx.inLeaderSite) this.ctx.sendToOtherReps(env);
    });
  }

  // ---- at a non-leader site ----

  /** A Proposal at a non-leader site: store, relay, THRESHOLD-SIGN the Accept (Fig. 3.12). */
  onProposal(p: Msg<'proposal'>, bytes: Uint8Array, fromOutside: boolean): void {
    const { state: s } = this.ctx;
    if (p.gv !== s.gv || this.ctx.inLeaderSite || p.site !== this.ctx.leaderSite) return;
    if (!s.inWindow(p.seq)) return;
    if (!this.ctx.isContiguous(p.seq)) {
      s.noteSeq(p.seq);
      return s.defer(p.seq, () => this.onProposal(p, bytes, fromOutside));
    }
    const g = s.global.get(p.seq);
    const digest = digestOf(p.update);
    if (g?.gou && (!sameBytes(g.gou.digest, digest) || g.gou.gv > p.gv)) return;
    if (fromOutside && this.ctx.amRep) this.ctx.sendSite(bytes);
    if (!this.history.storeProposal(p.seq, { site: p.site, gv: p.gv, lv: p.lv, update: p.update, digest, env: bytes })) return;
    this.ctx.siteSign({ type: 'accept', site: this.ctx.site, gv: p.gv, lv: p.lv, seq: p.seq, digest }, (acc) => {
      this.history.addAccept(p.seq, this.ctx.site, p.gv, acc);
      if (this.ctx.amRep) this.ctx.sendToOtherReps(acc);
    });
  }

  // ---- lossy links ----

  /** Rep-only re-sends of this site's unordered wide-area messages (lossy links: D9). */
  resendUnordered(): void {
    const { state: s } = this.ctx;
    if (!this.ctx.amRep) return;
    for (let seq = s.globalAru + 1; seq <= Math.min(s.maxSeenSeq, s.globalAru + this.ctx.o.window); seq++) {
      const g = s.global.get(seq);
      if (!g || g.gou) continue;
      if (this.ctx.inLeaderSite && g.proposal && g.proposal.gv === s.gv && g.proposal.site === this.ctx.site) this.ctx.sendToOtherReps(g.proposal.env);
      const own = g.accepts.get(this.ctx.site);
      if (!this.ctx.inLeaderSite && own) this.ctx.sendToOtherReps(own);
    }
  }
}
