// The link shaper's rules with loose timing bounds (a loaded 2-core machine): delay is never
// early, bandwidth serialises and queues, loss follows its probability, FIFO order holds.
// Its precision is measured in `castellan bench transport` (shaper.error), not asserted here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkShaper } from '../../src/net/link-shaper.js';

const SLACK_MS = 200; // upper slack for a loaded machine: we check order of magnitude only

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

test('one-way delay: never early, in order', async () => {
  const arrivals: [number, number][] = [];
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const link = new LinkShaper({ delayMs: 30 }, (m) => {
      arrivals.push([m[0]!, performance.now() - t0]);
      if (arrivals.length === 5) resolve();
    });
    for (let i = 0; i < 5; i++) link.send(Uint8Array.of(i));
  });
  assert.deepEqual(arrivals.map(([i]) => i), [0, 1, 2, 3, 4]);
  for (const [, at] of arrivals) assert.ok(at >= 30 && at < 30 + SLACK_MS, `arrived at ${at} ms`);
});

test('bandwidth: messages serialise back to back at the link rate', async () => {
  const arrivals: number[] = [];
  const t0 = performance.now();
  // 10 × 1250 B at 1 Mbit/s: 10 ms each, so the last leaves the transmitter at 100 ms.
  await new Promise<void>((resolve) => {
    const link = new LinkShaper({ delayMs: 5, bandwidthBps: 1_000_000 }, () => {
      arrivals.push(performance.now() - t0);
      if (arrivals.length === 10) resolve();
    });
    for (let i = 0; i < 10; i++) assert.equal(link.send(new Uint8Array(1250)), true);
  });
  assert.ok(arrivals[0]! >= 15, `first arrival ${arrivals[0]} ms < 10 ms tx + 5 ms delay`);
  assert.ok(arrivals[9]! >= 105 && arrivals[9]! < 105 + SLACK_MS, `last arrival ${arrivals[9]} ms`);
});

test('a full queue tail-drops', () => {
  const link = new LinkShaper({ delayMs: 0, bandwidthBps: 8000, queueBytesMax: 3000 }, () => {});
  const accepted = Array.from({ length: 10 }, () => link.send(new Uint8Array(1000))).filter(Boolean).length;
  assert.ok(accepted >= 3 && accepted <= 5, `accepted ${accepted}`);
  assert.equal(link.stats.droppedQueue, 10 - accepted);
  link.close();
});

test('random loss follows its probability', () => {
  const link = new LinkShaper({ delayMs: 0, loss: 0.25 }, () => {}, seeded(7));
  const n = 4000;
  for (let i = 0; i < n; i++) link.send(Uint8Array.of(1));
  const rate = link.stats.lostRandom / n;
  assert.ok(Math.abs(rate - 0.25) < 0.03, `loss rate ${rate}`);
  link.close();
});

test('bad link specs are refused', () => {
  assert.throws(() => new LinkShaper({ delayMs: -1 }, () => {}), RangeError);
  assert.throws(() => new LinkShaper({ delayMs: 1, loss: 1 }, () => {}), RangeError);
  assert.throws(() => new LinkShaper({ delayMs: 1, bandwidthBps: 0 }, () => {}), RangeError);
});
