// A piscina worker of the signing pool: runs Shoup RSA partial signing, share checks,
// combining and Merkle batch signing synchronously on its own thread (the native Sync
// calls: this thread is the compute thread, so no second hop to libuv's pool). Keys arrive
// with every task as JSON and are parsed once per worker (native keys cache a Montgomery
// context and the fixed-base table of v, which cost milliseconds to build).
import { buildTree, signedRoot } from './merkle.js';
import type { SignedBatch } from './merkle-batch.js';
import type { PartialSignature } from './signer.js';
import type { PublicKeyJson, ShareKeyJson } from './threshold-rsa/key-file.js';
import { ThresholdRsaPublicKey, ThresholdRsaShare } from './threshold-rsa/threshold-rsa.js';

/** Parsed keys kept per worker; a node holds a handful (its share, its site's and peers' keys). */
export const WORKER_KEY_CACHE_MAX = 64;

export type SigningTask =
  | { op: 'partial'; keyId: string; key: ShareKeyJson; message: Uint8Array }
  | { op: 'merkle-sign'; keyId: string; key: ShareKeyJson; messages: Uint8Array[] }
  | { op: 'verify-share'; keyId: string; key: PublicKeyJson; message: Uint8Array; partial: PartialSignature }
  | { op: 'combine'; keyId: string; key: PublicKeyJson; message: Uint8Array; partials: PartialSignature[] };

const keys = new Map<string, ThresholdRsaShare | ThresholdRsaPublicKey>();

function cached<K extends ThresholdRsaShare | ThresholdRsaPublicKey>(keyId: string, make: () => K): K {
  let k = keys.get(keyId) as K | undefined;
  if (!k) {
    if (keys.size >= WORKER_KEY_CACHE_MAX) keys.delete(keys.keys().next().value!);
    k = make();
    keys.set(keyId, k);
  }
  return k;
}

const share = (t: { keyId: string; key: ShareKeyJson }) => cached(t.keyId, () => new ThresholdRsaShare(t.key));
const publicKey = (t: { keyId: string; key: PublicKeyJson }) => cached(t.keyId, () => new ThresholdRsaPublicKey(t.key));

export default function run(task: SigningTask): Uint8Array | boolean | SignedBatch | { ok: boolean; signature: Uint8Array } {
  switch (task.op) {
    case 'partial':
      return share(task).signSync(task.message);
    case 'merkle-sign': {
      const tree = buildTree(task.messages);
      return { root: tree.root, signature: share(task).signSync(signedRoot(task.messages.length, tree.root)), paths: tree.paths };
    }
    case 'verify-share':
      return publicKey(task).verifyPartialSync(task.message, task.partial);
    case 'combine':
      return publicKey(task).combineExactlySync(task.message, task.partials);
  }
}
