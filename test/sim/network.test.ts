// Acceptance (issue 2): loss, duplication, reordering, partitions and bandwidth behave as
// configured, measured with the echo protocol. Runs are deterministic, so these cannot flake;
// the bands are still several standard deviations wide so that an unrelated change to how
// random numbers are drawn does not break them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LinkConfig } from '../../src/sim/link.js';
import { echoNodes } from './echo-protocol.js';
import { outputNs, pick, runSetup } from './run-helpers.js';

const MESSAGES = 5000;

/** node 0 sends MESSAGES pings, 10 µs apart, one way to node 1 over a link configured by `link`. */
function oneWay(link: Partial<LinkConfig>, seed = 1) {
  return runSetup({ nodes: echoNodes({ nodes: 2, pings: MESSAGES, intervalUs: 10, echo: false }), network: { defaults: link }, limitUs: 10_000_000 }, seed);
}

test('loss: 20% of 5,000 messages are lost (within ±3%), and each loss is traced', () => {
  const r = oneWay({ loss: 0.2 });
  const received = outputNs(r.log, 1, 'ping').length;
  assert.ok(received > MESSAGES * 0.77 && received < MESSAGES * 0.83, `received ${received}`);
  const drops = r.log.filter((x) => x.kind === 'drop' && x.info === 'loss');
  assert.equal(drops.length, MESSAGES - received);
});

test('duplication: 10% of messages arrive twice (within ±3%), nothing is lost', () => {
  const r = oneWay({ duplicate: 0.1 });
  const ns = outputNs(r.log, 1, 'ping');
  const extra = ns.length - MESSAGES;
  assert.ok(extra > MESSAGES * 0.07 && extra < MESSAGES * 0.13, `duplicates ${extra}`);
  assert.equal(new Set(ns).size, MESSAGES);
  assert.equal(pick(r.log, 'duplicate').length, extra);
});

/** How many arrivals came after a later-sent message. */
function overtaken(ns: number[]): number {
  let max = -1;
  let late = 0;
  for (const n of ns) {
    if (n < max) late++;
    else max = n;
  }
  return late;
}

test('links are FIFO unless reordering is on, even with jitter', () => {
  const r = oneWay({ latency: { kind: 'uniform', minUs: 50, maxUs: 5000 } });
  const ns = outputNs(r.log, 1, 'ping');
  assert.equal(ns.length, MESSAGES);
  assert.equal(overtaken(ns), 0);
});

test('reordering: 20% of messages are held back and overtaken (within ±3%), none lost', () => {
  const r = oneWay({ reorder: 0.2, reorderDelay: { kind: 'fixed', us: 1000 } });
  const ns = outputNs(r.log, 1, 'ping');
  assert.equal(ns.length, MESSAGES);
  const late = overtaken(ns);
  assert.ok(late > MESSAGES * 0.17 && late < MESSAGES * 0.23, `overtaken ${late}`);
});

test('bandwidth: N bytes at B bytes/s arrive no earlier than N/B, queued FIFO behind each other', () => {
  const size = 1000;
  const count = 200;
  const bandwidth = 1e6; // 1 ms per message
  const latency = 100;
  const r = runSetup({
    nodes: echoNodes({ nodes: 2, pings: count, intervalUs: 0, size, echo: false }),
    network: { defaults: { bandwidthBytesPerSec: bandwidth, latency: { kind: 'fixed', us: latency } } },
    limitUs: 10_000_000,
  });
  const arrivals = pick(r.log, 'receive', 1).map((x) => x.t);
  assert.equal(arrivals.length, count);
  assert.ok(arrivals[count - 1]! >= (count * size * 1e6) / bandwidth);
  arrivals.forEach((t, k) => assert.equal(t, (k + 1) * (size * 1e6) / bandwidth + latency));
  // Header overhead counts against the same bandwidth.
  const withOverhead = runSetup({
    nodes: echoNodes({ nodes: 2, pings: 10, intervalUs: 0, size, echo: false }),
    network: { defaults: { bandwidthBytesPerSec: bandwidth, overheadBytes: 1000, latency: { kind: 'fixed', us: latency } } },
    limitUs: 10_000_000,
  });
  assert.equal(pick(withOverhead.log, 'receive', 1).at(-1)!.t, 10 * 2000 + latency);
});

test('per-link overrides: only the overridden link is slow', () => {
  const r = runSetup({
    nodes: echoNodes({ nodes: 3, pings: 1, intervalUs: 0, echo: false }),
    network: { defaults: { latency: { kind: 'fixed', us: 100 } }, links: [{ from: 0, to: 2, latency: { kind: 'fixed', us: 7000 } }] },
    limitUs: 1_000_000,
  });
  assert.equal(pick(r.log, 'receive', 1)[0]!.t, 100);
  assert.equal(pick(r.log, 'receive', 2)[0]!.t, 7000);
});

test('partition: everything across the cut is dropped until it heals, then traffic flows', () => {
  // Pings n = 0..99 leave node 0 at n ms; {0,1} is cut from {2,3} during [20 ms, 50 ms).
  const r = runSetup({
    nodes: echoNodes({ nodes: 4, pings: 100, intervalUs: 1000 }),
    faults: [{ kind: 'partition', atUs: 20_000, groups: [[0, 1]], healAfterUs: 30_000 }],
    limitUs: 1_000_000,
  });
  assert.deepEqual(outputNs(r.log, 1, 'ping'), Array.from({ length: 100 }, (_, n) => n));
  for (const node of [2, 3]) {
    const got = new Set(outputNs(r.log, node, 'ping'));
    for (let n = 0; n < 100; n++) {
      if (n < 20 || n > 50) assert.ok(got.has(n), `node ${node} got ping ${n}`);
      if (n > 20 && n < 50) assert.ok(!got.has(n), `node ${node} must not get ping ${n} across the cut`);
    }
    const pongs = new Set(pick(r.log, 'output', 0, 'pong').filter((x) => (x.data as { from: number }).from === node).map((x) => (x.data as { n: number }).n));
    assert.deepEqual(pongs, got);
  }
  assert.ok(r.log.some((x) => x.kind === 'drop' && x.info === 'partition'));
  assert.ok(pick(r.log, 'partition').length === 1 && pick(r.log, 'heal').length === 1);
});

test('partition: messages in flight when the cut starts are lost too', () => {
  // 5 ms one way: pings 16..19 leave before the cut at 20 ms but would land after it.
  const r = runSetup({
    nodes: echoNodes({ nodes: 2, pings: 30, intervalUs: 1000, echo: false }),
    network: { defaults: { latency: { kind: 'fixed', us: 5000 } } },
    faults: [{ kind: 'partition', atUs: 20_000, groups: [[1]] }],
    limitUs: 1_000_000,
  });
  assert.deepEqual(outputNs(r.log, 1, 'ping'), Array.from({ length: 15 }, (_, n) => n));
});
