// Safe primes are the slow part of a threshold key (seconds at 1024 bits, luck decides), so
// local clusters, tests and benchmarks generate each named pair once per machine, keep it in
// the OS temp directory (mode 0600), and deal fresh keys from it. Production keys come from
// `castellan keygen`, never from this cache.
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSafePrimePair } from './keygen.js';

/** The cached pair named `label` for keys of `bits`, generated on first use. */
export async function cachedSafePrimePair(bits: number, label: string): Promise<[Uint8Array, Uint8Array]> {
  const file = path.join(tmpdir(), `castellan-primes-${label}-${bits}.json`);
  try {
    const [p, q] = JSON.parse(readFileSync(file, 'utf8')) as [string, string];
    return [Buffer.from(p, 'hex'), Buffer.from(q, 'hex')];
  } catch {
    const pair = await generateSafePrimePair(bits);
    writeFileSync(file, JSON.stringify(pair.map((b) => Buffer.from(b).toString('hex'))), { mode: 0o600 });
    return pair;
  }
}
