import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addon } from '../../src/native/addon.js';
import { crc32cReference } from '../../src/wire/crc32c.js';

test('native crc32c gives the standard check value', () => {
  assert.equal(addon().checksum.crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
});

test('native crc32c equals the TypeScript reference on random input, with and without a seed', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 0xffffffff }), (bytes, seed) => {
      assert.equal(addon().checksum.crc32c(bytes), crc32cReference(bytes));
      assert.equal(addon().checksum.crc32c(bytes, seed), crc32cReference(bytes, seed));
    }),
  );
});

test('native argument errors become JS errors with a code', () => {
  const crc = addon().checksum.crc32c as unknown as (x: unknown) => number;
  assert.throws(() => crc('not bytes'), (e: Error & { code?: string }) => e.code === 'ERR_CASTELLAN_ARG');
});

test('the build reports shm as always available', () => {
  assert.equal(addon().build.backends.shm, true);
});
