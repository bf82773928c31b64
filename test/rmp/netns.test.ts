// The real runtime between network namespaces (issue acceptance): 4 members and a non-member
// client, each in its own namespace on one bridge with 10% random loss on every host's
// ingress (iptables statistic). Every member delivers every totally ordered packet in the
// same order; a member killed with SIGKILL is removed by a reformation and the survivors
// agree on what they delivered before the view change (virtual synchrony). The merged logs
// of all processes pass the same spec §12 checkers as the simulator. Needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsSupport, withLan, type Lan } from '../../src/net/netns.js';
import { checkRmpLogs } from '../../src/rmp/properties.js';
import { OUT, type DeliverRecord, type ViewRecord } from '../../src/rmp/outputs.js';
import { RETRANS_BUFFER_MAX_BYTES } from '../../src/rmp/config.js';
import { mergedOutputs, startProcess, stopAll, waitFor, type RmpProcess } from '../../src/rmp/runtime/process-group.js';

const support = netnsSupport();
const MEMBERS = 4;
const LOSS_PERCENT = 10;
/** Packets per member and requests from the client: a few seconds of traffic at TRAFFIC_RATE. */
const PACKETS = 120;
const REQUESTS = 20;
const TRAFFIC_RATE = 40;
/** Generous bounds: the machine is shared and the failure detector waits ~2 s (LAN_TIMERS). */
const CONVERGE_MS = 30_000;
const DELIVER_MS = 60_000;

async function group(lan: Lan, name: string): Promise<{ members: RmpProcess[]; client: RmpProcess }> {
  const founders = Array.from({ length: MEMBERS }, (_, i) => i).join(',');
  const args = (i: number) => ['--group', name, '--iface', lan.hosts[i]!.address, '--founders', founders];
  const members = Array.from({ length: MEMBERS }, (_, i) => startProcess({ node: i, role: 'member', args: args(i), host: lan.hosts[i] }, lan));
  const client = startProcess({ node: MEMBERS, role: 'client', args: args(MEMBERS), host: lan.hosts[MEMBERS] }, lan);
  const all = [...members, client];
  await waitFor(() => all.every((p) => p.ready !== null), CONVERGE_MS, 'processes to start');
  // Processes start at different moments: a founder slow to start may be reformed out and
  // rejoin as new. Traffic starts once all four are in one view.
  await waitFor(() => {
    const views = members.map((m) => lastView(m));
    return views.every((v) => v !== undefined && v.key === views[0]!.key && v.list.length === MEMBERS);
  }, CONVERGE_MS, 'all members in one view');
  return { members, client };
}

function lastView(p: RmpProcess): ViewRecord | undefined {
  const v = p.named(OUT.view);
  return v[v.length - 1] as unknown as ViewRecord | undefined;
}

function totalOrder(p: RmpProcess): DeliverRecord[] {
  return (p.named(OUT.deliver) as unknown as DeliverRecord[]).filter((d) => d.qos >= 3);
}

/** Application messages delivered (a packet may carry several: Figure 1's coalescing). */
function messages(ds: readonly DeliverRecord[]): number {
  return ds.reduce((n, d) => n + d.messages, 0);
}

test(`4 members + a client in namespaces, ${LOSS_PERCENT}% loss: one total order everywhere`, { skip: support.ok ? false : support.reason, timeout: 120_000 }, async () => {
  await withLan({ hosts: MEMBERS + 1, lossPercent: LOSS_PERCENT }, async (lan) => {
    const { members, client } = await group(lan, 'castellan-netns-order');
    const all = [...members, client];
    try {
      for (const m of members) m.send({ cmd: 'traffic', qos: 'totallyOrdered', size: 300, count: PACKETS, rate: TRAFFIC_RATE });
      client.send({ cmd: 'traffic', qos: 'totallyOrdered', size: 100, count: REQUESTS, rate: 10 });
      const expected = MEMBERS * PACKETS + REQUESTS;
      await waitFor(() => members.every((m) => messages(totalOrder(m)) >= expected), DELIVER_MS, `${expected} messages delivered at every member`);
      await waitFor(() => client.named(OUT.reply).length === REQUESTS, DELIVER_MS, 'every request answered');
      const orders = members.map((m) => totalOrder(m).map((d) => `${d.id}@${d.ts}`));
      for (let i = 1; i < MEMBERS; i++) assert.deepEqual(orders[i], orders[0], `member ${i} delivered in another order than member 0`);
      assert.equal(messages(totalOrder(members[0]!)), expected);
      const losses = await Promise.all(members.map(async (m) => (await m.report()).core as Record<string, number>));
      assert.ok(losses.some((c) => c.nacksSent > 0 && c.retransmissions > 0), 'with 10% loss, NACKs and retransmissions must have happened');
      await new Promise((r) => setTimeout(r, 1000)); // a few idle rotations: everything stable and released
      const v = checkRmpLogs(mergedOutputs(all), { faulty: () => false, retransBufferMaxBytes: RETRANS_BUFFER_MAX_BYTES, expectReplies: true, quiescent: true, converge: true });
      assert.equal(v, null, JSON.stringify(v));
    } finally {
      await stopAll(all);
    }
  });
});

test('a member killed with SIGKILL is removed by reformation; survivors agree on the pre-view-change set', { skip: support.ok ? false : support.reason, timeout: 120_000 }, async () => {
  await withLan({ hosts: MEMBERS + 1, lossPercent: LOSS_PERCENT }, async (lan) => {
    const { members, client } = await group(lan, 'castellan-netns-kill');
    const all = [...members, client];
    const victim = members[1]!;
    const survivors = members.filter((m) => m !== victim);
    try {
      const before = lastView(members[0]!)!;
      for (const m of members) m.send({ cmd: 'traffic', qos: 'totallyOrdered', size: 300, count: PACKETS, rate: TRAFFIC_RATE });
      await waitFor(() => messages(totalOrder(victim)) > 40, DELIVER_MS, 'traffic under way');
      victim.kill('SIGKILL');
      const victimPid = victim.ready!.pid as number;
      await waitFor(() => survivors.every((m) => lastView(m)?.cause === 'reformation' && !lastView(m)!.list.includes(victimPid)), DELIVER_MS, 'survivors to install a view without the victim');
      const reformed = survivors.map((m) => lastView(m)!);
      assert.ok(reformed.every((v) => v.key === reformed[0]!.key && v.prev === before.key), JSON.stringify(reformed));
      // Virtual synchrony: the same packets, in the same order, delivered before the view change.
      const upToChange = survivors.map((m) => {
        const outs = m.outputs;
        const at = outs.findIndex((o) => o.name === OUT.view && (o.data as unknown as ViewRecord).key === reformed[0]!.key);
        return outs.slice(0, at).filter((o) => o.name === OUT.deliver && (o.data as unknown as DeliverRecord).qos >= 3).map((o) => `${(o.data as unknown as DeliverRecord).id}@${(o.data as unknown as DeliverRecord).ts}`);
      });
      for (const s of upToChange.slice(1)) assert.deepEqual(s, upToChange[0]);
      assert.ok(upToChange[0]!.length > 10, `only ${upToChange[0]!.length} packets before the view change`);
      const expected = (MEMBERS - 1) * PACKETS;
      const fromSurvivors = (m: RmpProcess) => messages(totalOrder(m).filter((d) => d.src !== victimPid));
      await waitFor(() => survivors.every((m) => fromSurvivors(m) >= expected), DELIVER_MS, 'the survivors\' traffic delivered');
      await new Promise((r) => setTimeout(r, 1000));
      const faulty = (node: number) => node === victim.spec.node;
      const v = checkRmpLogs(mergedOutputs(all), { faulty, retransBufferMaxBytes: RETRANS_BUFFER_MAX_BYTES, expectReplies: true, quiescent: true, converge: true });
      assert.equal(v, null, JSON.stringify(v));
    } finally {
      await stopAll(all);
    }
  });
});
