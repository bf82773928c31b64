import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../src/sim/prng.js';
import { TraceHash } from '../../src/sim/trace-hash.js';
import type { TraceRecord } from '../../src/sim/trace.js';
import { EventQueue } from '../../src/sim/event-queue.js';

const draw = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.next());

test('same seed, same stream; different seeds, streams and high bits differ', () => {
  assert.deepEqual(draw(new Rng(42), 100), draw(new Rng(42), 100));
  assert.notDeepEqual(draw(new Rng(42), 10), draw(new Rng(43), 10));
  assert.notDeepEqual(draw(new Rng(5), 10), draw(new Rng(5 + 2 ** 32), 10));
  const root = new Rng(42);
  assert.deepEqual(draw(root.fork(1), 10), draw(new Rng(42).fork(1), 10));
  assert.notDeepEqual(draw(root.fork(1), 10), draw(root.fork(2), 10));
  root.next(); // a fork depends on the seed only, not on what the parent drew
  assert.deepEqual(draw(root.fork(1), 10), draw(new Rng(42).fork(1), 10));
  assert.throws(() => new Rng(-1), RangeError);
  assert.throws(() => new Rng(1.5), RangeError);
});

test('helpers stay in range and have the right moments', () => {
  fc.assert(
    fc.property(fc.nat(), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: -50, max: 50 }), (seed, n, lo) => {
      const rng = new Rng(seed);
      for (let i = 0; i < 20; i++) {
        const k = rng.int(n);
        assert.ok(Number.isInteger(k) && k >= 0 && k < n);
        const r = rng.range(lo, lo + n);
        assert.ok(Number.isInteger(r) && r >= lo && r <= lo + n);
        const u = rng.uniform();
        assert.ok(u >= 0 && u < 1);
      }
    }),
  );
  const rng = new Rng(7);
  const N = 100_000;
  let su = 0, se = 0, sn = 0, sn2 = 0, hits = 0;
  for (let i = 0; i < N; i++) {
    su += rng.uniform();
    se += rng.exponential(10);
    const x = rng.normal(5, 2);
    sn += x;
    sn2 += x * x;
    if (rng.chance(0.3)) hits++;
  }
  assert.ok(Math.abs(su / N - 0.5) < 0.01);
  assert.ok(Math.abs(se / N - 10) < 0.3);
  assert.ok(Math.abs(sn / N - 5) < 0.05);
  assert.ok(Math.abs(Math.sqrt(sn2 / N - (sn / N) ** 2) - 2) < 0.05);
  assert.ok(Math.abs(hits / N - 0.3) < 0.01);
});

test('the trace hash tells apart records that differ in any field, and ignores nothing', () => {
  const base: TraceRecord = { t: 5, node: 1, kind: 'send', peer: 2, size: 10, digest: '0badcafe' };
  const variants: TraceRecord[] = [
    base,
    { ...base, t: 6 },
    { ...base, t: 2 ** 40 },
    { ...base, node: 2 },
    { ...base, kind: 'receive' },
    { ...base, peer: undefined, offset: 2 },
    { ...base, size: 11 },
    { ...base, digest: '0badcaff' },
    { ...base, name: '' },
    { ...base, data: { a: 1 } },
    { ...base, data: { a: '1' } },
    { ...base, info: 'x' },
    { ...base, ok: false },
  ];
  const hashes = variants.map((r) => {
    const h = new TraceHash();
    h.add(r);
    return h.hex();
  });
  assert.equal(new Set(hashes).size, variants.length);
  const twice = new TraceHash();
  twice.add(base);
  twice.add(base);
  assert.notEqual(twice.hex(), hashes[0]);
  // Key order inside output data does not matter: the data is hashed canonically.
  const x = new TraceHash();
  x.add({ ...base, data: { a: 1, b: 2 } });
  const y = new TraceHash();
  y.add({ ...base, data: { b: 2, a: 1 } });
  assert.equal(x.hex(), y.hex());
  assert.match(x.hex(), /^[0-9a-f]{16}$/);
});

test('the event queue pops by (time, insertion order) whatever the interleaving', () => {
  fc.assert(
    fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }), { maxLength: 300 }), (ops) => {
      const q = new EventQueue<{ t: number; seq: number; id: number }>();
      const model: { t: number; id: number }[] = [];
      let id = 0;
      for (const op of ops) {
        if (op === undefined) {
          model.sort((a, b) => a.t - b.t || a.id - b.id);
          const want = model.shift();
          assert.equal(q.pop()?.id, want?.id);
        } else {
          q.push({ t: op, seq: 0, id });
          model.push({ t: op, id: id++ });
        }
        assert.equal(q.size, model.length);
      }
    }),
  );
});
