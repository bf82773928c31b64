// The HTTP gateway over the local (unreplicated) client: every route, its errors, and
// back-pressure when the replication protocol behind it falls behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpGateway } from '../../src/service/http-gateway.js';
import { KvStateMachine } from '../../src/service/kv-state-machine.js';
import { LocalServiceClient } from '../../src/service/local-client.js';
import { KV_VALUE_MAX_BYTES } from '../../src/service/kv-commands.js';
import { ServiceTimeoutError, type ServiceClient } from '../../src/service/state-machine.js';

async function withGateway(client: ServiceClient, body: (base: string) => Promise<void>, inFlightMax?: number) {
  const gw = new HttpGateway(client, { inFlightMax });
  const { port } = await gw.listen();
  try {
    await body(`http://127.0.0.1:${port}`);
  } finally {
    await gw.close();
  }
}

test('put, get, compare-and-put, delete: statuses, versions and bodies', async () => {
  await withGateway(new LocalServiceClient(new KvStateMachine()), async (base) => {
    assert.equal((await fetch(`${base}/kv/fruit`)).status, 404);
    const put = await fetch(`${base}/kv/fruit`, { method: 'PUT', body: 'apple' });
    assert.equal(put.status, 200);
    assert.deepEqual(await put.json(), { version: 1 });
    const got = await fetch(`${base}/kv/fruit`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('x-castellan-version'), '1');
    assert.equal(await got.text(), 'apple');
    const stale = await fetch(`${base}/kv/fruit`, { method: 'PUT', body: 'pear', headers: { 'if-match': '0' } });
    assert.equal(stale.status, 412);
    assert.deepEqual(await stale.json(), { version: 1 });
    const cas = await fetch(`${base}/kv/fruit`, { method: 'PUT', body: 'pear', headers: { 'if-match': '1' } });
    assert.deepEqual(await cas.json(), { version: 2 });
    assert.equal((await fetch(`${base}/kv/fruit`, { method: 'DELETE' })).status, 200);
    assert.equal((await fetch(`${base}/kv/fruit`)).status, 404);
    const spaced = await fetch(`${base}/kv/${encodeURIComponent('a key/with slash')}`, { method: 'PUT', body: 'x' });
    assert.equal(spaced.status, 200);
    assert.equal(await (await fetch(`${base}/kv/${encodeURIComponent('a key/with slash')}`)).text(), 'x');
  });
});

test('bad requests get clear 4xx answers and change nothing', async () => {
  const machine = new KvStateMachine();
  await withGateway(new LocalServiceClient(machine), async (base) => {
    assert.equal((await fetch(`${base}/kv/`)).status, 400);
    assert.equal((await fetch(`${base}/kv/${'k'.repeat(300)}`)).status, 400);
    assert.equal((await fetch(`${base}/kv/%E0%A4%A`)).status, 400);
    assert.equal((await fetch(`${base}/kv/k`, { method: 'PUT', body: 'v', headers: { 'if-match': 'soon' } })).status, 400);
    assert.equal((await fetch(`${base}/kv/k`, { method: 'POST', body: 'v' })).status, 405);
    assert.equal((await fetch(`${base}/nothing-here`)).status, 404);
    const big = await fetch(`${base}/kv/k`, { method: 'PUT', body: new Uint8Array(KV_VALUE_MAX_BYTES + 1) });
    assert.equal(big.status, 413);
    assert.equal(machine.size, 0);
  });
});

test('when the protocol falls behind, requests beyond the in-flight bound get 503 and the rest complete', async () => {
  const pending: Array<() => void> = [];
  const inner = new LocalServiceClient(new KvStateMachine());
  const slow: ServiceClient = {
    update: (u) => new Promise((resolve) => pending.push(() => resolve(inner.update(u)))),
    query: (q) => inner.query(q),
    close: async () => {},
  };
  await withGateway(
    slow,
    async (base) => {
      const first = [1, 2].map((i) => fetch(`${base}/kv/k${i}`, { method: 'PUT', body: 'v' }));
      while (pending.length < 2) await new Promise((r) => setTimeout(r, 1));
      const third = await fetch(`${base}/kv/k3`, { method: 'PUT', body: 'v' });
      assert.equal(third.status, 503);
      pending.forEach((release) => release());
      assert.deepEqual((await Promise.all(first)).map((r) => r.status), [200, 200]);
    },
    2,
  );
});

test('a protocol that bounds commands gets 413 before sending; one that times out gives 504', async () => {
  const machine = new KvStateMachine();
  const inner = new LocalServiceClient(machine);
  const bounded: ServiceClient = { maxCommandBytes: 64, update: (u) => inner.update(u), query: (q) => inner.query(q), close: async () => {} };
  await withGateway(bounded, async (base) => {
    assert.equal((await fetch(`${base}/kv/k`, { method: 'PUT', body: 'v'.repeat(100) })).status, 413);
    assert.equal(machine.size, 0);
    assert.equal((await fetch(`${base}/kv/k`, { method: 'PUT', body: 'v'.repeat(10) })).status, 200);
  });
  const timingOut: ServiceClient = { update: () => Promise.reject(new ServiceTimeoutError('no answer')), query: () => Promise.reject(new ServiceTimeoutError('no answer')), close: async () => {} };
  await withGateway(timingOut, async (base) => {
    assert.equal((await fetch(`${base}/kv/k`, { method: 'PUT', body: 'v' })).status, 504);
    assert.equal((await fetch(`${base}/kv/k`)).status, 504);
  });
});

test('/healthz answers and /metrics counts requests by route and status', async () => {
  await withGateway(new LocalServiceClient(new KvStateMachine()), async (base) => {
    assert.equal(await (await fetch(`${base}/healthz`)).text(), 'ok\n');
    await fetch(`${base}/kv/missing-key`);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /castellan_gateway_requests_total\{route="GET \/kv",status="404"\} \d+/);
    assert.match(metrics, /castellan_gateway_request_seconds_bucket/);
  });
});
