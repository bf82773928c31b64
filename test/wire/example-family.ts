// A test-only message family that uses every field kind once, at each length-prefix width,
// with fast-check arbitraries that generate exactly its valid values.
import fc from 'fast-check';
import { array, bool, bytes, f64, fixed, i64, optional, string, struct, u16, u32, u64, u64n, u8 } from '../../src/wire/codec.js';
import { defineFamily, type MessageOf } from '../../src/wire/family.js';

export const ID_BYTES = 16;
/** u8 length prefix. */
export const TINY_MAX = 8;
/** u16 length prefix. */
export const BLOB_MAX = 300;
/** u32 length prefix. */
export const HUGE_MAX = 70_000;
export const NAME_MAX = 40;
export const LIST_MAX = 10;
export const ENTRIES_MAX = 4;
export const KEY_MAX = 8;

const entry = struct({ key: string(KEY_MAX), value: optional(u64n) });

export const everything = struct({
  a: u8,
  b: u16,
  c: u32,
  d: u64,
  e: u64n,
  f: i64,
  g: f64,
  h: bool,
  id: fixed(ID_BYTES),
  tiny: bytes(TINY_MAX),
  blob: bytes(BLOB_MAX),
  huge: bytes(HUGE_MAX),
  name: string(NAME_MAX),
  list: array(u32, LIST_MAX),
  entries: array(entry, ENTRIES_MAX),
});

const messages = {
  everything: { tag: 1, codec: everything },
  empty: { tag: 2, codec: struct({}) },
  note: { tag: 7, codec: struct({ seq: u64n, text: string(NAME_MAX) }) },
};

export const EXAMPLE_VERSION = 3;
export const example = defineFamily({ name: 'example', version: EXAMPLE_VERSION, messages });
export const exampleChecked = defineFamily({ name: 'example-crc', version: EXAMPLE_VERSION, messages, checksum: true });
export type ExampleMessage = MessageOf<typeof messages>;

/** A UTF-8 string whose encoding fits `maxBytes`. */
function utf8Within(maxBytes: number): fc.Arbitrary<string> {
  return fc.string({ unit: 'binary', maxLength: maxBytes }).filter((s) => Buffer.byteLength(s) <= maxBytes);
}

const u64Arb = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

export const exampleMessage: fc.Arbitrary<ExampleMessage> = fc.oneof(
  fc.record({
    type: fc.constant('everything' as const),
    a: fc.integer({ min: 0, max: 0xff }),
    b: fc.integer({ min: 0, max: 0xffff }),
    c: fc.nat({ max: 0xffff_ffff }),
    d: u64Arb,
    e: fc.maxSafeNat(),
    f: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
    g: fc.double(),
    h: fc.boolean(),
    id: fc.uint8Array({ minLength: ID_BYTES, maxLength: ID_BYTES }),
    tiny: fc.uint8Array({ maxLength: TINY_MAX }),
    blob: fc.uint8Array({ maxLength: BLOB_MAX }),
    huge: fc.uint8Array({ maxLength: 64 }),
    name: utf8Within(NAME_MAX),
    list: fc.array(fc.nat({ max: 0xffff_ffff }), { maxLength: LIST_MAX }),
    entries: fc.array(
      fc.record({ key: utf8Within(KEY_MAX), value: fc.option(fc.maxSafeNat(), { nil: undefined }) }, { noNullPrototype: true }),
      { maxLength: ENTRIES_MAX },
    ),
  }, { noNullPrototype: true }),
  fc.constant({ type: 'empty' as const }),
  fc.record({ type: fc.constant('note' as const), seq: fc.maxSafeNat(), text: utf8Within(NAME_MAX) }, { noNullPrototype: true }),
);
