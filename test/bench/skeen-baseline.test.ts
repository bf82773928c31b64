// The bench's baseline must be a correct atomic multicast, or the comparison means nothing: the
// Skeen-over-TCP cores run in the simulator (FIFO links with jitter across links, no faults:
// the baseline has no leader change) under RamCast's own §9 checkers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/sim/prng.js';
import { Simulator } from '../../src/sim/simulator.js';
import type { Core } from '../../src/sim/core.js';
import { clusterTopology } from '../../src/ramcast/cluster.js';
import { isClient } from '../../src/ramcast/config.js';
import { logsFromOutputs, ramcastProperties } from '../../src/ramcast/properties.js';
import { encodeMulticastRequest } from '../../src/ramcast/request.js';
import { pickDestination } from '../../src/ramcast/runtime/workload.js';
import { SkeenClient, OUT_COMPLETED } from '../../bench/baselines/skeen-tcp/skeen-client.js';
import { SkeenServer } from '../../bench/baselines/skeen-tcp/skeen-server.js';
import { skeenWire, type SkeenMessage } from '../../bench/baselines/skeen-tcp/skeen-wire.js';
import { fuzzDecoder } from '../wire/fuzz-harness.js';

const SEEDS = 150;
const MESSAGES = 12;

function run(seed: number) {
  const rng = new Rng(seed);
  const groups = rng.range(1, 5);
  const t = clusterTopology({ groups, groupSize: 3, clients: rng.range(1, 3) });
  const inputs = Array.from({ length: MESSAGES }, (_, i) => ({
    kind: 'request' as const,
    node: rng.pick(t.clients),
    atUs: rng.range(0, 1000),
    bytes: encodeMulticastRequest(pickDestination(rng, { groups, dst: 'random' }), new Uint8Array([i])),
  }));
  const count = t.groups.flat().length + t.clients.length;
  const sim = new Simulator(
    {
      nodes: Array.from({ length: count }, () => (node: number): Core => (isClient(t, node) ? new SkeenClient(t, node, 'quorum') : new SkeenServer(t, node))),
      inputs,
      properties: ramcastProperties(t),
      network: { defaults: { latency: { kind: 'uniform', minUs: 20, maxUs: 300 } } },
      limitUs: 1_000_000,
    },
    { seed, retainTrace: true },
  );
  return { t, result: sim.run() };
}

test(`skeen-tcp baseline: ${SEEDS} seeds of 1–5 groups keep every §9 property and complete every multicast`, () => {
  for (let seed = 0; seed < SEEDS; seed++) {
    const { result } = run(seed);
    assert.equal(result.violation ? `${result.violation.property}: ${result.violation.message} (seed ${seed})` : null, null);
    const logs = logsFromOutputs(result.trace.outputs);
    assert.equal(logs.multicasts.size, MESSAGES);
    assert.equal(result.trace.outputs.filter((o) => o.name === OUT_COMPLETED).length, MESSAGES, `seed ${seed}: every client saw its multicasts delivered`);
  }
});

test('skeen-tcp messages: random and mutated inputs give only DecodeError', () => {
  const samples: SkeenMessage[] = [
    { type: 'mcast', client: 9, seq: 1, dst: [0, 2], payload: new Uint8Array(96) },
    { type: 'propose', client: 9, seq: 1, dst: [0], payload: new Uint8Array(3), ts: 65536 },
    { type: 'ack', client: 9, seq: 1, ts: 65536 },
    { type: 'stamp', client: 9, seq: 1, group: 2, ts: 131074 },
    { type: 'final', client: 9, seq: 1, ts: 131074 },
    { type: 'delivered', seq: 1 },
  ];
  for (const m of samples) assert.deepEqual(skeenWire.decode(skeenWire.encode(m)), m);
  const r = fuzzDecoder({ name: skeenWire.name, decode: (b) => skeenWire.decode(b), encode: (m) => skeenWire.encode(m), samples: samples.map((m) => skeenWire.encode(m)) });
  assert.ok(r.accepted > 0, JSON.stringify(r));
});
