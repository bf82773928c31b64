import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testKey } from './fixture.js';
import { nativeTsig } from '../../src/crypto/threshold-rsa/native-tsig.js';
import { parsePublicKeyJson, parseShareKeyJson, nativeParams } from '../../src/crypto/threshold-rsa/key-file.js';
import { ThresholdRsaPublicKey, ThresholdRsaShare } from '../../src/crypto/threshold-rsa/threshold-rsa.js';

const message = new Uint8Array([1, 2, 3]);
const hasCode = (code: string) => (e: Error & { code?: string }) => e.code === code;

test('malformed key files give ERR_CASTELLAN_KEY_FILE naming the field', async () => {
  const { set } = await testKey(1024, 4, 3);
  const pub = set.publicKey;
  const cases: Array<[unknown, RegExp]> = [
    [null, /JSON object/],
    [[], /JSON object/],
    [{ ...pub, scheme: 'rsa' }, /"scheme"/],
    [{ ...pub, n: 'xyz' }, /"n"/],
    [{ ...pub, parties: 0 }, /"parties"/],
    [{ ...pub, threshold: 5 }, /"threshold"/],
    [{ ...pub, verificationKeys: pub.verificationKeys.slice(1) }, /verificationKeys/],
    [{ ...pub, verificationKeys: [...pub.verificationKeys.slice(1), 42] }, /verificationKeys\[3\]/],
  ];
  for (const [json, why] of cases) {
    assert.throws(() => parsePublicKeyJson(json), (e: Error & { code?: string }) => e.code === 'ERR_CASTELLAN_KEY_FILE' && why.test(e.message));
  }
  assert.throws(() => parseShareKeyJson({ ...set.shares[0], party: 9 }), /exceeds parties/);
  assert.throws(() => parseShareKeyJson({ ...set.shares[0], share: '' }), /"share"/);
  // Well-formed JSON whose numbers are wrong: the native checks name the problem.
  assert.throws(() => ThresholdRsaPublicKey.parse({ ...pub, bits: 2048 }), /"bits" says 2048/);
  assert.throws(() => ThresholdRsaPublicKey.parse({ ...pub, n: '02' + pub.n.slice(2, -2) + '00' }), hasCode('ERR_CASTELLAN_TSIG_KEY'));
  assert.throws(() => ThresholdRsaPublicKey.parse({ ...pub, e: '03' }), /65537/);
  assert.throws(() => ThresholdRsaPublicKey.parse({ ...pub, v: pub.n }), hasCode('ERR_CASTELLAN_TSIG_INPUT'));
  assert.throws(() => ThresholdRsaShare.parse({ ...set.shares[0], share: pub.n + '00' }), /share out of range/);
});

test('the native binding rejects wrong argument types with a code, never crashes', async () => {
  const { set, site } = await testKey(1024, 4, 3);
  const { Key, deal, generateSafePrime } = nativeTsig();
  const K = Key as unknown as new (x: unknown) => unknown;
  assert.throws(() => new K(undefined), hasCode('ERR_CASTELLAN_ARG'));
  assert.throws(() => new K({ ...nativeParams(set.publicKey), n: 'abc' }), hasCode('ERR_CASTELLAN_ARG'));
  assert.throws(() => new K({ ...nativeParams(set.publicKey), verificationKeys: 5 }), hasCode('ERR_CASTELLAN_ARG'));
  const native = site.native as unknown as Record<string, (...a: unknown[]) => unknown>;
  assert.throws(() => native.verifyShareSync!('msg', 1), hasCode('ERR_CASTELLAN_ARG'));
  assert.throws(() => native.verifyShareSync!(message, 1.5, message, message, message), hasCode('ERR_CASTELLAN_ARG'));
  assert.throws(() => native.combineSync!(message, [1, 2, 3], [message]), hasCode('ERR_CASTELLAN_TSIG_INPUT'));
  assert.throws(() => site.native.verifyShareSync(message, 9, message, message, message), hasCode('ERR_CASTELLAN_TSIG_INPUT'));
  // A public key holds no share: signing is refused.
  await assert.rejects(site.native.partialSign(message), hasCode('ERR_CASTELLAN_TSIG_KEY'));
  await assert.rejects(generateSafePrime(8), hasCode('ERR_CASTELLAN_TSIG_INPUT'));
  await assert.rejects(deal(new Uint8Array([23]), new Uint8Array([23]), 4, 3), hasCode('ERR_CASTELLAN_TSIG_INPUT'));
  await assert.rejects(deal(new Uint8Array([0xff, 0xfd]), new Uint8Array([0xff, 0xf1]), 4, 3), hasCode('ERR_CASTELLAN_TSIG_INPUT'));
});

test('malformed partial signatures are rejected, not thrown', async () => {
  const { site, shares } = await testKey(1024, 4, 3);
  const good = await shares[0]!.partialSign(message);
  for (const bytes of [new Uint8Array(0), good.bytes.subarray(1), new Uint8Array(good.bytes.length), Uint8Array.from([...good.bytes, 0])]) {
    assert.equal(await site.verifyPartial(message, { party: 1, bytes }), false);
  }
  // x_i = n (out of range) and z too large are rejected.
  const xiIsN = Uint8Array.from(good.bytes);
  xiIsN.set(Buffer.from(site.json.n, 'hex'), 2);
  assert.equal(await site.verifyPartial(message, { party: 1, bytes: xiIsN }), false);
  const zMax = Uint8Array.from(good.bytes);
  zMax.fill(0xff, 2 + 128 + 16);
  assert.equal(await site.verifyPartial(message, { party: 1, bytes: zMax }), false);
  // Malformed shares in a combine are named, not thrown.
  const others = await Promise.all([shares[1]!.partialSign(message), shares[2]!.partialSign(message), shares[3]!.partialSign(message)]);
  const out = await site.combine(message, [{ party: 1, bytes: new Uint8Array(5) }, ...others]);
  assert.deepEqual(out.faulty, [1]);
  assert.equal(await site.verify(message, new Uint8Array(3)), false);
  await assert.rejects(site.combine(message, [{ party: 17, bytes: good.bytes }]), hasCode('ERR_CASTELLAN_TSIG_PARTY'));
});
