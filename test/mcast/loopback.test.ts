// Native multicast socket on this host's loopback path (no root needed): join, batched
// receive, leave, send batching, TTL/loopback options and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { McastSocket, type Datagram } from '../../src/mcast/mcast-socket.js';

const GROUP = '239.77.0.1';
const DATAGRAMS = 500;

function collect(n: number, sock: { got: Datagram[] }, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (sock.got.length >= n) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`received ${sock.got.length} of ${n}`));
      setTimeout(tick, 5);
    };
    tick();
  });
}

test('every datagram sent to a joined group arrives, in batches, with its source', async () => {
  const sink = { got: [] as Datagram[] };
  const rx = new McastSocket({ port: 0, loopback: true }, (batch) => sink.got.push(...batch));
  rx.join(GROUP, '127.0.0.1');
  const tx = new McastSocket({ port: 0, interfaceAddress: '127.0.0.1', ttl: 1, loopback: true }, () => {});
  try {
    const datagrams = Array.from({ length: DATAGRAMS }, (_, i) => Uint8Array.of(i & 0xff, i >> 8, 42));
    assert.equal(tx.send(GROUP, rx.port, datagrams), DATAGRAMS);
    await collect(DATAGRAMS, sink);
    assert.deepEqual(sink.got.map((d) => d.data[0]! | (d.data[1]! << 8)), datagrams.map((_, i) => i));
    assert.equal(sink.got[0]!.port, tx.port);
    const stats = rx.stats();
    assert.equal(stats.received, DATAGRAMS);
    assert.ok(stats.batches <= DATAGRAMS);
    assert.equal(tx.stats().sent, DATAGRAMS);
  } finally {
    rx.close();
    tx.close();
  }
});

test('after leave, the group\'s datagrams no longer arrive', async () => {
  const sink = { got: [] as Datagram[] };
  const rx = new McastSocket({ port: 0 }, (batch) => sink.got.push(...batch));
  const tx = new McastSocket({ port: 0, interfaceAddress: '127.0.0.1' }, () => {});
  try {
    rx.join(GROUP, '127.0.0.1');
    tx.send(GROUP, rx.port, [Uint8Array.of(1)]);
    await collect(1, sink);
    rx.leave(GROUP, '127.0.0.1');
    tx.send(GROUP, rx.port, [Uint8Array.of(2)]);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(sink.got.map((d) => d.data[0]), [1]);
  } finally {
    rx.close();
    tx.close();
  }
});

test('back-pressure: a slow consumer pauses reading instead of queueing without bound', async () => {
  const sink = { got: [] as Datagram[] };
  let batches = 0;
  const rx = new McastSocket({ port: 0, queuedMax: 64 }, (batch) => {
    batches++;
    const until = Date.now() + 2; // a slow handler
    while (Date.now() < until);
    sink.got.push(...batch);
  });
  const tx = new McastSocket({ port: 0, interfaceAddress: '127.0.0.1' }, () => {});
  try {
    rx.join(GROUP, '127.0.0.1');
    const n = 2000;
    tx.send(GROUP, rx.port, Array.from({ length: n }, () => new Uint8Array(100)));
    await collect(n - 1, { get got() { return { length: sink.got.length + rx.stats().kernelDrops } as Datagram[]; } });
    const s = rx.stats();
    assert.equal(s.received + s.kernelDrops, n, 'every datagram is either delivered or counted as dropped');
    assert.ok(batches > 1);
  } finally {
    rx.close();
    tx.close();
  }
});

test('bad input gets a clear error with a code', () => {
  const s = new McastSocket({ port: 0 }, () => {});
  try {
    assert.throws(() => s.join('10.0.0.1'), (e: Error & { code?: string }) => e.code === 'ERR_CASTELLAN_MCAST_ARG');
    assert.throws(() => s.join('not-an-ip'), (e: Error & { code?: string }) => e.code === 'ERR_CASTELLAN_MCAST_ARG');
    assert.throws(() => s.send(GROUP, 9, [new Uint8Array(70000)]), (e: Error & { code?: string }) => e.code === 'ERR_CASTELLAN_MCAST_ARG');
  } finally {
    s.close();
  }
  assert.throws(() => new McastSocket({ ttl: 300 }, () => {}), (e: Error & { code?: string }) => e.code === 'ERR_CASTELLAN_MCAST_ARG');
  assert.throws(() => s.send(GROUP, 9, []), (e: Error & { code?: string }) => e.code === 'ERR_CASTELLAN_MCAST_CLOSED');
});
