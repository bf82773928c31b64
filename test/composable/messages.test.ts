// The composable wire family: every message type round-trips byte-exactly; random and mutated
// inputs (top level, envelopes, BLink frames, batches of ordered events) give only DecodeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composableWire, decode, encode, type WireMessage } from '../../src/composable/messages.js';
import { fuzzDecoder } from '../wire/fuzz-harness.js';
import { assertEveryTypeRoundTrips } from '../wire/round-trip.js';

const d32 = (b: number) => new Uint8Array(32).fill(b);
const update = encode({ type: 'update', client: 12, ts: 3, op: new Uint8Array(200).fill(1) });
const signedUpdate = encode({ type: 'signed', from: 12, body: update, sig: new Uint8Array(128).fill(2) });
const propose = encode({ type: 'signed', from: 0, body: encode({ type: 'propose', view: 1, seq: 9, value: signedUpdate }), sig: new Uint8Array(128).fill(3) });
const lm = encode({ type: 'lmMessage', from: 2, links: [{ to: 0, seq: 5 }, { to: 1, seq: 7 }], body: encode({ type: 'accepted', view: 0, seq: 3, digest: d32(4) }) });
const frame = encode({ type: 'blinkData', lm, sig: new Uint8Array(128).fill(5), index: 3, leafCount: 8, path: new Uint8Array(96).fill(6) });
const entry = { seq: 4, view: 2, value: signedUpdate, proofs: [propose, propose] };

export const samples: WireMessage[] = [
  { type: 'signed', from: 3, body: update, sig: new Uint8Array(128) },
  { type: 'update', client: 1, ts: 2 ** 40, op: new Uint8Array(200) },
  { type: 'clientUpdate', retransmit: true, update: signedUpdate },
  { type: 'reply', client: 7, ts: 5, seq: 100, result: new Uint8Array(9).fill(9) },
  { type: 'forwardUpdate', update: signedUpdate },
  { type: 'batchSigned', from: 4, body: encode({ type: 'reply', client: 7, ts: 5, seq: 100, result: new Uint8Array(2) }), sig: new Uint8Array(128).fill(4), index: 2, leafCount: 5, path: new Uint8Array(96).fill(7) },
  { type: 'propose', view: 0, seq: 1, value: signedUpdate },
  { type: 'prepare', view: 3, seq: 1, digest: d32(1) },
  { type: 'commit', view: 3, seq: 1, digest: d32(1) },
  { type: 'accepted', view: 3, seq: 2 ** 33, digest: d32(2) },
  { type: 'viewChange', view: 4, executed: 17 },
  { type: 'requestState', view: 4, base: 12 },
  { type: 'state', view: 4, base: 12, entries: [entry, { seq: 5, view: 0, value: new Uint8Array(0), proofs: [] }] },
  { type: 'newView', view: 4, base: 12, entries: [entry], states: [propose] },
  { type: 'fetch', from: 13 },
  { type: 'fetched', view: 4, decided: [{ seq: 13, value: signedUpdate }] },
  { type: 'newViewRequest', view: 4 },
  { type: 'lmMessage', from: 2, links: [], body: update },
  { type: 'blinkData', lm, sig: new Uint8Array(128), index: 0, leafCount: 0, path: new Uint8Array(0) },
  { type: 'ack', links: [{ from: 0, seq: 9 }, { from: 3, seq: 0 }] },
  { type: 'forward', update: signedUpdate },
  { type: 'hello', to: 3 },
  { type: 'orderingRequest', origin: 2, epoch: 1, seqR: 44, update: signedUpdate },
  { type: 'faultProof', a: propose, b: propose },
  { type: 'expiry', name: 'link:3', epoch: 12 },
  { type: 'partialSig', data: d32(2), partial: new Uint8Array(307).fill(6) },
  { type: 'corruptedServer', accused: 2, data: d32(2), partial: new Uint8Array(307) },
  { type: 'evRequest', request: propose },
  { type: 'evLink', data: frame },
  { type: 'evTimeout', name: 'wan', epoch: 3, notes: [propose.subarray(0, 100)] },
  { type: 'batch', events: [encode({ type: 'evLink', data: frame }), encode({ type: 'evTimeout', name: 'ack', epoch: 1, notes: [] })] },
];

test('every composable message type round-trips byte-exactly', () => {
  assert.equal(composableWire.name, 'composable');
  assertEveryTypeRoundTrips(samples, encode, decode);
});

test('composable family: 100k random and mutated inputs give only DecodeError', () => {
  const report = fuzzDecoder({ name: 'composable', decode, encode, samples: samples.map(encode) });
  assert.ok(report.accepted > 0, JSON.stringify(report));
  for (const code of ['ERR_WIRE_TRUNCATED', 'ERR_WIRE_VERSION', 'ERR_WIRE_TAG', 'ERR_WIRE_TRAILING'] as const) assert.ok((report.rejected[code] ?? 0) > 0, `${code}: ${JSON.stringify(report)}`);
});

test('nested layers (a signed propose, a BLink frame and its LM message, a batch of events) fuzz to DecodeError only', () => {
  const nested = (b: Uint8Array): unknown => {
    const m = decode(b);
    if (m.type === 'signed' || m.type === 'batchSigned') return decode(m.body);
    if (m.type === 'blinkData') return decode(decode(m.lm).type === 'lmMessage' ? (decode(m.lm) as { body: Uint8Array }).body : m.lm);
    if (m.type === 'batch') return m.events.map(decode);
    return m;
  };
  const report = fuzzDecoder({ name: 'composable-nested', decode: nested, samples: [propose, frame, encode(samples.at(-1)!)], canonical: false }, { inputs: 30_000, seed: 5 });
  assert.ok(report.accepted > 0, JSON.stringify(report));
});
