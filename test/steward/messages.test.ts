// Steward's wire family: every message type round-trips byte-exactly; random and mutated
// inputs (top level and nested envelopes) give only DecodeError; a server core fed garbage
// counts and drops it, never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, stewardWire, type WireMessage } from '../../src/steward/messages.js';
import { openSigned, openSiteSigned } from '../../src/steward/envelopes.js';
import { StewardServer } from '../../src/steward/server-core.js';
import { DecodeError } from '../../src/wire/decode-error.js';
import { fuzzDecoder } from '../wire/fuzz-harness.js';
import { assertEveryTypeRoundTrips } from '../wire/round-trip.js';

const d32 = (b: number) => new Uint8Array(32).fill(b);
const update = encode({ type: 'update', client: 12, ts: 3, op: new Uint8Array(200).fill(1) });
const signedUpdate = encode({ type: 'signed', from: 12, body: update, sig: new Uint8Array(128).fill(2) });
const proposal = encode({ type: 'siteSigned', site: 0, body: encode({ type: 'proposal', site: 0, gv: 1, lv: 2, seq: 9, update: signedUpdate }), sig: new Uint8Array(128).fill(3) });
const accept = encode({ type: 'siteSigned', site: 1, body: encode({ type: 'accept', site: 1, gv: 1, lv: 0, seq: 9, digest: d32(4) }), sig: new Uint8Array(128).fill(5) });
const gou = encode({ type: 'gou', proposal, accepts: [accept] });

export const samples: WireMessage[] = [
  { type: 'signed', from: 3, body: update, sig: new Uint8Array(128) },
  { type: 'siteSigned', site: 2, body: update, sig: new Uint8Array(0) },
  { type: 'update', client: 1, ts: 2 ** 40, op: new Uint8Array(200) },
  { type: 'query', client: 1, ts: 1, op: new Uint8Array(0) },
  { type: 'reply', client: 7, ts: 5, seq: 100, result: d32(9) },
  { type: 'queryReply', client: 7, ts: 5, aru: 100, state: d32(8), result: new Uint8Array(300).fill(9) },
  { type: 'prePrepare', gv: 0, lv: 3, seq: 1, update: signedUpdate },
  { type: 'prepare', gv: 0, lv: 3, seq: 1, digest: d32(1) },
  { type: 'partialSig', data: d32(2), partial: new Uint8Array(307).fill(6) },
  { type: 'corruptedServer', accused: 2, data: d32(2), partial: new Uint8Array(307) },
  { type: 'commit', gv: 0, lv: 0, seq: 4, digest: d32(3) },
  { type: 'proposal', site: 0, gv: 1, lv: 2, seq: 9, update: signedUpdate },
  { type: 'accept', site: 1, gv: 1, lv: 0, seq: 9, digest: d32(4) },
  { type: 'gou', proposal, accepts: [accept, accept] },
  { type: 'newRep', site: 4, lv: 17 },
  { type: 'globalVC', site: 4, gv: 2 },
  { type: 'globalPreinstallProof', vcs: [accept] },
  { type: 'requestState', scope: 1, gv: 2, lv: 3, invocationAru: 40 },
  { type: 'serverState', scope: 0, gv: 2, lv: 3, invocationAru: 40, entries: [{ kind: 1, seq: 41, parts: [signedUpdate, signedUpdate] }, { kind: 3, seq: 42, parts: [gou] }] },
  { type: 'collectedState', scope: 0, gv: 2, lv: 3, invocationAru: 40, reports: [signedUpdate] },
  { type: 'aruMessage', site: 1, gv: 2, aru: 40 },
  { type: 'globalConstraint', site: 1, gv: 2, invocationAru: 40, entries: [{ kind: 2, seq: 41, parts: [proposal] }] },
  { type: 'collectedGlobalConstraints', gv: 2, lv: 0, constraints: [proposal] },
  { type: 'reliable', inner: proposal },
  { type: 'localReconRequest', session: 3, aru: 10 },
  { type: 'globalReconRequest', session: 3, aru: 10 },
  { type: 'globalRecon', site: 1, server: 2, session: 3, aru: 10 },
];

test('every Steward message type round-trips byte-exactly', () => {
  assert.equal(stewardWire.name, 'steward');
  assertEveryTypeRoundTrips(samples, encode, decode);
});

test('envelopes open to their bodies and refuse nesting', () => {
  assert.equal(openSigned(signedUpdate).body.type, 'update');
  assert.equal(openSiteSigned(proposal).body.type, 'proposal');
  assert.throws(() => openSigned(proposal), DecodeError);
  const nested = encode({ type: 'signed', from: 1, body: signedUpdate, sig: new Uint8Array(0) });
  assert.throws(() => openSigned(nested), DecodeError);
});

test('Steward family: 100k random and mutated inputs give only DecodeError', () => {
  const report = fuzzDecoder({ name: 'steward', decode, encode, samples: samples.map(encode) });
  assert.ok(report.accepted > 0, JSON.stringify(report));
  for (const code of ['ERR_WIRE_TRUNCATED', 'ERR_WIRE_VERSION', 'ERR_WIRE_TAG', 'ERR_WIRE_TRAILING'] as const) assert.ok((report.rejected[code] ?? 0) > 0, `${code}: ${JSON.stringify(report)}`);
});

test('nested envelopes: mutated signed and site-signed messages give only DecodeError', () => {
  const envs = [signedUpdate, proposal, accept];
  const report = fuzzDecoder({ name: 'steward-envelope', decode: (b) => (decode(b).type === 'signed' ? openSigned(b) : openSiteSigned(b)), samples: envs, canonical: false }, { inputs: 20_000, seed: 11 });
  assert.ok(report.accepted > 0, JSON.stringify(report));
});

test('a server core fed garbage counts and drops it', () => {
  const server = new StewardServer({ topology: { sites: 3, f: 1, clientsPerSite: 1 }, node: 1, kUs: 1e6, window: 16, reconPeriodUs: 1e5, reconThrottleUs: 5e4 });
  server.handle(0, { kind: 'start', restarted: false });
  let x = 1;
  for (let i = 0; i < 2000; i++) {
    const bytes = (i % 2 ? encode(samples[i % samples.length]!) : new Uint8Array(1 + (i % 97))).map((b) => ((x = (x * 1103515245 + 12345) >>> 0), x % 7 === 0 ? (b ^ (x >>> 8)) & 0xff : b));
    server.handle(i, { kind: 'receive', from: i % 12, bytes });
  }
  const dropped = [...server.dropped.values()].reduce((a, b) => a + b, 0);
  assert.ok(dropped > 500, `dropped ${dropped}`);
});
