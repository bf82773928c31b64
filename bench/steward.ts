// `castellan bench steward` (spec §12.1–12.2, regime E1): Steward beside a flat BFT baseline
// over the same emulated wide area, measured in the same run.
//
// What is real and what is emulated:
//  1. crypto costs are MEASURED here, now: RSA-1024 sign/verify (node:crypto) and (16, 11)
//     Shoup threshold RSA-1024 partial, share check, combine, verify (native addon);
//  2. E1 itself (5 sites × 16 servers, 50 ms links at 10/5/2.5 Mbps, 200-byte updates,
//     closed-loop clients) runs in the deterministic simulator, the real protocol cores, each
//     server on its own virtual CPU charged the measured cost of every crypto operation (the
//     paper's testbed had one machine per leader-site server); the 4 non-leader sites are
//     emulated per packet like the paper's (one node per site charging a full site's measured
//     per-Accept CPU, steward-emulated-site.ts); links are one shared queue per site pair;
//  3. the same grid with the paper's 2008 costs, to check the model against the paper;
//  4. a REAL run: 3 sites × 4 servers (f = 1) as OS processes over TCP through the runtime
//     link shaper (50 ms, 10 Mbps), real RSA and threshold RSA, on this 2-core machine.
import { PAPER_2008_COSTS_US } from '../src/crypto/cost-model.js';
import { SITE_KEY_BITS } from '../src/steward/runtime/deployment.js';
import { LocalCluster } from '../src/steward/runtime/local-cluster.js';
import { checkExecutionLogs } from '../src/steward/properties.js';
import type { Bench, BenchContext, BenchResult } from './harness/bench.js';
import { ratio } from './harness/ratio.js';
import { runOnWorkers } from './harness/worker-points.js';
import { measuredCryptoCosts } from './measured-crypto-costs.js';
import { E1_F, E1_OP_BYTES, E1_SITES, type E1Outcome, type E1Point } from './steward-e1.js';
import { bottleneckResults } from './wan-bottleneck.js';
import { siteAcceptCostUs } from './steward-emulated-site.js';

const LINKS_MBPS = [10, 5, 2.5];
/** The paper's sweep is 1..30 clients; 45 and 60 find where this machine's costs saturate. */
const CLIENTS_FULL = [1, 5, 10, 15, 20, 30, 45, 60];
/** At the lower link rates, fewer points (each costs up to a minute of simulation). */
const CLIENTS_FULL_SLOW_LINKS = [1, 15, 30, 60];
const CLIENTS_QUICK = [15];
/** Virtual seconds: warm-up (pipelines fill), then the measured window. */
const WARMUP_US = 500_000;
const MEASURE_US_FULL = 1_000_000;
const MEASURE_US_QUICK = 500_000;
/** A client update as a plain RSA signature covers it: the operation and its envelope. */
const SIGNED_UPDATE_BYTES = E1_OP_BYTES + 200;
/** The real run: per-client updates and clients per site. */
const REAL_UPDATES_FULL = 40;
const REAL_UPDATES_QUICK = 8;
const REAL_CLIENTS_PER_SITE = 2;
const REAL_TIMEOUT_MS = 240_000;

function pointResults(p: E1Point, o: E1Outcome, costs: string): BenchResult[] {
  const system = p.system === 'bft' ? 'bft' : 'steward';
  const params = { sites: E1_SITES, link_mbps: p.linkMbps, clients: p.clients, costs };
  return [
    { name: `${system}.throughput`, params, unit: 'updates/s', value: o.throughput },
    { name: `${system}.latency_mean`, params, unit: 'ms', value: o.latencyMeanMs },
    { name: `${system}.wan_bytes_per_update`, params, unit: 'bytes', value: o.wanBytesPerUpdate },
    ...bottleneckResults(`${system}.`, o.bottlenecks, params),
  ];
}

async function realRun(ctx: BenchContext): Promise<BenchResult[]> {
  const topology = { sites: 3, f: 1, clientsPerSite: REAL_CLIENTS_PER_SITE };
  const updates = ctx.quick ? REAL_UPDATES_QUICK : REAL_UPDATES_FULL;
  ctx.progress(`real run: ${topology.sites} sites × 4 server processes, ${topology.sites * REAL_CLIENTS_PER_SITE} clients × ${updates} updates, 50 ms / 10 Mbps links`);
  const c = await LocalCluster.start({ topology, wan: { delayMs: 50, bandwidthBps: 10e6 }, updatesPerClient: updates, opBytes: E1_OP_BYTES });
  try {
    await c.waitAnswered(updates, REAL_TIMEOUT_MS);
    const violation = checkExecutionLogs(c.executions());
    if (violation) throw new Error(`real run broke a property: ${violation}`);
    const answers = [...c.answered().values()];
    // Throughput over the window where every client was running: from the latest first answer to the earliest last one.
    const from = Math.max(...answers.map((l) => l[0]!.t));
    const to = Math.min(...answers.map((l) => l.at(-1)!.t));
    const inWindow = answers.flat().filter((a) => a.t > from && a.t <= to);
    const all = answers.flat();
    const exec0 = c.executions().get(0)!;
    const params = { sites: topology.sites, f: topology.f, link_mbps: 10, clients: topology.sites * REAL_CLIENTS_PER_SITE, real: true };
    return [
      { name: 'steward.real.throughput', params, unit: 'updates/s', value: inWindow.length / ((to - from) / 1e6) },
      { name: 'steward.real.latency_mean', params, unit: 'ms', value: all.reduce((s, a) => s + a.latencyUs, 0) / all.length / 1000 },
      { name: 'steward.real.wan_bytes_per_update_leader_rep', params, unit: 'bytes', value: (exec0.at(-1) as unknown as { wanBytesOut: number }).wanBytesOut / exec0.length },
    ];
  } finally {
    await c.stop();
    c.remove();
  }
}

export const stewardBench: Bench = {
  name: 'steward',
  summary: 'Steward vs flat BFT, regime E1 (5 sites, 50 ms, 10/5/2.5 Mbps, 200 B updates): simulator with measured crypto costs + a real 3×4-process run',
  optionsHelp: '  --no-real    skip the real multi-process run\n  --no-paper   skip the runs with the paper\'s 2008 crypto costs',
  optionNames: ['no-real', 'no-paper'],
  plots: [
    { title: 'Steward: throughput vs clients (measured costs)', metric: 'steward.throughput', x: 'clients', series: 'link_mbps', where: { costs: 'measured' } },
    { title: 'Flat BFT: throughput vs clients (measured costs)', metric: 'bft.throughput', x: 'clients', series: 'link_mbps', where: { costs: 'measured' } },
    { title: 'Steward: mean latency vs clients (measured costs)', metric: 'steward.latency_mean', x: 'clients', series: 'link_mbps', where: { costs: 'measured' } },
  ],
  async run(ctx) {
    const measured = await measuredCryptoCosts(ctx, { parties: 3 * E1_F + 1, threshold: 2 * E1_F + 1 }, SIGNED_UPDATE_BYTES);
    const results: BenchResult[] = Object.entries(measured).map(([op, v]) => ({ name: `crypto.${op}`, params: { bits: SITE_KEY_BITS, n: 3 * E1_F + 1, k: 2 * E1_F + 1 }, unit: 'us', value: v }));
    results.push({ name: 'steward.emulated_site_accept_cost', params: { costs: 'measured', f: E1_F }, unit: 'us', value: siteAcceptCostUs(measured, E1_F) });
    results.push({ name: 'steward.emulated_site_accept_cost', params: { costs: 'paper-2008', f: E1_F }, unit: 'us', value: siteAcceptCostUs(PAPER_2008_COSTS_US, E1_F) });
    const clients = ctx.quick ? CLIENTS_QUICK : CLIENTS_FULL;
    const links = ctx.quick ? [10] : LINKS_MBPS;
    const measureUs = ctx.quick ? MEASURE_US_QUICK : MEASURE_US_FULL;
    const points: Array<[E1Point, string]> = [];
    for (const linkMbps of links)
      for (const c of ctx.quick || linkMbps === LINKS_MBPS[0] ? clients : CLIENTS_FULL_SLOW_LINKS)
        for (const system of ['steward', 'bft'] as const) points.push([{ system, linkMbps, clients: c, costsUs: measured, warmupUs: WARMUP_US, measureUs }, 'measured']);
    if (ctx.options['no-paper'] !== true)
      for (const linkMbps of links)
        for (const c of ctx.quick ? [15] : [15, 30])
          for (const system of ['steward', 'bft'] as const) points.push([{ system, linkMbps, clients: c, costsUs: PAPER_2008_COSTS_US, warmupUs: WARMUP_US, measureUs }, 'paper-2008']);
    const outcomes = await runOnWorkers<E1Point, E1Outcome>(new URL('./steward-e1-worker.js', import.meta.url), points.map(([p]) => p), (p, o) =>
      ctx.progress(`${p.system} ${p.linkMbps} Mbps ${p.clients} clients (${p.costsUs === PAPER_2008_COSTS_US ? 'paper costs' : 'measured costs'}): ${o.throughput.toFixed(1)} upd/s, ${o.latencyMeanMs.toFixed(0)} ms (${o.events} events, ${(o.wallMs / 1000).toFixed(1)} s)`),
    );
    points.forEach(([p, costs], i) => results.push(...pointResults(p, outcomes[i]!, costs)));
    for (const r of results.filter((x) => x.name === 'steward.throughput')) {
      const base = results.find((x) => x.name === 'bft.throughput' && JSON.stringify(x.params) === JSON.stringify(r.params));
      if (base && base.value > 0) results.push(ratio('steward_over_bft.throughput', r, base, r.params));
    }
    if (ctx.options['no-real'] !== true) results.push(...(await realRun(ctx)));
    return results;
  },
};
