// `castellan bench gateway`: the replicated KV service over HTTP, autocannon against the
// gateway, in the same run: (a) the unreplicated local baseline (`castellan serve --protocol
// local`) and (b) a real Steward cluster (`castellan serve --protocol steward`: S sites × 4
// server processes, TCP on loopback, wide-area links shaped in the runtime, real RSA-1024 and
// (3, 4) threshold RSA-1024), at the same connection counts:
//   gateway.requests_per_s   2xx answers per second (PUT: updates/s)
//   gateway.latency_p50/p99  ms, as autocannon measures it
//   gateway.failed           non-2xx answers, errors and timeouts (should be 0)
//   gateway.cpu_ms_per_request  CPU of the service's whole process tree per answer
//   steward_over_local.*     ratios against the baseline of the same run
import os from 'node:os';
import type { Bench, BenchContext, BenchResult } from './harness/bench.js';
import { ratio } from './harness/ratio.js';
import { load, prefill, serve, treeCpuSeconds, type LoadSpec } from './gateway-load.js';

/** The paper's regime (§3.5): 50 ms one way, 10 Mbps; 3 sites is the smallest wide-area Steward (serve.ts). */
const WAN_MS = 50;
const WAN_MBPS = 10;
const SITES = 3;
const SERVERS_PER_SITE = 4;
/** Connections per run; the gateway hosts as many Steward clients as the largest count. */
const CONNECTIONS = { full: [1, 4, 16, 32], quick: [1, 16] };
const DURATION_S = { full: 15, quick: 4 };
/** A put of 180 B plus key and headers is the paper's 200 B update. */
const VALUE_BYTES = 180;
/** Keys the load cycles over (written before the GETs read them). */
const KEYS = 32;

type Protocol = 'local' | 'steward';

function connections(ctx: BenchContext): number[] {
  const v = ctx.options.connections;
  if (v === undefined || v === true) return ctx.quick ? CONNECTIONS.quick : CONNECTIONS.full;
  const out = String(v).split(',').map(Number);
  if (out.some((n) => !Number.isInteger(n) || n < 1)) throw new RangeError(`--connections expects positive integers, got ${v}`);
  return out;
}

async function runProtocol(ctx: BenchContext, protocol: Protocol, counts: number[], durationS: number): Promise<BenchResult[]> {
  const clients = Math.max(...counts);
  const args = protocol === 'local' ? ['--protocol', 'local'] : ['--protocol', 'steward', '--sites', String(SITES), '--servers', String(SERVERS_PER_SITE), '--clients', String(clients), '--wan-ms', String(WAN_MS), '--wan-mbps', String(WAN_MBPS)];
  ctx.progress(`${protocol}: castellan serve ${args.join(' ')}`);
  const service = await serve(args);
  const results: BenchResult[] = [];
  try {
    for (const method of ['PUT', 'GET'] as const) {
      if (method === 'GET') await prefill(service.url, KEYS, VALUE_BYTES, clients);
      for (const c of counts) {
        const spec: LoadSpec = { url: service.url, method, connections: c, durationS, valueBytes: VALUE_BYTES, keys: KEYS };
        const cpu0 = treeCpuSeconds(service.pid);
        const o = await load(spec);
        const cpuMs = (treeCpuSeconds(service.pid) - cpu0) * 1000;
        const params = { protocol, method, connections: c };
        ctx.progress(`  ${method} × ${c}: ${o.perSecond.toFixed(1)}/s, p50 ${o.p50Ms} ms, p99 ${o.p99Ms} ms, ${o.failed} failed, ${(cpuMs / Math.max(1, o.ok)).toFixed(2)} ms CPU each`);
        results.push(
          { name: 'gateway.requests_per_s', params, unit: method === 'PUT' ? 'updates/s' : 'reads/s', value: o.perSecond },
          { name: 'gateway.latency_p50', params, unit: 'ms', value: o.p50Ms },
          { name: 'gateway.latency_p99', params, unit: 'ms', value: o.p99Ms },
          { name: 'gateway.failed', params, unit: 'requests', value: o.failed },
          { name: 'gateway.cpu_ms_per_request', params, unit: 'ms', value: cpuMs / Math.max(1, o.ok) },
        );
      }
    }
  } finally {
    await service.stop();
  }
  return results;
}

export const gatewayBench: Bench = {
  name: 'gateway',
  summary: `the KV service over HTTP (autocannon): local baseline vs a real ${SITES}×${SERVERS_PER_SITE}-process Steward cluster (${WAN_MS} ms / ${WAN_MBPS} Mbps WAN, real RSA + threshold RSA)`,
  optionsHelp: '  --connections A,B,…   autocannon connection counts (default 1,4,16,32; quick 1,16)\n  --duration S          seconds per run (default 15; quick 4)',
  optionNames: ['connections', 'duration'],
  plots: [
    { title: 'KV over HTTP: requests/s vs connections', metric: 'gateway.requests_per_s', x: 'connections', series: 'protocol', logY: true },
    { title: 'KV over HTTP: p50 latency (ms) vs connections', metric: 'gateway.latency_p50', x: 'connections', series: 'protocol', logY: true },
  ],
  async run(ctx) {
    const counts = connections(ctx);
    const d = ctx.options.duration;
    const durationS = d === undefined || d === true ? (ctx.quick ? DURATION_S.quick : DURATION_S.full) : Number(d);
    if (!(durationS > 0)) throw new RangeError(`--duration expects seconds, got ${d}`);
    const load1 = os.loadavg()[0]!;
    const results = [...(await runProtocol(ctx, 'local', counts, durationS)), ...(await runProtocol(ctx, 'steward', counts, durationS))];
    for (const r of results.filter((x) => x.params.protocol === 'steward' && (x.name === 'gateway.requests_per_s' || x.name.startsWith('gateway.latency')))) {
      const base = results.find((x) => x.name === r.name && x.params.protocol === 'local' && x.params.method === r.params.method && x.params.connections === r.params.connections);
      if (base && base.value > 0) results.push(ratio(`steward_over_local.${r.name.slice('gateway.'.length)}`, r, base, { method: r.params.method!, connections: r.params.connections! }));
    }
    const config = { sites: SITES, servers_per_site: SERVERS_PER_SITE, wan_ms: WAN_MS, wan_mbps: WAN_MBPS, crypto: 'RSA-1024 + (3,4) threshold RSA-1024, inline', value_bytes: VALUE_BYTES, duration_s: durationS };
    results.push({ name: 'machine.load_1m_at_start', params: config, unit: 'load', value: load1 });
    return results;
  },
};
