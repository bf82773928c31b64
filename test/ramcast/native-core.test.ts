// The native RamCast cores driven by hand, without the simulator: a tiny deterministic
// driver that carries each write to its target in FIFO order per (from, to) pair.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ramcastNative, type NativeDelivery, type NativeWrite } from '../../src/ramcast/native.js';
import type { RamcastTopology } from '../../src/ramcast/config.js';

const topology: RamcastTopology = { groups: [[0, 1, 2], [3, 4, 5]], clients: [6] };

/** Carries each queued write to its target, FIFO overall (hence per pair). */
class Driver {
  readonly servers = new Map(topology.groups.flat().map((n) => [n, new (ramcastNative().RamcastServer)(topology, n)]));
  readonly delivered = new Map<number, NativeDelivery[]>();
  readonly queue: { from: number; w: NativeWrite }[] = [];

  /** Carry queued writes until none are left; `keep` false drops one. */
  run(keep: (w: NativeWrite) => boolean = () => true): void {
    while (this.queue.length) {
      const { from, w } = this.queue.shift()!;
      const target = this.servers.get(w.to);
      if (!target || !keep(w)) continue; // credit writes go to the client, not modelled here
      target.landed(from, w.region, w.offset, w.bytes);
      this.collect(w.to);
    }
  }

  private collect(n: number): void {
    const fx = this.servers.get(n)!.takeEffects();
    for (const w of fx.writes) this.queue.push({ from: n, w });
    this.delivered.set(n, [...(this.delivered.get(n) ?? []), ...fx.deliveries]);
  }
}

function driver(): Driver {
  return new Driver();
}

function clientWrites(dst: number[][], payload = 'x'): NativeWrite[] {
  const client = new (ramcastNative().RamcastClient)(topology, 6);
  for (const g of dst) client.multicast(g, new TextEncoder().encode(payload));
  return client.takeEffects().writes;
}

test('a client writes one slot per destination process, CRC-protected', () => {
  const writes = clientWrites([[0, 1]]);
  assert.deepEqual(writes.map((w) => w.to).sort(), [0, 1, 2, 3, 4, 5]);
  assert.ok(writes.every((w) => w.region === 'ring' && w.offset === 0));
});

test('three messages to overlapping groups are delivered in one order everywhere', () => {
  const d = driver();
  for (const w of clientWrites([[0], [0, 1], [1]])) d.queue.push({ from: 6, w });
  d.run();
  const orders = [...d.servers.keys()].map((n) => (d.delivered.get(n) ?? []).map((x) => `${x.seq}@${x.ts}`));
  for (const n of [0, 1, 2]) assert.deepEqual(orders[n]!.map((s) => s.split('@')[0]), ['1', '2']);
  for (const n of [3, 4, 5]) assert.deepEqual(orders[n]!.map((s) => s.split('@')[0]), ['2', '3']);
  // The shared message has one final timestamp at all six processes.
  const ts2 = new Set([...d.delivered.values()].flatMap((l) => l.filter((x) => x.seq === 2).map((x) => x.ts)));
  assert.equal(ts2.size, 1);
});

test('a torn slot (bad CRC) is ignored until the whole slot lands', () => {
  const d = driver();
  const [w] = clientWrites([[0]]).filter((x) => x.to === 1);
  const torn = w!.bytes.slice();
  torn[torn.length - 1] ^= 0xff;
  d.servers.get(1)!.landed(6, 'ring', w!.offset, torn);
  assert.equal(d.servers.get(1)!.describePending().split('\n').filter((l) => l.includes(':')).length, 0);
  d.servers.get(1)!.landed(6, 'ring', w!.offset, w!.bytes);
  assert.match(d.servers.get(1)!.describePending(), /6:1 MCAST/);
});

test('a timestamp write from a process that is not the leader is fenced by the core', () => {
  const d = driver();
  for (const w of clientWrites([[0]])) d.queue.push({ from: 6, w });
  let stolen: NativeWrite | undefined;
  d.run((w) => {
    if (w.region === 'ts' && w.to === 2 && !stolen) {
      stolen = w;
      return false;
    }
    return true;
  });
  const follower = d.servers.get(2)!;
  assert.ok(stolen, 'the leader proposed to node 2');
  // The leader's very bytes, but claimed by follower 1: refused (spec §6, single writer).
  follower.landed(1, 'ts', stolen.offset, stolen.bytes);
  assert.equal(follower.info().fenced, 1);
  assert.equal(d.delivered.get(2)?.length ?? 0, 0);
  // From the leader itself they count, and the message is delivered.
  follower.landed(0, 'ts', stolen.offset, stolen.bytes);
  assert.equal(follower.takeEffects().deliveries.length, 1);
});

test('bad arguments become coded JS errors and change nothing', () => {
  const client = new (ramcastNative().RamcastClient)(topology, 6);
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as { code?: string }).code;
    }
    return 'no error';
  };
  assert.equal(code(() => client.multicast([7], new Uint8Array(1))), 'ERR_CASTELLAN_RAMCAST_ARG');
  assert.equal(code(() => client.multicast([], new Uint8Array(1))), 'ERR_CASTELLAN_RAMCAST_ARG');
  assert.equal(code(() => client.multicast([0, 0], new Uint8Array(1))), 'ERR_CASTELLAN_RAMCAST_ARG');
  assert.equal(code(() => client.multicast([0], new Uint8Array(ramcastNative().limits.maxPayloadBytes + 1))), 'ERR_CASTELLAN_RAMCAST_ARG');
  assert.equal(client.takeEffects().writes.length, 0);
  const { RamcastServer } = ramcastNative();
  assert.equal(code(() => new RamcastServer(topology, 6)), 'ERR_CASTELLAN_RAMCAST_ARG');
  assert.equal(code(() => new RamcastServer({ groups: [[0, 1], [1, 2]], clients: [3] }, 0)), 'ERR_CASTELLAN_RAMCAST_ARG');
  const s = new RamcastServer(topology, 0);
  assert.equal(code(() => s.landed(6, 'ring', 1 << 30, new Uint8Array(4))), 'ERR_CASTELLAN_RAMCAST_ARG');
  assert.equal(code(() => s.settle(new Uint8Array(3), null, [])), 'ERR_CASTELLAN_RAMCAST_STATE');
});
