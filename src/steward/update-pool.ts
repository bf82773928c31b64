// Client updates into the Update_Pool (Steward Fig. 3.7 F): deduplicated by (client, ts),
// replays rejected (D4), relayed inside the site and forwarded to the leader site's rep; and
// re-forwarded when either rep changes (D10).
import type { NodeId } from '../sim/core.js';
import { digestOf } from './assign-sequence.js';
import type { AssignGlobalOrder } from './assign-global-order.js';
import type { Opened } from './envelopes.js';
import type { Msg } from './messages.js';
import type { ServerContext } from './server-context.js';
import { updateKey } from './server-state.js';
import { isClient, serverNode, siteOf } from './topology.js';
import type { ViewTimers } from './view-timers.js';

export class UpdatePool {
  constructor(
    private readonly ctx: ServerContext,
    private readonly timers: ViewTimers,
    private readonly order: AssignGlobalOrder,
  ) {}

  /** Fig. 3.7 F with dedup by (client_id, ts) and replay rejection (D4). */
  onClientUpdate(via: NodeId, o: Opened<Msg<'update'>>): void {
    const { t, state: s } = this.ctx;
    const u = o.body;
    if (u.client !== o.from) return this.ctx.countDrop('client-mismatch');
    const done = s.lastExecutedTs.get(u.client) ?? 0;
    if (u.ts <= done) {
      const r = s.lastReply.get(u.client);
      if (r && r.ts === u.ts && via === u.client) this.ctx.send(u.client, r.env);
      return;
    }
    const key = updateKey(u.client, u.ts);
    if (s.pool.has(key)) {
      // A client's retry: the leader site's rep may be what failed, so tell all of the leader site (D10).
      if (via === u.client && this.ctx.amRep && !this.ctx.inLeaderSite) this.forward(true);
      return;
    }
    const env = o.raw;
    this.ctx.port.verify(u.client, o.bodyBytes, o.sig, (ok) => {
      if (!ok) return this.ctx.countDrop('bad-client-signature');
      if (s.pool.has(key) || u.ts <= (s.lastExecutedTs.get(u.client) ?? 0)) return;
      s.pool.set(key, { client: u.client, ts: u.ts, env, digest: digestOf(env) });
      const outside = siteOf(t, via) !== this.ctx.site || isClient(t, via);
      if (outside) this.ctx.sendSite(env);
      if (this.ctx.amRep && !this.ctx.inLeaderSite) this.ctx.send(this.ctx.siteRep(this.ctx.leaderSite), env);
      this.timers.arm();
      this.order.tryPropose();
    }, true);
  }

  /**
   * D10: a non-leader rep hands its pending updates to the leader site's rep whenever either
   * of them changed (Fig. 3.7 F forwards only on first receipt, which a replaced rep would lose).
   */
  forward(toWholeSite = false): void {
    if (!this.ctx.amRep || this.ctx.inLeaderSite) return;
    const leader = this.ctx.leaderSite;
    const targets = toWholeSite ? Array.from({ length: this.ctx.n }, (_, i) => serverNode(this.ctx.t, leader, i)) : [this.ctx.siteRep(leader)];
    for (const p of this.ctx.state.pool.values()) for (const to of targets) this.ctx.send(to, p.env);
  }
}
