// `castellan serve` as a user runs it: the local protocol answers PUT and GET at the printed
// URL and stops cleanly on SIGINT; bad sizes are usage errors (exit 2) before anything starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../bench/gateway-load.js';

const CASTELLAN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'castellan.js');

test('castellan serve --protocol local: PUT then GET at the printed URL, SIGINT stops it', { timeout: 60_000 }, async () => {
  const s = await serve(['--protocol', 'local']);
  let stopped = false;
  try {
    const put = await fetch(`${s.url}/kv/a`, { method: 'PUT', body: '1' });
    assert.deepEqual(await put.json(), { version: 1 });
    const got = await fetch(`${s.url}/kv/a`);
    assert.equal(got.headers.get('x-castellan-version'), '1');
    assert.equal(await got.text(), '1');
    stopped = true;
    assert.equal(await s.stop(), 0);
  } finally {
    if (!stopped) await s.stop();
  }
});

test('castellan serve refuses sizes that are not Steward sites (exit 2)', () => {
  for (const args of [['--servers', '5'], ['--protocol', 'paxos'], ['--sites', '0']]) {
    const r = spawnSync(process.execPath, [CASTELLAN, 'serve', ...args], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
  }
});
