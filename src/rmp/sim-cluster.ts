// An RMP group in the simulator: node numbering (members first, founders among them, then
// non-member clients), the cores, and IP multicast as the simulator can model it — a send to
// MULTICAST_NODE becomes one send per listening node, each with its own loss, delay and
// duplication (receivers lose packets independently on a LAN). Clients may instead be hosts
// without multicast that send through forwarding members (seed §5, D21); members then reach
// them only once they heard from them, as the real host learns addresses (D4).
import type { Core, CoreEffect, NodeId } from '../sim/core.js';
import type { CoreFactory } from '../sim/setup.js';
import { RmpClient } from './client.js';
import { rmpConfig, type RmpConfig } from './config.js';
import { fnv1a32 } from './group-address.js';
import { MULTICAST_NODE } from './member-io.js';
import { RmpMember } from './member.js';
import { makePid } from './pid.js';

/** Every simulated group has this name: runs need no address, only the hash in headers. */
export const SIM_GROUP = 'castellan-sim';

export interface ClusterShape {
  /** Nodes 0..members-1 run members (the first `founders` start in view 1). */
  members: number;
  founders: number;
  /** Nodes after the members run non-member clients. */
  clients: number;
  /** With n > 0, clients have no multicast and send through n forwarding members, one at a time (seed §5). */
  forwarders?: number;
}

export type MemberFactory = (node: NodeId, incarnation: number, config: RmpConfig) => RmpMember;

export interface Cluster {
  shape: ClusterShape;
  config: RmpConfig;
  memberNodes: NodeId[];
  clientNodes: NodeId[];
  nodes: CoreFactory[];
}

export const defaultMember: MemberFactory = (node, incarnation, config) => new RmpMember(node, incarnation, config);

export function rmpCluster(shape: ClusterShape, overrides: Partial<RmpConfig> = {}, makeMember: MemberFactory = defaultMember): Cluster {
  if (shape.founders < 1 || shape.founders > shape.members) throw new RangeError('founders must be 1..members');
  const memberNodes = Array.from({ length: shape.members }, (_, i) => i);
  const clientNodes = Array.from({ length: shape.clients }, (_, i) => shape.members + i);
  const config = rmpConfig(fnv1a32(SIM_GROUP), memberNodes.slice(0, shape.founders).map((n) => makePid(n, 0, 0)), overrides);
  const forwarders = shape.forwarders ?? 0;
  const forwarded = forwarders > 0;
  const member = (node: NodeId, inc: number): Core => fanOut(makeMember(node, inc, config), node, memberNodes);
  const nodes: CoreFactory[] = [
    ...memberNodes.map((): CoreFactory => (forwarded ? (node, inc) => reachedOnlyOnceHeard(member(node, inc), clientNodes) : member)),
    ...clientNodes.map((_, i): CoreFactory => (node, inc) => fanOut(new RmpClient(node, inc, config, undefined, forwardersOf(i, memberNodes).slice(0, forwarders)), node, memberNodes)),
  ];
  return { shape, config, memberNodes, clientNodes, nodes };
}

/**
 * Client i's forwarding members in order of preference: every member, from 1 + i mod
 * (members − 1) on, wrapping around; clients spread over members, and member 0 (the lock
 * holder in handler scenarios) is never the first choice.
 */
export function forwardersOf(client: number, memberNodes: readonly NodeId[]): NodeId[] {
  if (memberNodes.length < 2) return [...memberNodes];
  const first = 1 + (client % (memberNodes.length - 1));
  return [...memberNodes.slice(first), ...memberNodes.slice(0, first)];
}

/**
 * A host without a route to `hosts` except the addresses it learned: unicast to one of them
 * leaves only after a datagram from it arrived in this incarnation (rmp-host.ts learns peer
 * addresses from datagrams; a restart forgets them).
 */
export function reachedOnlyOnceHeard(core: Core, hosts: readonly NodeId[]): Core {
  const guarded = new Set(hosts);
  let heard = new Set<NodeId>();
  return {
    handle(nowUs, event) {
      if (event.kind === 'start') heard = new Set();
      else if (event.kind === 'receive') heard.add(event.from);
      return core.handle(nowUs, event).filter((e) => e.kind !== 'send' || !guarded.has(e.to) || heard.has(e.to));
    },
  };
}

/** IP multicast to the group's listeners (every member node joined the address; clients did not). */
export function fanOut(core: Core, self: NodeId, listeners: readonly NodeId[]): Core {
  return {
    handle(nowUs, event) {
      const fx = core.handle(nowUs, event);
      if (!fx.some((e) => e.kind === 'send' && e.to === MULTICAST_NODE)) return fx;
      const out: CoreEffect[] = [];
      for (const e of fx) {
        if (e.kind === 'send' && e.to === MULTICAST_NODE) {
          for (const to of listeners) if (to !== self) out.push({ kind: 'send', to, bytes: e.bytes });
        } else out.push(e);
      }
      return out;
    },
  };
}
