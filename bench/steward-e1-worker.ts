// Runs E1 points on a worker thread (the bench splits its grid over the machine's 2 cores).
import { parentPort } from 'node:worker_threads';
import { runE1, type E1Point } from './steward-e1.js';

parentPort!.on('message', (p: E1Point) => parentPort!.postMessage(runE1(p)));
