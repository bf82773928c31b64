// The state collection behind every view change (Steward Figs 3.17–3.21): the rep asks its
// site for Server_State reports above an invocation aru (Fig. 3.21), signs 2f+1 of them into
// a bundle, and every server verifies the bundle and each entry in it before using it. A
// server behind the invocation aru catches up first (reconciliation). What a verified bundle
// is for depends on its scope: CONSTRUCT-LOCAL-CONSTRAINT, CONSTRUCT-ARU or
// CONSTRUCT-GLOBAL-CONSTRAINT (the server routes it).
import { openSigned, type Opened } from './envelopes.js';
import { decodeOrDrop } from './inbound-pipeline.js';
import { ENTRY_KIND, SCOPE, type Entry, type Msg } from './messages.js';
import type { ServerContext } from './server-context.js';
import { contiguousAbove } from './entries.js';
import { repOf, serverNode, siteOf, siteThreshold } from './topology.js';
import type { ConstrainingEntry } from './unions.js';

/** A verified bundle this server has caught up for: scope, invocation aru and every report's entries. */
export type OnBundle = (scope: number, invocationAru: number, entries: ConstrainingEntry[]) => void;

export class StateCollection {
  constructor(
    private readonly ctx: ServerContext,
    private readonly onBundle: OnBundle,
  ) {}

  /** The rep invokes: every server (itself included) reports its entries above invocationAru. */
  start(scope: number, invocationAru: number): void {
    const { state: s } = this.ctx;
    s.collecting = { scope, gv: s.gv, lv: s.lv, invocationAru, reports: new Map() };
    this.ctx.sendLocal({ type: 'requestState', scope, gv: s.gv, lv: s.lv, invocationAru });
    this.onRequestState({ type: 'requestState', scope, gv: s.gv, lv: s.lv, invocationAru });
  }

  onRequestState(r: Msg<'requestState'>): void {
    const { state: s } = this.ctx;
    if (r.gv !== s.gv || r.lv !== s.lv) return;
    s.awaitingState = { scope: r.scope, gv: r.gv, lv: r.lv, invocationAru: r.invocationAru };
    this.answerState();
  }

  /** The seq through which this server holds what a report of `scope` must start from. */
  private heldThrough(scope: number): number {
    const s = this.ctx.state;
    return scope === SCOPE.local ? Math.max(s.pendingProposalAru, s.globalAru) : s.globalAru;
  }

  /** Servers behind the invocation seq catch up first (local reconciliation does it). */
  answerState(): void {
    const { state: s } = this.ctx;
    const a = s.awaitingState;
    if (!a || a.gv !== s.gv || a.lv !== s.lv) return;
    if (this.heldThrough(a.scope) < a.invocationAru) {
      s.noteSeq(a.invocationAru);
      return;
    }
    s.awaitingState = null;
    const body: Msg<'serverState'> = { type: 'serverState', scope: a.scope, gv: a.gv, lv: a.lv, invocationAru: a.invocationAru, entries: this.report(a.scope, a.invocationAru) };
    const rep = serverNode(this.ctx.t, this.ctx.site, repOf(this.ctx.t, a.lv));
    if (rep === this.ctx.node) this.ctx.sign(body, (env) => this.onServerState(this.ctx.myId, body, env));
    else this.ctx.sendLocal(body, undefined, rep);
  }

  /** Fig. 3.21 server-state reports. */
  private report(scope: number, from: number): Entry[] {
    const { state: s } = this.ctx;
    const out: Entry[] = [];
    for (let i = from + 1; i <= s.globalAru + this.ctx.o.window; i++) {
      const g = s.global.get(i);
      const pc = this.ctx.assign.certificates.get(i);
      if (scope === SCOPE.global && g?.gou) out.push({ kind: ENTRY_KIND.gou, seq: i, parts: [g.gou.bytes] });
      else if (g?.proposal) out.push({ kind: ENTRY_KIND.proposal, seq: i, parts: [g.proposal.env] });
      else if (pc) out.push({ kind: ENTRY_KIND.pc, seq: i, parts: pc.parts });
    }
    return out;
  }

  onServerState(sid: number, r: Msg<'serverState'>, env: Uint8Array): void {
    const c = this.ctx.state.collecting;
    if (!c || r.scope !== c.scope || r.gv !== c.gv || r.lv !== c.lv || r.invocationAru !== c.invocationAru || c.reports.has(sid)) return;
    if (!contiguousAbove(r.invocationAru, r.entries)) return;
    c.reports.set(sid, env);
    if (c.reports.size !== siteThreshold(this.ctx.t)) return;
    const reports = [...c.reports].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
    this.ctx.sign({ type: 'collectedState', scope: c.scope, gv: c.gv, lv: c.lv, invocationAru: c.invocationAru, reports }, (bundle) => {
      this.ctx.sendSite(bundle);
      this.onCollectedState(openSigned(bundle) as Opened<Msg<'collectedState'>>);
    });
  }

  /** Verify a bundle's 2f+1 reports and every entry in them, then apply (Figs 3.18–3.20). */
  onCollectedState(o: Opened<Msg<'collectedState'>>): void {
    const { t, site, state: s } = this.ctx;
    const b = o.body;
    if (b.gv !== s.gv || b.lv !== s.lv) return;
    const reports = decodeOrDrop(this.ctx, () => b.reports.map((r) => openSigned(r) as Opened<Msg<'serverState'>>));
    if (!reports) return;
    const ids = new Set<number>();
    for (const r of reports) {
      const rs = r.body;
      if (rs.type !== 'serverState' || siteOf(t, r.from) !== site || r.from >= t.sites * this.ctx.n) return this.ctx.countDrop('bad-bundle');
      if (rs.scope !== b.scope || rs.gv !== b.gv || rs.lv !== b.lv || rs.invocationAru !== b.invocationAru || !contiguousAbove(rs.invocationAru, rs.entries)) return this.ctx.countDrop('bad-bundle');
      ids.add(r.from);
    }
    if (ids.size < siteThreshold(t)) return this.ctx.countDrop('bad-bundle');
    const entries = reports.flatMap((r) => r.body.entries);
    const sigChecks = reports.map((r) => (d: (ok: boolean) => void) => this.ctx.port.verify(r.from, r.bodyBytes, r.sig, d));
    this.ctx.port.all(sigChecks, (ok) => {
      if (!ok) return this.ctx.countDrop('bad-bundle');
      this.ctx.evidence.verifyEntries(entries, site, (verified) => {
        if (!verified) return this.ctx.countDrop('bad-bundle-entry');
        s.pendingBundle = o;
        this.applyBundle();
      });
    });
  }

  /** Retry a bundle this server could not apply yet (it had to catch up to invocationAru). */
  applyBundle(): void {
    const { state: s } = this.ctx;
    const o = s.pendingBundle;
    if (!o) return;
    const b = o.body;
    if (b.gv !== s.gv || b.lv !== s.lv) return void (s.pendingBundle = null);
    if (this.heldThrough(b.scope) < b.invocationAru) return s.noteSeq(b.invocationAru);
    s.pendingBundle = null;
    const entries = o.body.reports.flatMap((r) => this.ctx.evidence.parseEntries((openSigned(r).body as Msg<'serverState'>).entries));
    this.onBundle(b.scope, b.invocationAru, entries);
  }
}
