// The KV service over a real Steward cluster, through the HTTP gateway: 3 sites × 4 server
// processes (f = 1), TCP on loopback, 20 ms wide-area links shaped in the runtime, real RSA and
// threshold RSA. PUTs and GETs give the right values and versions, a stale compare-and-put gets
// 412, and SIGKILLing a non-representative server of the gateway's site (one of f per site)
// loses no acknowledged write; every server's execution log passes S1 (state chains included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpGateway } from '../../src/service/http-gateway.js';
import { checkExecutionLogs } from '../../src/steward/properties.js';
import { startStewardService } from '../../src/steward/runtime/steward-service.js';

/** Generous: the machine is shared, and an update crosses the wide area twice. */
const TIMEOUT_MS = 90_000;
const KEYS_BEFORE_KILL = 6;
const KEYS_AFTER_KILL = 6;

test('Steward behind the gateway: values, versions, 412, and no acknowledged write lost to a SIGKILL', { timeout: 180_000 }, async () => {
  const service = await startStewardService({ sites: 3, f: 1, clients: 4, wan: { delayMs: 20, bandwidthBps: 10e6 } });
  const gateway = new HttpGateway(service.client);
  try {
    const { port } = await gateway.listen();
    const base = `http://127.0.0.1:${port}`;
    let updates = 0;
    const put = async (key: string, value: string, ifMatch?: number) => {
      updates++;
      const r = await fetch(`${base}/kv/${key}`, { method: 'PUT', body: value, headers: ifMatch === undefined ? {} : { 'if-match': String(ifMatch) } });
      return { status: r.status, version: ((await r.json()) as { version: number }).version };
    };
    const get = async (key: string) => {
      const r = await fetch(`${base}/kv/${key}`);
      return { status: r.status, version: Number(r.headers.get('x-castellan-version')), body: await r.text() };
    };

    assert.equal((await get('nothing')).status, 404);
    const first = await put('a', 'one');
    assert.equal(first.status, 200);
    assert.deepEqual(await get('a'), { status: 200, version: first.version, body: 'one' });
    assert.deepEqual(await put('a', 'stale', first.version - 1), { status: 412, version: first.version });
    const second = await put('a', 'two', first.version);
    assert.equal(second.status, 200);
    assert.ok(second.version > first.version);

    // Concurrent writes are ordered concurrently (one per client identity) and all acknowledged.
    const acked = new Map<string, { value: string; version: number }>();
    const writeMany = async (prefix: string, n: number) => {
      const done = await Promise.all(Array.from({ length: n }, (_, i) => put(`${prefix}${i}`, `${prefix}-value-${i}`)));
      done.forEach((r, i) => {
        assert.equal(r.status, 200);
        acked.set(`${prefix}${i}`, { value: `${prefix}-value-${i}`, version: r.version });
      });
    };
    await writeMany('before', KEYS_BEFORE_KILL);
    const victim = service.nonRepServers[0]!;
    service.cluster.kill(victim);
    await writeMany('after', KEYS_AFTER_KILL);
    const versions = [...acked.values()].map((a) => a.version);
    assert.equal(new Set(versions).size, versions.length, 'every acknowledged put got its own version');
    for (const [key, a] of acked) assert.deepEqual(await get(key), { status: 200, version: a.version, body: a.value }, `key ${key}`);
    assert.deepEqual(await get('a'), { status: 200, version: second.version, body: 'two' });

    await service.cluster.waitExecuted(updates, TIMEOUT_MS);
    const logs = service.cluster.executions();
    assert.equal(checkExecutionLogs(logs), null);
    assert.ok(logs.get(victim)!.length < updates, 'the killed server stopped executing');
  } finally {
    await gateway.close();
    await service.stop();
  }
});
