// The control-plane mesh's frames and RamCast's link-setup messages (src/ramcast/runtime/
// mesh-wire.ts): round trips, and random or mutated bytes give only a DecodeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkWire, logCode, meshWire, type LinkMessage, type MeshMessage } from '../../src/ramcast/runtime/mesh-wire.js';
import { fuzzDecoder } from '../wire/fuzz-harness.js';

const mesh: MeshMessage[] = [
  { type: 'hello', node: 7, extra: new Uint8Array([1, 2, 3]) },
  { type: 'hello', node: 0, extra: new Uint8Array(0) },
  { type: 'frame', channel: 0, body: new Uint8Array(300).fill(5) },
  { type: 'heartbeat' },
];
const links: LinkMessage[] = [
  { type: 'offer', data: new Uint8Array(60).fill(1), ts: new Uint8Array(0) },
  { type: 'grant', log: logCode('ts'), handle: new Uint8Array(60).fill(2) },
];

test('mesh and link messages round-trip', () => {
  for (const m of mesh) assert.deepEqual(meshWire.decode(meshWire.encode(m)), m);
  for (const m of links) assert.deepEqual(linkWire.decode(linkWire.encode(m)), m);
});

test('mesh frames: random and mutated inputs give only DecodeError', () => {
  const r = fuzzDecoder({ name: meshWire.name, decode: (b) => meshWire.decode(b), encode: (m) => meshWire.encode(m), samples: mesh.map((m) => meshWire.encode(m)) });
  assert.ok(r.accepted > 0, JSON.stringify(r));
});

test('link messages: random and mutated inputs give only DecodeError', () => {
  const r = fuzzDecoder({ name: linkWire.name, decode: (b) => linkWire.decode(b), encode: (m) => linkWire.encode(m), samples: links.map((m) => linkWire.encode(m)) });
  assert.ok(r.accepted > 0, JSON.stringify(r));
});
