// A Steward node process: `node node-main.js DEPLOYMENT_DIR LOG_DIR NODE...` hosts the given
// servers and/or clients of a deployment (deployment.ts). Each server appends its executions
// to LOG_DIR/exec-NODE.jsonl and each client its answered updates to LOG_DIR/client-NODE.jsonl,
// unbuffered (a SIGKILLed server's log is complete up to its death). Prints "ready" when listening.
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { SigningPool } from '../../crypto/signing-pool.js';
import type { Core } from '../../sim/core.js';
import { StewardClient } from '../client-core.js';
import { OUT } from '../outputs.js';
import { StewardServer } from '../server-core.js';
import { isServer, siteOf } from '../topology.js';
import { CryptoHost } from './crypto-host.js';
import { readDeployment, readNodeKeys } from './deployment.js';
import { NodeHost } from './node-host.js';
import { TcpMesh } from './tcp-mesh.js';

/** Client retry: a few non-leader local timeouts (the client's own site replaces a bad rep by then). */
const CLIENT_RETRY_LOCAL_TIMEOUTS = 2;

async function main(): Promise<void> {
  const [dir, logDir, ...ids] = process.argv.slice(2);
  if (!dir || !logDir || ids.length === 0) throw new Error('usage: node-main DEPLOYMENT_DIR LOG_DIR NODE...');
  const d = readDeployment(dir);
  const t = d.topology;
  const pool = d.thresholdCrypto === 'pool' ? new SigningPool({ threads: 1 }) : undefined;
  const meshes: TcpMesh[] = [];
  const hosts: NodeHost[] = [];
  for (const id of ids.map(Number)) {
    const fd = openSync(path.join(logDir, `${isServer(t, id) ? 'exec' : 'client'}-${id}.jsonl`), 'a');
    const crypto = new CryptoHost(readNodeKeys(dir, id), siteOf(t, id), pool);
    const core: Core = isServer(t, id)
      ? new StewardServer({ topology: t, node: id, kUs: d.kUs, window: d.window, reconPeriodUs: d.reconPeriodUs, reconThrottleUs: d.reconPeriodUs / 2 })
      : new StewardClient({ topology: t, node: id, updates: d.updatesPerClient, opBytes: d.opBytes, retryUs: CLIENT_RETRY_LOCAL_TIMEOUTS * d.kUs / ((t.f + 2) * (t.f + 3)) });
    let host: NodeHost | null = null;
    const mesh = new TcpMesh({ me: id, ports: d.ports, siteOf: (n) => siteOf(t, n), wan: d.wan, onMessage: (from, bytes) => host?.handle({ kind: 'receive', from, bytes }) });
    host = new NodeHost(core, (to, b) => mesh.send(to, b), crypto, (name, data) => {
      if (process.env.STEWARD_TRACE) process.stderr.write(`${host!.nowUs()} ${id} ${name} ${JSON.stringify(data)}\n`);
      if (name === OUT.execute || name === OUT.accepted) writeSync(fd, JSON.stringify({ t: host!.nowUs(), ...(data as object), wanBytesOut: mesh.stats.wanBytesOut }) + '\n');
    });
    await mesh.listen();
    meshes.push(mesh);
    hosts.push(host);
    process.once('exit', () => closeSync(fd));
  }
  process.stdout.write('ready\n');
  // Servers first, then clients: everyone listens before anyone sends (the parent starts clients last).
  for (const h of hosts) h.handle({ kind: 'start', restarted: false });
  const stop = async () => {
    for (const h of hosts) h.stop();
    for (const m of meshes) m.close();
    await pool?.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
}

main().catch((e) => {
  process.stderr.write(`steward node failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
