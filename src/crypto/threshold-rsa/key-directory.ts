// A key directory as `castellan keygen` writes it: public.json, public.pem and one
// party-NN.json per party. Files are created exclusively (never overwritten) and readable by
// their owner only: a share is a secret, and the public files stay with it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CryptoError } from '../signer.js';
import { parseShareKeyJson, publicKeyPem, type ShareKeyJson } from './key-file.js';
import type { ThresholdKeySet } from './keygen.js';

export const PUBLIC_KEY_FILE = 'public.json';
export const PUBLIC_PEM_FILE = 'public.pem';
/** Owner read/write only. */
export const KEY_FILE_MODE = 0o600;

export const shareFileName = (party: number): string => `party-${String(party).padStart(2, '0')}.json`;

const keyFileNames = (parties: number): string[] => [
  PUBLIC_KEY_FILE,
  PUBLIC_PEM_FILE,
  ...Array.from({ length: parties }, (_, i) => shareFileName(i + 1)),
];

const exists = (file: string) => new CryptoError('ERR_CASTELLAN_KEY_EXISTS', `${file} already exists; refusing to overwrite keys (choose another --out)`);

/** Throws if any file a key of `parties` parties would write is already in `dir`. */
export function assertKeyDirectoryFree(dir: string, parties: number): void {
  for (const name of keyFileNames(parties)) if (existsSync(path.join(dir, name))) throw exists(path.join(dir, name));
}

/** Writes every file; fails before writing any if one already exists. */
export function writeKeyDirectory(dir: string, keys: ThresholdKeySet): string[] {
  assertKeyDirectoryFree(dir, keys.shares.length);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files: Array<[string, string]> = [
    [PUBLIC_KEY_FILE, JSON.stringify(keys.publicKey, null, 2) + '\n'],
    [PUBLIC_PEM_FILE, publicKeyPem(keys.publicKey)],
    ...keys.shares.map((s): [string, string] => [shareFileName(s.party), JSON.stringify(s, null, 2) + '\n']),
  ];
  const written: string[] = [];
  for (const [name, text] of files) {
    const file = path.join(dir, name);
    try {
      // 'wx' as well: a file created since the check above is still never clobbered.
      writeFileSync(file, text, { flag: 'wx', mode: KEY_FILE_MODE });
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST') throw exists(file);
      throw cause;
    }
    written.push(file);
  }
  return written;
}

export function readShareFile(dir: string, party: number): ShareKeyJson {
  const file = path.join(dir, shareFileName(party));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CryptoError('ERR_CASTELLAN_KEY_FILE', `cannot read key of party ${party}: ${(cause as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CryptoError('ERR_CASTELLAN_KEY_FILE', `${file} is not JSON`);
  }
  try {
    const share = parseShareKeyJson(json);
    if (share.party !== party) throw new CryptoError('ERR_CASTELLAN_KEY_FILE', `invalid threshold key: it is party ${share.party}'s`);
    return share;
  } catch (e) {
    if (e instanceof CryptoError) throw new CryptoError(e.code, `${file}: ${e.message}`);
    throw e;
  }
}
