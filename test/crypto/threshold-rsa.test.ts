import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verify as cryptoVerify, createPublicKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testKey, type TestKey } from './fixture.js';
import { CryptoError, type PartialSignature } from '../../src/crypto/signer.js';

const BITS = 1024;
const message = new TextEncoder().encode('Proposal(site 1, gv 3, lv 7, seq 42)');

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Distinct parties in a seeded-random order (deterministic per seed). */
function shuffledParties(n: number, seed: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i + 1);
  let s = seed;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) >>> 0;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function partialsOf(key: TestKey, parties: number[], msg = message): Promise<PartialSignature[]> {
  return Promise.all(parties.map((p) => key.shares[p - 1]!.partialSign(msg)));
}

for (const [n, k] of [[16, 11], [16, 6], [4, 3]] as const) {
  test(`(${n},${k}) at ${BITS} bits: any k valid shares combine to one signature that node:crypto verifies`, async () => {
    const key = await testKey(BITS, n, k);
    const all = await partialsOf(key, Array.from({ length: n }, (_, i) => i + 1));
    const signatures = new Set<string>();
    for (const seed of [1, 2, 3]) {
      const chosen = shuffledParties(n, seed).slice(0, k).map((p) => all[p - 1]!);
      const { signature, faulty } = await key.site.combine(message, chosen);
      assert.deepEqual(faulty, []);
      assert.ok(cryptoVerify('sha256', message, createPublicKey(key.site.toPem()), signature));
      assert.ok(await key.site.verify(message, signature));
      signatures.add(Buffer.from(signature).toString('hex'));
    }
    assert.equal(signatures.size, 1, 'RSA signatures are deterministic: every k-subset gives the same one');
    assert.equal(await key.site.verify(new TextEncoder().encode('another message'), [...signatures].map((h) => Buffer.from(h, 'hex'))[0]!), false);
  });

  test(`(${n},${k}): k-1 shares cannot sign`, async () => {
    const key = await testKey(BITS, n, k);
    const few = await partialsOf(key, shuffledParties(n, 9).slice(0, k - 1));
    await assert.rejects(key.site.combine(message, few), (e: CryptoError) => e.code === 'ERR_CASTELLAN_TSIG_TOO_FEW');
    if (k > 1) {
      // The raw combine with k-1 shares refuses too; duplicating a share does not help.
      await assert.rejects(key.site.combineExactly(message, [...few, few[0]!]), (e: Error & { code?: string }) => e.code === 'ERR_CASTELLAN_TSIG_INPUT');
    }
  });
}

test('a corrupted share or proof is rejected and names the party', async () => {
  const key = await testKey(BITS, 4, 3);
  const [p1, p2, p3, p4] = await partialsOf(key, [1, 2, 3, 4]);
  const corrupt = (offset: number) => {
    const bad = Uint8Array.from(p2!.bytes);
    bad[offset]! ^= 0x01;
    return { party: 2, bytes: bad };
  };
  // A wrong proof (c, then z): the share check rejects it. Optimistic combining never looks
  // at proofs, and x_i is intact, so the signature still comes out right.
  for (const offset of [2 + 128 + 3, 2 + 128 + 16 + 40]) {
    assert.equal(await key.site.verifyPartial(message, corrupt(offset)), false);
    assert.ok(await key.site.verify(message, (await key.site.combine(message, [p1!, corrupt(offset), p3!])).signature));
  }
  // A wrong share x_i: the check rejects it; combining fails, share checks name party 2 and
  // the fourth share completes the signature.
  const badShare = corrupt(2 + 5);
  assert.equal(await key.site.verifyPartial(message, badShare), false);
  assert.equal(await key.site.verifyPartial(message, p2!), true);
  const { signature, faulty } = await key.site.combine(message, [p1!, badShare, p3!, p4!]);
  assert.deepEqual(faulty, [2]);
  assert.ok(await key.site.verify(message, signature));
  // Without a spare share the error names party 2.
  await assert.rejects(key.site.combine(message, [p1!, badShare, p3!]), (e: CryptoError) => {
    assert.equal(e.code, 'ERR_CASTELLAN_TSIG_TOO_FEW');
    assert.deepEqual(e.faulty, [2]);
    return /faulty: 2/.test(e.message);
  });
  // A valid share presented for the wrong message or as another party is rejected.
  assert.equal(await key.site.verifyPartial(new TextEncoder().encode('other'), p1!), false);
  assert.equal(await key.site.verifyPartial(message, { party: 3, bytes: p1!.bytes }), false);
});

test('the exported PEM verifies combined signatures with openssl dgst', { skip: !hasOpenssl() && 'openssl not on PATH' }, async () => {
  const key = await testKey(BITS, 4, 3);
  const { signature } = await key.site.combine(message, await partialsOf(key, [4, 1, 2]));
  const dir = mkdtempSync(path.join(tmpdir(), 'castellan-tsig-'));
  writeFileSync(path.join(dir, 'public.pem'), key.site.toPem());
  writeFileSync(path.join(dir, 'msg'), message);
  writeFileSync(path.join(dir, 'sig'), signature);
  const out = execFileSync('openssl', ['dgst', '-sha256', '-verify', path.join(dir, 'public.pem'), '-signature', path.join(dir, 'sig'), path.join(dir, 'msg')]);
  assert.match(out.toString(), /Verified OK/);
});

test('signing and share checks are asynchronous: the event loop keeps running', async () => {
  const key = await testKey(BITS, 4, 3);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  await Promise.all(Array.from({ length: 20 }, () => key.shares[0]!.partialSign(message)));
  clearInterval(timer);
  assert.ok(ticks > 0, 'timers fired while 20 partial signatures were computed');
});
