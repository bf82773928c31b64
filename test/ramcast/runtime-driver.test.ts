// The real runtime's native half in one process (no control plane): endpoints wired by hand
// over shm, drivers polling on their own threads. Checks what the simulator cannot: records in
// real mailbox rings, ring flow control when a receiver stops consuming, and memory-permission
// fencing of a leader's ts writes (spec §6) enforced by the rma grant, not by the core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterTopology } from '../../src/ramcast/cluster.js';
import type { RamcastTopology } from '../../src/ramcast/config.js';
import { createDriver, DeliveryBatch, type ClientEndpoint, type Delivery, type NativeDriver, type ServerEndpoint } from '../../src/ramcast/runtime/native-driver.js';

type Endpoint = ServerEndpoint | ClientEndpoint;

/** Data links between every pair that talks; ts links from each leader to its members. */
function wire(t: RamcastTopology, eps: Map<number, Endpoint>): void {
  const nodes = [...eps.keys()];
  for (const a of nodes)
    for (const b of nodes) {
      if (a === b || (t.clients.includes(a) && t.clients.includes(b))) continue;
      eps.get(b)!.attach(a, 'data', eps.get(a)!.grant(b, 'data'));
    }
  for (const g of t.groups) for (const m of g.slice(1)) eps.get(g[0]!)!.attach(m, 'ts', eps.get(m)!.grant(g[0]!, 'ts'));
}

/** Collects each node's deliveries and resolves completions; `until` polls a condition. */
class Sink {
  readonly delivered = new Map<number, Delivery[]>();
  completions = 0;
  on(events: Parameters<Parameters<NativeDriver['start']>[0]>[0]): void {
    for (const e of events) {
      const list = this.delivered.get(e.node) ?? [];
      list.push(...new DeliveryBatch(e.deliveryCount, e.deliveries));
      this.delivered.set(e.node, list);
      this.completions += e.completions.length / 3;
    }
  }
  count(node: number): number {
    return this.delivered.get(node)?.length ?? 0;
  }
}

async function until(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One group of three and one client on one driver, wired and started. */
function oneGroup() {
  const t = clusterTopology({ groups: 1, groupSize: 3, clients: 1 });
  const d = createDriver({ spinUs: 20 });
  const eps = new Map<number, Endpoint>([...t.groups[0]!.map((n) => [n, d.addServer(t, n)] as const), [t.clients[0]!, d.addClient(t, t.clients[0]!)]]);
  wire(t, eps);
  const sink = new Sink();
  d.start((e) => sink.on(e));
  return { t, d, eps, sink, client: eps.get(t.clients[0]!) as ClientEndpoint };
}

test('deliveries come out of the driver in batches, in one order at every member, payloads intact', async () => {
  const { t, d, eps, sink, client } = oneGroup();
  try {
    for (let i = 0; i < 100; i++) client.multicast([0], new TextEncoder().encode(`payload ${i}`), 'all');
    await until('delivery at all members', () => t.groups[0]!.every((n) => sink.count(n) === 100) && sink.completions === 100);
    for (const n of t.groups[0]!) {
      assert.deepEqual(
        sink.delivered.get(n)!.map((x) => new TextDecoder().decode(x.payload)),
        Array.from({ length: 100 }, (_, i) => `payload ${i}`),
      );
      assert.ok(sink.delivered.get(n)!.every((x) => x.client === t.clients[0] && x.dst.length === 1 && x.dst[0] === 0));
    }
    assert.equal((eps.get(0) as ServerEndpoint).stats().badRecords, 0);
  } finally {
    d.stop();
  }
});

test('a member that stops consuming makes writers wait for ring space, then catches up in order', async () => {
  // The leader's ts ring at member 2 holds ~340 cell records; 8 clients × 64 ring slots of
  // messages overflow it while member 2's driver is not running.
  const t = clusterTopology({ groups: 1, groupSize: 3, clients: 8 });
  const busy = createDriver({ spinUs: 20 });
  const stalled = createDriver({ spinUs: 20 });
  const eps = new Map<number, Endpoint>();
  for (const n of [0, 1]) eps.set(n, busy.addServer(t, n));
  eps.set(2, stalled.addServer(t, 2));
  for (const c of t.clients) eps.set(c, busy.addClient(t, c));
  wire(t, eps);
  const sink = new Sink();
  busy.start((e) => sink.on(e));
  try {
    const perClient = 64; // a client's ring window: it cannot run further ahead of member 2
    for (const c of t.clients) for (let i = 0; i < perClient; i++) (eps.get(c) as ClientEndpoint).multicast([0], new Uint8Array([i]), 'quorum');
    const total = perClient * t.clients.length;
    await until('quorum delivery without member 2', () => sink.completions === total && sink.count(0) === total && sink.count(1) === total);
    const leader = (eps.get(0) as ServerEndpoint).stats();
    assert.ok(leader.stalls > 0, `the leader waited for ring space at member 2: ${JSON.stringify(leader)}`);
    assert.equal(sink.count(2), 0);
    stalled.start((e) => sink.on(e));
    await until('member 2 catching up', () => sink.count(2) === total);
    const order = (n: number) => sink.delivered.get(n)!.map((x) => `${x.client}:${x.seq}`);
    assert.deepEqual(order(2), order(0));
    assert.equal((eps.get(0) as ServerEndpoint).stats().dropped, 0);
  } finally {
    busy.stop();
    stalled.stop();
  }
});

test('a revoked ts grant fences the leader: its stamps no longer land, the others go on; a new grant lets them through', async () => {
  const { d, eps, sink, client } = oneGroup();
  try {
    client.multicast([0], new Uint8Array([1]), 'all');
    await until('first message everywhere', () => [0, 1, 2].every((n) => sink.count(n) === 1));
    // Member 2 withdraws the leader's right to write its ts mailbox (what a promise does, §6).
    (eps.get(2) as ServerEndpoint).revoke(0, 'ts');
    for (let i = 0; i < 5; i++) client.multicast([0], new Uint8Array([2 + i]), 'quorum');
    await until('quorum delivery at the leader and member 1', () => sink.count(0) === 6 && sink.count(1) === 6);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(sink.count(2), 1, 'member 2 got no timestamp, so it delivered nothing new');
    const leader = (eps.get(0) as ServerEndpoint).stats();
    assert.ok(leader.fencedWrites >= 1, `the leader's ts write was refused: ${JSON.stringify(leader)}`);
    assert.equal((eps.get(2) as ServerEndpoint).info().fenced, 0, 'refused by the memory permission, not by the core');
    // A fresh grant (what a member sends a leader it promises later): the held records land
    // in order, as if delayed, and member 2 catches up.
    (eps.get(0) as ServerEndpoint).attach(2, 'ts', (eps.get(2) as ServerEndpoint).grant(0, 'ts'));
    await until('member 2 catching up after the new grant', () => sink.count(2) === 6);
    assert.deepEqual(sink.delivered.get(2)!.map((x) => x.seq), sink.delivered.get(1)!.map((x) => x.seq));
  } finally {
    d.stop();
  }
});

test('records that end exactly at a ring\'s end: the next lap starts at the ring\'s start', async () => {
  // A 44-byte payload makes a 128-byte body record (12 + 64 + 44 + 4 + 4, see mailbox.h):
  // 512 of them fill a 64 KiB data ring to its last byte, so lap two begins without a wrap.
  // All are queued at once: past the first ring window (64), credit releases them in bursts,
  // several records per write, so a burst runs across the ring's end.
  const { t, d, sink, client } = oneGroup();
  try {
    const total = 2100; // four ring ends
    for (let i = 0; i < total; i++) client.multicast([0], new Uint8Array(44).fill(i & 0xff), 'quorum');
    await until('every message at every member', () => t.groups[0]!.every((n) => sink.count(n) === total));
    assert.ok(sink.delivered.get(1)!.every((x, i) => x.seq === i + 1 && x.payload.length === 44 && x.payload[0] === (i & 0xff)));
  } finally {
    d.stop();
  }
});

test('a malformed handle is a coded error and attaches nothing', () => {
  const t = clusterTopology({ groups: 1, groupSize: 3, clients: 1 });
  const d = createDriver();
  const ep = d.addServer(t, 0);
  assert.throws(() => ep.attach(1, 'data', new Uint8Array([1, 2, 3, 4, 5])), (e: Error & { code?: string }) => e.code === 'ERR_CASTELLAN_RMA_HANDLE');
  assert.throws(() => ep.grant(3, 'ts'), (e: Error & { code?: string }) => e.code === 'ERR_CASTELLAN_RAMCAST_ARG', 'clients never write ts');
  assert.throws(() => d.addServer(t, 3), (e: Error & { code?: string }) => e.code === 'ERR_CASTELLAN_RAMCAST_ARG');
});
