// Runs independent simulation points on worker threads, one per core: each thread takes the
// next point when it is done with one, so a slow point never holds the others back.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * `worker` posts one outcome per point it is sent. Outcomes come back in the points' order;
 * `done` sees each as it arrives (for progress lines).
 */
export async function runOnWorkers<P, O>(worker: URL, points: readonly P[], done: (point: P, outcome: O) => void): Promise<O[]> {
  const out: O[] = new Array(points.length);
  let next = 0;
  const thread = async () => {
    const w = new Worker(worker);
    try {
      for (let i = next++; i < points.length; i = next++) {
        out[i] = await new Promise<O>((resolve, reject) => {
          w.once('error', reject);
          w.once('message', (o: O) => (w.off('error', reject), resolve(o)));
          w.postMessage(points[i]);
        });
        done(points[i]!, out[i]!);
      }
    } finally {
      await w.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(availableParallelism(), points.length)) }, thread));
  return out;
}
