// A Steward node process: `node node-main.js DEPLOYMENT_DIR LOG_DIR NODE...` hosts the given
// servers and/or clients of a deployment (deployment.ts). Each server appends its executions
// to LOG_DIR/exec-NODE.jsonl and each client its answered updates to LOG_DIR/client-NODE.jsonl,
// unbuffered (a SIGKILLed server's log is complete up to its death), and on SIGTERM its crypto
// operation counts to LOG_DIR/crypto-NODE.json (for profiling). Prints "ready" when listening.
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { SigningPool } from '../../crypto/signing-pool.js';
import { OUT } from '../outputs.js';
import { isServer } from '../topology.js';
import { readDeployment } from './deployment.js';
import { hostNode, type HostedNode } from './hosted-node.js';

async function main(): Promise<void> {
  const [dir, logDir, ...ids] = process.argv.slice(2);
  if (!dir || !logDir || ids.length === 0) throw new Error('usage: node-main DEPLOYMENT_DIR LOG_DIR NODE...');
  const d = readDeployment(dir);
  const t = d.topology;
  const pool = d.thresholdCrypto === 'pool' ? new SigningPool({ threads: 1 }) : undefined;
  const nodes: HostedNode[] = [];
  for (const id of ids.map(Number)) {
    const fd = openSync(path.join(logDir, `${isServer(t, id) ? 'exec' : 'client'}-${id}.jsonl`), 'a');
    nodes.push(
      await hostNode({
        dir,
        deployment: d,
        id,
        clientUpdates: d.updatesPerClient,
        pool,
        onOutput: (name, data, node) => {
          if (process.env.STEWARD_TRACE) process.stderr.write(`${node.host.nowUs()} ${id} ${name} ${JSON.stringify(data)}\n`);
          if (name === OUT.execute || name === OUT.accepted) writeSync(fd, JSON.stringify({ t: node.host.nowUs(), ...(data as object), wanBytesOut: node.mesh.stats.wanBytesOut }) + '\n');
        },
      }),
    );
    process.once('exit', () => closeSync(fd));
  }
  process.stdout.write('ready\n');
  // Servers first, then clients: everyone listens before anyone sends (the parent starts clients last).
  for (const n of nodes) n.host.handle({ kind: 'start', restarted: false });
  const stop = async () => {
    for (const n of nodes) n.host.stop();
    // Crypto operations by op, for profiling a run (local-cluster.ts cryptoCounts).
    for (const n of nodes) writeFileSync(path.join(logDir, `crypto-${n.id}.json`), JSON.stringify(Object.fromEntries(n.crypto.counts)));
    for (const n of nodes) n.mesh.close();
    await pool?.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
}

main().catch((e) => {
  process.stderr.write(`steward node failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
