// Test keys: safe primes are the slow part of a key, so each size's prime pair is generated
// once per machine and cached in the OS temp directory (0600; never committed), then dealt
// afresh for every (n, k) a test needs.
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dealThresholdKey, generateSafePrimePair, type ThresholdKeySet } from '../../src/crypto/threshold-rsa/keygen.js';
import { ThresholdRsaPublicKey, ThresholdRsaShare } from '../../src/crypto/threshold-rsa/threshold-rsa.js';

export async function testPrimes(bits: number): Promise<[Uint8Array, Uint8Array]> {
  const file = path.join(tmpdir(), `castellan-test-primes-${bits}.json`);
  try {
    const [p, q] = JSON.parse(readFileSync(file, 'utf8')) as [string, string];
    return [Buffer.from(p, 'hex'), Buffer.from(q, 'hex')];
  } catch {
    const pair = await generateSafePrimePair(bits);
    writeFileSync(file, JSON.stringify(pair.map((b) => Buffer.from(b).toString('hex'))), { mode: 0o600 });
    return pair;
  }
}

export interface TestKey {
  set: ThresholdKeySet;
  site: ThresholdRsaPublicKey;
  shares: ThresholdRsaShare[];
}

export async function testKey(bits: number, parties: number, threshold: number): Promise<TestKey> {
  const set = await dealThresholdKey({ bits, parties, threshold }, await testPrimes(bits));
  return { set, site: new ThresholdRsaPublicKey(set.publicKey), shares: set.shares.map((s) => new ThresholdRsaShare(s)) };
}
