// The LM signature on outgoing wide-area messages (Lane 2008 §4.3, §4.6). Every server of the
// LM signs what the LM's execution produced, so whichever server is the link's forwarder can
// send it: a BFT LM with its (f+1, 3f+1) threshold share (THRESHOLD-SIGN, reused from
// Steward with blacklisting), a Paxos LM with the site key its servers share (decisions D1).
// Unoptimized, each message gets its own signature. Optimized (§4.6), the messages one agreed
// instance produced are the leaves of one Merkle tree (src/crypto/merkle.ts) and one
// signature over its root serves them all; each frame carries its own audit path and
// verifies alone (src/crypto/merkle-batch.ts). The batch boundary is the ordering instance,
// the same at every server, so the threshold shares combine.
import { buildTree, signedRoot } from '../crypto/merkle.js';
import type { CryptoPort } from '../steward/crypto-port.js';
import type { ThresholdSign } from '../steward/threshold-sign.js';
import type { OutgoingLm } from './lm-machine.js';
import { encode } from './messages.js';

const NO_PATH = new Uint8Array(0);

export interface OutgoingSignerOptions {
  port: CryptoPort;
  /** Present in a BFT LM; a Paxos LM signs with its site key. */
  tsign: ThresholdSign | null;
  merkle: boolean;
  onFrame(lm: OutgoingLm, frame: Uint8Array): void;
}

export class OutgoingSigner {
  /** Signatures asked for, and messages they covered (observability: amortisation in the bench). */
  signatures = 0;
  messages = 0;

  constructor(private readonly o: OutgoingSignerOptions) {}

  private sign(data: Uint8Array, done: (sig: Uint8Array) => void): void {
    this.signatures++;
    const t = this.o.tsign;
    if (t) {
      t.sign(data, (sig) => {
        t.forget(data);
        done(sig);
      });
    } else this.o.port.siteSign(data, done);
  }

  /** Signs everything one ordering instance produced. */
  signInstance(lms: OutgoingLm[]): void {
    if (lms.length === 0) return;
    this.messages += lms.length;
    if (!this.o.merkle) {
      for (const lm of lms) this.sign(lm.bytes, (sig) => this.o.onFrame(lm, encode({ type: 'blinkData', lm: lm.bytes, sig, index: 0, leafCount: 0, path: NO_PATH })));
      return;
    }
    const tree = buildTree(lms.map((l) => l.bytes));
    this.sign(signedRoot(lms.length, tree.root), (sig) =>
      lms.forEach((lm, j) => this.o.onFrame(lm, encode({ type: 'blinkData', lm: lm.bytes, sig, index: j, leafCount: lms.length, path: tree.paths[j]! }))),
    );
  }
}
