// `castellan keygen`: deals a Shoup threshold RSA key (issue 3) into a directory: one key
// file per party, public.json and public.pem.
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { assertKeyDirectoryFree, writeKeyDirectory } from '../../crypto/threshold-rsa/key-directory.js';
import { checkKeySpec, generateThresholdKey } from '../../crypto/threshold-rsa/keygen.js';

const usage = `usage: castellan keygen --parties N --threshold K [--bits 1024] --out DIR

Generates a (K, N) threshold RSA key (Shoup 2000, safe primes, e = 65537): DIR/party-NN.json
for each party, DIR/public.json and DIR/public.pem. Refuses to overwrite existing files;
every file is readable by its owner only (0600). Safe-prime generation takes seconds at
1024 bits, tens of seconds at 2048, minutes at 3072.

  --parties N    number of parties (Steward: 3f+1)
  --threshold K  shares needed to sign (Steward: 2f+1)
  --bits B       modulus size, default 1024 (the paper's)
  --out DIR      directory to create or fill
`;

function integer(value: string | undefined, name: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  return Number(value);
}

export const keygenCommand = {
  name: 'keygen',
  summary: 'deal a threshold RSA key: one key file per party plus the public key',
  usage,
  async run(argv: string[]): Promise<number> {
    const { values } = parseFlags(argv, { options: { parties: { type: 'string' }, threshold: { type: 'string' }, bits: { type: 'string' }, out: { type: 'string' } } });
    const spec = { parties: integer(values.parties, 'parties'), threshold: integer(values.threshold, 'threshold'), bits: integer(values.bits, 'bits', 1024) };
    if (!values.out) throw new UsageError('--out is required');
    try {
      checkKeySpec(spec);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    assertKeyDirectoryFree(values.out, spec.parties);
    process.stderr.write(`generating two ${spec.bits / 2}-bit safe primes…\n`);
    const started = Date.now();
    const keys = await generateThresholdKey(spec);
    const files = writeKeyDirectory(values.out, keys);
    process.stderr.write(`dealt (${spec.threshold}, ${spec.parties}) shares in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    process.stdout.write(files.join('\n') + '\n');
    return 0;
  },
} satisfies Command;
