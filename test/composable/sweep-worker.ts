// A share of one composable sweep, on its own thread (2 cores: sweep.test.ts splits each
// scenario's seeds between two of these). Posts the sweep summary back.
import { parentPort, workerData } from 'node:worker_threads';
import type { Params } from '../../src/sim/scenario.js';
import { sweep } from '../../src/sim/sweep.js';
import { scenarios } from '../../src/composable/sim-scenarios.js';

const { scenario, seeds, startSeed, params } = workerData as { scenario: string; seeds: number; startSeed: number; params?: Params };
const s = scenarios.find((x) => x.name === scenario)!;
parentPort!.postMessage(sweep(s, { seeds, startSeed, params: params ? { ...s.params, ...params } : undefined }));
