// Memory-permission fencing (spec §6): who may write my `ts` region. My group's current
// leader always; while I lead, the leaders of other groups (Task 2 writes to leaders) as I
// know them. A deposed leader loses the right the moment a member promises a higher round,
// so its late writes fail at the NIC (emulated by the simulator's `permit`).
import type { CoreEffect, NodeId } from '../sim/core.js';

export class TsFence {
  private granted = new Set<NodeId>();

  constructor(private readonly self: NodeId, private readonly peers: NodeId[]) {}

  /** The permit effects that move the grant set to `allowed` (only the differences). */
  update(allowed: Iterable<NodeId>): CoreEffect[] {
    const want = new Set([...allowed].filter((n) => n !== this.self));
    const fx: CoreEffect[] = [];
    for (const peer of this.peers) {
      if (peer === this.self) continue;
      const now = want.has(peer);
      if (now !== this.granted.has(peer)) fx.push({ kind: 'permit', region: 'ts', peer, allowed: now });
    }
    this.granted = want;
    return fx;
  }

  /** Initially nobody but `allowed` may write: revoke every other server explicitly. */
  initial(allowed: Iterable<NodeId>): CoreEffect[] {
    const want = new Set([...allowed].filter((n) => n !== this.self));
    this.granted = want;
    return this.peers
      .filter((p) => p !== this.self)
      .map((peer) => ({ kind: 'permit', region: 'ts', peer, allowed: want.has(peer) }) as CoreEffect);
  }
}
