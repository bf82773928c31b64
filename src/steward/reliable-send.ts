// RELIABLE-SEND-TO-ALL-SITES (Steward Fig. 3.23, Claim 3.6.7): a message T-signed by this
// site reaches every other site over 2f+1 disjoint wide-area paths (server i to server i of
// every site, for the lowest 2f+1 ids), so f faulty senders and f faulty receivers per site
// cannot stop it. O(f) wide-area copies per site pair: used only for view-change traffic
// (New_Rep, Global_VC); the receiving server relays it inside its own site.
export interface ReliableSendContext {
  sites: number;
  mySite: number;
  myId: number;
  f: number;
  /** RSA-signed Reliable_Message(m) to the other servers of this site. */
  sendLocalAllReliable(inner: Uint8Array): void;
  /** Raw bytes to server `id` of site `site`. */
  sendToServer(site: number, id: number, bytes: Uint8Array): void;
}

export class ReliableSend {
  constructor(private readonly ctx: ReliableSendContext) {}

  /** invoke(m): hand m to the site, then to the peers. */
  invoke(inner: Uint8Array): void {
    this.ctx.sendLocalAllReliable(inner);
    this.sendToPeers(inner);
  }

  /** On Reliable_Message(m) from a local server (m already checked to be T-signed by this site). */
  onReliable(inner: Uint8Array): void {
    this.sendToPeers(inner);
  }

  private sendToPeers(inner: Uint8Array): void {
    if (this.ctx.myId >= 2 * this.ctx.f + 1) return;
    for (let s = 0; s < this.ctx.sites; s++) if (s !== this.ctx.mySite) this.ctx.sendToServer(s, this.ctx.myId, inner);
  }
}
