// Spec §10's scenarios, each as its own test: the §9 properties (checked by the scenario's
// Properties) plus the fact the scenario exists to show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/sim/prng.js';
import { RNG_STREAM, Simulator, type RunResult } from '../../src/sim/simulator.js';
import type { Core } from '../../src/sim/core.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { logsFromOutputs } from '../../src/ramcast/properties.js';
import { RamcastServerNode } from '../../src/ramcast/server-node.js';
import { RamcastClientNode } from '../../src/ramcast/client-node.js';
import {
  clientPartialScenario,
  deposedLeaderScenario,
  leaderCrashPartialScenario,
  leaderCrashReuseScenario,
  oneGroupScenario,
  overlapScenario,
  ringFullScenario,
  tsBeforeBodyScenario,
} from '../../src/ramcast/sim-scenarios.js';
import { OUT_LEADER } from '../../src/ramcast/trace.js';

/** Runs one seed with the full trace, keeping each node's core for inspection. */
function run<P extends Record<string, number | string | boolean>>(scenario: Scenario<P>, seed: number, params?: Partial<P>) {
  const setup = scenario.build(new Rng(seed).fork(RNG_STREAM.build), { ...scenario.params, ...params } as P);
  const cores = new Map<number, Core>();
  setup.nodes = setup.nodes.map((make, i) => (node, inc) => {
    const core = make(node, inc);
    cores.set(i, core);
    return core;
  });
  const result: RunResult = new Simulator(setup, { seed, retainTrace: true }).run();
  const failure = result.violation ? `${result.violation.property}: ${result.violation.message} (seed ${seed})` : null;
  assert.equal(failure, null);
  assert.equal(result.ended, 'idle', 'the run reaches quiescence');
  return { result, cores, logs: logsFromOutputs(result.trace.outputs) };
}

const deliveredIds = (logs: ReturnType<typeof logsFromOutputs>, node: number) => (logs.delivered.get(node) ?? []).map((d) => d.id);

test('§10.1 one group: every process delivers the client\'s messages in FIFO order, identically', () => {
  for (const seed of [1, 2, 3]) {
    const { logs } = run(oneGroupScenario, seed);
    const expected = Array.from({ length: 20 }, (_, i) => `3:${i + 1}`);
    for (const p of [0, 1, 2]) assert.deepEqual(deliveredIds(logs, p), expected);
  }
});

test('§10.2 two to eight groups with overlapping destinations: prefix and acyclic order hold', () => {
  for (let seed = 0; seed < 30; seed++) {
    const { logs } = run(overlapScenario, seed);
    assert.ok([...logs.delivered.values()].some((l) => l.length > 0));
  }
});

test('§10.3 timestamps that land before the body still block higher messages', () => {
  const { result } = run(tsBeforeBodyScenario, 7);
  // At some follower a ts write landed for a slot whose body had not arrived yet.
  const records = result.trace.records;
  const early = records.some(
    (r, i) => r.kind === 'memory' && r.name === 'ts' && ![0, 3].includes(r.node) && !records.slice(0, i).some((b) => b.kind === 'memory' && b.name === 'ring' && b.node === r.node),
  );
  assert.ok(early, 'the scenario makes timestamps overtake bodies');
});

test('§10.4 a leader crashing after proposing to one follower: the new leader keeps its timestamp', () => {
  const { result, logs } = run(leaderCrashPartialScenario, 1);
  // Leader 0 proposed counter 1 for group 0 (value 1·2^16 + 0) and only follower 1 stored it:
  // with the leader's own acceptance that is a majority, so the next round must re-propose it.
  for (const p of [1, 2]) assert.equal(logs.delivered.get(p)!.find((d) => d.id === '6:1')!.ts, 65536);
  assert.ok(result.trace.outputs.some((r) => r.name === OUT_LEADER && (r.data as { leader: number }).leader === 1));
});

test('§10.4 with no follower reached, the new leader chooses afresh and all agree', () => {
  const { logs } = run(leaderCrashPartialScenario, 2, { keepWrites: 0 });
  const ts = new Set([1, 2].map((p) => logs.delivered.get(p)!.find((d) => d.id === '6:1')!.ts));
  assert.equal(ts.size, 1);
});

test('§10.5 a deposed leader that keeps writing is fenced by the members', () => {
  const { result, cores } = run(deposedLeaderScenario, 3);
  const rejected = result.trace.records.filter((r) => r.kind === 'write-rejected' && r.peer === 0 && r.name === 'ts');
  assert.ok(rejected.length > 0, 'the old leader wrote with its old round and the NIC refused');
  const follower = cores.get(1) as RamcastServerNode;
  assert.notEqual(follower.info().leader, 0);
});

test('§10.6 a client that wrote to one process before crashing: Task 10 relays to every destination', () => {
  for (const seed of [1, 2, 3, 4]) {
    const { logs } = run(clientPartialScenario, seed);
    for (const p of [0, 1, 2, 3, 4, 5, 6, 7, 8]) assert.ok(deliveredIds(logs, p).includes('9:1'), `process ${p} got the relayed message`);
  }
});

test('§10.6 a client that wrote to nobody before crashing: nobody delivers its message', () => {
  const { logs } = run(clientPartialScenario, 1, { reachOne: false });
  for (const list of logs.delivered.values()) assert.ok(!list.some((d) => d.id === '9:1'));
});

test('§10.7 a full ring makes the client wait for credit; no slot is reused before delivery', () => {
  const { cores, logs, result } = run(ringFullScenario, 1, { messages: 150 });
  for (const p of [0, 1, 2]) assert.equal(logs.delivered.get(p)!.length, 150);
  for (const p of [0, 1, 2, 3, 4, 5]) assert.equal((cores.get(p) as RamcastServerNode).info().overwrites, 0);
  assert.equal((cores.get(6) as RamcastClientNode).queued(), 0);
  // All 150 requests arrived at t=0, but only a ring's worth could be written then.
  const late = logs.multicasts.size - result.trace.outputs.filter((r) => r.name === 'ramcast.multicast' && r.t === 0).length;
  assert.ok(late > 0, 'some multicasts waited for credit');
});

test('a leader crash after ring slots were reused: the new leader settles DONE and live messages sharing slots', () => {
  // Found by the real-process test: Task 9 acks every reported message in the new round, and a
  // DONE message and a live one at the same slot (positions p and p + kRingSlots) ack into one
  // cell; both self-acks must count (the core stores a write to itself as it absorbs it).
  for (const seed of [0, 1, 2, 3]) {
    const { result, logs } = run(leaderCrashReuseScenario, seed);
    assert.ok(logs.multicasts.size > 64, 'more messages than ring slots');
    assert.ok(result.trace.outputs.some((r) => r.name === OUT_LEADER && (r.data as { leader: number }).leader !== 0), 'group 0 changed leader');
    // Every message goes to group 0: its surviving members deliver all of them.
    for (const p of [1, 2]) assert.equal(logs.delivered.get(p)!.length, logs.multicasts.size);
  }
});
