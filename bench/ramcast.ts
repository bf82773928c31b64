// `castellan bench ramcast` (issue 5): RamCast over real processes against, in the same run,
// (a) the Skeen-over-TCP baseline in the same runtime and (b) the raw shm write round trip:
//   ramcast.latency_p50/p99   one client, one multicast at a time to every group, vs groups
//                             (ROUNDS runs alternating with the baseline, samples pooled)
//   skeen_tcp.latency_p50/p99 the same for the baseline
//   ramcast.throughput        closed-loop clients (window each) to random subsets of 2 groups
//   skeen_tcp.throughput      the same for the baseline (both: ROUNDS runs alternating, mean)
//   rma.rtt_floor             two C threads bouncing 64 B through one page (bench transport's
//                             native measurement, called, not copied); rma.rtt the same through
//                             the rma library's write + poller, the unit a hop is made of
//   ramcast.stage             per hop, median µs since the client's call (traced run)
//   ramcast.rtts_per_delivery delivery at a quorum of every group, in raw round trips
//                             (rma.rtt_floor); the protocol itself needs 1.5 (one group) or 2
// Latency = `await multicast()` in the client's JS, resolved when a majority of every
// destination group delivered (both systems). Placements: see ramcast-runs.ts.
import type { Bench, BenchContext, BenchResult } from './harness/bench.js';
import { ratio } from './harness/ratio.js';
import { percentile } from './harness/stats.js';
import { rma, type RmaBackend } from '../src/rma/native-rma.js';
import { backendStatus } from '../src/rma/backends.js';
import { hopTimeline } from './ramcast-hops.js';
import { runConfig, type Placement, type RunOutcome, type RunSpec, type System } from './ramcast-runs.js';

const GROUPS = { full: [1, 2, 4, 8], quick: [1, 2] };
const CLIENTS = { full: [1, 2, 4, 8], quick: [1, 2] };
const DURATION_MS = { full: 1500, quick: 600 };
/** Runs per configuration, RamCast and the baseline alternating, pooled (latency samples;
 *  completions over time): the 2 cores are shared with other work whose load swings within
 *  seconds, and alternating lets both systems see the same swings. */
const ROUNDS = { full: 3, quick: 1 };
const WARMUP_MS = { full: 500, quick: 150 };
/** Outstanding multicasts per client in the throughput runs: a quarter of a ring (kRingSlots 64). */
const THROUGHPUT_WINDOW = 16;
/** Throughput runs: two groups, random destination subsets (single- and multi-group messages). */
const THROUGHPUT_GROUPS = 2;
const FLOOR_ROUNDS = { full: 200_000, quick: 20_000 };
/** The library round trip with the same 50 µs spin bench transport uses. */
const RTT_SPIN_US = 50;
/** The goals on this machine. */
const LATENCY_GOAL = 5;
const THROUGHPUT_GOAL = 3;

function list(ctx: BenchContext, key: string, fallback: number[]): number[] {
  const v = ctx.options[key];
  if (v === undefined || v === true) return fallback;
  const out = String(v).split(',').map(Number);
  if (out.some((n) => !Number.isInteger(n) || n < 1)) throw new RangeError(`--${key} expects positive integers, got ${v}`);
  return out;
}

function placements(ctx: BenchContext): Placement[] {
  const v = ctx.options.placement;
  if (v === undefined || v === true) return ctx.quick ? ['packed'] : ['packed', 'per-node'];
  if (v === 'both') return ['packed', 'per-node'];
  if (v !== 'packed' && v !== 'per-node') throw new RangeError(`--placement expects packed, per-node or both, got ${v}`);
  return [v];
}

export const ramcastBench: Bench = {
  name: 'ramcast',
  summary: 'RamCast latency vs groups and throughput vs clients, real processes, beside Skeen over TCP and the raw shm round trip',
  optionsHelp: '  --groups 1,2,4,8   --clients 1,2,4,8   --placement packed|per-node|both   --duration-ms N   --backend shm|verbs',
  optionNames: ['groups', 'clients', 'placement', 'duration-ms', 'backend'],
  plots: [
    { title: 'Latency p50 vs destination groups (µs)', metric: ['ramcast.latency_p50', 'skeen_tcp.latency_p50'], x: 'groups', series: 'placement', logY: true },
    { title: 'Throughput vs clients (multicasts/s)', metric: ['ramcast.throughput', 'skeen_tcp.throughput'], x: 'clients', series: 'placement', logY: true },
  ],
  async run(ctx) {
    const mode = ctx.quick ? 'quick' : 'full';
    const backend = (ctx.options.backend ?? 'shm') as RmaBackend;
    const status = backendStatus(backend);
    if (!status.ok) throw new Error(`backend ${backend} is not usable here: ${status.reason}`);
    const durationMs = ctx.options['duration-ms'] !== undefined ? Number(ctx.options['duration-ms']) : DURATION_MS[mode];
    const base = { durationMs, warmupMs: Math.min(WARMUP_MS[mode], durationMs / 4), backend };
    const out: BenchResult[] = [];

    ctx.progress('floor: raw shm round trip (two C threads, one page) and the rma library round trip');
    const floor: BenchResult = { name: 'rma.rtt_floor', params: {}, unit: 'us', value: rma().floorRtt(FLOOR_ROUNDS[mode]) };
    const rtt: BenchResult = { name: 'rma.rtt', params: { backend, driver: 'native-poller' }, unit: 'us', value: rma().nativePollerRtt(backend, FLOOR_ROUNDS[mode], RTT_SPIN_US) };
    out.push(floor, rtt);

    const measure = async (system: System, spec: Omit<RunSpec, 'system' | 'backend' | 'durationMs' | 'warmupMs'>) => {
      ctx.progress(`${system} ${spec.placement}: ${spec.groups} group(s), ${spec.clients} client(s), window ${spec.window}`);
      return runConfig({ ...base, ...spec, system });
    };

    for (const placement of placements(ctx)) {
      for (const groups of list(ctx, 'groups', GROUPS[mode])) {
        const shape = { placement, groups, clients: 1, window: 1, dst: 'all' as const };
        const rams: RunOutcome[] = [];
        const skeens: RunOutcome[] = [];
        for (let round = 0; round < ROUNDS[mode]; round++) {
          rams.push(await measure('ramcast', { ...shape, trace: round === 0 }));
          skeens.push(await measure('skeen_tcp', { ...shape, trace: false }));
        }
        const ram = { ...rams[0]!, latenciesUs: rams.flatMap((r) => r.latenciesUs) };
        const skeen = { latenciesUs: skeens.flatMap((r) => r.latenciesUs) };
        const p = (xs: number[], q: number) => percentile(xs, q);
        const r50: BenchResult = { name: 'ramcast.latency_p50', params: { groups, backend, placement }, unit: 'us', value: p(ram.latenciesUs, 50) };
        const s50: BenchResult = { name: 'skeen_tcp.latency_p50', params: { groups, placement }, unit: 'us', value: p(skeen.latenciesUs, 50) };
        out.push(
          r50,
          { name: 'ramcast.latency_p99', params: { groups, backend, placement }, unit: 'us', value: p(ram.latenciesUs, 99) },
          s50,
          { name: 'skeen_tcp.latency_p99', params: { groups, placement }, unit: 'us', value: p(skeen.latenciesUs, 99) },
          ratio('ramcast.latency_p50_speedup', s50, r50, { groups, placement }),
        );
        const timeline = hopTimeline(ram.topology, ram.receipts, ram.traces);
        for (const [stage, us] of timeline.stages)
          if (Number.isFinite(us)) out.push({ name: 'ramcast.stage', params: { groups, placement, stage }, unit: 'us', value: us });
        const quorum = timeline.stages[3]![1];
        if (Number.isFinite(quorum)) out.push({ name: 'ramcast.rtts_per_delivery', params: { groups, placement }, unit: 'round trips', value: quorum / floor.value });
        ctx.progress(`  p50 ramcast ${r50.value.toFixed(1)} µs, skeen ${s50.value.toFixed(1)} µs: ${(s50.value / r50.value).toFixed(2)}× (goal ${LATENCY_GOAL}× at ≤ 4 groups)`);
      }
      const peaks: Record<System, BenchResult | undefined> = { ramcast: undefined, skeen_tcp: undefined };
      for (const clients of list(ctx, 'clients', CLIENTS[mode])) {
        const shape = { placement, groups: THROUGHPUT_GROUPS, clients, window: THROUGHPUT_WINDOW, dst: 'random' as const, trace: false };
        const rates: Record<System, number[]> = { ramcast: [], skeen_tcp: [] };
        for (let round = 0; round < ROUNDS[mode]; round++)
          for (const system of ['ramcast', 'skeen_tcp'] as const) rates[system].push((await measure(system, shape)).throughput);
        for (const system of ['ramcast', 'skeen_tcp'] as const) {
          // Mean rate over equally long runs = completions pooled over their time.
          const value = rates[system].reduce((a, b) => a + b, 0) / rates[system].length;
          const r: BenchResult = { name: `${system}.throughput`, params: system === 'ramcast' ? { clients, backend, placement } : { clients, placement }, unit: 'messages/s', value };
          out.push(r);
          if (!peaks[system] || r.value > peaks[system]!.value) peaks[system] = r;
          ctx.progress(`  ${system} ${clients} client(s): ${r.value.toFixed(0)} multicasts/s (runs: ${rates[system].map((x) => x.toFixed(0)).join(', ')})`);
        }
      }
      const speedup = ratio('ramcast.peak_throughput_ratio', peaks.ramcast!, peaks.skeen_tcp!, { placement });
      out.push(speedup);
      ctx.progress(`  peak throughput ${speedup.value.toFixed(2)}× the baseline (goal ${THROUGHPUT_GOAL}×)`);
    }
    return out;
  },
};
