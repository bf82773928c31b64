// The real runtime without namespaces (no root needed): three members and a client as
// separate processes on this host's loopback multicast, sharing the group's port. They agree
// on one total order and their merged logs pass the spec §12 checkers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRmpLogs } from '../../src/rmp/properties.js';
import { OUT, type DeliverRecord, type ViewRecord } from '../../src/rmp/outputs.js';
import { RETRANS_BUFFER_MAX_BYTES } from '../../src/rmp/config.js';
import { mergedOutputs, startProcess, stopAll, waitFor } from '../../src/rmp/runtime/process-group.js';

const MEMBERS = 3;
const PACKETS = 60;
const REQUESTS = 10;
const WAIT_MS = 60_000;

test('3 members and a client over loopback multicast: one total order, every §12 check', { timeout: 120_000 }, async () => {
  const args = ['--group', `castellan-loopback-${process.pid}`, '--iface', '127.0.0.1', '--loopback', '--founders', '0,1,2'];
  const members = Array.from({ length: MEMBERS }, (_, node) => startProcess({ node, role: 'member', args }));
  const client = startProcess({ node: MEMBERS, role: 'client', args });
  const all = [...members, client];
  const lastView = (i: number) => members[i]!.named(OUT.view).slice(-1)[0] as unknown as ViewRecord | undefined;
  const delivered = (i: number) => (members[i]!.named(OUT.deliver) as unknown as DeliverRecord[]).filter((d) => d.qos >= 3);
  try {
    await waitFor(() => all.every((p) => p.ready !== null), WAIT_MS, 'processes to start');
    await waitFor(() => [0, 1, 2].every((i) => lastView(i)?.list.length === MEMBERS && lastView(i)!.key === lastView(0)!.key), WAIT_MS, 'one view of three');
    for (const m of members) m.send({ cmd: 'traffic', qos: 'safe', size: 1000, count: PACKETS, rate: 50 });
    client.send({ cmd: 'traffic', qos: 'totallyOrdered', size: 64, count: REQUESTS, rate: 20 });
    const expected = MEMBERS * PACKETS + REQUESTS;
    await waitFor(() => [0, 1, 2].every((i) => delivered(i).reduce((n, d) => n + d.messages, 0) >= expected), WAIT_MS, `${expected} messages at every member`);
    await waitFor(() => client.named(OUT.reply).length === REQUESTS, WAIT_MS, 'replies');
    const orders = [0, 1, 2].map((i) => delivered(i).map((d) => `${d.id}@${d.ts}`));
    assert.deepEqual(orders[1], orders[0]);
    assert.deepEqual(orders[2], orders[0]);
    await new Promise((r) => setTimeout(r, 1000));
    const v = checkRmpLogs(mergedOutputs(all), { faulty: () => false, retransBufferMaxBytes: RETRANS_BUFFER_MAX_BYTES, expectReplies: true, quiescent: true, converge: true });
    assert.equal(v, null, JSON.stringify(v));
  } finally {
    await stopAll(all);
  }
});
