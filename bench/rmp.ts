// `castellan bench rmp`: RMP on a real multicast LAN of network namespaces, each host's
// egress limited by tbf (src/net/netns.ts), like the seed's 10 Mb/s Ethernet (spec §11).
//   rmp.goodput            per-receiver goodput of totally ordered traffic from one saturating
//                          sender, as a fraction of the link (seed: 0.86 at 1 destination)
//   rmp.goodput_aggregate  the sum over receivers, in links (seed: 5.9 at 8 destinations)
//   tcp.goodput(_aggregate) the baseline measured in the same run on the same LAN: the same
//                          sender feeding one TCP stream per receiver
//   rmp.latency_p50/p99    one-way latency per QoS level at a light load (seed: totally
//                          ordered ≈ 2 × source ordered), with the ratio computed here
// Every member is its own process in its own namespace: receivers + 1 processes per group.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import type { Bench, BenchContext, BenchResult } from './harness/bench.js';
import { ratio } from './harness/ratio.js';
import { percentile } from './harness/stats.js';
import { netnsSupport, withLan, type Lan } from '../src/net/netns.js';
import { QOS_NAMES } from '../src/rmp/qos.js';
import { WINDOW_MAX_BYTES } from '../src/rmp/flow-control.js';
import { stopAll } from '../src/rmp/runtime/process-group.js';
import { startGroup } from '../src/rmp/runtime/group-run.js';

const TCP_PEER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rmp-tcp-peer.js');
/** The seed's Ethernet, and the same protocol ten times faster. */
const LINK_MBPS_DEFAULT = [10, 100];
const RECEIVERS_DEFAULT = [1, 2, 4, 8];
const RECEIVERS_QUICK = [1, 2];
/** Seconds of saturated sending measured, after WARMUP_S of ramp-up (slow start, queues filling). */
const MEASURE_S = { full: 4, quick: 1.5 };
const WARMUP_S = { full: 1.5, quick: 0.8 };
/** Application message size: Figure 1's rule coalesces them into packets of up to 8 KB. */
const MESSAGE_BYTES = 1024;
/** Latency is measured on a light load: one 200-byte message every 10 ms, per QoS level. */
const LATENCY_RECEIVERS = 3;
const LATENCY_MESSAGES = { full: 200, quick: 40 };
const LATENCY_RATE_PER_S = 100;
const LATENCY_MESSAGE_BYTES = 200;
/** After a phase's last send: time for safe packets to go stable (a rotation) before the next phase. */
const LATENCY_DRAIN_MS = 1500;
const TCP_PORT = 5201;
/** Starting a group: processes load, founders that start late are reformed out and rejoin. */
const CONVERGE_MS = 60_000;

const bytesPerS = (mbps: number) => (mbps * 1e6) / 8;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface QosMeter {
  bytes: number;
  latencyUs: number[];
}

function meterOf(report: Record<string, unknown>, qos: string): QosMeter {
  const m = (report.perQos as Record<string, QosMeter>)[qos];
  return m ?? { bytes: 0, latencyUs: [] };
}

/** Mean per-receiver goodput (bytes/s) of totally ordered traffic from node 0, over the measured window. */
async function rmpGoodput(lan: Lan, receivers: number, ctx: BenchContext, extra: string[]): Promise<number[]> {
  const ps = (await startGroup({ name: `castellan-bench-${receivers}`, members: receivers + 1, clients: 0, lan, extraArgs: [...extra, '--log', 'summary'], timeoutMs: CONVERGE_MS })).members;
  try {
    const [sender, ...rx] = ps;
    sender!.send({ cmd: 'saturate', qos: 'totallyOrdered', size: MESSAGE_BYTES, seconds: (ctx.quick ? WARMUP_S.quick + MEASURE_S.quick : WARMUP_S.full + MEASURE_S.full) + 1 });
    await sleep((ctx.quick ? WARMUP_S.quick : WARMUP_S.full) * 1000);
    const first = await Promise.all(rx.map((p) => p.report()));
    await sleep((ctx.quick ? MEASURE_S.quick : MEASURE_S.full) * 1000);
    const second = await Promise.all(rx.map((p) => p.report()));
    return rx.map((_, i) => {
      const a = first[i]!;
      const b = second[i]!;
      return ((meterOf(b, 'totallyOrdered').bytes - meterOf(a, 'totallyOrdered').bytes) * 1e6) / ((b.tUs as number) - (a.tUs as number));
    });
  } finally {
    await stopAll(ps);
  }
}

function lines(child: ChildProcess): AsyncIterator<string> {
  return createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
}

/** The baseline: node 0 streams to every receiver over its own TCP connection. */
async function tcpGoodput(lan: Lan, receivers: number, ctx: BenchContext): Promise<number[]> {
  const sinks = lan.hosts.slice(1, receivers + 1).map((h) => lan.spawn(h, process.execPath, [TCP_PEER, 'sink', String(TCP_PORT)], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const out = sinks.map(lines);
  try {
    for (const o of out) await o.next();
    const warm = ctx.quick ? WARMUP_S.quick : WARMUP_S.full;
    const measure = ctx.quick ? MEASURE_S.quick : MEASURE_S.full;
    const source = lan.spawn(lan.hosts[0]!, process.execPath, [TCP_PEER, 'source', String(warm + measure + 1), ...lan.hosts.slice(1, receivers + 1).map((h) => `${h.address}:${TCP_PORT}`)], { stdio: ['ignore', 'ignore', 'inherit'] });
    await sleep(warm * 1000);
    const report = async () => Promise.all(out.map(async (o, i) => (sinks[i]!.stdin!.write('report\n'), JSON.parse((await o.next()).value as string) as { bytes: number; tUs: number })));
    const a = await report();
    await sleep(measure * 1000);
    const b = await report();
    source.kill('SIGKILL');
    return a.map((x, i) => ((b[i]!.bytes - x.bytes) * 1e6) / (b[i]!.tUs - x.tUs));
  } finally {
    for (const s of sinks) s.kill('SIGKILL');
  }
}

/** Latency per QoS level: node 0 sends one phase per level, receivers stamp arrivals. */
async function latencies(lan: Lan, ctx: BenchContext, extra: string[]): Promise<Map<string, number[]>> {
  const ps = (await startGroup({ name: 'castellan-bench-latency', members: LATENCY_RECEIVERS + 1, clients: 0, lan, extraArgs: [...extra, '--log', 'summary'], timeoutMs: CONVERGE_MS })).members;
  const count = ctx.quick ? LATENCY_MESSAGES.quick : LATENCY_MESSAGES.full;
  const phases: { label: string; qos: string; k: number }[] = [
    ...QOS_NAMES.filter((q) => q !== 'kResilient').map((q) => ({ label: q, qos: q, k: 0 })),
    { label: 'kResilient-1', qos: 'kResilient', k: 1 },
    { label: 'kResilient-2', qos: 'kResilient', k: 2 },
  ];
  const samples = new Map<string, number[]>();
  try {
    const [sender, ...rx] = ps;
    for (const ph of phases) {
      const before = await Promise.all(rx.map((p) => p.report()));
      sender!.send({ cmd: 'traffic', qos: ph.qos, k: ph.k, size: LATENCY_MESSAGE_BYTES, count, rate: LATENCY_RATE_PER_S });
      // Unreliable packets lost on the wire are lost for good: no expectation for them.
      const expected = ph.qos === 'unreliable' ? 0 : count;
      await sleep((count / LATENCY_RATE_PER_S) * 1000 + LATENCY_DRAIN_MS);
      const after = await Promise.all(rx.map((p) => p.report()));
      const got = after.flatMap((a, i) => meterOf(a, ph.qos).latencyUs.slice(meterOf(before[i]!, ph.qos).latencyUs.length));
      if (got.length < expected * rx.length * 0.9) ctx.progress(`latency ${ph.label}: only ${got.length} of ${expected * rx.length} samples`);
      samples.set(ph.label, got);
      ctx.progress(`latency ${ph.label}: p50 ${(percentile(got, 50) / 1000).toFixed(2)} ms over ${got.length} deliveries`);
    }
  } finally {
    await stopAll(ps);
  }
  return samples;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function list(opt: string | boolean | undefined, fallback: number[]): number[] {
  if (typeof opt !== 'string') return fallback;
  const xs = opt.split(',').map(Number);
  if (xs.some((x) => !(x > 0))) throw new RangeError(`expected a comma-separated list of positive numbers, got "${opt}"`);
  return xs;
}

export const rmpBench: Bench = {
  name: 'rmp',
  summary: 'RMP on a tbf-limited multicast LAN of namespaces: goodput vs receivers (fraction of link) beside N TCP streams; latency per QoS level',
  optionNames: ['links', 'receivers', 'window-kb'],
  optionsHelp: '  --links 10,100      link rates in Mbit/s (tbf on every host)\n  --receivers 1,2,4,8 receiver counts (each group runs receivers + 1 processes)\n  --window-kb N       flow-control window maximum (default 64, spec §10)',
  plots: [
    { title: 'RMP aggregate goodput vs receivers (links), TCP streams as baseline', metric: ['rmp.goodput_aggregate', 'tcp.goodput_aggregate'], x: 'receivers', series: 'link_mbps' },
    { title: 'RMP per-receiver goodput (fraction of link)', metric: 'rmp.goodput', x: 'receivers', series: 'link_mbps' },
  ],
  async run(ctx) {
    const support = netnsSupport();
    if (!support.ok) {
      // `bench all` goes on without it; the figures need a tbf-limited LAN of namespaces.
      ctx.progress(`skipped: bench rmp needs network namespaces (${support.reason})`);
      return [];
    }
    const links = list(ctx.options.links, ctx.quick ? [100] : LINK_MBPS_DEFAULT);
    const receiverCounts = list(ctx.options.receivers, ctx.quick ? RECEIVERS_QUICK : RECEIVERS_DEFAULT);
    const windowKb = list(ctx.options['window-kb'], [WINDOW_MAX_BYTES / 1024])[0]!;
    const extra = ['--window-max-kb', String(windowKb)];
    const out: BenchResult[] = [];
    for (const link of links) {
      const capacity = bytesPerS(link);
      for (const receivers of receiverCounts) {
        await withLan({ hosts: receivers + 1, rateKbit: link * 1000 }, async (lan) => {
          ctx.progress(`goodput: ${receivers} receivers, ${link} Mbit/s, ${receivers + 1} RMP processes`);
          const rmp = await rmpGoodput(lan, receivers, ctx, extra);
          ctx.progress(`goodput: the same LAN with ${receivers} TCP streams`);
          const tcp = await tcpGoodput(lan, receivers, ctx);
          const params = { qos: 'totallyOrdered', receivers, link_mbps: link, processes: receivers + 1, window_kb: windowKb };
          const r = { name: 'rmp.goodput', params, unit: 'fraction', value: mean(rmp) / capacity };
          const ra = { name: 'rmp.goodput_aggregate', params, unit: 'links', value: rmp.reduce((a, b) => a + b, 0) / capacity };
          const tparams = { receivers, link_mbps: link };
          const t = { name: 'tcp.goodput', params: tparams, unit: 'fraction', value: mean(tcp) / capacity };
          const ta = { name: 'tcp.goodput_aggregate', params: tparams, unit: 'links', value: tcp.reduce((a, b) => a + b, 0) / capacity };
          out.push(r, ra, { name: 'rmp.goodput_mbs', params, unit: 'MB/s', value: mean(rmp) / 1e6 }, t, ta, ratio('rmp.aggregate_vs_tcp', ra, ta, tparams));
        });
      }
      await withLan({ hosts: LATENCY_RECEIVERS + 1, rateKbit: link * 1000 }, async (lan) => {
        ctx.progress(`latency per QoS: ${LATENCY_RECEIVERS} receivers, ${link} Mbit/s`);
        const samples = await latencies(lan, ctx, extra);
        const p50 = new Map<string, BenchResult>();
        for (const [label, xs] of samples) {
          if (xs.length === 0) continue;
          const params = { qos: label, link_mbps: link, receivers: LATENCY_RECEIVERS };
          const r = { name: 'rmp.latency_p50', params, unit: 'ms', value: percentile(xs, 50) / 1000 };
          p50.set(label, r);
          out.push(r, { name: 'rmp.latency_p99', params, unit: 'ms', value: percentile(xs, 99) / 1000 });
        }
        const base = p50.get('sourceOrdered');
        if (base !== undefined)
          for (const label of ['totallyOrdered', 'kResilient-1', 'kResilient-2', 'majorityResilient', 'safe'])
            if (p50.has(label)) out.push(ratio('rmp.latency_vs_source_ordered', p50.get(label)!, base, { qos: label, link_mbps: link }));
      });
    }
    return out;
  },
};
