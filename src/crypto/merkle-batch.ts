// Signing and checking one Merkle batch (Steward §4.6): every message gets a proof that
// holds the batch signature, its index, the batch size and its sibling path.
import type { Signer, Verifier } from './signer.js';
import { buildTree, rootFromPath, signedRoot } from './merkle.js';

export interface BatchProof {
  /** Signature over signedRoot(leafCount, root): plain, partial or combined, per the signer. */
  signature: Uint8Array;
  index: number;
  leafCount: number;
  /** Sibling hashes, leaf to root, concatenated (32 bytes each). */
  path: Uint8Array;
}

export interface SignedBatch {
  root: Uint8Array;
  signature: Uint8Array;
  paths: Uint8Array[];
}

/** Builds the tree and signs its root: one signature for the whole batch. */
export async function signBatch(sign: (bytes: Uint8Array) => Promise<Uint8Array>, messages: Uint8Array[]): Promise<SignedBatch> {
  const tree = buildTree(messages);
  return { root: tree.root, signature: await sign(signedRoot(messages.length, tree.root)), paths: tree.paths };
}

export function proofsOf(batch: SignedBatch): BatchProof[] {
  return batch.paths.map((path, index) => ({ signature: batch.signature, index, leafCount: batch.paths.length, path }));
}

/** The bytes a proof's signature must cover for this message, or undefined if the path is bad. */
export function signedBytesFor(message: Uint8Array, proof: BatchProof): Uint8Array | undefined {
  const root = rootFromPath(message, proof.index, proof.leafCount, proof.path);
  return root && signedRoot(proof.leafCount, root);
}

export async function verifyBatchProof(verifier: Verifier, message: Uint8Array, proof: BatchProof): Promise<boolean> {
  const bytes = signedBytesFor(message, proof);
  return bytes !== undefined && verifier.verify(bytes, proof.signature);
}

/** A Signer's batch form, used when no pool is involved. */
export function localBatchSigner(signer: Signer): (messages: Uint8Array[]) => Promise<SignedBatch> {
  return (messages) => signBatch((bytes) => signer.sign(bytes), messages);
}
