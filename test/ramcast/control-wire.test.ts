// The CATCH_UP codec: round trips, and any garbage is a typed error, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeControl, encodeControl, RamcastWireError, type ControlMessage } from '../../src/ramcast/control-wire.js';
import { decodeMulticastRequest, encodeMulticastRequest, RamcastRequestError } from '../../src/ramcast/request.js';

test('CATCH_UP, replies and NACKs round-trip', () => {
  const msgs: ControlMessage[] = [
    { kind: 'catch-up', group: 3, round: 131077 },
    { kind: 'nack', group: 0, round: 2 ** 40 + 5 },
    {
      kind: 'catch-up-reply',
      group: 1,
      round: 196612,
      report: { clock: 9, messages: [{ client: 20, seq: 7, image: new Uint8Array([1, 2, 3]), stamps: [{ group: 1, round: 65540, value: 589825 }] }] },
    },
  ];
  for (const m of msgs) assert.deepEqual(decodeControl(encodeControl(m)), m);
});

test('random bytes decode to a message or a RamcastWireError, nothing else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        decodeControl(bytes);
      } catch (e) {
        assert.ok(e instanceof RamcastWireError, String(e));
      }
    }),
  );
});

test('truncating a valid reply anywhere is detected', () => {
  const full = encodeControl({ kind: 'catch-up-reply', group: 0, round: 65536, report: { clock: 1, messages: [{ client: 1, seq: 1, image: new Uint8Array(40), stamps: [] }] } });
  for (let n = 0; n < full.length; n++) assert.throws(() => decodeControl(full.subarray(0, n)), RamcastWireError);
});

test('multicast requests round-trip and reject malformed frames', () => {
  const req = decodeMulticastRequest(encodeMulticastRequest([0, 5, 7], new Uint8Array([9, 9])));
  assert.deepEqual(req, { dst: [0, 5, 7], payload: new Uint8Array([9, 9]) });
  assert.throws(() => decodeMulticastRequest(new Uint8Array([])), RamcastRequestError);
  assert.throws(() => decodeMulticastRequest(new Uint8Array([3, 0, 0])), RamcastRequestError);
});
