// The Steward sweep (spec §10): S1, S2, I1–I14, I16, I17, the query check and L1 on every seed
// of every scenario, with faults: lossy, reordering and duplicating WANs, crashes and
// restarts, ≤ f Byzantine servers per site (silent, equivocating, garbage, replay, bad
// partial signatures), a leader rep that signs conflicting Pre-Prepares, a mute rep, the
// leader site partitioned away and partitions that heal. The deliberately broken variant must
// be caught. Every scenario's seeds are queued at once, a few per work item, for two
// long-lived worker threads (2 cores), so both stay busy to the very end of the file.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { describeViolation, type SweepSummary } from '../../src/sim/sweep.js';
import { brokenScenario } from '../../src/steward/sim-scenarios.js';
import type { SweepItem, SweepItemDone } from './sweep-worker.js';

/**
 * Seeds per scenario in CI: 500 in all, about 1.7 M simulated events, so the file costs about
 * 85 s of CPU (≈ 45 s on two idle cores; the test budget is 2.5 minutes on a shared machine).
 * Most go where the fault space is wide: steward-sweep draws sites (3 or 5), a fault per site
 * (crash, restart, one of five Byzantine behaviours) and a healing partition from the seed
 * (250 seeds: ≈ 290 crashes and restarts, ≈ 340 Byzantine servers, ≈ 120 partitions), and
 * steward-bad-partials places its bad signer anywhere in each site (150 seeds: 56 of the 64
 * placements). The other three script one fault, so their seeds vary only WAN delay, start
 * times and the victim, and the leader partition is the costliest per seed (≈ 12,000 events).
 * Bigger sweeps: `castellan sim SCENARIO --seeds N`.
 */
const SEEDS: Record<string, number> = {
  'steward-sweep': 250,
  'steward-bad-partials': 150,
  'steward-equivocating-rep': 50,
  'steward-mute-rep': 30,
  'steward-leader-partition': 20,
};
const THREADS = 2;
/** Seeds per work item: a few, so the two threads end within a few seeds of each other. */
const SEEDS_PER_ITEM = 5;

interface Queued {
  item: SweepItem;
  ran: (s: SweepSummary) => void;
  skipped: () => void;
  failed: (e: unknown) => void;
}

/** Worker threads taking work items from one queue; a thread takes the next item when it is done. */
class SweepPool {
  private readonly queue: Queued[] = [];
  private readonly busy = new Map<Worker, Queued>();
  private readonly workers: Worker[] = [];
  private failure: unknown = null;
  private nextId = 0;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const w = new Worker(new URL('./sweep-worker.js', import.meta.url));
      w.on('message', (m: SweepItemDone) => {
        const q = this.busy.get(w)!;
        this.busy.delete(w);
        q.ran(m.summary);
        this.take(w);
      });
      w.once('error', (e) => this.fail(e));
      this.workers.push(w);
    }
  }

  /**
   * Seeds 0 … seeds−1 of `scenario`: the summaries of the items that ran, in seed order. After
   * a violation the scenario's items still queued are skipped; they all hold later seeds than
   * any item that ran, so the earliest violation among the results is the scenario's first.
   */
  sweep(scenario: string, seeds: number): Promise<SweepSummary[]> {
    const done = new Promise<SweepSummary[]>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const results: (SweepSummary | null)[] = [];
      let outstanding = 0;
      const settle = () => {
        if (--outstanding === 0) resolve(results.filter((s): s is SweepSummary => s !== null));
      };
      for (let start = 0; start < seeds; start += SEEDS_PER_ITEM) {
        const index = results.push(null) - 1;
        outstanding++;
        const item: SweepItem = { id: this.nextId++, scenario, startSeed: start, seeds: Math.min(SEEDS_PER_ITEM, seeds - start) };
        this.queue.push({
          item,
          ran: (s) => {
            results[index] = s;
            if (s.violation) this.skipQueued(scenario);
            settle();
          },
          skipped: settle,
          failed: reject,
        });
      }
    });
    // Awaited only when its test runs; until then a failure must not count as unhandled.
    done.catch(() => {});
    for (const w of this.workers) if (!this.busy.has(w)) this.take(w);
    return done;
  }

  close(): Promise<number[]> {
    return Promise.all(this.workers.map((w) => w.terminate()));
  }

  private take(w: Worker): void {
    const q = this.queue.shift();
    if (!q) return;
    this.busy.set(w, q);
    w.postMessage(q.item);
  }

  private skipQueued(scenario: string): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.item.scenario === scenario) this.queue.splice(i, 1)[0]!.skipped();
  }

  private fail(e: unknown): void {
    this.failure = e;
    for (const q of [...this.busy.values(), ...this.queue.splice(0)]) q.failed(e);
    this.busy.clear();
  }
}

const pool = new SweepPool(THREADS);
after(() => pool.close());

// Queue everything now; each test waits for its own scenario.
const broken = pool.sweep(brokenScenario.name, 1);
const sweeps = Object.entries(SEEDS).map(([scenario, seeds]) => ({ scenario, seeds, done: pool.sweep(scenario, seeds) }));

test('the deliberately broken variant (each update bound to two seqs) is caught by I4', async () => {
  const [r] = await broken;
  assert.ok(r!.violation, 'the broken variant passed every checker');
  assert.match(r!.violation.message, /^I4: update .* ordered at seqs \d+ and \d+/);
});

for (const { scenario, seeds, done } of sweeps) {
  test(`${scenario}: ${seeds} seeds, every property holds`, async () => {
    const parts = await done;
    const first = parts.find((p) => p.violation);
    if (first) assert.fail(describeViolation(first.violation!));
    assert.equal(parts.reduce((n, p) => n + p.seedsRun, 0), seeds);
  });
}
