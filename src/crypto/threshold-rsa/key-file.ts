// Shoup RSA keys as JSON files (one per party, plus the public key) and the public key as a
// PEM SubjectPublicKeyInfo, so `openssl dgst -verify` and node:crypto check combined
// signatures. Numbers are big-endian hex. Parsing checks every field and says which is wrong.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { CryptoError } from '../signer.js';
import type { KeyMaterial, NativeKeyParams } from './native-tsig.js';

export const PUBLIC_KEY_SCHEME = 'shoup-rsa-public-v1';
export const SHARE_KEY_SCHEME = 'shoup-rsa-share-v1';

export interface PublicKeyJson {
  scheme: typeof PUBLIC_KEY_SCHEME;
  bits: number;
  parties: number;
  threshold: number;
  n: string;
  e: string;
  v: string;
  verificationKeys: string[];
}

export interface ShareKeyJson {
  scheme: typeof SHARE_KEY_SCHEME;
  party: number;
  share: string;
  publicKey: PublicKeyJson;
}

const HEX = /^(?:[0-9a-f]{2})+$/;

function bad(what: string): never {
  throw new CryptoError('ERR_CASTELLAN_KEY_FILE', `invalid threshold key: ${what}`);
}

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function hexField(o: Record<string, unknown>, name: string): string {
  const v = o[name];
  if (typeof v !== 'string' || !HEX.test(v)) bad(`"${name}" must be a non-empty even-length lowercase hex string`);
  return v;
}

function intField(o: Record<string, unknown>, name: string): number {
  const v = o[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) bad(`"${name}" must be a positive integer`);
  return v;
}

function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

export function parsePublicKeyJson(value: unknown): PublicKeyJson {
  const o = objectOf(value, 'public key');
  if (o.scheme !== PUBLIC_KEY_SCHEME) bad(`"scheme" must be "${PUBLIC_KEY_SCHEME}"`);
  const parties = intField(o, 'parties');
  const threshold = intField(o, 'threshold');
  if (threshold > parties) bad('"threshold" exceeds "parties"');
  const vks = o.verificationKeys;
  if (!Array.isArray(vks) || vks.length !== parties) bad(`"verificationKeys" must list ${parties} keys`);
  for (const [i, vk] of vks.entries())
    if (typeof vk !== 'string' || !HEX.test(vk)) bad(`"verificationKeys[${i}]" must be a hex string`);
  return {
    scheme: PUBLIC_KEY_SCHEME,
    bits: intField(o, 'bits'),
    parties,
    threshold,
    n: hexField(o, 'n'),
    e: hexField(o, 'e'),
    v: hexField(o, 'v'),
    verificationKeys: vks as string[],
  };
}

export function parseShareKeyJson(value: unknown): ShareKeyJson {
  const o = objectOf(value, 'key share');
  if (o.scheme !== SHARE_KEY_SCHEME) bad(`"scheme" must be "${SHARE_KEY_SCHEME}"`);
  const publicKey = parsePublicKeyJson(o.publicKey);
  const party = intField(o, 'party');
  if (party > publicKey.parties) bad(`"party" ${party} exceeds parties ${publicKey.parties}`);
  return { scheme: SHARE_KEY_SCHEME, party, share: hexField(o, 'share'), publicKey };
}

export function keyFilesOf(bits: number, parties: number, threshold: number, m: KeyMaterial): { publicKey: PublicKeyJson; shares: ShareKeyJson[] } {
  const publicKey: PublicKeyJson = {
    scheme: PUBLIC_KEY_SCHEME,
    bits,
    parties,
    threshold,
    n: toHex(m.n),
    e: toHex(m.e),
    v: toHex(m.v),
    verificationKeys: m.verificationKeys.map(toHex),
  };
  const shares = m.shares.map((s, i): ShareKeyJson => ({ scheme: SHARE_KEY_SCHEME, party: i + 1, share: toHex(s), publicKey }));
  return { publicKey, shares };
}

const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

export function nativeParams(pub: PublicKeyJson, share?: ShareKeyJson): NativeKeyParams {
  const params: NativeKeyParams = {
    parties: pub.parties,
    threshold: pub.threshold,
    n: fromHex(pub.n),
    e: fromHex(pub.e),
    v: fromHex(pub.v),
    verificationKeys: pub.verificationKeys.map(fromHex),
  };
  if (share) {
    params.party = share.party;
    params.share = fromHex(share.share);
  }
  return params;
}

/** The site key as a node:crypto public key (imported as a JWK: node builds the SPKI DER). */
export function rsaPublicKeyObject(pub: PublicKeyJson): KeyObject {
  const b64url = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');
  try {
    return createPublicKey({ key: { kty: 'RSA', n: b64url(pub.n), e: b64url(pub.e) }, format: 'jwk' });
  } catch (cause) {
    throw new CryptoError('ERR_CASTELLAN_KEY_FILE', `invalid threshold key: not an RSA public key (${(cause as Error).message})`);
  }
}

export function publicKeyPem(pub: PublicKeyJson): string {
  return rsaPublicKeyObject(pub).export({ type: 'spki', format: 'pem' }) as string;
}
