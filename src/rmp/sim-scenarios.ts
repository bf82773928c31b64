// RMP's simulator scenarios (spec §12), registered as built-ins. Each builds a group from the
// seed, drives it with members' packets at random QoS levels and non-members' requests,
// injects the faults it names, lets the run go quiet, and checks every §12 property.
import type { NodeId, TimeUs } from '../sim/core.js';
import type { NetworkConfig } from '../sim/link.js';
import type { Rng } from '../sim/prng.js';
import type { Scenario } from '../sim/scenario.js';
import type { FaultSpec, InputSpec, SimSetup } from '../sim/setup.js';
import { rmpCommands, type RmpCommand } from './commands.js';
import type { MinPartition, RmpConfig } from './config.js';
import { FixedWindowPolicy } from './flow-control.js';
import { rmpProperties } from './properties.js';
import { parseQos, Qos, QOS_NAMES, type QosLevel } from './qos.js';
import { rmpCluster, type Cluster, type MemberFactory, defaultMember } from './sim-cluster.js';

/** A run ends this long after its last traffic and heal: reformation, rejoin and a few idle rotations fit. */
const SETTLE_US = 300_000;
/** Payload sizes drawn per message: control-sized to about half an Ethernet frame (the simulator digests every byte it carries). */
const PAYLOAD_MIN_BYTES = 16;
const PAYLOAD_MAX_BYTES = 800;
/** The lock clients' requests name (spec §9); held by member 0 unless a scenario moves it. */
const HANDLER = 7;

export type TrafficParams = {
  members: number;
  founders: number;
  clients: number;
  packets: number;
  requests: number;
  /** Traffic is spread over [0, trafficUs]. */
  trafficUs: number;
  loss: number;
  duplicate: number;
  reorder: number;
  /** A QoS name, "all" (the seven levels) or "no-agreed" (all but majority resilient). */
  qos: string;
  /** none | crash | crash-restart | pause | partition | mixed | forwarder (client 0's first forwarder crashes, half the time restarting) */
  faults: string;
  leaves: number;
  /** 0 = majority, else the minimum partition size (seed §3). */
  minPartition: number;
  /** Clients' requests name a handler lock held by member 0 (else auto-acked). */
  handlers: boolean;
  flow: string;
  /** With n > 0, clients have no multicast and send through n forwarding members in turn (seed §5, D21). */
  forwarders: number;
};

const cmd = (c: RmpCommand): Uint8Array => rmpCommands.encode(c);

function payload(rng: Rng, tag: number): Uint8Array {
  const b = new Uint8Array(rng.range(PAYLOAD_MIN_BYTES, PAYLOAD_MAX_BYTES));
  new DataView(b.buffer).setUint32(0, tag, true);
  return b;
}

/** "all": the seven levels uniformly; "no-agreed": all but majority resilient; else one level's name. */
function pickQos(rng: Rng, mix: string): QosLevel {
  if (mix === 'all') return rng.int(QOS_NAMES.length) as QosLevel;
  if (mix === 'no-agreed') return rng.pick([Qos.unreliable, Qos.reliable, Qos.sourceOrdered, Qos.totallyOrdered, Qos.kResilient, Qos.safe]);
  return parseQos(mix);
}

function network(p: TrafficParams): NetworkConfig {
  return {
    defaults: {
      latency: { kind: 'uniform', minUs: 50, maxUs: 200 },
      loss: p.loss,
      duplicate: p.duplicate,
      reorder: p.reorder,
      reorderDelay: { kind: 'uniform', minUs: 0, maxUs: 800 },
    },
  };
}

/** A minority of the founders (never node 0, which holds the handler lock): who may fail. */
function victims(rng: Rng, p: TrafficParams, count: number): NodeId[] {
  const pool = Array.from({ length: p.founders - 1 }, (_, i) => i + 1);
  const out: NodeId[] = [];
  for (let i = 0; i < count && pool.length > 0; i++) out.push(pool.splice(rng.int(pool.length), 1)[0]!);
  return out;
}

function drawFaults(rng: Rng, p: TrafficParams, kind: string): { faults: FaultSpec[]; endUs: TimeUs } {
  // Survivors must exceed MaxN/2 (spec §7 (b)), and MaxN may still count a view from before
  // a leave: victims plus leavers stay below half the founders.
  const minority = Math.max(0, Math.ceil(p.founders / 2) - 1 - p.leaves);
  if (kind === 'none' || minority === 0) return { faults: [], endUs: 0 };
  const atUs = rng.range(p.trafficUs / 5, p.trafficUs);
  const who = victims(rng, p, rng.range(1, minority));
  switch (kind) {
    case 'crash':
      return { faults: who.map((node) => ({ kind: 'crash', node, atUs: atUs + rng.range(0, 2000) })), endUs: atUs };
    case 'crash-restart': {
      const down = rng.range(5_000, 80_000);
      return { faults: who.map((node) => ({ kind: 'crash', node, atUs, restartAfterUs: down })), endUs: atUs + down };
    }
    case 'pause': {
      const forUs = rng.range(20_000, 120_000);
      return { faults: who.map((node) => ({ kind: 'pause', node, atUs, forUs })), endUs: atUs + forUs };
    }
    case 'partition': {
      const healAfterUs = rng.range(20_000, 150_000);
      return { faults: [{ kind: 'partition', atUs, groups: [who], healAfterUs }], endUs: atUs + healAfterUs };
    }
    case 'forwarder': {
      // forwardersOf(0, …) puts member 1 first: the crash strands client 0's requests in flight.
      const down = rng.chance(0.5) ? rng.range(5_000, 80_000) : undefined;
      return { faults: [{ kind: 'crash', node: 1, atUs, ...(down === undefined ? {} : { restartAfterUs: down }) }], endUs: atUs + (down ?? 0) };
    }
    default:
      return drawFaults(rng, p, rng.pick(['crash', 'crash-restart', 'pause', 'partition', 'none']));
  }
}

export function trafficSetup(rng: Rng, p: TrafficParams, makeMember: MemberFactory = defaultMember): SimSetup {
  const overrides: Partial<RmpConfig> = { minPartition: (p.minPartition === 0 ? 'majority' : p.minPartition) as MinPartition };
  if (p.flow === 'fixed') overrides.flow = () => new FixedWindowPolicy(16 * 1024);
  const cluster: Cluster = rmpCluster({ members: p.members, founders: p.founders, clients: p.clients, forwarders: p.forwarders }, overrides, makeMember);
  const inputs: InputSpec[] = [];
  // Non-founders join at random moments during the traffic (spec §8.1).
  for (const node of cluster.memberNodes.slice(p.founders)) inputs.push({ kind: 'request', node, atUs: rng.range(0, p.trafficUs), bytes: cmd({ type: 'join' }) });
  if (p.handlers) inputs.push({ kind: 'request', node: 0, atUs: 0, bytes: cmd({ type: 'lock', handler: HANDLER, acquire: true }) });
  for (let i = 0; i < p.packets; i++) {
    const qos = pickQos(rng, p.qos);
    const k = qos === Qos.kResilient ? rng.range(1, 3) : 0;
    inputs.push({ kind: 'request', node: rng.pick(cluster.memberNodes), atUs: rng.range(0, p.trafficUs), bytes: cmd({ type: 'send', qos, k, handler: 0, payload: payload(rng, i) }) });
  }
  for (let i = 0; i < p.requests && cluster.clientNodes.length > 0; i++) {
    const qos = Math.max(Qos.reliable, pickQos(rng, p.qos));
    inputs.push({ kind: 'request', node: rng.pick(cluster.clientNodes), atUs: rng.range(0, p.trafficUs), bytes: cmd({ type: 'send', qos, k: qos === Qos.kResilient ? 1 : 0, handler: p.handlers ? HANDLER : 0, payload: payload(rng, 100_000 + i) }) });
  }
  // Voluntary leaves by members that are neither the lock holder nor fault victims (spec §8.2).
  const { faults, endUs } = drawFaults(rng, p, p.faults);
  const victimNodes = new Set(faults.flatMap((f) => (f.kind === 'partition' ? f.groups.flat() : [f.node])));
  const leavers = cluster.memberNodes.slice(1).filter((n) => !victimNodes.has(n));
  for (let i = 0; i < p.leaves && leavers.length > 1; i++) inputs.push({ kind: 'request', node: leavers.splice(rng.int(leavers.length), 1)[0]!, atUs: rng.range(p.trafficUs / 3, p.trafficUs), bytes: cmd({ type: 'leave' }) });
  return {
    nodes: cluster.nodes,
    network: network(p),
    faults,
    inputs,
    // The forwarder that crashes is never member 0, the lock holder: handler requests stay answerable.
    properties: rmpProperties({ retransBufferMaxBytes: cluster.config.retransBufferMaxBytes, expectReplies: p.handlers && (p.faults === 'none' || p.faults === 'forwarder'), quiescent: true, converge: p.minPartition === 0 }),
    limitUs: Math.max(p.trafficUs, endUs) + SETTLE_US,
  };
}

const base: TrafficParams = {
  members: 5,
  founders: 4,
  clients: 1,
  packets: 30,
  requests: 6,
  trafficUs: 60_000,
  loss: 0.05,
  duplicate: 0.02,
  reorder: 0.05,
  qos: 'all',
  faults: 'mixed',
  leaves: 0,
  minPartition: 0,
  handlers: false,
  flow: 'seed',
  forwarders: 0,
};

function scenario(name: string, description: string, params: TrafficParams, vary?: (rng: Rng, p: TrafficParams) => TrafficParams): Scenario<TrafficParams> {
  return { name, description, params, build: (rng, p) => trafficSetup(rng, vary ? vary(rng, p) : p) };
}

/** The randomized sweep: 3–7 members (some joining late), loss/duplication/reordering, one of crash, crash-restart, pause or a healing partition of a minority, sometimes a leave. */
export const sweepScenario = scenario('rmp-sweep', 'RMP: 3–7 members, joins, leaves, all QoS levels, loss/dup/reorder, crash/restart/pause/partition of a minority (spec §12)', base, (rng, p) => {
  const founders = rng.range(3, 6);
  return { ...p, founders, members: founders + rng.range(0, 2), loss: rng.uniform() * 0.1, duplicate: rng.uniform() * 0.05, reorder: rng.uniform() * 0.1, leaves: rng.chance(0.3) ? 1 : 0 };
});

export const lossyLanScenario = scenario('rmp-lossy-lan', 'RMP: 4 founders + 2 joiners and a client on a LAN with 10% loss, duplication and reordering, no failures', { ...base, members: 6, faults: 'none', loss: 0.1, duplicate: 0.05, reorder: 0.1, packets: 40, handlers: true });

export const crashScenario = scenario('rmp-crash', 'RMP: a minority of 5 founders crashes mid-traffic; reformation removes it (virtual synchrony)', { ...base, members: 5, founders: 5, faults: 'crash', loss: 0.03 });

export const partitionScenario = scenario('rmp-partition-heal', 'RMP: a minority partition blocks, the majority reforms; after the heal the minority rejoins as new members', { ...base, members: 5, founders: 5, faults: 'partition', qos: 'majorityResilient', loss: 0.02 });

/** Agreed packets need a majority (a minority that continues blocks on them), so this mix leaves them out. */
export const minorityContinuesScenario = scenario('rmp-minority-continues', 'RMP: minimum partition size 1, both sides of a partition continue as separate groups; order and virtual synchrony hold within each', { ...base, members: 5, founders: 5, faults: 'partition', minPartition: 1, loss: 0.02, qos: 'no-agreed' });

export const multiRpcScenario = scenario('rmp-multi-rpc', 'RMP: 3 clients send requests to a handler lock held by member 0; exactly one response each', { ...base, members: 4, founders: 4, clients: 3, requests: 20, packets: 10, faults: 'none', handlers: true });

export const joinLeaveScenario = scenario('rmp-join-leave', 'RMP: 3 founders, 4 joiners, 2 leavers during traffic', { ...base, members: 7, founders: 3, faults: 'none', leaves: 2, loss: 0.05 });

/** Clients without multicast (seed §5): 3 clients send through forwarding members (3 each, one at a time) under loss, duplication and reordering, and client 0's forwarder crashes mid-traffic (half the time restarting); the clients fail over. */
export const forwarderScenario = scenario('rmp-forwarder', 'RMP: 3 clients without multicast send through forwarding members; client 0\'s forwarder crashes mid-traffic (sometimes restarts); loss/dup/reorder', { ...base, members: 5, founders: 5, clients: 3, requests: 24, packets: 12, faults: 'forwarder', forwarders: 3 }, (rng, p) => ({ ...p, loss: rng.uniform() * 0.1, duplicate: rng.uniform() * 0.05, reorder: rng.uniform() * 0.1, handlers: rng.chance(0.5) }));

export const scenarios: Scenario[] = [sweepScenario, lossyLanScenario, crashScenario, partitionScenario, minorityContinuesScenario, multiRpcScenario, joinLeaveScenario, forwarderScenario] as unknown as Scenario[];
