// The real runtime without namespaces (no root needed): three members and two clients as
// separate processes on this host's loopback multicast, sharing the group's port; the second
// client sends through forwarding members instead of multicast (seed §5, D21). They agree
// on one total order of safe packets and their merged logs pass the spec §12 checkers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRmpLogs } from '../../src/rmp/properties.js';
import { OUT } from '../../src/rmp/outputs.js';
import { RETRANS_BUFFER_MAX_BYTES } from '../../src/rmp/config.js';
import { mergedOutputs, stopAll, waitFor } from '../../src/rmp/runtime/process-group.js';
import { messageCount, orderKeys, startGroup, totalOrder } from '../../src/rmp/runtime/group-run.js';

const MEMBERS = 3;
const PACKETS = 60;
const REQUESTS = 10;
const TIMEOUT_MS = 60_000;

test('3 members, a client and a forwarded client over loopback multicast: one total order, every §12 check', { timeout: 120_000 }, async () => {
  const { members, clients, all } = await startGroup({ name: `castellan-loopback-${process.pid}`, members: MEMBERS, clients: 2, forwardedClients: 1, timeoutMs: TIMEOUT_MS });
  try {
    for (const m of members) m.send({ cmd: 'traffic', qos: 'safe', size: 1000, count: PACKETS, rate: 50 });
    for (const c of clients) c.send({ cmd: 'traffic', qos: 'totallyOrdered', size: 64, count: REQUESTS, rate: 20 });
    const expected = MEMBERS * PACKETS + clients.length * REQUESTS;
    await waitFor(() => members.every((m) => messageCount(totalOrder(m)) >= expected), TIMEOUT_MS, `${expected} messages at every member`);
    await waitFor(() => clients.every((c) => c.named(OUT.reply).length === REQUESTS), TIMEOUT_MS, 'replies');
    const orders = members.map(orderKeys);
    assert.deepEqual(orders[1], orders[0]);
    assert.deepEqual(orders[2], orders[0]);
    await new Promise((r) => setTimeout(r, 1000));
    const v = checkRmpLogs(mergedOutputs(all), { faulty: () => false, retransBufferMaxBytes: RETRANS_BUFFER_MAX_BYTES, expectReplies: true, quiescent: true, converge: true });
    assert.equal(v, null, JSON.stringify(v));
  } finally {
    await stopAll(all);
  }
});
