import { test } from 'node:test';
import assert from 'node:assert/strict';
import { struct, u8, type Codec } from '../../src/wire/codec.js';
import { DecodeError, EncodeError } from '../../src/wire/decode-error.js';
import { defineFamily, type Family } from '../../src/wire/family.js';
import { example, exampleChecked, EXAMPLE_VERSION } from './example-family.js';

const note = { type: 'note' as const, seq: 42, text: 'hello' };

function rejects(f: () => unknown, code: string, family: string, offset: number): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof DecodeError);
    assert.equal(e.code, code);
    assert.equal(e.family, family);
    assert.equal(e.offset, offset);
    assert.match(e.message, new RegExp(`^${family}: .*\\[${code}\\]$`));
    return true;
  });
}

test('an unknown version is ERR_WIRE_VERSION at byte 0', () => {
  const bytes = example.encode(note);
  bytes[0] = EXAMPLE_VERSION + 1;
  rejects(() => example.decode(bytes), 'ERR_WIRE_VERSION', 'example', 0);
});

test('an unknown tag is ERR_WIRE_TAG at byte 1', () => {
  const bytes = example.encode(note);
  bytes[1] = 200;
  rejects(() => example.decode(bytes), 'ERR_WIRE_TAG', 'example', 1);
});

test('empty input is ERR_WIRE_TRUNCATED', () => {
  rejects(() => example.decode(new Uint8Array(0)), 'ERR_WIRE_TRUNCATED', 'example', 0);
});

test('a flipped bit anywhere in a checksummed frame is ERR_WIRE_CHECKSUM', () => {
  const bytes = exampleChecked.encode(note);
  for (let i = 0; i < bytes.length * 8; i++) {
    const bad = Uint8Array.from(bytes);
    bad[i >> 3]! ^= 1 << (i & 7);
    rejects(() => exampleChecked.decode(bad), 'ERR_WIRE_CHECKSUM', 'example-crc', bytes.length - 4);
  }
  assert.deepEqual(exampleChecked.decode(bytes), note);
});

test('a family refuses duplicate tags, non-byte tags and a field named "type"', () => {
  assert.throws(() => defineFamily({ name: 'x', version: 1, messages: { a: { tag: 1, codec: struct({}) }, b: { tag: 1, codec: struct({}) } } }), EncodeError);
  assert.throws(() => defineFamily({ name: 'x', version: 1, messages: { a: { tag: 256, codec: struct({}) } } }), EncodeError);
  assert.throws(() => defineFamily({ name: 'x', version: 1, messages: { a: { tag: 1, codec: struct({ type: u8 }) } } }), EncodeError);
  assert.throws(() => defineFamily({ name: 'x', version: -1, messages: {} }), EncodeError);
});

test('a codec that encodes a message of its own family inside encode gets its own writer', () => {
  // `wrap` carries an encoded `leaf` of the same family, encoded while the outer encode runs.
  const wrapping: Codec<{ v: number }> = {
    encode: (w, m) => void w.bytes(self.encode({ type: 'leaf', v: m.v }), 16),
    decode: (r) => {
      const leaf = self.decode(r.bytes(16));
      if (leaf.type !== 'leaf') return r.fail('ERR_WIRE_VALUE', 'wrap holds a non-leaf');
      return { v: leaf.v };
    },
  };
  const messages = { leaf: { tag: 1, codec: struct({ v: u8 }) }, wrap: { tag: 2, codec: wrapping } };
  const self: Family<typeof messages> = defineFamily({ name: 'nested', version: 1, messages });
  assert.deepEqual(self.decode(self.encode({ type: 'wrap', v: 5 })), { type: 'wrap', v: 5 });
});
