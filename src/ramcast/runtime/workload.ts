// A client's closed-loop workload: keep `window` multicasts outstanding, each to a random
// non-empty subset of the groups (or a fixed destination), until a message count or a deadline,
// and record each one's latency. The same loop drives RamCast and the Skeen-over-TCP baseline
// (anything with `multicast(groups, payload) → Promise`), so their figures are comparable.
import { Rng } from '../../sim/prng.js';

export interface WorkloadSpec {
  /** Groups in the deployment. */
  groups: number;
  /** 'random': a random non-empty subset per message; else this destination every time. */
  dst: 'random' | number[];
  /** Stop issuing after this many (one of messages / durationMs is required). */
  messages?: number;
  durationMs?: number;
  /** Multicasts outstanding at once (1: one at a time, the latency runs). */
  window: number;
  payloadBytes: number;
  seed: number;
  /** Latencies of messages issued in the first `warmupMs` are not recorded. */
  warmupMs?: number;
}

export interface WorkloadResult {
  issued: number;
  completed: number;
  failed: number;
  /** Wall time from the first issue to the last completion, ms. */
  elapsedMs: number;
  /** Completions after the warm-up, and the time they took (for throughput), ms. */
  measuredCompleted: number;
  measuredMs: number;
  /** Per measured message: call → promise settled, µs (what an awaiting caller sees). */
  latenciesUs: number[];
  /** Measured messages whose multicast reported native times (RamCast): (seq, issuedNs,
   *  doneNs, settledNs) quadruples, CLOCK_MONOTONIC like process.hrtime. */
  receipts: number[];
}

export type Multicast = (dst: number[], payload: Uint8Array) => Promise<unknown>;

/** Latency samples kept per client: enough for a p99, bounded in memory and IPC. */
const LATENCY_SAMPLES_MAX = 50_000;
/** Receipts kept per client, for the per-hop breakdown (joined with servers' traces). */
const RECEIPT_SAMPLES_MAX = 5_000;

interface NativeReceipt {
  seq: number;
  issuedNs: number;
  doneNs: number;
}

function isReceipt(r: unknown): r is NativeReceipt {
  return typeof r === 'object' && r !== null && typeof (r as NativeReceipt).issuedNs === 'number' && (r as NativeReceipt).issuedNs > 0;
}

export function pickDestination(rng: Rng, spec: Pick<WorkloadSpec, 'groups' | 'dst'>): number[] {
  if (spec.dst !== 'random') return spec.dst;
  const dst = Array.from({ length: spec.groups }, (_, g) => g).filter(() => rng.chance(0.5));
  return dst.length ? dst : [rng.int(spec.groups)];
}

export async function runWorkload(spec: WorkloadSpec, multicast: Multicast, shouldStop: () => boolean = () => false): Promise<WorkloadResult> {
  if (spec.messages === undefined && spec.durationMs === undefined) throw new RangeError('a workload needs messages or durationMs');
  const rng = new Rng(spec.seed);
  const started = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;
  const warmupMs = spec.warmupMs ?? 0;
  const result: WorkloadResult = { issued: 0, completed: 0, failed: 0, elapsedMs: 0, measuredCompleted: 0, measuredMs: 0, latenciesUs: [], receipts: [] };
  let measureFrom: bigint | undefined;
  let lastDone = started;
  const more = () =>
    !shouldStop() && (spec.messages === undefined || result.issued < spec.messages) && (spec.durationMs === undefined || elapsedMs() < spec.durationMs);

  const lane = async () => {
    while (more()) {
      const payload = new Uint8Array(spec.payloadBytes).fill(result.issued & 0xff);
      const dst = pickDestination(rng, spec);
      const measured = elapsedMs() >= warmupMs;
      const t0 = process.hrtime.bigint();
      result.issued++;
      let receipt: unknown;
      try {
        receipt = await multicast(dst, payload);
      } catch {
        result.failed++;
        continue;
      }
      const t1 = process.hrtime.bigint();
      result.completed++;
      lastDone = t1;
      if (!measured) continue;
      measureFrom ??= t0;
      result.measuredCompleted++;
      if (result.latenciesUs.length < LATENCY_SAMPLES_MAX) result.latenciesUs.push(Number(t1 - t0) / 1e3);
      if (isReceipt(receipt) && result.receipts.length < 4 * RECEIPT_SAMPLES_MAX) result.receipts.push(receipt.seq, receipt.issuedNs, receipt.doneNs, Number(t1));
    }
  };
  await Promise.all(Array.from({ length: spec.window }, lane));
  result.elapsedMs = Number(lastDone - started) / 1e6;
  result.measuredMs = measureFrom === undefined ? 0 : Number(lastDone - measureFrom) / 1e6;
  return result;
}
