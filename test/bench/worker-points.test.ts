// runOnWorkers: every point runs once, outcomes come back in the points' order whatever order
// they finish in, progress sees each, and a worker's failure fails the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runOnWorkers } from '../../bench/harness/worker-points.js';

const worker = new URL('./fixtures/square-worker.js', import.meta.url);

test('outcomes come back in the points’ order, each reported once as it arrives', async () => {
  const points = [1, 2, 3, 4, 5, 6, 7];
  const seen: Array<[number, number]> = [];
  const out = await runOnWorkers<number, number>(worker, points, (p, o) => seen.push([p, o]));
  assert.deepEqual(out, points.map((n) => n * n));
  assert.deepEqual([...seen].sort((a, b) => a[0] - b[0]), points.map((n) => [n, n * n]));
});

test('no points, no workers, no outcomes', async () => {
  assert.deepEqual(await runOnWorkers<number, number>(worker, [], () => assert.fail('nothing to report')), []);
});

test('a point that makes its worker throw rejects the run', async () => {
  await assert.rejects(runOnWorkers<number, number>(worker, [1, -1, 2], () => {}), /negative point -1/);
});
