// The inbound pipeline of a Steward server (spec §5; Steward Figs 3.4–3.6): decode, check
// where the message may come from, run the cheap conflict checks of Figs 3.5 and 3.6 against
// the current state, and only then pay for the signature checks of Valid(m) (Fig. 3.4).
// What survives is handed to the server's apply rules (server-core.ts routes them).
import type { NodeId } from '../sim/core.js';
import { DecodeError } from '../wire/decode-error.js';
import { openSigned, openSiteSigned, type Opened } from './envelopes.js';
import { decode, type Msg, type WireMessage } from './messages.js';
import type { ServerContext } from './server-context.js';
import { isClient, repOf, serverIdOf, siteOf } from './topology.js';

/** Where verified messages go. */
export interface InboundApply {
  clientUpdate(via: NodeId, o: Opened<Msg<'update'>>): void;
  query(o: Opened<Msg<'query'>>): void;
  /** An RSA-signed message of server `sid` of this site, signature checked. */
  signed(sid: number, o: Opened<WireMessage>, bytes: Uint8Array): void;
  /** A message threshold-signed by `site`, signature checked; `via` is the node that sent it here. */
  siteSigned(via: NodeId, site: number, body: WireMessage, bytes: Uint8Array): void;
  /** A bare GOU (reconciliation): it carries its own proof. */
  gou(bytes: Uint8Array): void;
  /** A Global_VC out of a Global_Preinstall_Proof, signature checked. */
  globalVC(site: number, gv: number, env: Uint8Array): void;
}

/** `f()`, or undefined when it throws a DecodeError, which is counted and dropped (DESIGN principle 5). */
export function decodeOrDrop<T>(ctx: ServerContext, f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof DecodeError) return void ctx.countDrop(e.code);
    throw e;
  }
}

export class InboundPipeline {
  constructor(
    private readonly ctx: ServerContext,
    private readonly apply: InboundApply,
  ) {}

  receive(from: NodeId, bytes: Uint8Array): void {
    const m = decodeOrDrop(this.ctx, () => decode(bytes));
    if (!m) return;
    decodeOrDrop(this.ctx, () => {
      if (m.type === 'signed') this.onSigned(from, bytes, m);
      else if (m.type === 'siteSigned') this.onSiteSigned(from, bytes, m);
      else if (m.type === 'gou') this.apply.gou(bytes);
      else if (m.type === 'globalPreinstallProof') this.onPreinstallProof(m);
      else this.ctx.countDrop('unauthenticated');
    });
  }

  private onSigned(via: NodeId, bytes: Uint8Array, env: Msg<'signed'>): void {
    const { t } = this.ctx;
    const o = openSigned(bytes);
    const from = env.from;
    const body = o.body;
    if (isClient(t, from)) {
      if (body.type === 'update') return this.apply.clientUpdate(via, o as Opened<Msg<'update'>>);
      if (body.type === 'query' && siteOf(t, from) === this.ctx.site && via === from) return this.apply.query(o as Opened<Msg<'query'>>);
      return this.ctx.countDrop('bad-client-message');
    }
    // Intra-site messages only from the servers of this site, never from the blacklisted.
    if (siteOf(t, from) !== this.ctx.site || from === this.ctx.node || from >= t.sites * this.ctx.n) return this.ctx.countDrop('foreign-signed');
    const sid = serverIdOf(t, from);
    if (this.ctx.corrupted.has(sid)) return this.ctx.countDrop('blacklisted');
    if (!this.worthVerifying(sid, body)) return;
    this.ctx.port.verify(from, o.bodyBytes, o.sig, (ok) => {
      if (!ok) return this.ctx.countDrop('bad-signature');
      this.apply.signed(sid, o, bytes);
    });
  }

  /** Cheap Fig. 3.6 checks before paying for a signature check. */
  private worthVerifying(sid: number, b: WireMessage): boolean {
    const { t, state: s } = this.ctx;
    switch (b.type) {
      case 'prePrepare':
        return b.gv === s.gv && b.lv === s.lv && sid === repOf(t, b.lv) && this.ctx.inLeaderSite;
      case 'prepare':
        return b.gv === s.gv && b.lv === s.lv && this.ctx.assign.wantsPrepare(b.gv, b.lv, b.seq, sid);
      case 'partialSig':
        return this.ctx.tsign.wants(b.data);
      case 'requestState':
        return b.gv === s.gv && b.lv === s.lv && sid === repOf(t, s.lv);
      case 'serverState':
        return b.gv === s.gv && b.lv === s.lv && this.ctx.amRep && s.collecting?.invocationAru === b.invocationAru && s.collecting.scope === b.scope && !s.collecting.reports.has(sid);
      case 'collectedState':
        return b.gv === s.gv && b.lv === s.lv && sid === repOf(t, s.lv);
      case 'collectedGlobalConstraints':
        return b.gv === s.gv && !s.globallyConstrained;
      case 'localReconRequest':
      case 'globalReconRequest':
        return b.aru < s.globalAru || b.type === 'globalReconRequest';
      default:
        return true;
    }
  }

  private onSiteSigned(via: NodeId, bytes: Uint8Array, env: Msg<'siteSigned'>): void {
    if (env.site >= this.ctx.t.sites) return this.ctx.countDrop('bad-site');
    const o = openSiteSigned(bytes);
    const b = o.body;
    if (!this.worthVerifyingSite(env.site, b)) return;
    this.ctx.port.verifySite(env.site, o.bodyBytes, o.sig, (ok) => {
      if (!ok) return this.ctx.countDrop('bad-site-signature');
      if ('site' in b && b.site !== env.site) return this.ctx.countDrop('site-mismatch');
      this.apply.siteSigned(via, env.site, b, bytes);
    });
  }

  /** Cheap Fig. 3.5 checks before paying for a threshold signature check. */
  private worthVerifyingSite(site: number, b: WireMessage): boolean {
    const s = this.ctx.state;
    switch (b.type) {
      case 'proposal':
        return b.gv === s.gv && site === this.ctx.leaderSite && !this.ctx.inLeaderSite && !s.global.get(b.seq)?.gou && b.seq > s.globalAru;
      case 'accept':
        return b.gv === s.gv && b.seq > s.globalAru && !s.global.get(b.seq)?.gou && !s.global.get(b.seq)?.accepts.has(site);
      case 'newRep':
        return b.lv > (s.latestNewRep.get(site)?.lv ?? 0);
      case 'globalVC':
        return b.gv > (s.latestGlobalVC.get(site)?.gv ?? 0);
      case 'aruMessage':
        return b.gv === s.gv && !this.ctx.inLeaderSite && site === this.ctx.leaderSite;
      case 'globalConstraint':
        return b.gv === s.gv && this.ctx.inLeaderSite && this.ctx.amRep && !s.constraints.has(site);
      case 'globalRecon':
        return true;
      default:
        return false;
    }
  }

  /** D16: a bare, self-proving bundle of Global_VCs; each fresh one is checked and applied. */
  private onPreinstallProof(m: Msg<'globalPreinstallProof'>): void {
    const vcs = decodeOrDrop(this.ctx, () => m.vcs.map((v) => openSiteSigned(v) as Opened<Msg<'globalVC'>>));
    if (!vcs) return;
    const latest = this.ctx.state.latestGlobalVC;
    const fresh = vcs.filter((v) => v.body.type === 'globalVC' && v.body.site === v.site && v.site < this.ctx.t.sites && v.body.gv > (latest.get(v.site)?.gv ?? 0));
    if (fresh.length === 0) return;
    for (const v of fresh)
      this.ctx.port.verifySite(v.site, v.bodyBytes, v.sig, (ok) => {
        if (ok) this.apply.globalVC(v.site, (v.body as Msg<'globalVC'>).gv, v.raw);
      });
  }

  /** A Reliable_Message from a server of this site (Fig. 3.23): its inner message must be T-signed by this site. */
  onReliable(inner: Uint8Array): void {
    const o = decodeOrDrop(this.ctx, () => openSiteSigned(inner));
    if (!o) return;
    if (o.site !== this.ctx.site) return this.ctx.countDrop('reliable-foreign');
    this.ctx.port.verifySite(o.site, o.bodyBytes, o.sig, (ok) => {
      if (ok) this.ctx.reliable.onReliable(inner);
    });
  }
}
