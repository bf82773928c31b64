// What each scenario is for actually happens in it (on top of the §12 checks the sweep runs):
// a crash is followed by a reformation that removes the crashed member, a partitioned
// minority rejoins as new members, every multi-RPC request gets one response from the lock
// holder, packets of every QoS level reach every member, joins and leaves change the view,
// clients without multicast are answered through their forwarders and leave a crashed one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceRecord } from '../../src/sim/trace.js';
import { runSeed } from '../../src/sim/run-seed.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { OUT, type DeliverRecord, type ReformedRecord, type RespondRecord, type ViewRecord } from '../../src/rmp/outputs.js';
import { nodeOf } from '../../src/rmp/pid.js';
import { QOS_NAMES } from '../../src/rmp/qos.js';
import { forwardersOf } from '../../src/rmp/sim-cluster.js';
import { crashScenario, forwarderScenario, joinLeaveScenario, lossyLanScenario, multiRpcScenario, partitionScenario } from '../../src/rmp/sim-scenarios.js';

const SEEDS = [1, 2, 3];

function run(s: unknown, seed: number): { outputs: TraceRecord[]; records: TraceRecord[] } {
  const r = runSeed(s as Scenario, seed, { retainTrace: true });
  assert.equal(r.violation, null, JSON.stringify(r.violation));
  return { outputs: r.trace.outputs, records: r.trace.records };
}

const of = <T>(outputs: TraceRecord[], name: string): T[] => outputs.filter((o) => o.name === name).map((o) => o.data as unknown as T);

test('rmp-crash: the crashed members are removed by a reformation that every survivor commits', () => {
  for (const seed of SEEDS) {
    const { outputs, records } = run(crashScenario, seed);
    const crashed = new Set(records.filter((r) => r.kind === 'crash').map((r) => r.node));
    assert.ok(crashed.size > 0);
    const reformed = of<ReformedRecord>(outputs, OUT.reformed);
    const removed = new Set(reformed.flatMap((r) => r.removed).map(nodeOf));
    for (const n of crashed) assert.ok(removed.has(n), `seed ${seed}: crashed node ${n} was not removed`);
    const survivors = new Set(reformed.map((r) => nodeOf(r.pid)));
    assert.ok(survivors.size >= 3, `seed ${seed}: ${survivors.size} members committed the reformation`);
  }
});

test('rmp-partition-heal: a minority cut off long enough is blocked, then rejoins as new members after the heal', () => {
  let removedRuns = 0;
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const { outputs, records } = run(partitionScenario, seed);
    const minority = (records.find((r) => r.kind === 'partition')!.data as number[][])[0]!;
    const removed = new Set(of<ReformedRecord>(outputs, OUT.reformed).flatMap((r) => r.removed).map(nodeOf));
    const lastViews = new Map<number, ViewRecord>();
    for (const v of of<ViewRecord>(outputs, OUT.view)) lastViews.set(nodeOf(v.pid), v);
    const final = lastViews.get(0)!;
    for (const n of minority) assert.equal(lastViews.get(n)!.key, final.key, `seed ${seed}: node ${n} did not end in the final view`);
    if (!minority.some((n) => removed.has(n))) continue; // healed before the majority gave up on it: one view throughout
    removedRuns++;
    const blocked = outputs.filter((o) => o.name === OUT.status && (o.data as { status: string }).status === 'blocked').map((o) => o.node);
    for (const n of minority) {
      assert.ok(blocked.includes(n), `seed ${seed}: minority node ${n} never blocked`);
      assert.notEqual(lastViews.get(n)!.pid % 0x10000, 0, `seed ${seed}: node ${n} came back under its old id`);
    }
  }
  assert.ok(removedRuns >= 2, `only ${removedRuns} runs removed the minority`);
});

test('rmp-multi-rpc: every request is answered once, by the lock holder, with its response', () => {
  for (const seed of SEEDS) {
    const { outputs } = run(multiRpcScenario, seed);
    const requests = outputs.filter((o) => o.name === OUT.request);
    const responses = of<RespondRecord>(outputs, OUT.respond);
    assert.equal(requests.length, multiRpcScenario.params.requests);
    assert.equal(responses.length, requests.length, `seed ${seed}: ${responses.length} responses for ${requests.length} requests`);
    assert.ok(responses.every((r) => r.pid === 0 && r.handler !== 0));
    assert.equal(outputs.filter((o) => o.name === OUT.reply && (o.data as { status: number }).status === 1).length, requests.length);
  }
});

test('rmp-lossy-lan: with 10% loss every member delivers every packet, at every QoS level', () => {
  for (const seed of SEEDS) {
    const { outputs, records } = run(lossyLanScenario, seed);
    assert.ok(records.filter((r) => r.kind === 'drop').length > 100, 'the network really lost packets');
    const delivered = of<DeliverRecord>(outputs, OUT.deliver);
    const levels = new Set(delivered.map((d) => d.qos));
    assert.equal(levels.size, QOS_NAMES.length, `seed ${seed}: levels delivered ${[...levels]}`);
    const founders = [0, 1, 2, 3];
    const sentByFounders = outputs.filter((o) => o.name === OUT.sent && founders.includes(o.node) && (o.data as { qos: number }).qos > 0);
    for (const s of sentByFounders) {
      const id = (s.data as { id: string }).id;
      for (const n of founders) assert.ok(delivered.some((d) => d.id === id && nodeOf(d.pid) === n), `seed ${seed}: node ${n} missed ${id}`);
    }
  }
});

test('rmp-join-leave: four joins and two leaves are installed as views by the members that stay', () => {
  for (const seed of SEEDS) {
    const { outputs } = run(joinLeaveScenario, seed);
    const views = of<ViewRecord>(outputs, OUT.view).filter((v) => v.pid === 0);
    const final = views[views.length - 1]!;
    assert.equal(final.list.length, joinLeaveScenario.params.members - joinLeaveScenario.params.leaves, `seed ${seed}: final view ${final.list}`);
    assert.ok(views.filter((v) => v.cause === 'change').length >= 2);
  }
});

test('rmp-forwarder: clients without multicast are answered through their forwarder, and client 0 leaves its crashed one for the next', () => {
  const p = forwarderScenario.params;
  const members = Array.from({ length: p.members }, (_, i) => i);
  let relayed = 0;
  for (const seed of SEEDS) {
    const { outputs, records } = run(forwarderScenario, seed);
    const crash = records.find((r) => r.kind === 'crash')!;
    assert.equal(crash.node, forwardersOf(0, members)[0], 'the crash hits client 0\'s first forwarder');
    const requests = outputs.filter((o) => o.name === OUT.request && (o.data as { qos: number }).qos > 0);
    const replies = outputs.filter((o) => o.name === OUT.reply);
    assert.equal(replies.length, requests.length, `seed ${seed}: ${replies.length} replies for ${requests.length} requests`);
    // Clients never reach a member except through their forwarder: an answer from another member was relayed.
    for (const [i, client] of Array.from({ length: p.clients }, (_, j) => [j, p.members + j] as const)) {
      const firstMove = outputs.find((o) => o.name === OUT.forwarder && o.node === client)?.t ?? Infinity;
      const first = forwardersOf(i, members)[0];
      relayed += replies.filter((r) => r.node === client && r.t < firstMove && nodeOf((r.data as { from: number }).from) !== first).length;
    }
    const moves = outputs.filter((o) => o.name === OUT.forwarder && o.node === p.members && o.t > crash.t);
    assert.ok(moves.length > 0 && (moves[0]!.data as { node: number }).node === forwardersOf(0, members)[1], `seed ${seed}: client 0 did not move to its second forwarder after the crash`);
  }
  assert.ok(relayed > 0, 'no reply was relayed by a forwarder');
});
