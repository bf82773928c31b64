// Trusted-dealer key generation (Shoup 2000 §3): two safe primes of |n|/2 bits, generated in
// parallel on libuv's pool (both cores), then dealt natively. Safe primes dominate: seconds
// at 1024 bits, tens of seconds at 2048, minutes at 3072.
import { CryptoError } from '../signer.js';
import { keyFilesOf, type PublicKeyJson, type ShareKeyJson } from './key-file.js';
import { nativeTsig } from './native-tsig.js';

/** Sizes the dealer accepts (issue 3); 512 only for fast tests (native kMinModulusBits). */
export const KEY_BITS_MIN = 512;
export const KEY_BITS_MAX = 4096;
/** Shoup needs e = 65537 prime and > parties; Δ = l! grows fast (native kMaxParties). */
export const PARTIES_MAX = 64;

export interface ThresholdKeySpec {
  bits: number;
  parties: number;
  threshold: number;
}

export interface ThresholdKeySet {
  publicKey: PublicKeyJson;
  shares: ShareKeyJson[];
}

export function checkKeySpec({ bits, parties, threshold }: ThresholdKeySpec): void {
  const fail = (m: string) => {
    throw new CryptoError('ERR_CASTELLAN_TSIG_SPEC', m);
  };
  if (!Number.isInteger(bits) || bits < KEY_BITS_MIN || bits > KEY_BITS_MAX || bits % 16 !== 0)
    fail(`bits must be a multiple of 16 in ${KEY_BITS_MIN}..${KEY_BITS_MAX}, got ${bits}`);
  if (!Number.isInteger(parties) || parties < 1 || parties > PARTIES_MAX) fail(`parties must be 1..${PARTIES_MAX}, got ${parties}`);
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > parties)
    fail(`threshold must be 1..parties (${parties}), got ${threshold}`);
}

/** Two distinct safe primes of bits/2 bits each: the slow, reusable part of a key. */
export async function generateSafePrimePair(bits: number): Promise<[Uint8Array, Uint8Array]> {
  const tsig = nativeTsig();
  for (;;) {
    const [p, q] = await Promise.all([tsig.generateSafePrime(bits / 2), tsig.generateSafePrime(bits / 2)]);
    if (Buffer.compare(p, q) !== 0) return [p, q];
  }
}

export async function dealThresholdKey(spec: ThresholdKeySpec, primes: [Uint8Array, Uint8Array]): Promise<ThresholdKeySet> {
  checkKeySpec(spec);
  const material = await nativeTsig().deal(primes[0], primes[1], spec.parties, spec.threshold);
  return keyFilesOf(spec.bits, spec.parties, spec.threshold, material);
}

export async function generateThresholdKey(spec: ThresholdKeySpec): Promise<ThresholdKeySet> {
  checkKeySpec(spec);
  return dealThresholdKey(spec, await generateSafePrimePair(spec.bits));
}
