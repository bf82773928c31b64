import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePlainKeyPair } from '../../src/crypto/node-signer.js';
import { dealBls, ThresholdBlsPublicKey, ThresholdBlsShare } from '../../src/crypto/threshold-bls.js';
import { costModelCrypto, encodeFields, PAPER_2008_COSTS_US, u32 } from '../../src/crypto/cost-model.js';
import { Rng } from '../../src/sim/prng.js';
import type { CryptoError } from '../../src/crypto/signer.js';

const message = new TextEncoder().encode('client update 7');

for (const scheme of ['rsa', 'ed25519'] as const) {
  test(`${scheme}: node:crypto signatures verify; tampering and garbage fail without throwing`, async () => {
    const { signer, verifier } = generatePlainKeyPair(scheme);
    const sig = await signer.sign(message);
    assert.ok(await verifier.verify(message, sig));
    assert.equal(await verifier.verify(new TextEncoder().encode('other'), sig), false);
    assert.equal(await verifier.verify(message, new Uint8Array(3)), false);
  });
}

test('threshold BLS: any k shares combine to a signature the group key verifies; bad shares are named', async () => {
  const { publicKey, shares } = dealBls(4, 3);
  const site = new ThresholdBlsPublicKey(publicKey);
  const signers = shares.map((s) => new ThresholdBlsShare(s));
  const partials = await Promise.all(signers.map((s) => s.partialSign(message)));
  const a = await site.combine(message, [partials[0]!, partials[1]!, partials[2]!]);
  const b = await site.combine(message, [partials[3]!, partials[1]!, partials[0]!]);
  assert.deepEqual(a.signature, b.signature);
  assert.ok(await site.verify(message, a.signature));
  assert.equal(await site.verify(new TextEncoder().encode('x'), a.signature), false);
  await assert.rejects(site.combine(message, partials.slice(0, 2)), (e: CryptoError) => e.code === 'ERR_CASTELLAN_TSIG_TOO_FEW');
  const bad = { party: 2, bytes: Uint8Array.from(partials[0]!.bytes) };
  bad.bytes[1] = 2; // party 1's share presented as party 2's
  assert.equal(await site.verifyPartial(message, bad), false);
  const out = await site.combine(message, [partials[0]!, bad, partials[2]!, partials[3]!]);
  assert.deepEqual(out.faulty, [2]);
  assert.ok(await site.verify(message, out.signature));
});

test('cost model: charges the configured time, results verify, forgeries do not', () => {
  const sites = new Map([0, 1, 2, 3].map((n) => [n, { site: 1, party: n + 1 }] as const));
  const crypto = costModelCrypto({ sites, threshold: 3, secret: new Uint8Array(32) });
  const rng = new Rng(1);
  const job = (node: number, op: string, bytes: Uint8Array) => crypto({ node, job: 'j', op, bytes }, rng);
  const sig = job(0, 'sign', message);
  assert.equal(sig.costUs, PAPER_2008_COSTS_US.sign);
  assert.equal(sig.bytes.length, 128);
  assert.ok(job(5, 'verify', encodeFields([u32(0), message, sig.bytes])).ok);
  assert.equal(job(5, 'verify', encodeFields([u32(1), message, sig.bytes])).ok, false, 'signed by node 0, not 1');
  assert.equal(job(5, 'verify', new Uint8Array([1, 2])).ok, false, 'malformed request');
  const partials = [0, 1, 2, 3].map((n) => job(n, 'tsig.partial', message));
  assert.equal(partials[0]!.costUs, PAPER_2008_COSTS_US['tsig.partial']);
  assert.ok(job(1, 'tsig.verify-share', encodeFields([message, partials[2]!.bytes])).ok);
  const two = job(0, 'tsig.combine', encodeFields([message, partials[0]!.bytes, partials[1]!.bytes, partials[1]!.bytes]));
  assert.equal(two.ok, false, 'a duplicated share does not count twice');
  const three = job(0, 'tsig.combine', encodeFields([message, partials[0]!.bytes, partials[1]!.bytes, partials[3]!.bytes]));
  assert.ok(three.ok);
  assert.equal(three.costUs, PAPER_2008_COSTS_US['tsig.combine']);
  assert.ok(job(9, 'tsig.verify', encodeFields([u32(1), message, three.bytes])).ok);
  assert.equal(job(9, 'tsig.verify', encodeFields([u32(2), message, three.bytes])).ok, false);
  assert.equal(job(9, 'tsig.partial', message).ok, false, 'node 9 holds no share');
  assert.equal(job(0, 'no-such-op', message).ok, false);
});
