// The per-family sample check the message tests share: one sample per message type, each
// decoding to itself and re-encoding to the very same bytes (decoders accept only canonical
// encodings).
import assert from 'node:assert/strict';

export function assertEveryTypeRoundTrips<T extends { type: string }>(samples: readonly T[], encode: (m: T) => Uint8Array, decode: (b: Uint8Array) => T): void {
  const types = new Set(samples.map((m) => m.type));
  assert.equal(types.size, samples.length, 'one sample per type');
  for (const m of samples) {
    const bytes = encode(m);
    const back = decode(bytes);
    assert.deepEqual(back, m);
    assert.deepEqual(encode(back), bytes);
  }
}
