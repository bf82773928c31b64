// Acceptance (issue 2): same seed gives a byte-equal trace, different seeds differ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSeed } from '../../src/sim/run-seed.js';
import { echo } from './echo-scenario.js';

test('same seed ⇒ byte-equal trace and equal hash, whether the trace is kept or not', () => {
  for (const seed of [0, 7, 123456789, 2 ** 40 + 3]) {
    const a = runSeed(echo, seed, { retainTrace: true });
    const b = runSeed(echo, seed, { retainTrace: true });
    const text = a.trace.toJsonLines();
    assert.ok(text.length > 1000, 'a real run, not an empty one');
    assert.equal(Buffer.compare(Buffer.from(text), Buffer.from(b.trace.toJsonLines())), 0);
    assert.equal(a.traceHash, b.traceHash);
    // A sweep keeps only the hash: it must be the same hash.
    assert.equal(runSeed(echo, seed).traceHash, a.traceHash);
    assert.equal(text.split('\n').length - 1, a.records);
  }
});

test('different seeds ⇒ different traces (and different hashes)', () => {
  const texts = new Set<string>();
  const hashes = new Set<string>();
  for (let seed = 0; seed < 30; seed++) {
    const r = runSeed(echo, seed, { retainTrace: true });
    texts.add(r.trace.toJsonLines());
    hashes.add(r.traceHash);
  }
  assert.equal(texts.size, 30);
  assert.equal(hashes.size, 30);
});

test('parameters are part of the run: same seed, different params ⇒ different trace', () => {
  const base = runSeed(echo, 3).traceHash;
  assert.notEqual(runSeed(echo, 3, { params: { ...echo.params, loss: 0.2 } }).traceHash, base);
  assert.equal(runSeed(echo, 3, { params: { ...echo.params } }).traceHash, base);
});

test('every record is canonical JSON with the documented key order', () => {
  const r = runSeed(echo, 11, { retainTrace: true });
  const order = ['t', 'node', 'kind', 'peer', 'name', 'offset', 'us', 'size', 'digest', 'ok', 'data', 'info'];
  const kinds = new Set<string>();
  for (const line of r.trace.toJsonLines().trimEnd().split('\n')) {
    const obj = JSON.parse(line) as Record<string, unknown>;
    const keys = Object.keys(obj);
    assert.deepEqual(keys, order.filter((k) => keys.includes(k)));
    kinds.add(obj.kind as string);
  }
  for (const k of ['start', 'send', 'receive', 'set-timer', 'timer', 'output', 'drop']) assert.ok(kinds.has(k), `trace has ${k} records`);
});
