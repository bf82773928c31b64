import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError, EncodeError } from '../../src/wire/decode-error.js';
import { encodeFrame, FrameDecoder } from '../../src/wire/stream-framer.js';

const MAX = 1000;

function concat(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

test('frames come back whole and in order however the stream is chunked', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 30 }),
      (bodies, cuts) => {
        const stream = concat(bodies.map((b) => encodeFrame(b, MAX)));
        const d = new FrameDecoder(MAX);
        const out: Uint8Array[] = [];
        for (let at = 0, i = 0; at < stream.length; i++) {
          const n = cuts[i % cuts.length]!;
          out.push(...d.push(stream.subarray(at, at + n)));
          at += n;
        }
        d.end();
        assert.deepEqual(out, bodies);
        assert.equal(d.pending, 0);
      },
    ),
  );
});

test('an oversize length is rejected as soon as its prefix arrives, and the stream stays failed', () => {
  const d = new FrameDecoder(MAX);
  assert.deepEqual(d.push(encodeFrame(Uint8Array.of(1, 2), MAX)), [Uint8Array.of(1, 2)]);
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, MAX + 1, true);
  assert.deepEqual(d.push(prefix.subarray(0, 3)), []);
  const isOversize = (e: unknown) => e instanceof DecodeError && e.code === 'ERR_WIRE_LENGTH' && e.offset === 6 && e.family === 'frame';
  assert.throws(() => d.push(prefix.subarray(3)), isOversize);
  assert.throws(() => d.push(encodeFrame(new Uint8Array(1), MAX)), isOversize);
});

test('a frame of exactly the maximum is accepted; the encoder refuses one byte more', () => {
  const d = new FrameDecoder(MAX);
  assert.equal(d.push(encodeFrame(new Uint8Array(MAX), MAX))[0]!.length, MAX);
  assert.throws(() => encodeFrame(new Uint8Array(MAX + 1), MAX), EncodeError);
});

test('a stream that ends inside a frame is ERR_WIRE_TRUNCATED; empty frames are frames', () => {
  const d = new FrameDecoder(MAX);
  assert.deepEqual(d.push(encodeFrame(new Uint8Array(0))), [new Uint8Array(0)]);
  d.end();
  d.push(encodeFrame(Uint8Array.of(9, 9, 9)).subarray(0, 5));
  assert.throws(() => d.end(), (e: unknown) => e instanceof DecodeError && e.code === 'ERR_WIRE_TRUNCATED');
});
