// `castellan sign`: a combined threshold signature from chosen parties' shares (issue 3),
// an ordinary RSA PKCS#1 v1.5 SHA-256 signature that `openssl dgst -verify` accepts.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { CryptoError } from '../../crypto/signer.js';
import { readShareFile } from '../../crypto/threshold-rsa/key-directory.js';
import { ThresholdRsaShare } from '../../crypto/threshold-rsa/threshold-rsa.js';

const usage = `usage: castellan sign --keys DIR --parties 1,3,4 --in FILE --out SIG

Each listed party signs FILE with its share (partial signature + proof); the shares are
combined into one RSA signature written to SIG (raw bytes). Check it with
  openssl dgst -sha256 -verify DIR/public.pem -signature SIG FILE

  --keys DIR     a directory written by \`castellan keygen\`
  --parties L    comma-separated party numbers, at least the key's threshold
  --in FILE      the message
  --out SIG      where to write the signature
`;

function partyList(text: string): number[] {
  const parties = text.split(',').map((s) => s.trim());
  if (parties.some((p) => !/^\d+$/.test(p))) throw new UsageError(`--parties must be comma-separated numbers, got "${text}"`);
  const numbers = parties.map(Number);
  if (new Set(numbers).size !== numbers.length) throw new UsageError(`--parties lists a party twice: "${text}"`);
  return numbers;
}

export const signCommand = {
  name: 'sign',
  summary: 'make a combined threshold RSA signature of a file from chosen parties',
  usage,
  async run(argv: string[]): Promise<number> {
    const { values } = parseFlags(argv, { options: { keys: { type: 'string' }, parties: { type: 'string' }, in: { type: 'string' }, out: { type: 'string' } } });
    for (const flag of ['keys', 'parties', 'in', 'out'] as const) if (!values[flag]) throw new UsageError(`--${flag} is required`);
    const parties = partyList(values.parties!);
    const shares = parties.map((p) => ThresholdRsaShare.parse(readShareFile(values.keys!, p)));
    const site = shares[0]!.publicKey;
    if (shares.some((s) => s.json.publicKey.n !== site.json.n))
      throw new CryptoError('ERR_CASTELLAN_KEY_FILE', 'the key files belong to different keys');
    if (parties.length < site.threshold)
      throw new CryptoError('ERR_CASTELLAN_TSIG_TOO_FEW', `key needs ${site.threshold} parties, got ${parties.length} (${parties.join(',')})`);
    const message = readFileSync(values.in!);
    const partials = await Promise.all(shares.map((s) => s.partialSign(message)));
    const { signature, faulty } = await site.combine(message, partials);
    if (faulty.length) process.stderr.write(`shares of parties ${faulty.join(', ')} were invalid and left out\n`);
    writeFileSync(values.out!, signature);
    process.stderr.write(`signed ${values.in} with parties ${parties.join(',')} (${site.threshold} of ${site.parties}) → ${values.out}\n`);
    return 0;
  },
} satisfies Command;
