import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BenchResult } from '../../bench/harness/bench.js';
import { machineFacts } from '../../bench/harness/machine.js';
import { ratio } from '../../bench/harness/ratio.js';
import { mean, measure, percentile, stddev } from '../../bench/harness/stats.js';
import { renderPlots, seriesOf } from '../../bench/harness/svg-plot.js';

test('percentiles are nearest-rank observed values', () => {
  const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted input
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile(xs, 99), 99);
  assert.equal(percentile(xs, 100), 100);
  assert.equal(percentile(xs, 0), 1);
  assert.equal(percentile([7], 99), 7);
  assert.throws(() => percentile([], 50), RangeError);
  assert.throws(() => percentile([1], 101), RangeError);
});

test('mean and sample standard deviation', () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
  assert.ok(Math.abs(stddev([2, 4, 4, 4, 5, 5, 7, 9]) - 2.138) < 1e-3);
  assert.equal(stddev([5]), 0);
});

test('measure runs at least the requested iterations and reports consistent rates', () => {
  let calls = 0;
  const m = measure(() => ++calls, { minIterations: 500, minTimeMs: 1, warmupIterations: 10 });
  assert.ok(m.iterations >= 500);
  assert.equal(calls, m.iterations + 10);
  assert.ok(Math.abs(m.opsPerS * m.nsPerOp - 1e9) < 1);
});

test('ratio divides two results of the same unit and refuses mixed units', () => {
  const a: BenchResult = { name: 'a', params: {}, unit: 'ops/s', value: 300 };
  const b: BenchResult = { name: 'b', params: {}, unit: 'ops/s', value: 100 };
  assert.deepEqual(ratio('a_vs_b', a, b, { n: 1 }), { name: 'a_vs_b', params: { n: 1 }, unit: 'ratio', value: 3 });
  assert.throws(() => ratio('x', a, { ...b, unit: 'ms' }), RangeError);
  assert.throws(() => ratio('x', a, { ...b, value: 0 }), RangeError);
});

test('machine facts name the CPU, cores, node and kernel', () => {
  const m = machineFacts();
  assert.ok(m.cpu.length > 0 && m.cores >= 1 && m.memoryBytes > 0);
  assert.equal(m.node, process.version);
  assert.match(m.addonCompiler, /\d/);
});

const results: BenchResult[] = [1, 10, 100].flatMap((x) => [
  { name: 'lat', params: { n: x, impl: 'a<b' }, unit: 'us', value: x * 2 },
  { name: 'lat', params: { n: x, impl: 'c' }, unit: 'us', value: x * 3 },
  { name: 'other', params: { n: x, impl: 'c' }, unit: 'us', value: 1 },
]);

test('a plot has one series per value of the series param, points sorted by x', () => {
  const s = seriesOf({ title: 't', metric: 'lat', x: 'n', series: 'impl' }, results);
  assert.deepEqual(s.map((x) => x.label), ['a<b', 'c']);
  assert.deepEqual(s[1]!.points, [[1, 3], [10, 30], [100, 300]]);
});

test('the SVG has a panel per spec, a path per series, escaped labels and balanced tags', () => {
  const svg = renderPlots(
    [
      { title: 'lat & more', metric: 'lat', x: 'n', series: 'impl', logX: true, logY: true },
      { title: 'linear', metric: ['lat', 'other'], x: 'n', where: { impl: 'c' } },
    ],
    results,
  );
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<path /g) ?? []).length, 4);
  assert.ok(svg.includes('a&#60;b') && svg.includes('lat &#38; more'));
  assert.ok(!/[<>&]/.test(svg.replace(/<[^>]*>/g, '').replace(/&#\d+;/g, '')));
  const open = (svg.match(/<(svg|text)[ >]/g) ?? []).length;
  const close = (svg.match(/<\/(svg|text)>/g) ?? []).length;
  assert.equal(open, close);
});
