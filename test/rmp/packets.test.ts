// RMP codecs (spec §3): every packet round-trips byte-exactly, bounds and enums are enforced
// as typed DecodeErrors, and 100k random and mutated inputs give nothing but DecodeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rmpCommands } from '../../src/rmp/commands.js';
import { ACK_ENTRIES_MAX, MEMBERS_MAX } from '../../src/rmp/limits.js';
import { DATA_OVERHEAD_BYTES, MESSAGE_OVERHEAD_BYTES, peekSender, rmpPackets, RMP_WIRE_VERSION, type RmpPacket } from '../../src/rmp/packets.js';
import { crc32c as crc } from '../../src/wire/crc32c.js';
import { DecodeError, EncodeError } from '../../src/wire/decode-error.js';
import { FUZZ_INPUTS_DEFAULT, fuzzDecoder } from '../wire/fuzz-harness.js';
import { rmpCommand, rmpPacket } from './packet-arbitraries.js';

const SAMPLES = 400;
const samples = fc.sample(rmpPacket, { numRuns: SAMPLES, seed: 11 });

const data: RmpPacket = { type: 'data', group: 7, sender: 0x10002, viewEpoch: 3, viewCreator: 0x10000, seq: 9, qos: 3, k: 0, handler: 0, control: 0, messages: [Uint8Array.of(1, 2, 3)] };

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof DecodeError, `not a DecodeError: ${String(e)}`);
    return e.code;
  }
  return 'accepted';
}

test('every packet type round-trips byte-exactly (property)', () => {
  fc.assert(
    fc.property(rmpPacket, (p) => {
      const bytes = rmpPackets.encode(p);
      assert.deepEqual(rmpPackets.decode(bytes), p);
      assert.deepEqual(rmpPackets.encode(rmpPackets.decode(bytes)), bytes);
      assert.equal(peekSender(bytes), p.sender);
    }),
    { numRuns: 3000, seed: 5 },
  );
});

test('commands round-trip (property)', () => {
  fc.assert(fc.property(rmpCommand, (c) => void assert.deepEqual(rmpCommands.decode(rmpCommands.encode(c)), c)), { numRuns: 1000, seed: 6 });
});

test('DATA overhead constants match the encoder', () => {
  const p = { ...data, messages: [new Uint8Array(100), new Uint8Array(50)] } as RmpPacket;
  assert.equal(rmpPackets.encode(p).length, DATA_OVERHEAD_BYTES + 2 * MESSAGE_OVERHEAD_BYTES + 150);
});

test('out-of-range enums are ERR_WIRE_VALUE; a forged byte or version fails the trailer; short input is ERR_WIRE_TRUNCATED', () => {
  const bytes = rmpPackets.encode(data);
  // A forged QoS byte with a recomputed trailer reaches the field check.
  const qosAt = 2 + 16 + 4;
  const forged = rmpPackets.encode({ ...data, qos: 6 } as RmpPacket);
  forged[qosAt] = 7;
  assert.equal(code(() => rmpPackets.decode(forged)), 'ERR_WIRE_CHECKSUM');
  const body = forged.subarray(0, forged.length - 4);
  const rebuilt = new Uint8Array(forged.length);
  rebuilt.set(body);
  new DataView(rebuilt.buffer).setUint32(body.length, crc(body), true);
  assert.equal(code(() => rmpPackets.decode(rebuilt)), 'ERR_WIRE_VALUE');
  const wrongVersion = Uint8Array.from(bytes);
  wrongVersion[0] = RMP_WIRE_VERSION + 1;
  assert.equal(code(() => rmpPackets.decode(wrongVersion)), 'ERR_WIRE_CHECKSUM'); // the trailer covers the version too
  assert.equal(code(() => rmpPackets.decode(new Uint8Array(3))), 'ERR_WIRE_TRUNCATED');
  assert.equal(code(() => peekSender(new Uint8Array(4))), 'ERR_WIRE_TRUNCATED');
});

test('lists beyond their bound are refused by the encoder (never produced) and the decoder', () => {
  const tooManyMembers = { type: 'recoveryNewList', group: 1, sender: 1, viewEpoch: 1, viewCreator: 1, attempt: 2, list: Array.from({ length: MEMBERS_MAX + 1 }, (_, i) => i), syncTs: 0, firstSite: 0, basePass: 0 } as RmpPacket;
  assert.throws(() => rmpPackets.encode(tooManyMembers), EncodeError);
  const tooManyEntries = { type: 'ack', group: 1, sender: 1, viewEpoch: 1, viewCreator: 1, pass: 1, tsBase: 1, next: 2, entries: Array.from({ length: ACK_ENTRIES_MAX + 1 }, () => ({ src: 1, seq: 1 })), change: undefined } as RmpPacket;
  assert.throws(() => rmpPackets.encode(tooManyEntries), EncodeError);
});

test(`RMP packets: ${FUZZ_INPUTS_DEFAULT} random and mutated inputs give only DecodeError`, () => {
  const report = fuzzDecoder({ name: 'rmp', decode: (b) => rmpPackets.decode(b), encode: (p) => rmpPackets.encode(p), samples: samples.map((p) => rmpPackets.encode(p)) });
  assert.equal(report.inputs, FUZZ_INPUTS_DEFAULT);
  assert.ok(report.accepted > 0, JSON.stringify(report));
  assert.ok((report.rejected.ERR_WIRE_CHECKSUM ?? 0) > 0, JSON.stringify(report));
});

test('RMP packets without the trailer check: mutations reach every field decoder', () => {
  // Re-sign each mutated input with a valid trailer so the fuzzer exercises the body decoders.
  const report = fuzzDecoder(
    {
      name: 'rmp-resigned',
      decode: (b) => rmpPackets.decode(withTrailer(b)),
      samples: samples.map((p) => stripTrailer(rmpPackets.encode(p))),
    },
    { inputs: 50_000, seed: 9 },
  );
  for (const c of ['ERR_WIRE_TRUNCATED', 'ERR_WIRE_LENGTH', 'ERR_WIRE_TAG', 'ERR_WIRE_TRAILING', 'ERR_WIRE_VALUE', 'ERR_WIRE_VERSION'] as const)
    assert.ok((report.rejected[c] ?? 0) > 0, `no input hit ${c}: ${JSON.stringify(report)}`);
  assert.ok(report.accepted > 0);
});

test('commands: fuzzed inputs give only DecodeError', () => {
  const cmds = fc.sample(rmpCommand, { numRuns: 100, seed: 3 }).map((c) => rmpCommands.encode(c));
  const report = fuzzDecoder({ name: 'rmp-command', decode: (b) => rmpCommands.decode(b), encode: (c) => rmpCommands.encode(c), samples: cmds }, { inputs: 20_000 });
  assert.ok(report.accepted > 0);
});


function stripTrailer(b: Uint8Array): Uint8Array {
  return b.subarray(0, b.length - 4);
}

function withTrailer(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, crc(body), true);
  return out;
}
