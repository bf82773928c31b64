// Who is who in a composable deployment (Lane 2008, Ch. 4, §4.2): S sites, each a logical
// machine (LM) of servers running local SMR, and a wide-area protocol among the LMs.
// Compositions are named wide-area/local (§4.3): Paxos/Paxos, BFT/Paxos, Paxos/BFT, BFT/BFT.
// Node ids are dense so the simulator and the runtime share them: servers first
// (site-major), then clients. Server ids inside a site are 0-based.
import type { NodeId } from '../sim/core.js';

export type Protocol = 'paxos' | 'bft';

export interface ComposableTopology {
  /** The wide-area protocol among the LMs. */
  wide: Protocol;
  /** The local protocol inside every LM (the paper's compositions are homogeneous). */
  local: Protocol;
  sites: number;
  /** Faulty servers tolerated per LM: benign for Paxos, Byzantine for BFT (§4.2). */
  f: number;
  /**
   * Servers per LM; default 2f+1 (Paxos) or 3f+1 (BFT). The evaluation's Paxos LMs have 16
   * servers for f = 7 (§4.7); BFT LMs must have exactly 3f+1 (spec §15.23: larger BFT sites
   * would need a re-derived threshold, not built).
   */
  serversPerSite?: number;
  clientsPerSite: number;
}

export const compositionName = (t: { wide: Protocol; local: Protocol }): string => `${label(t.wide)}/${label(t.local)}`;
const label = (p: Protocol) => (p === 'bft' ? 'BFT' : 'Paxos');

export const COMPOSITIONS: ReadonlyArray<{ wide: Protocol; local: Protocol }> = [
  { wide: 'paxos', local: 'paxos' },
  { wide: 'bft', local: 'paxos' },
  { wide: 'paxos', local: 'bft' },
  { wide: 'bft', local: 'bft' },
];

export const serversPerSite = (t: ComposableTopology): number => t.serversPerSite ?? (t.local === 'bft' ? 3 * t.f + 1 : 2 * t.f + 1);
export const serverCount = (t: ComposableTopology): number => t.sites * serversPerSite(t);
export const nodeCount = (t: ComposableTopology): number => serverCount(t) + t.sites * t.clientsPerSite;
export const serverNode = (t: ComposableTopology, site: number, server: number): NodeId => site * serversPerSite(t) + server;
export const clientNode = (t: ComposableTopology, site: number, c: number): NodeId => serverCount(t) + site * t.clientsPerSite + c;
export const isServer = (t: ComposableTopology, node: NodeId): boolean => node >= 0 && node < serverCount(t);
export const isClient = (t: ComposableTopology, node: NodeId): boolean => node >= serverCount(t) && node < nodeCount(t);
export const serverIdOf = (t: ComposableTopology, node: NodeId): number => node % serversPerSite(t);

export function siteOf(t: ComposableTopology, node: NodeId): number {
  if (isServer(t, node)) return Math.floor(node / serversPerSite(t));
  return Math.floor((node - serverCount(t)) / t.clientsPerSite);
}

/** F, the faulty sites the wide-area protocol tolerates: 2F+1 sites for Paxos, 3F+1 for BFT (§4.2). */
export const wideF = (t: ComposableTopology): number => (t.wide === 'bft' ? Math.floor((t.sites - 1) / 3) : Math.floor((t.sites - 1) / 2));

/** Quorum of an agreement among n members tolerating f faults of the given kind. */
export function quorum(protocol: Protocol, n: number, f: number): number {
  return protocol === 'bft' ? 2 * f + 1 : Math.floor(n / 2) + 1;
}

/** Votes that prove "at least one correct member says so": f+1 Byzantine, 1 benign (decisions D4). */
export const witnesses = (protocol: Protocol, f: number): number => (protocol === 'bft' ? f + 1 : 1);

/** A BFT LM signs with an (f+1, 3f+1) threshold key (§4.2); a Paxos LM's key needs no threshold (D1). */
export const lmThreshold = (t: ComposableTopology): number => (t.local === 'bft' ? t.f + 1 : 1);

export function checkTopology(t: ComposableTopology): void {
  const n = serversPerSite(t);
  if (!Number.isInteger(t.sites) || t.sites < 1 || t.sites > SITES_MAX) throw new RangeError(`sites must be 1..${SITES_MAX}, got ${t.sites}`);
  if (!Number.isInteger(t.f) || t.f < 0) throw new RangeError(`f must be a non-negative integer, got ${t.f}`);
  if (t.local === 'bft' && n !== 3 * t.f + 1) throw new RangeError(`a BFT LM has exactly 3f+1 = ${3 * t.f + 1} servers, got ${n}`);
  if (t.local === 'paxos' && n < 2 * t.f + 1) throw new RangeError(`a Paxos LM needs at least 2f+1 = ${2 * t.f + 1} servers, got ${n}`);
  if (n > SERVERS_PER_SITE_MAX) throw new RangeError(`at most ${SERVERS_PER_SITE_MAX} servers per site, got ${n}`);
  if (!Number.isInteger(t.clientsPerSite) || t.clientsPerSite < 0) throw new RangeError(`clientsPerSite must be ≥ 0, got ${t.clientsPerSite}`);
}

/** Wire bound on site ids and per-site vectors. */
export const SITES_MAX = 64;
/** Shoup dealing caps parties at 64 (src/crypto/threshold-rsa/keygen.ts). */
export const SERVERS_PER_SITE_MAX = 64;
