// RamCast deployment shape (spec §1): disjoint groups of 2f+1 servers and any number of
// clients, all named by NodeId. Membership is fixed; leaders change by rounds (round.ts).
import type { NodeId } from '../sim/core.js';

export interface RamcastTopology {
  /** groups[g] = the node ids of group g's members. */
  groups: NodeId[][];
  clients: NodeId[];
}

export class RamcastConfigError extends Error {
  override name = 'RamcastConfigError';
  readonly code = 'ERR_CASTELLAN_RAMCAST_CONFIG';
}

/** Checks a topology; the native core re-checks the layout limits (ramcastNative().limits). */
export function validateTopology(t: RamcastTopology): RamcastTopology {
  if (!Array.isArray(t.groups) || t.groups.length === 0) throw new RamcastConfigError('ramcast needs at least one group');
  if (!Array.isArray(t.clients) || t.clients.length === 0) throw new RamcastConfigError('ramcast needs at least one client');
  const seen = new Set<NodeId>();
  for (const [g, members] of t.groups.entries()) {
    if (members.length === 0) throw new RamcastConfigError(`group ${g} has no members`);
    for (const n of members) {
      if (!Number.isInteger(n) || n < 0) throw new RamcastConfigError(`group ${g}: bad node id ${n}`);
      if (seen.has(n)) throw new RamcastConfigError(`node ${n} appears twice`);
      seen.add(n);
    }
  }
  for (const c of t.clients) {
    if (seen.has(c)) throw new RamcastConfigError(`node ${c} is both a server and a client`);
    seen.add(c);
  }
  return t;
}

export function groupOf(t: RamcastTopology, node: NodeId): number {
  return t.groups.findIndex((members) => members.includes(node));
}

export function isClient(t: RamcastTopology, node: NodeId): boolean {
  return t.clients.includes(node);
}

export function quorum(t: RamcastTopology, g: number): number {
  return Math.floor(t.groups[g]!.length / 2) + 1;
}

export function allServers(t: RamcastTopology): NodeId[] {
  return t.groups.flat();
}
