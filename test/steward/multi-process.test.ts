// The real runtime: 3 sites × 4 servers (f = 1), each server its own OS process speaking TCP
// with length-prefixed frames, 20 ms / 10 Mbps wide-area links through the runtime link
// shaper, real RSA-1024 signatures and real (3, 4) threshold RSA-1024. The leader site's
// representative is SIGKILLed mid-run; the site must replace it (local view change) and the
// clients must keep getting answers. S1 is checked on the execution logs of every server,
// the killed one included (up to its death).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalCluster } from '../../src/steward/runtime/local-cluster.js';
import { checkExecutionLogs } from '../../src/steward/properties.js';
import { serverNode } from '../../src/steward/topology.js';

const TOPOLOGY = { sites: 3, f: 1, clientsPerSite: 1 };
const UPDATES = 12;
/** Answers each client must have before the kill, so the kill lands mid-run. */
const BEFORE_KILL = 3;
/** Generous: the machine is shared; a view change here takes a few seconds. */
const RUN_TIMEOUT_MS = 150_000;

test('multi-process Steward survives SIGKILL of the leader site rep; S1 holds on the execution logs', { timeout: 240_000 }, async () => {
  const c = await LocalCluster.start({ topology: TOPOLOGY, wan: { delayMs: 20, bandwidthBps: 10e6 }, updatesPerClient: UPDATES, opBytes: 200 });
  try {
    await c.waitAnswered(BEFORE_KILL, RUN_TIMEOUT_MS);
    const rep = serverNode(TOPOLOGY, 0, 0);
    c.kill(rep);
    await c.waitAnswered(UPDATES, RUN_TIMEOUT_MS);
    // Every live server catches up (the last few by reconciliation), then the logs are compared.
    const total = TOPOLOGY.sites * UPDATES;
    await c.waitExecuted(total, RUN_TIMEOUT_MS);
    const logs = c.executions();
    assert.equal(checkExecutionLogs(logs), null);
    const killedLog = logs.get(rep)!;
    assert.ok(killedLog.length >= BEFORE_KILL, `the rep executed ${killedLog.length} updates before its death`);
    // The dead rep was routed around: the leader site's last executions happen in a newer local
    // view (LOCAL-VIEW-CHANGE) or a newer global view (another site leads).
    const leaderSite = [1, 2, 3].map((i) => logs.get(serverNode(TOPOLOGY, 0, i))!.at(-1)!);
    assert.ok(leaderSite.every((e) => e.lv >= 1 || e.gv >= 1), `leader-site views after the kill: ${leaderSite.map((e) => `(gv ${e.gv}, lv ${e.lv})`).join(' ')}`);
  } finally {
    await c.stop();
    c.remove();
  }
});
