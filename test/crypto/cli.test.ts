import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repositoryRoot } from '../../src/native/addon.js';

const bin = path.join(repositoryRoot, 'bin', 'castellan.js');
const castellan = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

function hasOpenssl(): boolean {
  return spawnSync('openssl', ['version']).status === 0;
}

test('keygen writes owner-only key files and refuses to overwrite; sign makes a signature openssl accepts', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'castellan-keys-'));
  const keys = path.join(dir, 'keys');
  // 512 bits keeps this test fast; the arithmetic is the same as at 1024.
  const gen = castellan('keygen', '--parties', '5', '--threshold', '3', '--bits', '512', '--out', keys);
  assert.equal(gen.status, 0, gen.stderr);
  for (const f of ['public.json', 'public.pem', 'party-01.json', 'party-05.json']) assert.equal(statSync(path.join(keys, f)).mode & 0o777, 0o600, f);
  const again = castellan('keygen', '--parties', '5', '--threshold', '3', '--bits', '512', '--out', keys);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already exists; refusing to overwrite/);

  const file = path.join(dir, 'msg');
  writeFileSync(file, 'replicated update\n');
  const sig = path.join(dir, 'sig');
  const signed = castellan('sign', '--keys', keys, '--parties', '5,2,4', '--in', file, '--out', sig);
  assert.equal(signed.status, 0, signed.stderr);
  assert.equal(readFileSync(sig).length, 64);
  if (hasOpenssl()) {
    const out = execFileSync('openssl', ['dgst', '-sha256', '-verify', path.join(keys, 'public.pem'), '-signature', sig, file]);
    assert.match(out.toString(), /Verified OK/);
  }

  const few = castellan('sign', '--keys', keys, '--parties', '1,2', '--in', file, '--out', sig);
  assert.equal(few.status, 1);
  assert.match(few.stderr, /needs 3 parties, got 2/);
  writeFileSync(path.join(keys, 'party-03.json'), '{"scheme":"shoup-rsa-share-v1"');
  const broken = castellan('sign', '--keys', keys, '--parties', '1,2,3', '--in', file, '--out', sig);
  assert.equal(broken.status, 1);
  assert.match(broken.stderr, /party-03\.json is not JSON/);
  const missing = castellan('sign', '--keys', keys, '--parties', '1,2,9', '--in', file, '--out', sig);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read key of party 9/);
  const usage = castellan('keygen', '--parties', '4', '--threshold', '5', '--out', path.join(dir, 'k2'));
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /threshold must be/);
});
