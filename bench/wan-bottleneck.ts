// Which resource binds a simulated wide-area point: how busy the busiest crypto CPU of each
// group of nodes was over the measured window (a fraction of it, 1 = saturated), and the load
// offered to the busiest directed site-pair link (bytes handed to it over what it can carry in
// the window: above 1 its queue grows). The Steward and composable benches report these so a
// throughput figure comes with its bottleneck, the way the paper explains its curves.
import type { NodeId, TimeUs } from '../src/sim/core.js';
import type { UsageMeter } from '../src/sim/usage-meter.js';
import { routerNode, type WanPlacement } from '../src/steward/wan-routers.js';
import type { BenchResult, ParamValue } from './harness/bench.js';

export interface BottleneckInputs {
  /** The placement given to withWanRouters: router-to-router traffic is the wide area. */
  placement: WanPlacement;
  /** The wide-area link of withWanRouters: its rate, and the bytes it adds per message. */
  wan: { bandwidthBytesPerSec: number; overheadBytes: number };
  /** Which nodes are servers: only their CPUs are reported (clients and routers are not). */
  isServer(node: NodeId): boolean;
}

export interface Bottlenecks {
  cpuBusyMax: Record<string, number>;
  /** Per group: the busiest node's busy fraction split by crypto op. */
  cpuBusiestByOp: Record<string, Record<string, number>>;
  wanLinkLoadMax: number;
}

export function bottlenecks(usage: UsageMeter, o: BottleneckInputs): Bottlenecks {
  const windowUs: TimeUs = usage.window.toUs - usage.window.fromUs;
  const cpuBusyMax: Record<string, number> = {};
  const cpuBusiestByOp: Record<string, Record<string, number>> = {};
  for (const [group, nodes] of Object.entries(serverGroups(o.placement, o.isServer))) {
    if (nodes.length === 0) continue;
    const busiest = nodes.reduce((a, b) => (usage.cryptoBusyUs[b]! > usage.cryptoBusyUs[a]! ? b : a));
    cpuBusyMax[group] = usage.cryptoBusyUs[busiest]! / windowUs;
    cpuBusiestByOp[group] = Object.fromEntries(Object.entries(usage.cryptoBusyByOp(busiest)).map(([op, us]) => [op, us / windowUs]));
  }
  const routers = Array.from({ length: o.placement.sites }, (_, site) => routerNode(o.placement, site));
  let wanLinkLoadMax = 0;
  for (const from of routers)
    for (const to of routers) {
      if (from === to) continue;
      const { bytes, messages } = usage.sent(from, to);
      const offeredUs = ((bytes + messages * o.wan.overheadBytes) / o.wan.bandwidthBytesPerSec) * 1e6;
      wanLinkLoadMax = Math.max(wanLinkLoadMax, offeredUs / windowUs);
    }
  return { cpuBusyMax, cpuBusiestByOp, wanLinkLoadMax };
}

/** The two CPU groups reported: servers at the leader site (site 0) and elsewhere. */
function serverGroups(p: WanPlacement, isServer: (n: NodeId) => boolean): Record<string, NodeId[]> {
  const all = Array.from({ length: p.nodes }, (_, n) => n).filter(isServer);
  return { 'leader-site': all.filter((n) => p.siteOf(n) === 0), 'other-sites': all.filter((n) => p.siteOf(n) !== 0) };
}

/**
 * Result rows, fractions of the window: `<prefix>cpu_busy_max` per group, the busiest node's
 * `<prefix>cpu_busy_by_op` per group and op, and `<prefix>wan_link_load_max` (offered / capacity).
 */
export function bottleneckResults(prefix: string, b: Bottlenecks, params: Record<string, ParamValue>): BenchResult[] {
  return [
    ...Object.entries(b.cpuBusyMax).map(([where, value]) => ({ name: `${prefix}cpu_busy_max`, params: { ...params, where }, unit: 'fraction', value })),
    ...Object.entries(b.cpuBusiestByOp).flatMap(([where, ops]) =>
      Object.entries(ops).map(([op, value]) => ({ name: `${prefix}cpu_busy_by_op`, params: { ...params, where, op }, unit: 'fraction', value })),
    ),
    { name: `${prefix}wan_link_load_max`, params, unit: 'fraction', value: b.wanLinkLoadMax },
  ];
}
