// A Steward sweep thread (sweep.test.ts starts two: the machine has 2 cores). It lives for
// the whole test file and takes work items, a run of seeds of one scenario each, so it pays
// module loading and JIT warm-up once rather than once per scenario. Posts each summary back.
import { parentPort } from 'node:worker_threads';
import { sweep, type SweepSummary } from '../../src/sim/sweep.js';
import { scenarios } from '../../src/steward/sim-scenarios.js';

export interface SweepItem {
  id: number;
  scenario: string;
  startSeed: number;
  seeds: number;
}

export interface SweepItemDone {
  id: number;
  summary: SweepSummary;
}

parentPort!.on('message', (item: SweepItem) => {
  const s = scenarios.find((x) => x.name === item.scenario);
  if (!s) throw new Error(`no Steward scenario "${item.scenario}"`);
  const done: SweepItemDone = { id: item.id, summary: sweep(s, { seeds: item.seeds, startSeed: item.startSeed }) };
  parentPort!.postMessage(done);
});
