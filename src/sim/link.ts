// One directed link's behaviour: how long a message takes, how fast bytes leave the sender,
// and how often the link loses, duplicates or reorders. A scenario states defaults and
// per-link overrides; `resolveLink` merges them into the complete configuration.
import type { NodeId, TimeUs } from './core.js';
import type { Rng } from './prng.js';

/** One-way propagation delay, sampled per message and rounded to whole µs (never negative). */
export type LatencyDist =
  | { kind: 'fixed'; us: TimeUs }
  | { kind: 'uniform'; minUs: TimeUs; maxUs: TimeUs }
  /** Normal, clamped below at `minUs` (default 0): jitter around a mean. */
  | { kind: 'normal'; meanUs: TimeUs; sdUs: TimeUs; minUs?: TimeUs }
  /** Log-normal: a long right tail, as measured on shared networks. */
  | { kind: 'lognormal'; medianUs: TimeUs; sigma: number };

export interface LinkConfig {
  latency: LatencyDist;
  /** Bytes per second leaving the sender; Infinity means no serialisation delay. */
  bandwidthBytesPerSec: number;
  /** Bytes every message costs on the wire beyond its payload (headers). */
  overheadBytes: number;
  /** Probability a message is lost (one-sided writes are never lost at random: RC retransmits). */
  loss: number;
  /** Probability a message is delivered twice (never writes). */
  duplicate: number;
  /** Probability a message is held back by `reorderDelay` so later ones overtake it (never writes). */
  reorder: number;
  /** Extra delay of a reordered message and of a duplicate's second copy. */
  reorderDelay: LatencyDist;
}

/**
 * Defaults: a quiet LAN. 100 µs one way is a switched data-centre hop with a software stack;
 * infinite bandwidth and no loss so that a scenario opts into every impairment it tests.
 * Reordered messages are held up to 1 ms: several hops' worth, enough to overtake.
 */
export const DEFAULT_LINK: LinkConfig = {
  latency: { kind: 'fixed', us: 100 },
  bandwidthBytesPerSec: Infinity,
  overheadBytes: 0,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderDelay: { kind: 'uniform', minUs: 0, maxUs: 1000 },
};

/** Per-link override: applies to links from `from` to `to` (either omitted = every node). */
export interface LinkOverride extends Partial<LinkConfig> {
  from?: NodeId;
  to?: NodeId;
}

export interface NetworkConfig {
  defaults?: Partial<LinkConfig>;
  /** Applied in order over the defaults; later entries win. */
  links?: LinkOverride[];
}

export function resolveLink(config: NetworkConfig | undefined, from: NodeId, to: NodeId): LinkConfig {
  const merged: LinkConfig = { ...DEFAULT_LINK, ...stripUndefined(config?.defaults ?? {}) };
  for (const o of config?.links ?? []) {
    if ((o.from === undefined || o.from === from) && (o.to === undefined || o.to === to)) {
      const { from: _f, to: _t, ...rest } = o;
      Object.assign(merged, stripUndefined(rest));
    }
  }
  validateLink(merged, from, to);
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function validateLink(c: LinkConfig, from: NodeId, to: NodeId): void {
  const where = `link ${from}→${to}`;
  for (const k of ['loss', 'duplicate', 'reorder'] as const) {
    if (!(c[k] >= 0 && c[k] <= 1)) throw new RangeError(`${where}: ${k} must be a probability in [0, 1], got ${c[k]}`);
  }
  if (!(c.bandwidthBytesPerSec > 0)) throw new RangeError(`${where}: bandwidthBytesPerSec must be > 0 (Infinity for unlimited), got ${c.bandwidthBytesPerSec}`);
  if (!(c.overheadBytes >= 0)) throw new RangeError(`${where}: overheadBytes must be ≥ 0, got ${c.overheadBytes}`);
  validateLatency(c.latency, `${where} latency`);
  validateLatency(c.reorderDelay, `${where} reorderDelay`);
}

function validateLatency(d: LatencyDist, where: string): void {
  const ok =
    d.kind === 'fixed' ? d.us >= 0
    : d.kind === 'uniform' ? d.minUs >= 0 && d.maxUs >= d.minUs
    : d.kind === 'normal' ? d.meanUs >= 0 && d.sdUs >= 0 && (d.minUs ?? 0) >= 0
    : d.kind === 'lognormal' ? d.medianUs > 0 && d.sigma >= 0
    : false;
  if (!ok) throw new RangeError(`${where}: invalid distribution ${JSON.stringify(d)}`);
}

export function sampleLatency(d: LatencyDist, rng: Rng): TimeUs {
  switch (d.kind) {
    case 'fixed':
      return Math.round(d.us);
    case 'uniform':
      return Math.round(d.minUs + rng.uniform() * (d.maxUs - d.minUs));
    case 'normal':
      return Math.round(Math.max(d.minUs ?? 0, rng.normal(d.meanUs, d.sdUs)));
    case 'lognormal':
      return Math.round(d.medianUs * Math.exp(d.sigma * rng.normal(0, 1)));
  }
}

/** Time to clock `bytes` onto the link, whole µs rounded up (a byte is never free). */
export function serialisationUs(bytes: number, bandwidthBytesPerSec: number): TimeUs {
  if (bandwidthBytesPerSec === Infinity) return 0;
  return Math.ceil((bytes * 1e6) / bandwidthBytesPerSec);
}
