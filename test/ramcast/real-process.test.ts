// Issue 5 acceptance, real processes: 3 groups × 3 servers and 4 clients, each an OS process
// (13 on 2 cores), clients multicasting to random group subsets over an RMA backend; one leader
// and one client are SIGKILLed mid-run. Every process appends its delivery log as it goes (the
// killed ones up to their death), and the logs must pass the same §9 checkers the simulator
// runs. Then the cluster idles: no process may keep a core busy (pollers sleep in the kernel).
// The verbs run needs an RDMA device (ci/rxe-setup.sh); elsewhere it is skipped, saying why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backendStatus } from '../../src/rma/backends.js';
import type { RmaBackend } from '../../src/rma/native-rma.js';
import { clusterTopology } from '../../src/ramcast/cluster.js';
import { checkAgreement, checkLogs } from '../../src/ramcast/properties.js';
import { readDeliveryLogs } from '../../src/ramcast/runtime/delivery-log.js';
import { Cluster, RAMCAST_ENTRY } from '../../src/ramcast/runtime/launcher.js';
import type { WorkloadSpec } from '../../src/ramcast/runtime/workload.js';

const SHAPE = { groups: 3, groupSize: 3, clients: 4 };
/** Per client; 4 outstanding each: enough traffic that the kills land mid-stream. */
const MESSAGES = 200;
const WINDOW = 4;
/** Kill when the clients have completed this many multicasts in total (a third of the run). */
const KILL_AFTER = (SHAPE.clients * MESSAGES) / 3;
/** 13 processes on 2 cores: pollers spin only briefly before sleeping. */
const SPIN_US = 20;
/** Generous: a dozen processes on a shared 2-core machine; the run itself takes a few seconds. */
const RUN_TIMEOUT_MS = 90_000;
const IDLE_SAMPLE_MS = 1_000;
/** All 11 surviving processes together, idle: heartbeats only. Spinning pollers would take ~2 cores. */
const IDLE_CPU_MAX = 0.3;
const CLOCK_TICKS_PER_S = 100; // Linux USER_HZ

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15)
}

async function realProcessRun(backend: RmaBackend): Promise<void> {
  const topology = clusterTopology(SHAPE);
  const logDir = mkdtempSync(path.join(tmpdir(), 'ramcast-logs-'));
  const workloads = new Map<number, WorkloadSpec>(
    topology.clients.map((c, i) => [c, { groups: SHAPE.groups, dst: 'random', messages: MESSAGES, window: WINDOW, payloadBytes: 24, seed: i + 1 }]),
  );
  const cluster = await Cluster.launch({ entry: RAMCAST_ENTRY, topology, backend, spinUs: SPIN_US, logDir, awaitMode: 'all', workloads });
  try {
    cluster.go();
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    const completed = async () => (await cluster.status()).filter((s) => s.role === 'client').reduce((n, s) => n + (s.completed ?? 0), 0);
    while ((await completed()) < KILL_AFTER) {
      assert.ok(Date.now() < deadline, 'the workload did not get going');
      await new Promise((r) => setTimeout(r, 10));
    }
    const victimLeader = topology.groups[1]![0]!;
    const victimClient = topology.clients[0]!;
    await cluster.kill(victimLeader);
    await cluster.kill(victimClient);
    const survivors = topology.clients.filter((c) => c !== victimClient);
    assert.ok(await cluster.waitWorkloads(survivors, deadline - Date.now()), `surviving clients finished (${cluster.error?.message ?? 'timeout'})`);
    for (const c of survivors) assert.equal(cluster.results.get(c)!.completed, MESSAGES);

    // Quiescence: the killed client's messages reach everyone through Task 10 relays.
    const dead = cluster.dead();
    const correct = (n: number) => !dead.has(n);
    while (checkAgreement(topology, readDeliveryLogs(logDir), correct) !== null) {
      assert.ok(Date.now() < deadline, `no quiescence: ${checkAgreement(topology, readDeliveryLogs(logDir), correct)}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    const before = await cluster.status();
    const group1 = before.filter((s) => topology.groups[1]!.includes(s.node));
    for (const s of group1) assert.notEqual((s.stats as { leader: number }).leader, victimLeader, `node ${s.node} follows a new leader`);

    // Idle: every driver goes to sleep in the kernel and the cluster uses almost no CPU.
    const pids = cluster.pids();
    const ticks0 = pids.map(cpuTicks);
    await new Promise((r) => setTimeout(r, IDLE_SAMPLE_MS));
    const ticks = pids.map(cpuTicks).reduce((a, t, i) => a + t - ticks0[i]!, 0);
    const after = await cluster.status();
    const cpu = ticks / CLOCK_TICKS_PER_S / (IDLE_SAMPLE_MS / 1000);
    assert.ok(cpu < IDLE_CPU_MAX, `idle cluster used ${(cpu * 100).toFixed(0)}% of a core`);
    for (const s of after.filter((x) => x.role === 'server')) {
      const sleeps = (x: typeof s) => (x.stats as { driver: { sleeps: number } }).driver.sleeps;
      assert.ok(sleeps(s) > sleeps(before.find((b) => b.node === s.node)!), `node ${s.node}'s driver slept while idle`);
    }

    await cluster.stop();
    const logs = readDeliveryLogs(logDir);
    assert.equal(checkLogs(topology, logs, correct), null);
    // The checks covered what the run is for: the dead leader delivered before dying (uniform
    // agreement reaches a crashed process), and the dead client's last messages were relayed.
    assert.ok((logs.delivered.get(victimLeader)?.length ?? 0) > 0);
    const fromVictim = [...logs.multicasts.values()].filter((m) => m.client === victimClient).length;
    assert.ok(fromVictim > 0 && fromVictim < MESSAGES, `the client died mid-run (${fromVictim} multicasts)`);
  } finally {
    cluster.killAll();
    rmSync(logDir, { recursive: true, force: true });
  }
}

test('real processes over shm: 3×3 servers, 4 clients, a leader and a client SIGKILLed; logs pass §9', { timeout: 180_000 }, () => realProcessRun('shm'));

const verbs = backendStatus('verbs');
test('real processes over verbs: the same run', { skip: verbs.ok ? false : `no usable verbs backend here: ${verbs.reason}`, timeout: 180_000 }, () => realProcessRun('verbs'));
