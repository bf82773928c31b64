// The CATCH_UP codec and the client request frame: round trips, and any garbage is a typed
// DecodeError (fuzzed with the shared harness), never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catchUpReply, controlWire, reportOf, type ControlMessage } from '../../src/ramcast/control-wire.js';
import { decodeMulticastRequest, encodeMulticastRequest, requestWire } from '../../src/ramcast/request.js';
import { DecodeError } from '../../src/wire/decode-error.js';
import { fuzzDecoder } from '../wire/fuzz-harness.js';

const report = { clock: 9, messages: [{ client: 20, seq: 7, image: new Uint8Array([1, 2, 3]), stamps: [{ group: 1, round: 65540, value: 589825 }] }] };
const samples: ControlMessage[] = [
  { type: 'catch-up', group: 3, round: 131077 },
  { type: 'nack', group: 0, round: 2 ** 40 + 5 },
  catchUpReply(1, 196612, report),
  catchUpReply(0, 65536, { clock: 0, messages: [] }),
];

test('CATCH_UP, replies and NACKs round-trip', () => {
  for (const m of samples) assert.deepEqual(controlWire.decode(controlWire.encode(m)), m);
  const reply = controlWire.decode(controlWire.encode(samples[2]!));
  assert.deepEqual(reply.type === 'catch-up-reply' && reportOf(reply), report);
});

test('control frames: random and mutated inputs give only DecodeError', () => {
  const r = fuzzDecoder({ name: controlWire.name, decode: (b) => controlWire.decode(b), encode: (m) => controlWire.encode(m), samples: samples.map((m) => controlWire.encode(m)) });
  assert.ok(r.accepted > 0 && (r.rejected.ERR_WIRE_VERSION ?? 0) > 0, JSON.stringify(r));
});

test('truncating a valid reply anywhere is detected', () => {
  const full = controlWire.encode(samples[2]!);
  for (let n = 0; n < full.length; n++) assert.throws(() => controlWire.decode(full.subarray(0, n)), DecodeError);
});

test('multicast requests round-trip and reject malformed frames', () => {
  const req = decodeMulticastRequest(encodeMulticastRequest([0, 5, 7], new Uint8Array([9, 9])));
  assert.deepEqual(req, { dst: [0, 5, 7], payload: new Uint8Array([9, 9]) });
  assert.throws(() => decodeMulticastRequest(new Uint8Array([])), DecodeError);
  assert.throws(() => decodeMulticastRequest(encodeMulticastRequest([], new Uint8Array(1))), DecodeError);
  const r = fuzzDecoder(
    { name: requestWire.name, decode: (b) => requestWire.decode(b), encode: (m) => requestWire.encode(m), samples: [encodeMulticastRequest([1], new Uint8Array(3)), encodeMulticastRequest([0, 5, 7], new Uint8Array(200))] },
    { inputs: 20_000, seed: 5 },
  );
  assert.ok(r.accepted > 0, JSON.stringify(r));
});
