import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testKey } from './fixture.js';
import { SigningPool, TASKS_PER_THREAD_MAX } from '../../src/crypto/signing-pool.js';
import { MerkleBatcher } from '../../src/crypto/merkle-batcher.js';
import { signedBytesFor } from '../../src/crypto/merkle-batch.js';

const message = new TextEncoder().encode('Accept(site 2, gv 1, lv 0, seq 9)');

test('the pool signs, checks shares and combines; saturation makes callers wait', async () => {
  const key = await testKey(1024, 16, 11);
  const pool = new SigningPool({ threads: 2 });
  try {
    const signers = key.set.shares.map((s) => pool.shareSigner(s));
    const site = pool.scheme(key.set.publicKey);
    let maxBusy = 0;
    const watch = setInterval(() => (maxBusy = Math.max(maxBusy, pool.busy)), 1);
    const partials = await Promise.all(signers.map((s) => s.partialSign(message)));
    clearInterval(watch);
    assert.ok(maxBusy <= 2 * TASKS_PER_THREAD_MAX, `at most capacity tasks in piscina (saw ${maxBusy})`);
    assert.equal(pool.backlog, 0);
    assert.equal(await site.verifyPartial(message, partials[4]!), true);
    const bad = { party: 5, bytes: Uint8Array.from(partials[4]!.bytes) };
    bad.bytes[10]! ^= 1;
    const { signature, faulty } = await site.combine(message, [partials[0]!, bad, ...partials.slice(1, 4), ...partials.slice(5)]);
    assert.deepEqual(faulty, [5]);
    assert.ok(await key.site.verify(message, signature));
  } finally {
    await pool.close();
  }
});

test('Merkle batches signed in the pool: every message carries a share that verifies on its own', async () => {
  const key = await testKey(1024, 4, 3);
  const pool = new SigningPool({ threads: 2 });
  try {
    const batcher = new MerkleBatcher(pool.merkleSigner(key.set.shares[2]!), { concurrency: pool.threads, maxBatch: 64 });
    const messages = Array.from({ length: 300 }, (_, i) => new TextEncoder().encode(`update ${i}`));
    const proofs = await Promise.all(messages.map((m) => batcher.submit(m)));
    assert.ok(batcher.batchSizes.length < messages.length, 'messages were aggregated under load');
    for (const j of [0, 1, 150, 299]) {
      const bytes = signedBytesFor(messages[j]!, proofs[j]!)!;
      assert.ok(await key.site.verifyPartial(bytes, { party: 3, bytes: proofs[j]!.signature }));
    }
    const forged = signedBytesFor(new TextEncoder().encode('forged'), proofs[0]!)!;
    assert.equal(await key.site.verifyPartial(forged, { party: 3, bytes: proofs[0]!.signature }), false);
  } finally {
    await pool.close();
  }
});
