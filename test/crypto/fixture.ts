// Test keys: safe primes are the slow part of a key, so each size's prime pair is generated
// once per machine and cached in the OS temp directory (0600; never committed), then dealt
// afresh for every (n, k) a test needs.
import { dealThresholdKey, type ThresholdKeySet } from '../../src/crypto/threshold-rsa/keygen.js';
import { cachedSafePrimePair } from '../../src/crypto/threshold-rsa/prime-cache.js';
import { ThresholdRsaPublicKey, ThresholdRsaShare } from '../../src/crypto/threshold-rsa/threshold-rsa.js';

export function testPrimes(bits: number): Promise<[Uint8Array, Uint8Array]> {
  return cachedSafePrimePair(bits, 'test');
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
