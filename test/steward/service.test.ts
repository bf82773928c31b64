// Steward as the KV service's replication protocol: the client's request codec is bounded and
// fuzzed, a client core drops garbage requests, the service checker catches wrong and stale
// answers, and S1 tells apart servers that executed the same updates into different states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kvResults, workloadPut, kvCommands } from '../../src/service/kv-commands.js';
import type { RunView } from '../../src/sim/property.js';
import type { TraceRecord } from '../../src/sim/trace.js';
import { StewardClient, clientRequests } from '../../src/steward/client-core.js';
import { OUT, type ExecuteRecord } from '../../src/steward/outputs.js';
import { checkExecutionLogs } from '../../src/steward/properties.js';
import { serviceProperty } from '../../src/steward/service-properties.js';
import { clientNode } from '../../src/steward/topology.js';
import { fuzzDecoder } from '../wire/fuzz-harness.js';

const T = { sites: 3, f: 1, clientsPerSite: 1 };
const CLIENT = clientNode(T, 0, 0);
const OP_BYTES = 200;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('client requests: random and mutated inputs give only DecodeError', () => {
  const samples = [clientRequests.encode({ type: 'update', op: workloadPut(1, 2, OP_BYTES) }), clientRequests.encode({ type: 'query', op: kvCommands.encode({ type: 'get', key: 'k' }), minAru: 17 })];
  const report = fuzzDecoder({ name: clientRequests.name, decode: (b) => clientRequests.decode(b), encode: (m) => clientRequests.encode(m), samples }, { inputs: 20_000, seed: 3 });
  assert.ok(report.accepted > 0);
});

test('a client core counts and drops requests that do not decode, and signs the ones that do', () => {
  const c = new StewardClient({ topology: T, node: CLIENT, updates: 0, opBytes: OP_BYTES, retryUs: 1e6 });
  c.handle(0, { kind: 'start', restarted: false });
  assert.deepEqual(c.handle(1, { kind: 'request', bytes: Uint8Array.of(1, 2, 3) }), []);
  assert.equal([...c.dropped.values()].reduce((a, b) => a + b, 0), 1);
  const effects = c.handle(2, { kind: 'request', bytes: clientRequests.encode({ type: 'update', op: workloadPut(CLIENT, 0, OP_BYTES) }) });
  assert.deepEqual(effects.map((e) => e.kind), ['crypto']);
  // One outstanding request (§3.2): a second waits while the first is being signed.
  assert.deepEqual(c.handle(3, { kind: 'request', bytes: clientRequests.encode({ type: 'update', op: workloadPut(CLIENT, 1, OP_BYTES) }) }), []);
});

const view = (records: TraceRecord[]) => ({ trace: { outputs: records } }) as unknown as RunView;
const answer = (name: string, result: Uint8Array): TraceRecord => ({ t: 0, node: CLIENT, kind: 'output', name, data: { client: CLIENT, ts: 1, seq: 1, latencyUs: 1, result: hex(result) } });
const putValue = (i: number) => {
  const p = kvCommands.decode(workloadPut(CLIENT, i, OP_BYTES));
  return p.type === 'put' ? p.value : new Uint8Array(0);
};
const done = (version: number) => answer(OUT.accepted, kvResults.encode({ type: 'done', version }));
const read = (version: number, value: Uint8Array) => answer(OUT.queryAnswered, kvResults.encode({ type: 'value', version, value }));

test('the service checker accepts growing versions and a read of the last put', () => {
  assert.equal(serviceProperty(OP_BYTES).check!(view([done(1), done(4), read(4, putValue(1))])), null);
});

test('the service checker catches a stale read, a wrong value and a version that went back', () => {
  assert.match(serviceProperty(OP_BYTES).check!(view([done(1), done(4), read(1, putValue(0))])) ?? '', /read .* after its put at version 4/);
  assert.match(serviceProperty(OP_BYTES).check!(view([done(1), read(1, putValue(5))])) ?? '', /read/);
  assert.match(serviceProperty(OP_BYTES).check!(view([done(3), done(2)])) ?? '', /after version 3/);
});

test('S1 on execution logs: the same updates in the same order but different states is a violation', () => {
  const rec = (seq: number, state: string): ExecuteRecord => ({ seq, gv: 0, lv: 0, client: CLIENT, ts: seq, digest: `d${seq}`, noop: false, state });
  const same = new Map([[0, [rec(1, 'aa'), rec(2, 'bb')]], [1, [rec(1, 'aa'), rec(2, 'bb')]]]);
  assert.equal(checkExecutionLogs(same), null);
  const diverged = new Map([[0, [rec(1, 'aa'), rec(2, 'bb')]], [1, [rec(1, 'aa'), rec(2, 'cc')]]]);
  assert.match(checkExecutionLogs(diverged) ?? '', /^S1: servers 0 and 1 reached different states at seq 2/);
});
