import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildTree, rootFromPath } from '../../src/crypto/merkle.js';
import { localBatchSigner, signBatch, verifyBatchProof, type SignedBatch } from '../../src/crypto/merkle-batch.js';
import { MerkleBatcher } from '../../src/crypto/merkle-batcher.js';
import { generatePlainKeyPair } from '../../src/crypto/node-signer.js';

const msgs = (n: number) => Array.from({ length: n }, (_, i) => new TextEncoder().encode(`message ${i}`));

test('every message of batches of 1..70 verifies with its path; paths are ceil(log2 N) long at most', () => {
  for (let n = 1; n <= 70; n++) {
    const m = msgs(n);
    const tree = buildTree(m);
    m.forEach((msg, j) => {
      const root = rootFromPath(msg, j, n, tree.paths[j]!);
      assert.ok(root && Buffer.from(root).equals(tree.root), `n=${n} j=${j}`);
      assert.ok(tree.paths[j]!.length <= 32 * Math.ceil(Math.log2(n)));
    });
  }
});

test('a tampered leaf, path or index yields another root (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 64 }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (n, jRaw, hRaw, bit) => {
      const m = msgs(n);
      const tree = buildTree(m);
      const j = jRaw % n;
      const path = tree.paths[j]!;
      const differs = (r: Uint8Array | undefined) => r === undefined || Buffer.compare(r, tree.root) !== 0;
      assert.ok(differs(rootFromPath(new TextEncoder().encode('forged'), j, n, path)));
      if (path.length > 0) {
        const bad = Uint8Array.from(path);
        bad[hRaw % path.length]! ^= 1 << (bit % 8);
        assert.ok(differs(rootFromPath(m[j]!, j, n, bad)));
        assert.ok(differs(rootFromPath(m[j]!, j, n, path.subarray(32))));
        assert.ok(differs(rootFromPath(m[j]!, j, n, path.subarray(1))));
      }
      assert.ok(differs(rootFromPath(m[j]!, (j + 1) % n, n, path)));
    }),
    { numRuns: 200 },
  );
});

test('a signed batch verifies per message; a tampered message or signature fails', async () => {
  const { signer, verifier } = generatePlainKeyPair('ed25519');
  const m = msgs(13);
  const batch = await signBatch((b) => signer.sign(b), m);
  const proofs = batch.paths.map((path, index) => ({ signature: batch.signature, index, leafCount: 13, path }));
  for (const [j, p] of proofs.entries()) assert.ok(await verifyBatchProof(verifier, m[j]!, p));
  assert.equal(await verifyBatchProof(verifier, m[1]!, proofs[0]!), false);
  const badSig = Uint8Array.from(batch.signature);
  badSig[0]! ^= 1;
  assert.equal(await verifyBatchProof(verifier, m[0]!, { ...proofs[0]!, signature: badSig }), false);
  // The batch size is signed with the root: claiming another size fails even where the
  // path would fit it.
  assert.equal(await verifyBatchProof(verifier, m[0]!, { ...proofs[0]!, leafCount: 14 }), false);
  assert.equal(await verifyBatchProof(verifier, m[0]!, { ...proofs[0]!, leafCount: 0 }), false);
});

test('batching policy: none when idle, whatever queued while busy', async () => {
  const { signer, verifier } = generatePlainKeyPair('ed25519');
  const sign = localBatchSigner(signer);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let first = true;
  const gated = async (messages: Uint8Array[]): Promise<SignedBatch> => {
    if (first) {
      first = false;
      await gate;
    }
    return sign(messages);
  };
  const batcher = new MerkleBatcher(gated, { concurrency: 1, maxBatch: 8 });
  const m = msgs(12);
  const done = m.map((msg) => batcher.submit(msg));
  assert.equal(batcher.pending, 11, 'the first message went out alone at once');
  release();
  const proofs = await Promise.all(done);
  assert.deepEqual(batcher.batchSizes, [1, 8, 3]);
  for (const [j, p] of proofs.entries()) assert.ok(await verifyBatchProof(verifier, m[j]!, p));
  const idle = await batcher.submit(m[0]!);
  assert.equal(idle.leafCount, 1);
});
