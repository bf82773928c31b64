import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { example, exampleChecked, exampleMessage } from './example-family.js';

for (const family of [example, exampleChecked]) {
  test(`${family.name}: every message decodes to itself and re-encodes to the same bytes`, () => {
    fc.assert(
      fc.property(exampleMessage, (m) => {
        const bytes = family.encode(m);
        const back = family.decode(bytes);
        assert.deepEqual(back, m);
        assert.deepEqual(family.encode(back), bytes);
      }),
      { numRuns: 500 },
    );
  });
}

test('the header is the version byte then the tag byte, little-endian fields follow', () => {
  const bytes = example.encode({ type: 'note', seq: 0x0102, text: 'hi' });
  assert.deepEqual([...bytes], [3, 7, 0x02, 0x01, 0, 0, 0, 0, 0, 0, 2, 0x68, 0x69]);
});

test('the checksum variant is the plain encoding plus a 4-byte CRC-32C trailer', () => {
  fc.assert(
    fc.property(exampleMessage, (m) => {
      const plain = example.encode(m);
      const checked = exampleChecked.encode(m);
      assert.deepEqual(checked.subarray(0, plain.length), plain);
      assert.equal(checked.length, plain.length + 4);
    }),
    { numRuns: 100 },
  );
});
