// The KV state machine: deterministic (same updates, same results and digest), correct
// versions and compare-and-put, and malformed bytes rejected the same way everywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { kvCommands, kvResults, type KvUpdate } from '../../src/service/kv-commands.js';
import { KvStateMachine } from '../../src/service/kv-state-machine.js';
import { fuzzDecoder } from '../wire/fuzz-harness.js';

const enc = new TextEncoder();
const keyArb = fc.constantFrom('a', 'b', 'c', 'longer/key', 'ünïcode');
const updateArb: fc.Arbitrary<KvUpdate> = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key: keyArb, value: fc.uint8Array({ maxLength: 16 }) }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('delete' as const), key: keyArb }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('compareAndPut' as const), key: keyArb, expected: fc.nat({ max: 12 }), value: fc.uint8Array({ maxLength: 16 }) }, { noNullPrototype: true }),
);

function applyAll(updates: Uint8Array[]) {
  const m = new KvStateMachine();
  const results = updates.map((u) => Buffer.from(m.apply(u)).toString('hex'));
  return { m, results, digest: Buffer.from(m.digest()).toString('hex') };
}

test('two replicas applying the same updates return the same results and reach the same digest', () => {
  fc.assert(
    fc.property(fc.array(updateArb, { maxLength: 40 }), (updates) => {
      const bytes = updates.map((u) => kvCommands.encode(u));
      const a = applyAll(bytes);
      const b = applyAll(bytes);
      assert.deepEqual(a.results, b.results);
      assert.equal(a.digest, b.digest);
    }),
    { numRuns: 200, seed: 11 },
  );
});

test('the digest tells states apart: one update more or in another order changes it', () => {
  const p = (key: string, v: string) => kvCommands.encode({ type: 'put', key, value: enc.encode(v) });
  const base = applyAll([p('a', '1'), p('b', '2')]).digest;
  assert.notEqual(applyAll([p('a', '1'), p('b', '2'), p('a', '1')]).digest, base);
  assert.notEqual(applyAll([p('b', '2'), p('a', '1')]).digest, base, 'versions record the order');
  assert.notEqual(applyAll([p('a', '1'), p('b', '3')]).digest, base);
});

test('equal states reached by different updates have equal digests (the incremental digest forgets removed entries)', () => {
  const p = (key: string, v: string) => kvCommands.encode({ type: 'put', key, value: enc.encode(v) });
  const del = (key: string) => kvCommands.encode({ type: 'delete', key });
  const viaA = applyAll([p('a', '1'), p('b', '2'), del('a')]);
  const viaC = applyAll([p('c', '9'), p('b', '2'), del('c')]);
  assert.equal(viaA.digest, viaC.digest);
  assert.equal(viaA.m.size, 1);
  assert.notEqual(applyAll([p('c', '9'), p('b', '2')]).digest, viaC.digest);
});

test('versions grow; compare-and-put succeeds only on the expected version; deletes bump the counter', () => {
  const m = new KvStateMachine();
  const run = (u: KvUpdate) => kvResults.decode(m.apply(kvCommands.encode(u)));
  const get = (key: string) => kvResults.decode(m.query(kvCommands.encode({ type: 'get', key })));
  assert.deepEqual(run({ type: 'put', key: 'k', value: enc.encode('x') }), { type: 'done', version: 1 });
  assert.deepEqual(run({ type: 'compareAndPut', key: 'k', expected: 0, value: enc.encode('y') }), { type: 'conflict', version: 1 });
  assert.deepEqual(run({ type: 'compareAndPut', key: 'k', expected: 1, value: enc.encode('y') }), { type: 'done', version: 2 });
  assert.deepEqual(get('k'), { type: 'value', version: 2, value: enc.encode('y') });
  assert.deepEqual(run({ type: 'delete', key: 'k' }), { type: 'done', version: 0 });
  assert.deepEqual(get('k'), { type: 'missing' });
  assert.deepEqual(run({ type: 'compareAndPut', key: 'k', expected: 0, value: enc.encode('z') }), { type: 'done', version: 4 });
});

test('malformed commands, and queries sent as updates, are rejected deterministically', () => {
  const m = new KvStateMachine();
  const before = Buffer.from(m.digest()).toString('hex');
  for (const bad of [new Uint8Array(0), Uint8Array.of(9, 9, 9), kvCommands.encode({ type: 'get', key: 'a' })]) {
    const r = kvResults.decode(m.apply(bad));
    assert.equal(r.type, 'rejected');
  }
  assert.equal(kvResults.decode(m.query(kvCommands.encode({ type: 'put', key: 'a', value: new Uint8Array(1) }))).type, 'rejected');
  assert.equal(Buffer.from(m.digest()).toString('hex'), before, 'rejections change nothing');
});

test('the command and result decoders give only DecodeErrors on random and mutated input', () => {
  const samples = fc.sample(updateArb, { numRuns: 50, seed: 5 }).map((u) => kvCommands.encode(u));
  samples.push(kvCommands.encode({ type: 'get', key: 'k' }));
  const commands = fuzzDecoder({ name: kvCommands.name, decode: (b) => kvCommands.decode(b), encode: (c) => kvCommands.encode(c), samples }, { inputs: 20_000, seed: 1 });
  assert.ok(commands.accepted > 0);
  const resultSamples = [
    kvResults.encode({ type: 'done', version: 3 }),
    kvResults.encode({ type: 'value', version: 9, value: enc.encode('v') }),
    kvResults.encode({ type: 'missing' }),
    kvResults.encode({ type: 'rejected', reason: 'why' }),
  ];
  fuzzDecoder({ name: kvResults.name, decode: (b) => kvResults.decode(b), encode: (r) => kvResults.encode(r), samples: resultSamples }, { inputs: 20_000, seed: 2 });
});
