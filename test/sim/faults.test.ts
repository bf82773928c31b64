// Node faults: crash, crash-restart, pause; the failure detector; crypto answered after its cost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Core, CoreEffect, CoreEvent } from '../../src/sim/core.js';
import { echoNodes } from './echo-protocol.js';
import { outputNs, pick, runSetup } from './run-helpers.js';

// Pings n = 0..49 leave node 0 at n ms and land 100 µs later.
const echo3 = () => echoNodes({ nodes: 3, pings: 50, intervalUs: 1000 });

test('crash: the node stops forever; traffic to it is dropped', () => {
  const r = runSetup({ nodes: echo3(), faults: [{ kind: 'crash', node: 1, atUs: 10_500 }], limitUs: 1_000_000 });
  assert.deepEqual(outputNs(r.log, 1, 'ping'), Array.from({ length: 11 }, (_, n) => n));
  assert.ok(pick(r.log, 'receive', 1).every((x) => x.t < 10_500));
  assert.equal(r.log.filter((x) => x.kind === 'drop' && x.peer === 1 && x.info === 'receiver-down').length, 39);
  assert.equal(outputNs(r.log, 2, 'ping').length, 50);
});

test('crash-restart: a fresh core gets start{restarted:true}; nothing is handled while down', () => {
  const r = runSetup({ nodes: echo3(), faults: [{ kind: 'crash', node: 1, atUs: 10_500, restartAfterUs: 5000 }], limitUs: 1_000_000 });
  const starts = pick(r.log, 'start', 1);
  assert.deepEqual(starts.map((s) => [s.t, s.ok]), [[0, false], [15_500, true]]);
  const ns = outputNs(r.log, 1, 'ping');
  assert.deepEqual(ns, [...Array.from({ length: 11 }, (_, n) => n), ...Array.from({ length: 34 }, (_, n) => n + 16)]);
  assert.ok(pick(r.log, 'receive', 1).every((x) => x.t < 10_500 || x.t > 15_500));
});

test("crash-restart: the old incarnation's timers never fire", () => {
  // The pinger's tick set at 5 ms for 6 ms must die with it; the new core ticks from 6.5 ms.
  const r = runSetup({ nodes: echo3(), faults: [{ kind: 'crash', node: 0, atUs: 5500, restartAfterUs: 1000 }], limitUs: 1_000_000 });
  const ticks = pick(r.log, 'timer', 0).map((x) => x.t);
  assert.ok(!ticks.includes(6000));
  assert.equal(ticks.filter((t) => t >= 5500 && t < 7000).length, 1);
  assert.ok(ticks.includes(6500));
});

test('a sender crash loses what still waited in its send queue', () => {
  // 10 × 1000 bytes at 1 MB/s leave at 0,1,…,9 ms; the crash at 3.5 ms keeps the four that started.
  const r = runSetup({
    nodes: echoNodes({ nodes: 2, pings: 10, intervalUs: 0, size: 1000, echo: false }),
    network: { defaults: { bandwidthBytesPerSec: 1e6 } },
    faults: [{ kind: 'crash', node: 0, atUs: 3500 }],
    limitUs: 1_000_000,
  });
  assert.deepEqual(outputNs(r.log, 1, 'ping'), [0, 1, 2, 3]);
  assert.equal(r.log.filter((x) => x.kind === 'drop' && x.info === 'sender-crashed').length, 6);
});

test('pause: events queue up and are processed, in order, on resume', () => {
  const r = runSetup({ nodes: echo3(), faults: [{ kind: 'pause', node: 1, atUs: 10_500, forUs: 5000 }], limitUs: 1_000_000 });
  assert.deepEqual(outputNs(r.log, 1, 'ping'), Array.from({ length: 50 }, (_, n) => n));
  const during = pick(r.log, 'receive', 1).filter((x) => x.t > 10_500 && x.t < 15_500);
  assert.equal(during.length, 0);
  const atResume = pick(r.log, 'output', 1, 'ping').filter((x) => x.t === 15_500).map((x) => (x.data as { n: number }).n);
  assert.deepEqual(atResume, [11, 12, 13, 14, 15]);
  assert.equal(pick(r.log, 'resume', 1)[0]!.size, 5);
  // The pongs for the queued pings go out at resume time.
  assert.equal(pick(r.log, 'send', 1).filter((x) => x.t === 15_500).length, 5);
});

test('the failure detector announces crashes and restarts to live nodes after its delay', () => {
  const r = runSetup({
    nodes: echo3(),
    faults: [{ kind: 'crash', node: 1, atUs: 10_500, restartAfterUs: 5000 }],
    detector: { delayUs: 1000 },
    limitUs: 1_000_000,
  });
  const seen = pick(r.log, 'suspect').map((x) => [x.t, x.node, x.peer, x.ok]);
  assert.deepEqual(seen, [[11_500, 0, 1, true], [11_500, 2, 1, true], [16_500, 0, 1, false], [16_500, 2, 1, false]]);
});

test('scheduled suspicions reach the core as suspect events', () => {
  const r = runSetup({ nodes: echo3(), inputs: [{ kind: 'suspect', node: 2, atUs: 300, peer: 0, suspected: true }], limitUs: 1_000 });
  assert.deepEqual(pick(r.log, 'suspect').map((x) => [x.t, x.node, x.peer, x.ok]), [[300, 2, 0, true]]);
  assert.equal(r.ended, 'limit');
});

class CryptoUser implements Core {
  handle(_now: number, ev: CoreEvent): CoreEffect[] {
    if (ev.kind === 'start') {
      return ['a', 'b', 'c'].map((job) => ({ kind: 'crypto', job, op: job === 'b' ? 'verify-bad' : 'sign', bytes: new Uint8Array([job.charCodeAt(0)]) }));
    }
    if (ev.kind === 'crypto') return [{ kind: 'output', name: 'crypto', data: { job: ev.job, ok: ev.ok, byte: ev.bytes[0]! } }];
    return [];
  }
}

test('crypto: the handler answers after its virtual cost, one job at a time per node', () => {
  const r = runSetup({
    nodes: [() => new CryptoUser(), () => new CryptoUser()],
    crypto: (job) => ({ ok: job.op !== 'verify-bad', bytes: new Uint8Array([job.bytes[0]! + job.node]), costUs: 100 }),
    limitUs: 1_000_000,
  });
  const node0 = pick(r.log, 'output', 0, 'crypto').map((x) => [x.t, x.data]);
  assert.deepEqual(node0, [[100, { job: 'a', ok: true, byte: 97 }], [200, { job: 'b', ok: false, byte: 98 }], [300, { job: 'c', ok: true, byte: 99 }]]);
  // Node 1 has its own crypto unit: same times, not queued behind node 0.
  assert.deepEqual(pick(r.log, 'output', 1, 'crypto').map((x) => x.t), [100, 200, 300]);
});

test('bad inputs get clear errors', () => {
  assert.throws(() => runSetup({ nodes: [() => new CryptoUser()], limitUs: 10 }), /no crypto handler/);
  assert.throws(() => runSetup({ nodes: echo3(), faults: [{ kind: 'crash', node: 7, atUs: 0 }], limitUs: 10 }), /no node 7/);
  assert.throws(() => runSetup({ nodes: echo3(), network: { defaults: { loss: 2 } }, limitUs: 10 }), /loss must be a probability/);
  assert.throws(() => runSetup({ nodes: [], limitUs: 10 }), /at least one node/);
});

test('pause after a restart: messages queued during the pause still arrive on resume', () => {
  const r = runSetup({
    nodes: echo3(),
    faults: [
      { kind: 'crash', node: 1, atUs: 5500, restartAfterUs: 1000 },
      { kind: 'pause', node: 1, atUs: 10_500, forUs: 5000 },
    ],
    limitUs: 1_000_000,
  });
  const ns = outputNs(r.log, 1, 'ping');
  assert.deepEqual(ns, [0, 1, 2, 3, 4, 5, ...Array.from({ length: 43 }, (_, n) => n + 7)]);
});
