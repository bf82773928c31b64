import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sweep } from '../../src/sim/sweep.js';
import { brokenOrder } from './broken-order.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, write: (c: string) => chunks.push(c) };
}

test('progress: one line redrawn in place on a terminal, ended by a newline', () => {
  const s = sink(true);
  sweep(brokenOrder, { seeds: 30, params: { ...brokenOrder.params, reorder: 0 }, progress: s });
  assert.ok(s.chunks.every((c) => c.startsWith('\r\x1b[K')));
  assert.match(s.chunks.at(-1)!, /seeds 30\/30, \d+ events, \d+ events\/s, 0 violations\n$/);
  assert.equal(s.chunks.join('').split('\n').length, 2);
});

test('progress: plain lines, about ten per sweep, when not a terminal; the last shows where it stopped', () => {
  const s = sink(false);
  const summary = sweep(brokenOrder, { seeds: 500, progress: s });
  assert.ok(s.chunks.every((c) => !c.includes('\r') && c.endsWith('\n')));
  assert.ok(s.chunks.length <= 11);
  assert.match(s.chunks.at(-1)!, new RegExp(`seeds ${summary.seedsRun}/500, .*1 violation\\n$`));
});
