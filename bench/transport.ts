// `castellan bench transport` (issue 4): RMA round trips and bandwidth per backend beside
// the raw C round trip measured in the same run, and multicast packets/s of the native
// engine beside Node's dgram.
//   rma.rtt_floor   two C threads bounce 64 B through one shared page (no library)
//   rma.rtt         64 B write → peer's poller sees it → 64 B write back; driver=native-poller
//                   is the C++ API RamCast's hot path uses (two threads), driver=js is two
//                   JS threads (main + worker) calling Connection.write and spinning on
//                   Region.doorbellView() with Atomics.load
//   rma.wake_cost   extra one-way latency when the poller is asleep in the kernel (spinUs=0)
//   rma.bandwidth   JS-driven one-sided writes of 4 KB … 1 MB
//   mcast.pps       datagrams/s delivered to a receiver in this process over loopback
import dgram from 'node:dgram';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { Bench, BenchContext, BenchResult } from './harness/bench.js';
import { ratio } from './harness/ratio.js';
import { measure } from './harness/stats.js';
import { connect, createRegion, rma, type RmaBackend } from '../src/rma/native-rma.js';
import { backendStatus } from '../src/rma/backends.js';
import { McastSocket } from '../src/mcast/mcast-socket.js';
import { repositoryRoot } from '../src/native/addon.js';

const MESSAGE_BYTES = 64;
const RTT_ROUNDS = { full: 200_000, quick: 20_000 };
const WAKE_ROUNDS = { full: 20_000, quick: 2_000 };
/** Covers a local round trip with room; the same default RamCast's poller uses. */
const POLLER_SPIN_US = 50;
const BANDWIDTH_SIZES = [4 << 10, 64 << 10, 256 << 10, 1 << 20];
const MCAST_SIZES = [200, 1400];
const MCAST_DATAGRAMS = { full: 200_000, quick: 20_000 };
const MCAST_CHUNK = 256; // datagrams per send call / per event-loop turn
const MCAST_GROUP = '239.77.1.1';
const MCAST_QUIET_MS = 300; // receiver done when nothing arrived for this long

const us = (ns: number) => ns / 1e3;

/** JS-driven ping-pong: main thread and a worker each own a region and write the other's. */
async function jsRtt(backend: RmaBackend, rounds: number): Promise<number> {
  const mine = createRegion(backend, 4096);
  const rmaModule = pathToFileURL(path.join(repositoryRoot, 'dist', 'src', 'rma', 'native-rma.js')).href;
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     import(workerData.module).then(({ connect, createRegion }) => {
       const region = createRegion(workerData.backend, 4096);
       const bell = region.doorbellView();
       let seen = Atomics.load(bell, 0); // before the peer can know where to write
       parentPort.postMessage(region.grant().handle);
       parentPort.once('message', (handle) => {
         const back = connect(handle);
         const msg = new Uint8Array(${MESSAGE_BYTES});
         for (let i = 0; i < workerData.rounds; i++) {
           while (Atomics.load(bell, 0) === seen) {}
           seen = Atomics.load(bell, 0);
           back.write(0, msg);
         }
         back.close();
         region.close();
         parentPort.postMessage('done');
       });
     });`,
    { eval: true, workerData: { module: rmaModule, backend, rounds: rounds * 2 } },
  );
  const theirHandle = await new Promise<Uint8Array>((resolve) => worker.once('message', resolve));
  const toThem = connect(theirHandle);
  worker.postMessage(mine.grant().handle);
  const bell = mine.doorbellView();
  const msg = new Uint8Array(MESSAGE_BYTES);
  let seen = Atomics.load(bell, 0);
  const bounce = () => {
    toThem.write(0, msg);
    while (Atomics.load(bell, 0) === seen);
    seen = Atomics.load(bell, 0);
  };
  for (let i = 0; i < rounds; i++) bounce(); // warm-up: JIT and caches
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) bounce();
  const ns = Number(process.hrtime.bigint() - t0) / rounds;
  await new Promise((resolve) => worker.once('message', resolve));
  await worker.terminate();
  toThem.close();
  mine.close();
  return us(ns);
}

function rmaResults(ctx: BenchContext, backend: RmaBackend): Promise<BenchResult[]> | BenchResult[] {
  const rounds = ctx.quick ? RTT_ROUNDS.quick : RTT_ROUNDS.full;
  const out: BenchResult[] = [];
  ctx.progress(`rma ${backend}: native-poller round trip`);
  out.push({ name: 'rma.rtt', params: { backend, driver: 'native-poller' }, unit: 'us', value: rma().nativePollerRtt(backend, rounds, POLLER_SPIN_US) });
  if (backend === 'shm') {
    const wakeRounds = ctx.quick ? WAKE_ROUNDS.quick : WAKE_ROUNDS.full;
    const asleep = rma().nativePollerRtt(backend, wakeRounds, 0);
    out.push({ name: 'rma.wake_cost', params: { backend, wait: 'futex_waitv' }, unit: 'us', value: Math.max(0, (asleep - out[0]!.value) / 2) });
  }
  for (const size of BANDWIDTH_SIZES) {
    const region = createRegion(backend, size);
    const conn = connect(region.grant().handle);
    const bytes = new Uint8Array(size).fill(7);
    const m = measure(() => conn.write(0, bytes), { minIterations: 50, minTimeMs: ctx.quick ? 50 : 300 });
    out.push({ name: 'rma.bandwidth', params: { backend, size }, unit: 'MB/s', value: (size * m.opsPerS) / 1e6 });
    conn.close();
    region.close();
  }
  return out;
}

/** Sends `count` datagrams to our own receiver; returns datagrams/s delivered to JS. */
async function mcastPps(engine: 'native' | 'dgram', size: number, count: number): Promise<number> {
  const payload = new Uint8Array(size);
  let received = 0;
  let first = 0n;
  let last = 0n;
  const onArrival = (n: number) => {
    if (received === 0) first = process.hrtime.bigint();
    received += n;
    last = process.hrtime.bigint();
  };
  let send: (n: number, port: number) => void;
  let close: () => void;
  let port: number;
  if (engine === 'native') {
    const rx = new McastSocket({ port: 0, queuedMax: 65536 }, (batch) => onArrival(batch.length));
    rx.join(MCAST_GROUP, '127.0.0.1');
    const tx = new McastSocket({ port: 0, interfaceAddress: '127.0.0.1', loopback: true }, () => {});
    const chunk = Array.from({ length: MCAST_CHUNK }, () => payload);
    port = rx.port;
    send = (n, p) => void tx.send(MCAST_GROUP, p, n === MCAST_CHUNK ? chunk : chunk.slice(0, n));
    close = () => {
      rx.close();
      tx.close();
    };
  } else {
    const rx = dgram.createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: 4 << 20 });
    rx.on('message', () => onArrival(1));
    await new Promise<void>((r) => rx.bind(0, r));
    rx.addMembership(MCAST_GROUP, '127.0.0.1');
    const tx = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 << 20 });
    await new Promise<void>((r) => tx.bind(0, r));
    tx.setMulticastInterface('127.0.0.1');
    tx.setMulticastLoopback(true);
    port = rx.address().port;
    send = (n, p) => {
      for (let i = 0; i < n; i++) tx.send(payload, p, MCAST_GROUP);
    };
    close = () => {
      rx.close();
      tx.close();
    };
  }
  for (let sent = 0; sent < count; sent += MCAST_CHUNK) {
    send(Math.min(MCAST_CHUNK, count - sent), port);
    await new Promise((r) => setImmediate(r));
  }
  for (let quietSince = Date.now(), seen = received; Date.now() - quietSince < MCAST_QUIET_MS; ) {
    await new Promise((r) => setTimeout(r, 20));
    if (received !== seen) {
      seen = received;
      quietSince = Date.now();
    }
  }
  close();
  return received / (Number(last - first) / 1e9);
}

export const transportBench: Bench = {
  name: 'transport',
  summary: 'RMA round trip/bandwidth per backend vs the raw C floor; multicast pps native vs dgram',
  plots: [
    { title: 'RMA one-sided write bandwidth', metric: 'rma.bandwidth', x: 'size', series: 'backend', logX: true },
    { title: 'Multicast datagrams/s delivered', metric: 'mcast.pps', x: 'size', series: 'engine' },
  ],
  async run(ctx) {
    const out: BenchResult[] = [];
    const rounds = ctx.quick ? RTT_ROUNDS.quick : RTT_ROUNDS.full;
    ctx.progress('rma: raw C round-trip floor');
    const floor: BenchResult = { name: 'rma.rtt_floor', params: {}, unit: 'us', value: rma().floorRtt(rounds) };
    out.push(floor);
    for (const backend of ['shm', 'fabric', 'verbs'] as RmaBackend[]) {
      const status = backendStatus(backend);
      if (!status.ok) {
        ctx.progress(`rma ${backend}: skipped (${status.reason})`);
        continue;
      }
      const results = await rmaResults(ctx, backend);
      out.push(...results);
      ctx.progress(`rma ${backend}: JS-driven round trip`);
      const js: BenchResult = { name: 'rma.rtt', params: { backend, driver: 'js' }, unit: 'us', value: await jsRtt(backend, Math.floor(rounds / 4)) };
      out.push(js);
      const native = results.find((r) => r.name === 'rma.rtt')!;
      out.push(ratio('rma.rtt_vs_floor', native, floor, { backend, driver: 'native-poller' }));
      out.push(ratio('rma.rtt_vs_floor', js, floor, { backend, driver: 'js' }));
    }
    const count = ctx.quick ? MCAST_DATAGRAMS.quick : MCAST_DATAGRAMS.full;
    for (const size of MCAST_SIZES) {
      ctx.progress(`mcast ${size} B: native vs dgram over loopback`);
      const native: BenchResult = { name: 'mcast.pps', params: { engine: 'native', size, path: 'loopback' }, unit: 'datagrams/s', value: await mcastPps('native', size, count) };
      const node: BenchResult = { name: 'mcast.pps', params: { engine: 'dgram', size, path: 'loopback' }, unit: 'datagrams/s', value: await mcastPps('dgram', size, count) };
      out.push(native, node, ratio('mcast.pps_vs_dgram', native, node, { size }));
    }
    return out;
  },
};
