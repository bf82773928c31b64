// Main-job part: a Steward site speaks with one signature (Steward §2.2.3, §4.6). A dealer
// deals a (2f+1, 3f+1) = (11, 16) 1024-bit Shoup key; 11 servers of the site Merkle-sign the
// same batches of 200-byte updates through the signing pool, one server's share is corrupted,
// the optimistic combine names it and still yields one standard RSA signature per batch, and
// every update's path verifies against the site's public key with node:crypto.
import { createPublicKey, verify } from 'node:crypto';
import { SigningPool } from '../../crypto/signing-pool.js';
import { signedBytesFor, proofsOf } from '../../crypto/merkle-batch.js';
import { signedRoot } from '../../crypto/merkle.js';
import { generateThresholdKey } from '../../crypto/threshold-rsa/keygen.js';
import { ThresholdRsaPublicKey } from '../../crypto/threshold-rsa/threshold-rsa.js';
import type { MainJobPart } from './part.js';

/** The paper's site: 16 servers, f = 5, Steward's (2f+1)-of-(3f+1) threshold (§3.2). */
const SITE = { bits: 1024, parties: 16, threshold: 11 } as const;
/** Steward's workload: 200-byte updates (§3.5). */
const UPDATE_BYTES = 200;
const BATCH = 256;
const BATCHES = 8;
/** The server whose share is corrupted in the first batch (1-based party number). */
const FAULTY_PARTY = 2;
/** A byte of the share value x_i itself (after the 2-byte party number), not of its proof. */
const SHARE_VALUE_BYTE = 10;

export const thresholdSigningPart: MainJobPart = {
  name: 'threshold-signing',
  description: `one site signature: (${SITE.threshold},${SITE.parties}) Shoup RSA-${SITE.bits}, Merkle batches of ${BATCH} updates, a corrupted share named`,
  async run(progress) {
    let started = performance.now();
    const key = await generateThresholdKey(SITE);
    const keygenMs = performance.now() - started;
    progress(`dealt the site key in ${(keygenMs / 1000).toFixed(2)} s (two 512-bit safe primes)`);
    const site = new ThresholdRsaPublicKey(key.publicKey);
    const pem = createPublicKey(site.toPem());
    const pool = new SigningPool();
    try {
      const signers = key.shares.slice(0, SITE.threshold + 1).map((s) => ({ party: s.party, sign: pool.merkleSigner(s) }));
      const scheme = pool.scheme(key.publicKey);
      const updates = Array.from({ length: BATCHES * BATCH }, (_, i) => Uint8Array.from({ length: UPDATE_BYTES }, (_, j) => (i * 7 + j) & 0xff));
      let verified = 0;
      let faultyNamed = false;
      let tamperedRejected = false;
      started = performance.now();
      for (let b = 0; b < BATCHES; b++) {
        const batch = updates.slice(b * BATCH, (b + 1) * BATCH);
        const signed = await Promise.all(signers.map(async (s) => ({ party: s.party, batch: await s.sign(batch) })));
        const root = signed[0]!.batch;
        const partials = signed.map((s) => ({ party: s.party, bytes: s.batch.signature }));
        if (b === 0) {
          // Put the bad share first so the optimistic combine must fall back and name it.
          const at = partials.findIndex((p) => p.party === FAULTY_PARTY);
          const bad = { party: FAULTY_PARTY, bytes: Uint8Array.from(partials[at]!.bytes) };
          bad.bytes[SHARE_VALUE_BYTE]! ^= 1;
          partials.splice(at, 1);
          partials.unshift(bad);
        }
        const outcome = await scheme.combine(signedRoot(batch.length, root.root), partials);
        if (b === 0) faultyNamed = outcome.faulty.length === 1 && outcome.faulty[0] === FAULTY_PARTY;
        const proofs = proofsOf({ ...root, signature: outcome.signature });
        const verifies = (update: Uint8Array, i: number) => {
          const bytes = signedBytesFor(update, proofs[i]!);
          return bytes !== undefined && verify('sha256', bytes, pem, outcome.signature);
        };
        verified += batch.filter(verifies).length;
        if (b === 0) {
          const tampered = Uint8Array.from(batch[0]!);
          tampered[0]! ^= 1;
          tamperedRejected = !verifies(tampered, 0);
        }
        progress(`batch ${b + 1}/${BATCHES}: ${SITE.threshold + 1} shares, combined${outcome.faulty.length ? ` (faulty: ${outcome.faulty.join(', ')})` : ''}`);
      }
      const signMs = performance.now() - started;
      return {
        measured: {
          'dealer keygen': `${(keygenMs / 1000).toFixed(2)} s for (${SITE.threshold},${SITE.parties}) at ${SITE.bits} bits`,
          'site-signed updates': `${Math.round(updates.length / (signMs / 1000)).toLocaleString('en-US')} updates/s, all ${SITE.threshold + 1} servers' shares computed here on ${pool.threads} threads (a real server computes only its own)`,
        },
        checked: {
          [`every update's Merkle path verifies against the site key with node:crypto (${updates.length})`]: verified === updates.length,
          [`the corrupted share of server ${FAULTY_PARTY} is named faulty and the batch still signs`]: faultyNamed,
          'a tampered update does not verify with its path and the batch signature': tamperedRejected,
        },
        detail: { keygenMs, signMs, updates: updates.length, verified, batch: BATCH },
      };
    } finally {
      await pool.close();
    }
  },
};
