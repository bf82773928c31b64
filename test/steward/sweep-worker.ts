// One half of a Steward sweep, on its own thread (the machine has 2 cores; sweep.test.ts
// splits each scenario's seeds between two of these). Posts the sweep summary back.
import { parentPort, workerData } from 'node:worker_threads';
import { sweep } from '../../src/sim/sweep.js';
import { scenarios } from '../../src/steward/sim-scenarios.js';

const { scenario, seeds, startSeed } = workerData as { scenario: string; seeds: number; startSeed: number };
const s = scenarios.find((x) => x.name === scenario)!;
parentPort!.postMessage(sweep(s, { seeds, startSeed }));
