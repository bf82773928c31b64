import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson } from '../../src/sim/canonical-json.js';
import type { Json } from '../../src/sim/core.js';
import { serialiseRecord } from '../../src/sim/trace.js';

const json = fc.jsonValue({ noUnicodeString: false }) as fc.Arbitrary<Json>;

test('canonical JSON parses back to the same value and ignores key order', () => {
  fc.assert(
    fc.property(json, (v) => {
      const text = canonicalJson(v);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(v)));
      assert.equal(canonicalJson(JSON.parse(text) as Json), text);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const reversed = Object.fromEntries(Object.entries(v).reverse()) as Json;
        assert.equal(canonicalJson(reversed), text);
      }
    }),
  );
  assert.throws(() => canonicalJson(Infinity), /non-finite/);
  assert.equal(canonicalJson({ a: undefined, b: 1 } as unknown as Json), '{"b":1}');
});

test('a record serialises to one JSON line with its fields in a fixed order', () => {
  const line = serialiseRecord({ info: 'loss', t: 7, kind: 'drop', peer: 3, node: 1, size: 9, name: 'a"b' });
  assert.equal(line, '{"t":7,"node":1,"kind":"drop","peer":3,"name":"a\\"b","size":9,"info":"loss"}');
  assert.deepEqual(JSON.parse(line), { t: 7, node: 1, kind: 'drop', peer: 3, name: 'a"b', size: 9, info: 'loss' });
});
