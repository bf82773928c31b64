import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError, EncodeError } from '../../src/wire/decode-error.js';
import { prefixWidth } from '../../src/wire/length-prefix.js';
import { Reader } from '../../src/wire/reader.js';
import { Writer } from '../../src/wire/writer.js';
import { BLOB_MAX, example, HUGE_MAX, LIST_MAX, NAME_MAX, TINY_MAX, type ExampleMessage } from './example-family.js';

function code(e: unknown): string {
  assert.ok(e instanceof DecodeError, `expected DecodeError, got ${String(e)}`);
  return e.code;
}

function decodeCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return code(e);
  }
  assert.fail('decoded without error');
}

const base: Extract<ExampleMessage, { type: 'everything' }> = {
  type: 'everything', a: 1, b: 2, c: 3, d: 4n, e: 5, f: -6n, g: 0.5, h: true,
  id: new Uint8Array(16), tiny: new Uint8Array(0), blob: new Uint8Array(0), huge: new Uint8Array(0),
  name: '', list: [], entries: [],
};

test('prefix width follows the declared maximum', () => {
  assert.equal(prefixWidth(0xff), 1);
  assert.equal(prefixWidth(0x100), 2);
  assert.equal(prefixWidth(0xffff), 2);
  assert.equal(prefixWidth(0x10000), 4);
  assert.throws(() => prefixWidth(-1), EncodeError);
});

for (const [field, max] of [['tiny', TINY_MAX], ['blob', BLOB_MAX], ['huge', HUGE_MAX]] as const) {
  test(`${field}: ${max} bytes round-trip, ${max + 1} are refused by the encoder`, () => {
    const m = { ...base, [field]: new Uint8Array(max).fill(7) };
    assert.deepEqual(example.decode(example.encode(m)), m);
    assert.throws(() => example.encode({ ...base, [field]: new Uint8Array(max + 1) }), EncodeError);
  });
}

test('a declared length of max+1 is ERR_WIRE_LENGTH at the prefix, before the body is read', () => {
  for (const width of [TINY_MAX, BLOB_MAX, HUGE_MAX]) {
    const w = new Writer();
    const lenBytes = prefixWidth(width);
    if (lenBytes === 1) w.u8(width + 1);
    else if (lenBytes === 2) w.u16(width + 1);
    else w.u32(width + 1);
    const r = new Reader(w.finish(), 't');
    assert.throws(() => r.bytes(width), (e: DecodeError) => e.code === 'ERR_WIRE_LENGTH' && e.offset === 0);
  }
});

test('a forged length within the maximum but beyond the input is ERR_WIRE_TRUNCATED', () => {
  const r = new Reader(new Writer().u32(0xffff_fff0).u8(1).finish(), 't');
  assert.throws(() => r.bytes(0xffff_ffff), (e: DecodeError) => e.code === 'ERR_WIRE_TRUNCATED');
  const counted = new Reader(new Writer().u16(1000).u32(1).finish(), 't');
  let itemsRead = 0;
  assert.throws(() => counted.array(1000, (x) => (itemsRead++, x.u32())), (e: DecodeError) => e.code === 'ERR_WIRE_TRUNCATED');
  assert.equal(itemsRead, 0, 'the count is checked against the input before any item is read');
});

test('array items must take at least one byte, so a count is bounded by the input', () => {
  assert.throws(() => new Writer().array([1, 2], 10, () => {}), EncodeError);
});

test('strings are bounded by UTF-8 bytes: max accepted, max+1 refused', () => {
  const atMax = 'é'.repeat(NAME_MAX / 2);
  assert.equal(Buffer.byteLength(atMax), NAME_MAX);
  const m = { ...base, name: atMax };
  assert.deepEqual(example.decode(example.encode(m)), m);
  assert.throws(() => example.encode({ ...base, name: atMax + 'x' }), EncodeError);
});

test('arrays: max count accepted, max+1 refused both ways', () => {
  const full = { ...base, list: Array.from({ length: LIST_MAX }, (_, i) => i) };
  assert.deepEqual(example.decode(example.encode(full)), full);
  assert.throws(() => example.encode({ ...base, list: [...full.list, 0] }), EncodeError);
  const r = new Reader(new Writer().u8(LIST_MAX + 1).finish(), 't');
  assert.throws(() => r.array(LIST_MAX, (x) => x.u32()), (e: DecodeError) => e.code === 'ERR_WIRE_LENGTH');
});

test('every strict prefix of a valid encoding is ERR_WIRE_TRUNCATED, every extension ERR_WIRE_TRAILING', () => {
  const bytes = example.encode({ ...base, name: 'abc', list: [1, 2], entries: [{ key: 'k', value: 9 }] });
  for (let n = 0; n < bytes.length; n++) assert.equal(decodeCode(() => example.decode(bytes.subarray(0, n))), 'ERR_WIRE_TRUNCATED');
  const longer = new Uint8Array(bytes.length + 1);
  longer.set(bytes);
  assert.equal(decodeCode(() => example.decode(longer)), 'ERR_WIRE_TRAILING');
});

test('non-canonical values are ERR_WIRE_VALUE: unsafe u64n, bool 2, odd NaN, bad UTF-8', () => {
  assert.equal(decodeCode(() => new Reader(new Writer().u64(2n ** 53n).finish(), 't').u64n()), 'ERR_WIRE_VALUE');
  assert.equal(new Reader(new Writer().u64n(Number.MAX_SAFE_INTEGER).finish(), 't').u64n(), Number.MAX_SAFE_INTEGER);
  assert.equal(decodeCode(() => new Reader(Uint8Array.of(2), 't').bool()), 'ERR_WIRE_VALUE');
  assert.equal(decodeCode(() => new Reader(new Writer().u64(0x7ff8_0000_0000_0001n).finish(), 't').f64()), 'ERR_WIRE_VALUE');
  assert.ok(Number.isNaN(new Reader(new Writer().f64(NaN).finish(), 't').f64()));
  assert.equal(decodeCode(() => new Reader(Uint8Array.of(2, 0xc3, 0x28), 't').string(10)), 'ERR_WIRE_VALUE');
});

test('a leading byte-order mark survives a string round trip', () => {
  const s = '\ufeffbom';
  assert.equal(new Reader(new Writer().string(s, 10).finish(), 't').string(10), s);
});

test('the encoder refuses out-of-range integers and wrong fixed lengths', () => {
  const w = new Writer();
  assert.throws(() => w.u8(256), EncodeError);
  assert.throws(() => w.u16(-1), EncodeError);
  assert.throws(() => w.u32(1.5), EncodeError);
  assert.throws(() => w.u64(-1n), EncodeError);
  assert.throws(() => w.u64n(2 ** 53), EncodeError);
  assert.throws(() => w.i64(1n << 63n), EncodeError);
  assert.throws(() => w.fixed(new Uint8Array(3), 4), EncodeError);
});

test('the writer grows past its initial buffer', () => {
  const w = new Writer(1);
  for (let i = 0; i < 1000; i++) w.u32(i);
  const r = new Reader(w.finish(), 't');
  for (let i = 0; i < 1000; i++) assert.equal(r.u32(), i);
  r.end();
});
