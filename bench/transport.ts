// `castellan bench transport` (issue 4): RMA round trips and bandwidth per backend beside
// the raw C round trip measured in the same run, and multicast packets/s of the native
// engine beside Node's dgram.
//   rma.rtt_floor   two C threads bounce 64 B through one shared page (no library), in
//                   batches alternating with each driver's batches (driver=js|native-poller)
//   rma.rtt         64 B write → peer's poller sees it → 64 B write back; driver=native-poller
//                   is the C++ API RamCast's hot path uses (two threads), driver=js is two
//                   JS threads (main + worker) calling Connection.write and spinning on
//                   Region.doorbellView() with Atomics.load; fabric once per provider
//   rma.rtt_js_floor  the same bounce between two JS threads with bare Atomics, no library
//   rma.wake_cost   extra one-way latency when the poller is asleep in the kernel (spinUs=0)
//   rma.poller_idle_cpu  CPU of a started poller (and progress thread) over an idle region
//   rma.bandwidth   JS-driven one-sided writes of 4 KB … 1 MB
//   mcast.pps       datagrams/s delivered to a receiver in this process over loopback
import dgram from 'node:dgram';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { Bench, BenchContext, BenchResult, ParamValue } from './harness/bench.js';
import { ratio } from './harness/ratio.js';
import { measure, percentile } from './harness/stats.js';
import { connect, createPoller, createRegion, progressDriven, rma } from '../src/rma/native-rma.js';
import { rmaTargets, type RmaTarget } from '../src/rma/backends.js';
import { McastSocket } from '../src/mcast/mcast-socket.js';
import { repositoryRoot } from '../src/native/addon.js';

const MESSAGE_BYTES = 64;
/** Round trips per backend; fabric's are ~100x slower than shm's, so it runs fewer. */
const RTT_ROUNDS = { shm: { full: 200_000, quick: 20_000 }, fabric: { full: 20_000, quick: 2_000 }, verbs: { full: 50_000, quick: 5_000 } };
/**
 * Round trips run in this many batches and report the median batch: on a shared 2-core
 * machine a batch that loses a core to another process is an outlier, not the latency.
 * The floor and each driver alternate batch by batch, so both see the same load.
 */
const RTT_BATCHES = { full: 20, quick: 8 };
const WAKE_ROUNDS = { full: 20_000, quick: 2_000 };
/** How long an idle started poller is watched for its CPU use (rma.poller_idle_cpu), after settling. */
const IDLE_WATCH_MS = { full: 2000, quick: 500 };
const IDLE_SETTLE_MS = 200; // lets the previous measurement's threads and GC finish first
/** Covers a local round trip with room; the same default RamCast's poller uses. */
const POLLER_SPIN_US = 50;
const BANDWIDTH_SIZES = [4 << 10, 64 << 10, 256 << 10, 1 << 20];
const MCAST_SIZES = [200, 1400];
const MCAST_DATAGRAMS = { full: 200_000, quick: 20_000 };
const MCAST_CHUNK = 256; // datagrams per send call / per event-loop turn
const MCAST_GROUP = '239.77.1.1';
const MCAST_QUIET_MS = 300; // receiver done when nothing arrived for this long

const us = (ns: number) => ns / 1e3;
const median = (xs: number[]) => percentile(xs, 50);

/**
 * µs per round trip of each of `batches` timed batches of `perBatch` bounces, after one
 * untimed batch (JIT and caches); `beforeBatch` runs untimed ahead of each timed one.
 */
function timedBatches(bounce: () => void, perBatch: number, batches: number, beforeBatch?: () => void): number[] {
  for (let i = 0; i < perBatch; i++) bounce();
  const times: number[] = [];
  for (let b = 0; b < batches; b++) {
    beforeBatch?.();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i++) bounce();
    times.push(us(Number(process.hrtime.bigint() - t0) / perBatch));
  }
  return times;
}

/** Doorbell misses between two looks at the park word: cheap next to a round trip, prompt to park. */
const PARK_CHECK_EVERY = 4096;
const RUN = 0;
const PARK = 1;

/**
 * JS-driven ping-pong: main thread and a worker each own a region and write the other's,
 * spinning on their own doorbell word. Its batches alternate with raw C floor batches, like
 * the native poller's, so both sides of the ratio see the same load; while a floor batch
 * runs the worker is parked (Atomics.wait), or its spin would take a core from the floor.
 * Returns the median batch of each, in µs per round trip.
 */
async function jsRtt(target: RmaTarget, rounds: number, batches: number, floorRounds: number): Promise<{ js: number; floor: number }> {
  const { backend, options } = target;
  const mine = createRegion(backend, 4096, options);
  const rmaModule = pathToFileURL(path.join(repositoryRoot, 'dist', 'src', 'rma', 'native-rma.js')).href;
  const perBatch = Math.max(1, Math.floor(rounds / batches));
  const park = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     import(workerData.module).then(({ connect, createRegion }) => {
       const region = createRegion(workerData.backend, 4096, workerData.options);
       const bell = region.doorbellView();
       const park = workerData.park;
       const drive = workerData.drive;
       let seen = Atomics.load(bell, 0); // before the peer can know where to write
       parentPort.postMessage(region.grant().handle);
       parentPort.once('message', (handle) => {
         const back = connect(handle, workerData.connect);
         const msg = new Uint8Array(${MESSAGE_BYTES});
         for (let i = 0; i < workerData.rounds; i++) {
           let now;
           let misses = 0;
           while ((now = Atomics.load(bell, 0)) === seen) {
             if (drive) region.progress();
             if (++misses % ${PARK_CHECK_EVERY} === 0) Atomics.wait(park, 0, ${PARK});
           }
           seen = now;
           back.write(0, msg);
         }
         back.close();
         region.close();
         parentPort.postMessage('done');
       });
     });`,
    { eval: true, workerData: { module: rmaModule, backend, options, park, connect: target.connect, drive: progressDriven(backend), rounds: perBatch * (batches + 1) + batches } },
  );
  const theirHandle = await new Promise<Uint8Array>((resolve) => worker.once('message', resolve));
  const toThem = connect(theirHandle, target.connect);
  worker.postMessage(mine.grant().handle);
  const bell = mine.doorbellView();
  const msg = new Uint8Array(MESSAGE_BYTES);
  let seen = Atomics.load(bell, 0);
  const drive = progressDriven(backend);
  const bounce = () => {
    toThem.write(0, msg);
    let now;
    while ((now = Atomics.load(bell, 0)) === seen) if (drive) mine.progress();
    seen = now;
  };
  const floorTimes: number[] = [];
  const jsTimes = timedBatches(bounce, perBatch, batches, () => {
    Atomics.store(park, 0, PARK);
    floorTimes.push(rma().floorRtt(floorRounds));
    Atomics.store(park, 0, RUN);
    Atomics.notify(park, 0);
    bounce(); // the worker's wake-up is not a round trip
  });
  await new Promise((resolve) => worker.once('message', resolve));
  await worker.terminate();
  toThem.close();
  mine.close();
  return { js: median(jsTimes), floor: median(floorTimes) };
}

/**
 * What JS itself costs for the same bounce, no library: two JS threads each spinning on one
 * SharedArrayBuffer word with Atomics.load and bumping the other's with Atomics.add (words a
 * cache line apart). The JS driver's rows are compared with this as well as with the C floor.
 */
async function jsFloorRtt(rounds: number, batches: number): Promise<number> {
  const words = new Int32Array(new SharedArrayBuffer(128));
  const TO_WORKER = 0;
  const TO_MAIN = 16; // 64 bytes on: its own cache line
  const perBatch = Math.max(1, Math.floor(rounds / batches));
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const w = workerData.words;
     let seen = 0;
     for (let i = 0; i < workerData.rounds; i++) {
       let now;
       while ((now = Atomics.load(w, ${TO_WORKER})) === seen);
       seen = now;
       Atomics.add(w, ${TO_MAIN}, 1);
     }`,
    { eval: true, workerData: { words, rounds: perBatch * (batches + 1) } },
  );
  let seen = 0;
  const bounce = () => {
    Atomics.add(words, TO_WORKER, 1);
    let now;
    while ((now = Atomics.load(words, TO_MAIN)) === seen);
    seen = now;
  };
  const times = timedBatches(bounce, perBatch, batches);
  await new Promise((resolve) => worker.once('exit', resolve));
  return median(times);
}

/**
 * CPU this process burns while a started poller watches one idle region (and, for fabric
 * and verbs, the region's progress thread waits): the "no 100%-CPU idle loop" check.
 */
async function idleCpu(target: RmaTarget, ms: number): Promise<number> {
  const region = createRegion(target.backend, 4096, target.options);
  const poller = createPoller({ spinUs: POLLER_SPIN_US });
  poller.watch(region);
  poller.start(() => {});
  await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const cpu = process.cpuUsage(c0);
  const wallUs = Number(process.hrtime.bigint() - t0) / 1e3;
  poller.stop();
  region.close();
  return (100 * (cpu.user + cpu.system)) / wallUs;
}

function targetParams(target: RmaTarget): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = { backend: target.backend };
  if (target.options.provider) params.provider = target.options.provider;
  if (target.connect.writes) params.writes = target.connect.writes;
  return params;
}

/**
 * rma.rtt (both drivers), the floor measured alongside, wake cost and bandwidth of one
 * target. A target that only changes how JS writes (shm with writes=native: every write an
 * N-API call) gets the JS rows only, beside a floor of its own.
 */
async function rmaResults(ctx: BenchContext, target: RmaTarget, jsFloor: BenchResult): Promise<BenchResult[]> {
  const { backend, options } = target;
  const params = targetParams(target);
  const jsOnly = target.connect.writes !== undefined;
  const rounds = RTT_ROUNDS[backend][ctx.quick ? 'quick' : 'full'];
  const batches = RTT_BATCHES[ctx.quick ? 'quick' : 'full'];
  const perBatch = Math.max(1, Math.floor(rounds / batches));
  const floorRounds = Math.floor(RTT_ROUNDS.shm[ctx.quick ? 'quick' : 'full'] / batches);
  ctx.progress(`rma ${target.label}: JS-driven round trip beside the raw C floor`);
  const jsPair = await jsRtt(target, Math.floor(rounds / 4), batches, floorRounds);
  const floorBesideJs: BenchResult = { name: 'rma.rtt_floor', params: { alongside: target.label, driver: 'js' }, unit: 'us', value: jsPair.floor };
  const js: BenchResult = { name: 'rma.rtt', params: { ...params, driver: 'js' }, unit: 'us', value: jsPair.js };
  const out: BenchResult[] = [
    floorBesideJs,
    js,
    ratio('rma.rtt_vs_floor', js, floorBesideJs, { ...params, driver: 'js' }),
    ratio('rma.rtt_vs_js_floor', js, jsFloor, { ...params, driver: 'js' }),
  ];
  if (jsOnly) return out;
  ctx.progress(`rma ${target.label}: native-poller round trip beside the raw C floor`);
  const floorTimes: number[] = [];
  const nativeTimes: number[] = [];
  for (let b = 0; b < batches; b++) {
    floorTimes.push(rma().floorRtt(floorRounds));
    nativeTimes.push(rma().nativePollerRtt(backend, perBatch, POLLER_SPIN_US, options.provider));
  }
  const floor: BenchResult = { name: 'rma.rtt_floor', params: { alongside: target.label, driver: 'native-poller' }, unit: 'us', value: median(floorTimes) };
  const native: BenchResult = { name: 'rma.rtt', params: { ...params, driver: 'native-poller' }, unit: 'us', value: median(nativeTimes) };
  out.push(floor, native, ratio('rma.rtt_vs_floor', native, floor, { ...params, driver: 'native-poller' }));
  // Wake-up cost of spin-then-wait: the same bounce with spinUs=0, so every wait sleeps
  // (futex_waitv on the doorbell) and each one-way trip pays one wake-up.
  ctx.progress(`rma ${target.label}: wake-up cost (poller asleep)`);
  const wakeRounds = Math.min(WAKE_ROUNDS[ctx.quick ? 'quick' : 'full'], rounds);
  const asleep: number[] = [];
  for (let b = 0; b < batches; b++) asleep.push(rma().nativePollerRtt(backend, Math.max(1, Math.floor(wakeRounds / batches)), 0, options.provider));
  out.push({ name: 'rma.wake_cost', params: { ...params, wait: 'futex_waitv' }, unit: 'us', value: Math.max(0, (median(asleep) - native.value) / 2) });
  out.push({ name: 'rma.poller_idle_cpu', params, unit: '% of a core', value: await idleCpu(target, IDLE_WATCH_MS[ctx.quick ? 'quick' : 'full']) });
  ctx.progress(`rma ${target.label}: bandwidth`);
  for (const size of BANDWIDTH_SIZES) {
    const region = createRegion(backend, size, options);
    const conn = connect(region.grant().handle, target.connect);
    const bytes = new Uint8Array(size).fill(7);
    const m = measure(() => conn.write(0, bytes), { minIterations: 50, minTimeMs: ctx.quick ? 50 : 300 });
    // transport: the plot's series (fabric runs once per provider)
    out.push({ name: 'rma.bandwidth', params: { ...params, transport: target.label, size }, unit: 'MB/s', value: (size * m.opsPerS) / 1e6 });
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
    { title: 'RMA one-sided write bandwidth', metric: 'rma.bandwidth', x: 'size', series: 'transport', logX: true },
    { title: 'Multicast datagrams/s delivered', metric: 'mcast.pps', x: 'size', series: 'engine' },
  ],
  async run(ctx) {
    const out: BenchResult[] = [];
    ctx.progress('rma: the bare JS round trip (Atomics on a SharedArrayBuffer, no library)');
    const jsFloor: BenchResult = { name: 'rma.rtt_js_floor', params: {}, unit: 'us', value: await jsFloorRtt(RTT_ROUNDS.shm[ctx.quick ? 'quick' : 'full'] / 4, RTT_BATCHES[ctx.quick ? 'quick' : 'full']) };
    out.push(jsFloor);
    for (const target of rmaTargets()) {
      if (!target.status.ok) {
        ctx.progress(`rma ${target.label}: skipped (${target.status.reason})`);
        continue;
      }
      out.push(...(await rmaResults(ctx, target, jsFloor)));
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
