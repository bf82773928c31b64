// Runs composable-bench points on a worker thread: a composition, or the Steward baseline.
import { parentPort } from 'node:worker_threads';
import { runComposition } from './composable-run.js';
import type { ComposablePoint } from './composable.js';
import { runE1 } from './steward-e1.js';

parentPort!.on('message', (p: ComposablePoint) => parentPort!.postMessage(p.kind === 'steward' ? runE1(p.point) : runComposition(p.point)));
