// Issue 5 acceptance, real processes: 3 groups × 3 servers and 4 clients, each an OS process
// (13 on 2 cores), clients multicasting to random group subsets over an RMA backend; one leader
// and one client are SIGKILLed mid-run (src/ramcast/runtime/crash-run.ts). Every process
// appends its delivery log as it goes (the killed ones up to their death), and the logs must
// pass the same §9 checkers the simulator runs. Then the cluster idles: no process may keep a
// core busy (pollers sleep in the kernel). The verbs run needs an RDMA device
// (ci/rxe-setup.sh); elsewhere it is skipped, saying why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendStatus } from '../../src/rma/backends.js';
import type { RmaBackend } from '../../src/rma/native-rma.js';
import { checkLogs } from '../../src/ramcast/properties.js';
import { crashRun } from '../../src/ramcast/runtime/crash-run.js';
import type { NodeStatus } from '../../src/ramcast/runtime/process-protocol.js';

const MESSAGES = 200;
/** Surviving processes together, idle: heartbeats only (~0.05 cores). Spinning pollers: ~2. */
const IDLE_CORES_MAX = 0.3;

const sleeps = (s: NodeStatus) => (s.stats as { driver: { sleeps: number } }).driver.sleeps;

async function realProcessRun(backend: RmaBackend): Promise<void> {
  const run = await crashRun({ backend, groups: 3, clients: 4, messagesPerClient: MESSAGES, window: 4, spinUs: 20, timeoutMs: 120_000, idleSampleMs: 1000 });
  const correct = (n: number) => !run.dead.has(n);
  assert.equal(checkLogs(run.topology, run.logs, correct), null);
  assert.deepEqual([...run.dead].sort(), [run.killedLeader!, run.killedClient!].sort());
  for (const [c, r] of run.results) assert.equal(r.completed, MESSAGES, `client ${c} saw all its multicasts delivered`);

  // What the run is for: the crashed leader delivered before dying (uniform agreement covers a
  // crashed process), the dead client died mid-stream, and its group moved to a new leader.
  assert.ok((run.logs.delivered.get(run.killedLeader!)?.length ?? 0) > 0);
  const fromVictim = [...run.logs.multicasts.values()].filter((m) => m.client === run.killedClient).length;
  assert.ok(fromVictim > 0 && fromVictim < MESSAGES, `the client died mid-run (${fromVictim} multicasts)`);
  const group = run.topology.groups.find((g) => g.includes(run.killedLeader!))!;
  for (const s of run.quiescent.filter((x) => group.includes(x.node)))
    assert.notEqual((s.stats as { leader: number }).leader, run.killedLeader, `node ${s.node} follows a new leader`);

  // Idle: every server's driver went to sleep in the kernel, and the cluster used almost no CPU.
  assert.ok(run.idleCores < IDLE_CORES_MAX, `the idle cluster used ${(run.idleCores * 100).toFixed(0)}% of a core`);
  for (const s of run.idle.filter((x) => x.role === 'server'))
    assert.ok(sleeps(s) > sleeps(run.quiescent.find((q) => q.node === s.node)!), `node ${s.node}'s driver slept while idle`);
}

test('real processes over shm: 3×3 servers, 4 clients, a leader and a client SIGKILLed; logs pass §9', { timeout: 180_000 }, () => realProcessRun('shm'));

test('real processes over shm: a detector that suspects live processes for 3 s; leaders change, logs pass §9, the run completes', { timeout: 180_000 }, async () => {
  const run = await crashRun({ backend: 'shm', groups: 2, clients: 2, messagesPerClient: 500, window: 4, spinUs: 20, timeoutMs: 120_000, idleSampleMs: 200, falseSuspicion: { suspectAfterMs: 60, forMs: 3000 } });
  assert.equal(run.dead.size, 0);
  assert.equal(checkLogs(run.topology, run.logs, () => true), null);
  for (const [c, r] of run.results) assert.equal(r.completed, 500, `client ${c} saw all its multicasts delivered`);
  const epochs = run.quiescent.filter((s) => s.role === 'server').map((s) => Math.floor((s.stats as { round: number }).round / 0x10000));
  assert.ok(epochs.some((e) => e > 1), `some group changed leader (epochs ${epochs.join(',')})`);
});

const verbs = backendStatus('verbs');
test('real processes over verbs: the same run', { skip: verbs.ok ? false : `no usable verbs backend here: ${verbs.reason}`, timeout: 180_000 }, () => realProcessRun('verbs'));
