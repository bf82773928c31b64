// The 2048-bit run of the acceptance matrix. Its two 1024-bit safe primes take 1–60 s the
// first time on a machine, then come from the temp-directory cache (fixture.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verify as cryptoVerify, createPublicKey } from 'node:crypto';
import { testKey } from './fixture.js';

const message = new TextEncoder().encode('Global_VC(site 4, gv 12)');

test('2048-bit keys: (16,11), (16,6), (4,3) combine to signatures node:crypto verifies', { timeout: 180_000 }, async () => {
  for (const [n, k] of [[16, 11], [16, 6], [4, 3]] as const) {
    const key = await testKey(2048, n, k);
    // The last k parties, so the set differs from the 1024-bit tests' choices.
    const partials = await Promise.all(key.shares.slice(n - k).map((s) => s.partialSign(message)));
    assert.ok(await key.site.verifyPartial(message, partials[0]!));
    const { signature, faulty } = await key.site.combine(message, partials);
    assert.deepEqual(faulty, []);
    assert.equal(signature.length, 256);
    assert.ok(cryptoVerify('sha256', message, createPublicKey(key.site.toPem()), signature), `(${n},${k})`);
  }
});
