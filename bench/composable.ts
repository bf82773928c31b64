// `castellan bench composable` (Lane 2008 §4.7; spec §12.2 C1/C2): update throughput of the
// composable compositions — Paxos/Paxos, BFT/Paxos, Paxos/BFT, BFT/BFT (wide-area/local) —
// unoptimized and optimized (§4.6: Merkle-batched LM signatures and aggregation), beside
// Steward measured in the same run on the same emulated wide area (bench/steward-e1.ts).
//
// What is real and what is modelled:
//  1. crypto costs are MEASURED here, now: RSA-1024 sign/verify (node:crypto) and (16, 6)
//     Shoup threshold RSA-1024 (native addon) — k = f+1 for a BFT LM (§4.2);
//  2. the regime — 5 sites × 16 servers, 50 ms links at 10 Mbps shared per site pair, 200 B
//     updates, closed-loop clients at the leader site — runs in the deterministic simulator:
//     all 80 servers run the real composable cores, each on its own virtual CPU charged every
//     crypto operation's cost; Steward runs as in its own bench (leader site in full, the
//     other sites emulated per packet at a full site's measured cost);
//  3. the same points with the paper's 2008 costs, where the paper's figures apply (Steward
//     84 updates/s; the optimized composable architecture ~340, §1.1).
// Ratios are against Steward measured in the same run with the same costs and clients.
import { PAPER_2008_COSTS_US, type CostedOp } from '../src/crypto/cost-model.js';
import { COMPOSITIONS, compositionName } from '../src/composable/topology.js';
import { SITE_KEY_BITS } from '../src/steward/runtime/deployment.js';
import type { Bench, BenchResult } from './harness/bench.js';
import { ratio } from './harness/ratio.js';
import { runOnWorkers } from './harness/worker-points.js';
import { measuredCryptoCosts } from './measured-crypto-costs.js';
import { compositionTopology, SERVERS_PER_SITE, type CompositionOutcome, type CompositionPoint } from './composable-run.js';
import { E1_OP_BYTES, E1_SITES, type E1Outcome, type E1Point } from './steward-e1.js';
import { bottleneckResults } from './wan-bottleneck.js';

export type ComposablePoint = { kind: 'steward'; point: E1Point } | { kind: 'composition'; point: CompositionPoint };
type Outcome = E1Outcome | CompositionOutcome;

/** §4.7: BFT LMs of 16 servers tolerate f = 5; their LM key is (f+1, 3f+1) = (6, 16). */
const TSIG_PARTIES = SERVERS_PER_SITE;
const TSIG_THRESHOLD = 6;
const LINK_MBPS = 10;
/**
 * Closed-loop clients at the leader site. Unoptimized systems saturate their CPUs with a few
 * (Steward reaches 84 at 27 clients, §3.5); beyond that only latency grows, and the run must
 * warm up for longer. Optimized ones need hundreds in flight: at ~0.4 s latency 150 clients
 * cap throughput near 370/s (Little), below the leader site's CPU ceiling; 300 reach it (the
 * bench's cpu_busy_max rows show it saturated).
 */
const CLIENTS_STEWARD = [15, 30];
const CLIENTS_UNOPTIMIZED = [15];
const CLIENTS_OPTIMIZED = [300];
const CLIENTS_FULL_STEWARD = [5, 15, 30, 45];
const CLIENTS_FULL_UNOPTIMIZED = [5, 10, 15, 30];
const CLIENTS_FULL_OPTIMIZED = [50, 100, 150, 250];
/** Virtual time: warm-up (pipelines fill), then the measured window. */
const WARMUP_US = 800_000;
const MEASURE_US = 800_000;
const WARMUP_US_FULL = 1_500_000;
const MEASURE_US_FULL = 1_500_000;
const MEASURE_US_QUICK = 300_000;
/**
 * Default runs with this machine's measured costs: Paxos/BFT unoptimized beside Steward at 15
 * clients (these costs make every system several times faster, so the optimized points order
 * ~1,000 updates/s and would take minutes; --full runs them all).
 */
const MEASURED_DEFAULT = { compositions: ['Paxos/BFT'], optimized: false, clients: 15 };
/** A client update as a plain RSA signature covers it: the operation and its envelope. */
const SIGNED_UPDATE_BYTES = E1_OP_BYTES + 200;

/** Rough relative wall time of a point (optimized ones order ~10× more updates). */
const weight = (p: ComposablePoint): number => p.point.clients * (p.kind === 'composition' && p.point.optimized ? 3 : 1) * (p.kind === 'composition' && p.point.wide === 'bft' ? 1.5 : 1);
const systemName = (p: ComposablePoint): string => (p.kind === 'steward' ? 'Steward' : compositionName(p.point));
const variant = (p: ComposablePoint): string => (p.kind === 'steward' || !p.point.optimized ? 'unoptimized' : 'optimized');

export const composableBench: Bench = {
  name: 'composable',
  summary: 'Composable architecture (Paxos/Paxos, BFT/Paxos, Paxos/BFT, BFT/BFT), unoptimized and optimized, vs Steward in the same run: 5 sites × 16 servers, 50 ms, 10 Mbps, 200 B updates',
  optionsHelp: '  --full       a client sweep per system (several times longer)\n  --no-paper   skip the runs with the paper\'s 2008 crypto costs\n  --no-measured  skip the runs with this machine\'s measured crypto costs',
  optionNames: ['full', 'no-paper', 'no-measured'],
  plots: [
    { title: 'Throughput vs clients (paper 2008 costs)', metric: 'throughput', x: 'clients', series: 'system', where: { costs: 'paper-2008' } },
    { title: 'Throughput vs clients (measured costs)', metric: 'throughput', x: 'clients', series: 'system', where: { costs: 'measured' } },
    { title: 'Throughput relative to Steward (paper 2008 costs)', metric: 'over_steward.throughput', x: 'clients', series: 'system', where: { costs: 'paper-2008' } },
  ],
  async run(ctx) {
    const full = ctx.options.full === true;
    const results: BenchResult[] = [];
    const costSets: Array<[string, Record<CostedOp, number>]> = [];
    if (ctx.options['no-paper'] !== true) costSets.push(['paper-2008', PAPER_2008_COSTS_US]);
    if (ctx.options['no-measured'] !== true) {
      const measured = await measuredCryptoCosts(ctx, { parties: TSIG_PARTIES, threshold: TSIG_THRESHOLD }, SIGNED_UPDATE_BYTES);
      for (const [op, v] of Object.entries(measured)) results.push({ name: `crypto.${op}`, params: { bits: SITE_KEY_BITS, n: TSIG_PARTIES, k: TSIG_THRESHOLD }, unit: 'us', value: v });
      costSets.push(['measured', measured]);
    }
    const warmupUs = full ? WARMUP_US_FULL : WARMUP_US;
    const measureUs = ctx.quick ? MEASURE_US_QUICK : full ? MEASURE_US_FULL : MEASURE_US;
    const pick = (list: number[]) => (ctx.quick ? list.slice(0, 1) : list);
    const points: Array<{ p: ComposablePoint; costs: string }> = [];
    for (const [costs, costsUs] of costSets) {
      // Steward is the baseline: the same costs, clients and emulated wide area, in the same run.
      const narrow = !full && costs === 'measured';
      for (const c of pick(full ? CLIENTS_FULL_STEWARD : narrow ? [MEASURED_DEFAULT.clients] : CLIENTS_STEWARD)) points.push({ p: { kind: 'steward', point: { system: 'steward', linkMbps: LINK_MBPS, clients: c, costsUs, warmupUs, measureUs } }, costs });
      const compositions = COMPOSITIONS.filter((c) => !narrow || MEASURED_DEFAULT.compositions.includes(compositionName(c)));
      for (const optimized of narrow ? [MEASURED_DEFAULT.optimized] : [false, true])
        for (const c of pick(full ? (optimized ? CLIENTS_FULL_OPTIMIZED : CLIENTS_FULL_UNOPTIMIZED) : optimized ? CLIENTS_OPTIMIZED : CLIENTS_UNOPTIMIZED))
          for (const comp of ctx.quick ? compositions.slice(0, 1) : compositions)
            points.push({ p: { kind: 'composition', point: { ...comp, optimized, clients: c, linkMbps: LINK_MBPS, costsUs, warmupUs, measureUs, sites: 'emulated' } }, costs });
    }
    // The longest points first, so the two threads finish together.
    points.sort((a, b) => weight(b.p) - weight(a.p));
    const unique = new Map<string, { p: ComposablePoint; costs: string }>();
    for (const x of points) unique.set(`${systemName(x.p)}/${variant(x.p)}/${x.p.point.clients}/${x.costs}`, x);
    const list = [...unique.values()];
    const outcomes = await runOnWorkers<ComposablePoint, Outcome>(new URL('./composable-worker.js', import.meta.url), list.map((x) => x.p), (p, o) =>
      ctx.progress(`${systemName(p)} ${variant(p)} ${p.point.clients} clients: ${o.throughput.toFixed(1)} upd/s, ${o.latencyMeanMs.toFixed(0)} ms (${o.events} events, ${(o.wallMs / 1000).toFixed(1)} s)`),
    );
    list.forEach(({ p, costs }, i) => {
      const o = outcomes[i]!;
      const params = { system: p.kind === 'steward' ? 'Steward' : `${systemName(p)} ${variant(p)}`, sites: E1_SITES, servers_per_site: SERVERS_PER_SITE, f: p.kind === 'steward' ? 5 : compositionTopology({ ...p.point }).f, link_mbps: LINK_MBPS, clients: p.point.clients, costs };
      results.push({ name: 'throughput', params, unit: 'updates/s', value: o.throughput });
      // Latency and bytes exist only where something was answered in the window.
      if (Number.isFinite(o.latencyMeanMs)) results.push({ name: 'latency_mean', params, unit: 'ms', value: o.latencyMeanMs });
      if (Number.isFinite(o.wanBytesPerUpdate)) results.push({ name: 'wan_bytes_per_update', params, unit: 'bytes', value: o.wanBytesPerUpdate });
      if ('signaturesPerMessage' in o && Number.isFinite(o.signaturesPerMessage)) results.push({ name: 'lm_signatures_per_message', params, unit: 'ratio', value: o.signaturesPerMessage });
      results.push(...bottleneckResults('', o.bottlenecks, params));
    });
    // Per-point ratios against Steward at the same clients and costs, then peaks (the paper
    // compares maxima: optimized ≥ 4× unoptimized, ~340 = 4× unoptimized Steward, §4.7).
    const tput = results.filter((x) => x.name === 'throughput');
    for (const r of tput.filter((x) => x.params.system !== 'Steward')) {
      const base = tput.find((x) => x.params.system === 'Steward' && x.params.clients === r.params.clients && x.params.costs === r.params.costs);
      if (base && base.value > 0) results.push(ratio('over_steward.throughput', r, base, r.params));
    }
    const peaks = new Map<string, BenchResult>();
    for (const r of tput) {
      const key = `${r.params.system}|${r.params.costs}`;
      const prior = peaks.get(key);
      if (!prior || r.value > prior.value) {
        const { clients, ...rest } = r.params;
        peaks.set(key, { name: 'peak_throughput', params: { ...rest, best_clients: clients! }, unit: 'updates/s', value: r.value });
      }
    }
    for (const peak of peaks.values()) {
      results.push(peak);
      const steward = peaks.get(`Steward|${peak.params.costs}`);
      if (steward && steward !== peak && steward.value > 0) results.push(ratio('over_steward.peak_throughput', peak, steward, peak.params));
      const unopt = peaks.get(`${String(peak.params.system).replace(' optimized', ' unoptimized')}|${peak.params.costs}`);
      if (unopt && unopt !== peak && unopt.value > 0) results.push(ratio('optimized_over_unoptimized.peak_throughput', peak, unopt, peak.params));
    }
    return results;
  },
};
