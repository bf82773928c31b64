// Who is who in a Steward deployment (spec/steward.md §1): S sites of 3f+1 servers, clients
// attached to one site each. Node ids are dense so the simulator and the runtime share them:
// servers first (site-major), then clients. Server ids inside a site are 0-based, so the
// representative is lv mod (3f+1) (§3.4.3; spec §15.14 decided in decisions.md D14).
import type { NodeId } from '../sim/core.js';

export interface StewardTopology {
  sites: number;
  /** Byzantine servers tolerated per site (uniform f, spec §1). */
  f: number;
  clientsPerSite: number;
}

export const serversPerSite = (t: StewardTopology): number => 3 * t.f + 1;
export const serverCount = (t: StewardTopology): number => t.sites * serversPerSite(t);
export const nodeCount = (t: StewardTopology): number => serverCount(t) + t.sites * t.clientsPerSite;
export const serverNode = (t: StewardTopology, site: number, server: number): NodeId => site * serversPerSite(t) + server;
export const clientNode = (t: StewardTopology, site: number, c: number): NodeId => serverCount(t) + site * t.clientsPerSite + c;
export const isServer = (t: StewardTopology, node: NodeId): boolean => node >= 0 && node < serverCount(t);
export const isClient = (t: StewardTopology, node: NodeId): boolean => node >= serverCount(t) && node < nodeCount(t);

/** The site a server or client belongs to. */
export function siteOf(t: StewardTopology, node: NodeId): number {
  if (isServer(t, node)) return Math.floor(node / serversPerSite(t));
  return Math.floor((node - serverCount(t)) / t.clientsPerSite);
}

/** A server's 0-based id inside its site. */
export const serverIdOf = (t: StewardTopology, node: NodeId): number => node % serversPerSite(t);

/** §3.4.3: the site representative of local view lv. */
export const repOf = (t: StewardTopology, lv: number): number => lv % serversPerSite(t);
/** §3.4.3: the leader site of global view gv. */
export const leaderSiteOf = (t: StewardTopology, gv: number): number => gv % t.sites;
/** Site threshold: (2f+1, 3f+1) (§3.2). */
export const siteThreshold = (t: StewardTopology): number => 2 * t.f + 1;
/** Accepts a GOU needs besides the Proposal: floor(S/2) from other sites (§3.4.2). */
export const acceptsNeeded = (t: StewardTopology): number => Math.floor(t.sites / 2);
export const siteMajority = (t: StewardTopology): number => Math.floor(t.sites / 2) + 1;

export function checkTopology(t: StewardTopology): void {
  if (!Number.isInteger(t.sites) || t.sites < 1 || t.sites > SITES_MAX) throw new RangeError(`sites must be 1..${SITES_MAX}, got ${t.sites}`);
  if (!Number.isInteger(t.f) || t.f < 0 || serversPerSite(t) > SERVERS_PER_SITE_MAX) throw new RangeError(`f must give 3f+1 ≤ ${SERVERS_PER_SITE_MAX} servers, got f=${t.f}`);
  if (!Number.isInteger(t.clientsPerSite) || t.clientsPerSite < 0) throw new RangeError(`clientsPerSite must be ≥ 0, got ${t.clientsPerSite}`);
}

/** Wire bound on site ids and per-site lists (u8 ids would do; 64 keeps lists small). */
export const SITES_MAX = 64;
/** Shoup dealing caps parties at 64 (src/crypto/threshold-rsa/keygen.ts PARTIES_MAX). */
export const SERVERS_PER_SITE_MAX = 64;
