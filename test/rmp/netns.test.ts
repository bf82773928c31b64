// The real runtime between network namespaces (issue acceptance): 4 members and two
// non-member clients, each in its own namespace on one bridge with 10% random loss on every
// host's ingress (iptables statistic); the second client's namespace drops all multicast, so
// it reaches the group only through forwarding members (seed §5, D21), and moves on to the
// next one when its forwarder is the member killed. Every member delivers every totally ordered packet in the
// same order; a member killed with SIGKILL is removed by a reformation and the survivors
// agree on what they delivered before the view change (virtual synchrony). The merged logs
// of all processes pass the same spec §12 checkers as the simulator. Needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsSupport, withLan, type Host, type Lan } from '../../src/net/netns.js';
import { checkRmpLogs } from '../../src/rmp/properties.js';
import { OUT } from '../../src/rmp/outputs.js';
import { RETRANS_BUFFER_MAX_BYTES } from '../../src/rmp/config.js';
import { mergedOutputs, stopAll, waitFor } from '../../src/rmp/runtime/process-group.js';
import { deliveredBefore, killAndAwaitReformation, lastView, messageCount, orderKeys, startGroup, totalOrder } from '../../src/rmp/runtime/group-run.js';

const support = netnsSupport();
const MEMBERS = 4;
const LOSS_PERCENT = 10;
/** Messages per member and requests from the client: a few seconds of traffic at TRAFFIC_RATE. */
const PACKETS = 120;
const REQUESTS = 20;
const TRAFFIC_RATE = 40;
/** Requests of the forwarded client in the kill test: 6 s at 10/s, across the kill and the reformation. */
const FORWARDED_REQUESTS = 60;
/** Generous bounds: the machine is shared, and failure detection takes up to ~2 s (LAN_TIMERS). */
const TIMEOUT_MS = 60_000;

/** The host can neither send nor receive multicast: only unicast to the addresses it names. */
function dropMulticast(lan: Lan, host: Host): void {
  for (const chain of ['INPUT', 'OUTPUT']) lan.exec(host, 'iptables', ['-I', chain, '-d', '224.0.0.0/4', '-j', 'DROP']);
}

test(`4 members + a client + a client without multicast in namespaces, ${LOSS_PERCENT}% loss: one total order everywhere`, { skip: support.ok ? false : support.reason, timeout: 120_000 }, async () => {
  await withLan({ hosts: MEMBERS + 2, lossPercent: LOSS_PERCENT }, async (lan) => {
    dropMulticast(lan, lan.hosts[MEMBERS + 1]!);
    const { members, clients, all } = await startGroup({ name: 'castellan-netns-order', members: MEMBERS, clients: 2, forwardedClients: 1, lan, timeoutMs: TIMEOUT_MS });
    try {
      for (const m of members) m.send({ cmd: 'traffic', qos: 'totallyOrdered', size: 300, count: PACKETS, rate: TRAFFIC_RATE });
      for (const c of clients) c.send({ cmd: 'traffic', qos: 'totallyOrdered', size: 100, count: REQUESTS, rate: 10 });
      const expected = MEMBERS * PACKETS + clients.length * REQUESTS;
      await waitFor(() => members.every((m) => messageCount(totalOrder(m)) >= expected), TIMEOUT_MS, `${expected} messages delivered at every member`);
      await waitFor(() => clients.every((c) => c.named(OUT.reply).length === REQUESTS), TIMEOUT_MS, 'every request answered');
      // Replies reach the client without multicast from members it never sent to: relayed by its forwarder.
      const forwarder = members[1]!.ready!.pid as number;
      assert.ok(clients[1]!.named(OUT.reply).some((r) => r.from !== forwarder), 'no reply came from a member other than the forwarder');
      const orders = members.map(orderKeys);
      for (let i = 1; i < MEMBERS; i++) assert.deepEqual(orders[i], orders[0], `member ${i} delivered in another order than member 0`);
      assert.equal(messageCount(totalOrder(members[0]!)), expected);
      const counters = await Promise.all(members.map(async (m) => (await m.report()).core as Record<string, number>));
      assert.ok(counters.some((c) => c.nacksSent! > 0 && c.retransmissions! > 0), 'with 10% loss, NACKs and retransmissions must have happened');
      await new Promise((r) => setTimeout(r, 1000)); // a few idle rotations: everything stable and released
      const v = checkRmpLogs(mergedOutputs(all), { faulty: () => false, retransBufferMaxBytes: RETRANS_BUFFER_MAX_BYTES, expectReplies: true, quiescent: true, converge: true });
      assert.equal(v, null, JSON.stringify(v));
    } finally {
      await stopAll(all);
    }
  });
});

test('a member killed with SIGKILL is removed by reformation; survivors agree on the pre-view-change set; its forwarded client moves on', { skip: support.ok ? false : support.reason, timeout: 120_000 }, async () => {
  await withLan({ hosts: MEMBERS + 2, lossPercent: LOSS_PERCENT }, async (lan) => {
    dropMulticast(lan, lan.hosts[MEMBERS + 1]!);
    const { members, clients, all } = await startGroup({ name: 'castellan-netns-kill', members: MEMBERS, clients: 2, forwardedClients: 1, lan, timeoutMs: TIMEOUT_MS });
    // startGroup gives a forwarded client every member in turn from member 1 on: the victim first.
    const victim = members[1]!;
    const forwarded = clients[1]!;
    const survivors = members.filter((m) => m !== victim);
    try {
      const before = lastView(members[0]!)!;
      for (const m of members) m.send({ cmd: 'traffic', qos: 'totallyOrdered', size: 300, count: PACKETS, rate: TRAFFIC_RATE });
      // Requests for longer than the kill and the reformation take (≈ 2 s, LAN_TIMERS).
      forwarded.send({ cmd: 'traffic', qos: 'totallyOrdered', size: 100, count: FORWARDED_REQUESTS, rate: 10 });
      await waitFor(() => messageCount(totalOrder(victim)) > 40, TIMEOUT_MS, 'traffic under way');
      const { view } = await killAndAwaitReformation(victim, members, TIMEOUT_MS);
      assert.ok(survivors.every((m) => lastView(m)!.key === view.key) && view.prev === before.key, JSON.stringify(survivors.map(lastView)));
      // Virtual synchrony: the same packets, in the same order, delivered before the view change.
      const sets = survivors.map((m) => deliveredBefore(m, view.key));
      for (const s of sets.slice(1)) assert.deepEqual(s, sets[0]);
      assert.ok(sets[0]!.length > 10, `only ${sets[0]!.length} packets before the view change`);
      const victimPid = victim.ready!.pid as number;
      const expected = (MEMBERS - 1) * PACKETS;
      await waitFor(() => survivors.every((m) => messageCount(totalOrder(m).filter((d) => d.src !== victimPid)) >= expected), TIMEOUT_MS, "the survivors' traffic delivered");
      await waitFor(() => forwarded.named(OUT.reply).length === FORWARDED_REQUESTS, TIMEOUT_MS, 'every forwarded request answered');
      assert.equal(forwarded.named(OUT.forwarder)[0]?.node, members[2]!.spec.node, 'the forwarded client moved on from the killed forwarder to the next');
      await new Promise((r) => setTimeout(r, 1000));
      const v = checkRmpLogs(mergedOutputs(all), { faulty: (node) => node === victim.spec.node, retransBufferMaxBytes: RETRANS_BUFFER_MAX_BYTES, expectReplies: true, quiescent: true, converge: true });
      assert.equal(v, null, JSON.stringify(v));
    } finally {
      await stopAll(all);
    }
  });
});
