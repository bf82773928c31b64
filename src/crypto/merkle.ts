// Merkle-tree batch signing (Steward §4.6; Merkle 1979): one signature over the root of a
// tree whose leaves are the digests of N messages; each message carries its ceil(log2 N)
// sibling path, so it verifies alone with the path and the root signature.
// Encoding decisions (spec/steward.md §11.5 leaves them open): the tree of RFC 9162 §2.1 —
// leaf = SHA-256(0x00 || message), node = SHA-256(0x01 || left || right) (domain separation
// stops a node passing as a leaf), an odd node at the end of a level is promoted unchanged
// (no duplication, so no two batches share a root); the signed value binds the leaf count:
// "castellan/merkle/v1" || u32 N || root.
import { createHash } from 'node:crypto';
import { subsystem } from '../native/addon.js';

export const DIGEST_BYTES = 32;
/** u32 leaf count in the signed root; far above any batch. */
export const MERKLE_LEAVES_MAX = 0xffff_ffff;
/** What one native call hashes (native/tsig/merkle_hash.cc kMaxLeaves): bounds memory. */
export const MERKLE_BATCH_MAX = 1 << 24;
const ROOT_TAG = Buffer.from('castellan/merkle/v1');

export function leafHash(message: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(0)).update(message).digest();
}

function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(1)).update(left).update(right).digest();
}

/** The bytes a batch's signature covers. */
export function signedRoot(leafCount: number, root: Uint8Array): Uint8Array {
  const out = Buffer.alloc(ROOT_TAG.length + 4 + DIGEST_BYTES);
  ROOT_TAG.copy(out, 0);
  out.writeUInt32BE(leafCount, ROOT_TAG.length);
  out.set(root, ROOT_TAG.length + 4);
  return out;
}

export interface MerkleTree {
  root: Uint8Array;
  /** paths[j]: leaf j's sibling hashes from the leaf up to the root, concatenated (32 bytes each). */
  paths: Uint8Array[];
}

interface NativeMerkle {
  merkleTree(messages: Uint8Array[]): { root: Uint8Array; paths: Uint8Array; stride: number };
}

/** Hashing and paths natively (native/tsig/merkle_hash.cc): node:crypto costs ~2 µs per hash. */
export function buildTree(messages: Uint8Array[]): MerkleTree {
  const n = messages.length;
  if (n < 1 || n > MERKLE_BATCH_MAX) throw new RangeError(`a Merkle batch holds 1..${MERKLE_BATCH_MAX} messages, got ${n}`);
  const { root, paths, stride } = subsystem<NativeMerkle>('merkle').merkleTree(messages);
  return { root, paths: Array.from({ length: n }, (_, j) => paths.subarray(j * stride, j * stride + siblings(n, j) * DIGEST_BYTES)) };
}

/** How many siblings leaf j has: one per level, except where its ancestor is promoted. */
function siblings(n: number, j: number): number {
  let count = 0;
  for (let len = n, shift = 0; len > 1; len = (len + 1) >> 1, shift++) if (((j >> shift) ^ 1) < len) count++;
  return count;
}

/**
 * The root implied by a message, its index, the batch size and its path (RFC 9162
 * §2.1.3.2); undefined when the path cannot belong to such a tree.
 */
export function rootFromPath(message: Uint8Array, index: number, leafCount: number, path: Uint8Array): Uint8Array | undefined {
  if (!Number.isInteger(index) || !Number.isInteger(leafCount) || index < 0 || index >= leafCount || leafCount > MERKLE_LEAVES_MAX)
    return undefined;
  if (path.length % DIGEST_BYTES !== 0) return undefined;
  let fn = index;
  let sn = leafCount - 1;
  let r: Uint8Array = leafHash(message);
  for (let at = 0; at < path.length; at += DIGEST_BYTES) {
    const p = path.subarray(at, at + DIGEST_BYTES);
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}
