// The Byzantine wrappers do what they say: stay silent, equivocate, send arbitrary bytes,
// replay old messages; installed by a scheduled fault or through Simulator.replaceCore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combine, equivocate, replayOld, sendAnything, silent } from '../../src/sim/byzantine.js';
import { Simulator } from '../../src/sim/simulator.js';
import { echoNodes } from './echo-protocol.js';
import { outputNs, pick, runSetup } from './run-helpers.js';

const PINGS = 30;
const echo5 = () => echoNodes({ nodes: 5, pings: PINGS, intervalUs: 1000 });

test('silent: the node keeps running but never sends', () => {
  const r = runSetup({ nodes: echo5(), faults: [{ kind: 'byzantine', node: 2, atUs: 0, wrap: silent() }], limitUs: 1_000_000 });
  assert.equal(outputNs(r.log, 2, 'ping').length, PINGS, 'it still receives and handles');
  assert.equal(pick(r.log, 'send', 2).length, 0);
  const pongFrom = new Set(pick(r.log, 'output', 0, 'pong').map((x) => (x.data as { from: number }).from));
  assert.deepEqual([...pongFrom].sort(), [1, 3, 4]);
  assert.equal(pick(r.log, 'byzantine', 2).length, 1);
});

test('equivocate: victims get different bytes than everyone else for the same broadcast', () => {
  const r = runSetup({ nodes: echo5(), faults: [{ kind: 'byzantine', node: 0, atUs: 0, wrap: equivocate() }], limitUs: 1_000_000 });
  const digests = (node: number) => pick(r.log, 'receive', node).map((x) => x.digest);
  assert.equal(digests(2).length, PINGS);
  assert.deepEqual(digests(2), digests(4), 'non-victims agree');
  for (const victim of [1, 3]) {
    const d = digests(victim);
    assert.equal(d.length, PINGS);
    d.forEach((x, i) => assert.notEqual(x, digests(2)[i], `node ${victim} got a different round ${i}`));
  }
});

test('equivocate with a custom mutation and victim set', () => {
  const wrap = equivocate({ victims: (to) => to === 4, mutate: (b) => { const c = b.slice(); c[4] = c[4]! + 100; return c; } });
  const r = runSetup({ nodes: echo5(), faults: [{ kind: 'byzantine', node: 0, atUs: 0, wrap }], limitUs: 1_000_000 });
  assert.deepEqual(outputNs(r.log, 4, 'ping'), Array.from({ length: PINGS }, (_, n) => n + 100));
  assert.deepEqual(outputNs(r.log, 3, 'ping'), Array.from({ length: PINGS }, (_, n) => n));
});

test('sendAnything: arbitrary bytes reach peers, which see garbage, on top of normal behaviour', () => {
  const r = runSetup({ nodes: echo5(), faults: [{ kind: 'byzantine', node: 1, atUs: 0, wrap: sendAnything({ peers: [0, 2], probability: 1 }) }], limitUs: 1_000_000 });
  const garbage = pick(r.log, 'output', undefined, 'garbage').filter((x) => (x.data as { from: number }).from === 1);
  assert.ok(garbage.length >= PINGS / 2, `garbage seen ${garbage.length}`);
  assert.ok(outputNs(r.log, 0, 'pong').length >= PINGS * 4 - 5, 'it still answers pings');
});

test('replayOld: old messages come back although the network never duplicates', () => {
  const r = runSetup({ nodes: echo5(), faults: [{ kind: 'byzantine', node: 0, atUs: 0, wrap: replayOld({ peers: [1, 2, 3, 4], probability: 0.5 }) }], limitUs: 1_000_000 });
  const ns = [1, 2, 3, 4].flatMap((n) => outputNs(r.log, n, 'ping'));
  assert.ok(ns.length > PINGS * 4 + 5, `pings delivered ${ns.length}`);
  assert.equal(pick(r.log, 'duplicate').length, 0);
});

test('replaceCore and combine: the hook swaps a core before or during a run', () => {
  const sim = new Simulator({ nodes: echo5(), limitUs: 1_000_000 }, { seed: 3, retainTrace: true });
  sim.replaceCore(3, combine(equivocate(), silent()));
  const r = sim.run();
  assert.ok(sim.byzantine(3) && sim.faulty(3) && !sim.faulty(2));
  assert.equal(pick(r.trace.records, 'send', 3).length, 0);
});

test('a Byzantine node stays Byzantine across a restart', () => {
  const r = runSetup({
    nodes: echo5(),
    faults: [
      { kind: 'byzantine', node: 2, atUs: 0, wrap: silent() },
      { kind: 'crash', node: 2, atUs: 5500, restartAfterUs: 1000 },
    ],
    limitUs: 1_000_000,
  });
  assert.equal(pick(r.log, 'send', 2).length, 0);
  assert.ok(outputNs(r.log, 2, 'ping').some((n) => n > 10));
});
