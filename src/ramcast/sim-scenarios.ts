// RamCast's simulator scenarios (spec §10), registered as built-ins. Every scenario checks the
// §9 properties (properties.ts); test/ramcast sweeps them over many seeds and asserts the
// scenario-specific facts (fencing rejections, relays, credit stalls) on top.
import type { Core, NodeId, TimeUs } from '../sim/core.js';
import type { Rng } from '../sim/prng.js';
import type { Scenario } from '../sim/scenario.js';
import type { FaultSpec, InputSpec, SimSetup } from '../sim/setup.js';
import type { NetworkConfig } from '../sim/link.js';
import { clusterNodes, clusterTopology, crashMidWrites, type ClusterShape, type NodeWrap } from './cluster.js';
import type { RamcastTopology } from './config.js';
import { ramcastProperties } from './properties.js';
import { encodeMulticastRequest } from './request.js';

/** Failure detector delay: long enough that a slow link is not a crash in these LAN runs. */
export const DETECT_US = 500;
/** Virtual-time bound of a run; runs normally end idle long before. */
const LIMIT_US = 2_000_000;
/** Writes take 50 µs plus jitter: different links reorder against each other (not within one). */
const BASE_LATENCY_US = 50;

function request(node: NodeId, atUs: TimeUs, dst: number[], seq: number): InputSpec {
  return { kind: 'request', node, atUs, bytes: encodeMulticastRequest(dst, new TextEncoder().encode(`m${seq}`)) };
}

function randomDst(rng: Rng, groups: number): number[] {
  const dst = Array.from({ length: groups }, (_, g) => g).filter(() => rng.chance(0.5));
  return dst.length ? dst : [rng.int(groups)];
}

function setup(topology: RamcastTopology, inputs: InputSpec[], extra: Partial<SimSetup> = {}, wrap?: NodeWrap): SimSetup {
  return {
    nodes: clusterNodes(topology, wrap),
    inputs,
    properties: ramcastProperties(topology),
    detector: { delayUs: DETECT_US },
    limitUs: LIMIT_US,
    ...extra,
  };
}

const jitter = (us: number): NetworkConfig => ({ defaults: { latency: { kind: 'uniform', minUs: BASE_LATENCY_US, maxUs: BASE_LATENCY_US + us } } });

/** The sweep: 1–maxGroups groups of three, random clients and destinations, random crashes of
 *  leaders, followers (one per group: a minority) and clients, and paused leaders that come
 *  back deposed and keep writing. */
export const sweepScenario: Scenario<{ maxGroups: number; messages: number; faults: boolean; jitterUs: number }> = {
  name: 'ramcast-sweep',
  description: 'RamCast: 1–8 groups, random destinations, crashes of leaders/followers/clients, deposed leaders (spec §9 properties)',
  params: { maxGroups: 8, messages: 6, faults: true, jitterUs: 150 },
  build(rng, p) {
    const shape: ClusterShape = { groups: rng.range(1, p.maxGroups), groupSize: 3, clients: rng.range(1, 3) };
    const t = clusterTopology(shape);
    const inputs = Array.from({ length: p.messages }, (_, i) => request(rng.pick(t.clients), rng.range(0, 1500), randomDst(rng, shape.groups), i));
    const faults: FaultSpec[] = [];
    if (p.faults) {
      for (const members of t.groups) {
        const roll = rng.uniform();
        const atUs = rng.range(0, 2000);
        if (roll < 0.25) faults.push({ kind: 'crash', node: members[0]!, atUs }); // the leader
        else if (roll < 0.4) faults.push({ kind: 'crash', node: rng.pick(members.slice(1)), atUs });
        else if (roll < 0.55) faults.push({ kind: 'pause', node: members[0]!, atUs, forUs: rng.range(600, 3000) });
      }
      for (const c of t.clients) if (rng.chance(0.25)) faults.push({ kind: 'crash', node: c, atUs: rng.range(0, 1500) });
    }
    return setup(t, inputs, { faults, network: jitter(p.jitterUs) });
  },
};

/** §10.1: one group of three, one client: FIFO and identical order. */
export const oneGroupScenario: Scenario<{ messages: number }> = {
  name: 'ramcast-one-group',
  description: 'RamCast §10.1: one group of three, one client, identical FIFO order',
  params: { messages: 20 },
  build(_rng, p) {
    const t = clusterTopology({ groups: 1, groupSize: 3, clients: 1 });
    const inputs = Array.from({ length: p.messages }, (_, i) => request(t.clients[0]!, i * 20, [0], i));
    return setup(t, inputs, { network: jitter(100) });
  },
};

/** §10.2: two to eight groups, overlapping destinations, several clients. */
export const overlapScenario: Scenario<{ messages: number }> = {
  name: 'ramcast-overlap',
  description: 'RamCast §10.2: 2–8 groups, overlapping destinations, 4 clients',
  params: { messages: 12 },
  build(rng, p) {
    const groups = rng.range(2, 8);
    const t = clusterTopology({ groups, groupSize: 3, clients: 4 });
    const inputs = Array.from({ length: p.messages }, (_, i) => request(rng.pick(t.clients), rng.range(0, 500), randomDst(rng, groups), i));
    return setup(t, inputs, { network: jitter(200) });
  },
};

/** §10.3: the leader's timestamp reaches the followers before the client's body does. */
export const tsBeforeBodyScenario: Scenario<{ slowUs: number }> = {
  name: 'ramcast-ts-before-body',
  description: 'RamCast §10.3: client→follower writes are slow, so timestamps land before bodies',
  params: { slowUs: 3000 },
  build(_rng, p) {
    const t = clusterTopology({ groups: 2, groupSize: 3, clients: 2 });
    const followers = t.groups.flatMap((m) => m.slice(1));
    const links = t.clients.flatMap((c) => followers.map((f) => ({ from: c, to: f, latency: { kind: 'fixed' as const, us: p.slowUs } })));
    const inputs = Array.from({ length: 8 }, (_, i) => request(t.clients[i % 2]!, i * 100, i % 3 === 0 ? [0, 1] : [i % 2], i));
    return setup(t, inputs, { network: { links } });
  },
};

/** §10.4: the leader of group 0 crashes after writing its proposal to only some followers. */
export const leaderCrashPartialScenario: Scenario<{ keepWrites: number }> = {
  name: 'ramcast-leader-crash-partial',
  description: 'RamCast §10.4: a leader crashes after proposing to only some followers; the new leader re-proposes',
  params: { keepWrites: 1 },
  build(_rng, p) {
    const t = clusterTopology({ groups: 2, groupSize: 3, clients: 1 });
    const leader = t.groups[0]![0]!;
    // The first message goes to group 0 alone, so its final timestamp is group 0's stamp.
    const inputs = [request(t.clients[0]!, 0, [0], 0), request(t.clients[0]!, 1000, [0, 1], 1), request(t.clients[0]!, 1500, [0, 1], 2)];
    const wrap: NodeWrap = (node, core) => (node === leader ? crashMidWrites(core, p.keepWrites, (fx) => fx.region === 'ts') : core);
    return setup(t, inputs, { faults: [{ kind: 'crash', node: leader, atUs: 300 }] }, wrap);
  },
};

/** §10.5: a paused leader is deposed and, on resuming, keeps writing with its old round. */
export const deposedLeaderScenario: Scenario<Record<string, never>> = {
  name: 'ramcast-deposed-leader',
  description: 'RamCast §10.5: a deposed leader keeps writing; members fence its writes',
  params: {},
  build() {
    const t = clusterTopology({ groups: 2, groupSize: 3, clients: 1 });
    const pauseAt = 1000;
    // Messages whose bodies reach the paused leader before the CATCH_UP does: on resuming it
    // proposes them in its old round, and the members that promised the new round refuse.
    const inputs = [0, 1, 2, 3].map((i) => request(t.clients[0]!, pauseAt + 50 + i * 80, [0, 1], i));
    inputs.push(request(t.clients[0]!, 200, [0], 9));
    return setup(t, inputs, { faults: [{ kind: 'pause', node: t.groups[0]![0]!, atUs: pauseAt, forUs: 4000 }] });
  },
};

/** §10.6: a client writes its message to one destination process only (or to none), then crashes. */
export const clientPartialScenario: Scenario<{ reachOne: boolean }> = {
  name: 'ramcast-client-partial',
  description: 'RamCast §10.6: a client crashes after writing to one process (Task 10 relays) or to none (nobody delivers)',
  params: { reachOne: true },
  build(rng, p) {
    const t = clusterTopology({ groups: 3, groupSize: 3, clients: 2 });
    const bad = t.clients[0]!;
    // The one write that survives goes to a follower (not a leader) of a random group.
    const target = rng.pick(t.groups.flatMap((m) => m.slice(1)));
    const wrap: NodeWrap = (node, core) => (node === bad ? writeOnlyTo(core, p.reachOne ? target : -1) : core);
    const inputs = [request(bad, 0, [0, 1, 2], 0), request(t.clients[1]!, 100, [0, 2], 1), request(t.clients[1]!, 300, [1], 2)];
    return setup(t, inputs, { faults: [{ kind: 'crash', node: bad, atUs: 50 }] }, wrap);
  },
};

/** A client that dies inside Relay: of its first multicast only the write to `target` leaves. */
function writeOnlyTo(core: Core, target: NodeId): Core {
  let done = false;
  return {
    handle(nowUs, event) {
      if (done) return [];
      const fx = core.handle(nowUs, event);
      if (event.kind !== 'request') return fx;
      done = true;
      return fx.filter((e) => e.kind !== 'write' || e.to === target);
    },
  };
}

/** §10.7: more messages than ring slots, slow servers: the client waits for credit. */
export const ringFullScenario: Scenario<{ messages: number }> = {
  name: 'ramcast-ring-full',
  description: 'RamCast §10.7: a client fills its rings and waits for credit; no slot is reused early',
  params: { messages: 200 },
  build(_rng, p) {
    const t = clusterTopology({ groups: 2, groupSize: 3, clients: 1 });
    const inputs = Array.from({ length: p.messages }, (_, i) => request(t.clients[0]!, 0, i % 2 ? [0, 1] : [0], i));
    return setup(t, inputs, { network: jitter(300) });
  },
};

/** A leader crash after the client has reused its ring slots (more messages than kRingSlots):
 *  Task 9 then settles DONE messages and live ones that share a slot, whose acks share a cell. */
export const leaderCrashReuseScenario: Scenario<{ messages: number; crashAtUs: number }> = {
  name: 'ramcast-leader-crash-reuse',
  description: 'RamCast: a leader crashes after ring slots were reused; the new leader settles old and live messages that share slots',
  params: { messages: 160, crashAtUs: 6000 },
  build(rng, p) {
    const t = clusterTopology({ groups: 2, groupSize: 3, clients: 1 });
    const inputs = Array.from({ length: p.messages }, (_, i) => request(t.clients[0]!, i * 60, rng.chance(0.3) ? [0, 1] : [0], i));
    return setup(t, inputs, { faults: [{ kind: 'crash', node: t.groups[0]![0]!, atUs: p.crashAtUs + rng.range(0, 2000) }], network: jitter(100) });
  },
};

export const scenarios: Scenario[] = [
  sweepScenario,
  oneGroupScenario,
  overlapScenario,
  tsBeforeBodyScenario,
  leaderCrashPartialScenario,
  deposedLeaderScenario,
  clientPartialScenario,
  ringFullScenario,
  leaderCrashReuseScenario,
] as unknown as Scenario[];
