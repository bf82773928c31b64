// Main-job part: the KV service over HTTP in front of a real Steward cluster (3 sites × 4
// server processes, 20 ms / 10 Mbps links shaped in the runtime, real RSA and threshold RSA).
// Concurrent PUTs through the gateway, a non-representative server of the gateway's site
// SIGKILLed half-way, then every acknowledged value read back over HTTP and S1 checked on
// every server's execution log. About 15 s on an idle 2-core machine.
import { HttpGateway } from '../../service/http-gateway.js';
import { checkExecutionLogs } from '../../steward/properties.js';
import { startStewardService } from '../../steward/runtime/steward-service.js';
import type { MainJobPart } from './part.js';

const CLIENT_IDENTITIES = 8;
/** Rounds of CONCURRENT_PUTS parallel PUTs, each to its own key; the kill comes after the first half. */
const ROUNDS = 4;
const CONCURRENT_PUTS = 8;
const TIMEOUT_MS = 120_000;

export const servicePart: MainJobPart = {
  name: 'service',
  description: 'KV service: HTTP gateway in front of a real 3×4-process Steward cluster, a server killed mid-run, every acknowledged write read back',
  async run(progress) {
    const service = await startStewardService({ sites: 3, f: 1, clients: CLIENT_IDENTITIES, wan: { delayMs: 20, bandwidthBps: 10e6 } });
    const gateway = new HttpGateway(service.client);
    const acked = new Map<string, { value: string; version: number }>();
    let failed = 0;
    let readBack = 0;
    let s1: string | null = 'not run';
    let elapsedS = 0;
    try {
      const { port } = await gateway.listen();
      const base = `http://127.0.0.1:${port}`;
      progress(`gateway at ${base} in front of Steward (logs in ${service.cluster.dir}, removed at the end)`);
      const started = process.hrtime.bigint();
      for (let round = 0; round < ROUNDS; round++) {
        if (round === ROUNDS / 2) {
          service.cluster.kill(service.nonRepServers[0]!);
          progress('a non-representative server of the gateway site SIGKILLed');
        }
        await Promise.all(
          Array.from({ length: CONCURRENT_PUTS }, async (_, i) => {
            const key = `k${round}-${i}`;
            const value = `value-${round}-${i}`;
            const r = await fetch(`${base}/kv/${key}`, { method: 'PUT', body: value });
            if (r.status !== 200) return void failed++;
            acked.set(key, { value, version: ((await r.json()) as { version: number }).version });
          }),
        );
      }
      elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
      for (const [key, a] of acked) {
        const r = await fetch(`${base}/kv/${key}`);
        if (r.status === 200 && (await r.text()) === a.value && Number(r.headers.get('x-castellan-version')) === a.version) readBack++;
      }
      await service.cluster.waitExecuted(acked.size + failed, TIMEOUT_MS);
      s1 = checkExecutionLogs(service.cluster.executions());
    } finally {
      await gateway.close();
      await service.stop();
    }
    const puts = ROUNDS * CONCURRENT_PUTS;
    progress(`${acked.size}/${puts} PUTs acknowledged, ${readBack} read back, S1 ${s1 === null ? 'holds' : s1}`);
    const versions = [...acked.values()].map((a) => a.version);
    return {
      measured: {
        'HTTP PUTs': `${acked.size} acknowledged in ${elapsedS.toFixed(1)} s: ${(acked.size / elapsedS).toFixed(1)} updates/s with ${CONCURRENT_PUTS} in flight (3×4 processes, 20 ms links, real RSA + threshold RSA, a server killed)`,
      },
      checked: {
        'every PUT acknowledged, each with its own version': failed === 0 && acked.size === puts && new Set(versions).size === versions.length,
        'every acknowledged value read back over HTTP with its version': readBack === acked.size && acked.size > 0,
        'S1 on every server execution log after the SIGKILL': s1 === null,
      },
      detail: { puts, acknowledged: acked.size, failed, readBack, elapsedS },
    };
  },
};
