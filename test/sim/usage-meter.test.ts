// The simulator's usage meter: crypto CPU busy time and bytes sent, clipped to a window, and
// metering leaves the run unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Core, CoreEffect, CoreEvent } from '../../src/sim/core.js';
import { Simulator } from '../../src/sim/simulator.js';
import { echoNodes } from './echo-protocol.js';

/** Asks for three 100 µs crypto jobs at start: its CPU is busy from 0 to 300 µs. */
class ThreeJobs implements Core {
  handle(_now: number, ev: CoreEvent): CoreEffect[] {
    return ev.kind === 'start' ? [0, 1, 2].map((i) => ({ kind: 'crypto', job: `j${i}`, op: 'sign', bytes: Uint8Array.of(i) })) : [];
  }
}

test('crypto busy time is what falls inside the window, per node', () => {
  const run = (fromUs: number, toUs: number) =>
    new Simulator({ nodes: [() => new ThreeJobs(), () => new ThreeJobs()], crypto: () => ({ ok: true, bytes: new Uint8Array(0), costUs: 100 }), limitUs: 10_000 }, { seed: 1, usageWindow: { fromUs, toUs } }).run().usage!;
  assert.deepEqual([...run(0, 1000).cryptoBusyUs], [300, 300]);
  assert.deepEqual([...run(150, 250).cryptoBusyUs], [100, 100], 'queued jobs run back to back: 150..250 is all busy');
  assert.deepEqual([...run(250, 1000).cryptoBusyUs], [50, 50]);
  assert.deepEqual([...run(300, 1000).cryptoBusyUs], [0, 0]);
  assert.deepEqual(run(0, 1000).cryptoBusyByOp(1), { sign: 300 });
});

test('bytes and messages sent per directed pair inside the window; the run itself is unchanged', () => {
  // Node 0 pings nodes 1 and 2 every ms from t = 0 (10 pings of 64 B); they echo back.
  const setup = () => ({ nodes: echoNodes({ nodes: 3, pings: 10, intervalUs: 1000, size: 64 }), limitUs: 1_000_000 });
  const metered = new Simulator(setup(), { seed: 7, usageWindow: { fromUs: 2000, toUs: 5000 } }).run();
  const usage = metered.usage!;
  assert.deepEqual(usage.sent(0, 1), { bytes: 3 * 64, messages: 3 }, 'pings sent at 2, 3 and 4 ms');
  assert.deepEqual(usage.sent(0, 2), { bytes: 3 * 64, messages: 3 });
  assert.deepEqual(usage.sent(1, 2), { bytes: 0, messages: 0 });
  const plain = new Simulator(setup(), { seed: 7 }).run();
  assert.equal(plain.usage, undefined);
  assert.equal(metered.traceHash, plain.traceHash);
  assert.throws(() => new Simulator(setup(), { seed: 7, usageWindow: { fromUs: 5, toUs: 5 } }), /must end after it starts/);
});
