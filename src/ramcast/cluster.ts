// A RamCast cluster for the simulator: node numbering (servers group by group, then
// clients) and the factory that builds each node's core.
import type { Core, NodeId } from '../sim/core.js';
import type { CoreFactory } from '../sim/setup.js';
import { isClient, type RamcastTopology } from './config.js';
import { RamcastClientNode } from './client-node.js';
import { RamcastServerNode } from './server-node.js';

export interface ClusterShape {
  groups: number;
  /** 2f+1 members per group. */
  groupSize: number;
  clients: number;
}

export function clusterTopology(shape: ClusterShape): RamcastTopology {
  const groups = Array.from({ length: shape.groups }, (_, g) => Array.from({ length: shape.groupSize }, (_, i) => g * shape.groupSize + i));
  const first = shape.groups * shape.groupSize;
  return { groups, clients: Array.from({ length: shape.clients }, (_, i) => first + i) };
}

export type NodeWrap = (node: NodeId, core: Core) => Core;

/** One factory per node; `wrap` lets a scenario inject a misbehaving node (mid-write crash). */
export function clusterNodes(topology: RamcastTopology, wrap?: NodeWrap): CoreFactory[] {
  const count = topology.groups.flat().length + topology.clients.length;
  return Array.from({ length: count }, (): CoreFactory => (node) => {
    const core: Core = isClient(topology, node) ? new RamcastClientNode(topology, node) : new RamcastServerNode(topology, node);
    return wrap ? wrap(node, core) : core;
  });
}

/**
 * A node that crashes in the middle of a burst of one-sided writes: it issues only the first
 * `keep` writes matching `pick` after `armed` returns true, then falls silent (the scenario also
 * schedules its crash so the failure detector notices). Spec §10 scenarios 4 and 6.
 */
export function crashMidWrites(core: Core, keep: number, pick: (fx: { to: NodeId; region: string }) => boolean): Core {
  let left = keep;
  let silent = false;
  return {
    handle(nowUs, event) {
      if (silent) return [];
      const out = [];
      for (const fx of core.handle(nowUs, event)) {
        if (silent) break;
        if (fx.kind === 'write' && pick(fx)) {
          if (left === 0) {
            silent = true;
            break;
          }
          left--;
        }
        out.push(fx);
      }
      return out;
    },
  };
}

