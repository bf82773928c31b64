// The batching policy of Steward §4.6 (issue 3): a message is signed as soon as a signer is
// free; messages that arrive while every signer is busy wait and go out together in the
// next batch. Idle: batches of one, no added latency. Loaded: batches grow with the backlog,
// amortising one (threshold) signature over many messages.
import type { BatchProof, SignedBatch } from './merkle-batch.js';
import { proofsOf } from './merkle-batch.js';

export interface MerkleBatcherOptions {
  /** Batches signed at once: the signing pool's thread count (more only queue in the pool). */
  concurrency: number;
  /** Upper bound on one batch; 1024 keeps a proof at 10 hashes (320 bytes). */
  maxBatch?: number;
}

export const DEFAULT_MAX_BATCH = 1024;

interface Waiting {
  message: Uint8Array;
  resolve(proof: BatchProof): void;
  reject(err: unknown): void;
}

export class MerkleBatcher {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly concurrency: number;
  /** Sizes of the batches signed so far (observability, tests). */
  readonly batchSizes: number[] = [];

  constructor(
    private readonly signBatch: (messages: Uint8Array[]) => Promise<SignedBatch>,
    options: MerkleBatcherOptions,
  ) {
    this.concurrency = options.concurrency;
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    if (!(this.concurrency >= 1) || !(this.maxBatch >= 1)) throw new RangeError('concurrency and maxBatch must be >= 1');
  }

  /** Resolves with the message's proof once its batch is signed. */
  submit(message: Uint8Array): Promise<BatchProof> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      this.pump();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.batchSizes.push(batch.length);
      this.signBatch(batch.map((w) => w.message)).then(
        (signed) => {
          const proofs = proofsOf(signed);
          batch.forEach((w, i) => w.resolve(proofs[i]!));
        },
        (err) => batch.forEach((w) => w.reject(err)),
      ).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }
}
