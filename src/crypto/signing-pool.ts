// The signing pool (issue 3): piscina worker threads, one per core, for partial signing,
// share verification, combining and Merkle batch signing, so the event loop only routes.
// Back-pressure: at most `threads * TASKS_PER_THREAD_MAX` tasks are handed to piscina; further
// callers wait their turn (FIFO) instead of growing an unbounded queue.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { optimisticCombine, type CombinePrimitives } from './optimistic-combine.js';
import type { SignedBatch } from './merkle-batch.js';
import type { CombineOutcome, PartialSignature, ThresholdScheme, ThresholdShareSigner } from './signer.js';
import type { SigningTask } from './signing-worker.js';
import type { PublicKeyJson, ShareKeyJson } from './threshold-rsa/key-file.js';
import { SHOUP_RSA, ThresholdRsaPublicKey } from './threshold-rsa/threshold-rsa.js';

/** One running and one queued per thread: a worker never idles between tasks, memory stays bounded. */
export const TASKS_PER_THREAD_MAX = 2;

export interface SigningPoolOptions {
  /** Default: the machine's cores (2 on castellan's machines). */
  threads?: number;
}

export class SigningPool {
  readonly threads: number;
  private readonly piscina: Piscina;
  private readonly capacity: number;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly ids = new WeakMap<object, string>();

  constructor(options: SigningPoolOptions = {}) {
    this.threads = options.threads ?? availableParallelism();
    this.capacity = this.threads * TASKS_PER_THREAD_MAX;
    this.piscina = new Piscina({
      filename: new URL('./signing-worker.js', import.meta.url).href,
      minThreads: this.threads,
      maxThreads: this.threads,
      // Long-lived: a worker's parsed keys and tables are worth keeping.
      idleTimeout: Number.POSITIVE_INFINITY,
    });
  }

  /** Tasks handed to workers and not finished (≤ capacity). */
  get busy(): number {
    return this.running;
  }

  /** Callers waiting for a slot because the pool is saturated. */
  get backlog(): number {
    return this.waiting.length;
  }

  async run<R>(task: SigningTask): Promise<R> {
    if (this.running >= this.capacity) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return (await this.piscina.run(task)) as R;
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** A party's signer whose work runs in the pool. */
  shareSigner(key: ShareKeyJson): ThresholdShareSigner {
    const keyId = this.keyId(key);
    const sign = (message: Uint8Array) => this.run<Uint8Array>({ op: 'partial', keyId, key, message });
    return {
      scheme: SHOUP_RSA,
      party: key.party,
      sign,
      partialSign: async (message) => ({ party: key.party, bytes: await sign(message) }),
    };
  }

  /** Merkle batch signing with a party's share: tree and partial signature in one task. */
  merkleSigner(key: ShareKeyJson): (messages: Uint8Array[]) => Promise<SignedBatch> {
    const keyId = this.keyId(key);
    return (messages) => this.run<SignedBatch>({ op: 'merkle-sign', keyId, key, messages });
  }

  /** A site key whose share checks and combining run in the pool (combining stays optimistic). */
  scheme(key: PublicKeyJson): ThresholdScheme {
    const keyId = this.keyId(key);
    const local = new ThresholdRsaPublicKey(key);
    const primitives: CombinePrimitives = {
      parties: key.parties,
      threshold: key.threshold,
      wellFormed: (p) => local.wellFormed(p),
      verifyPartial: (message, partial) => this.run<boolean>({ op: 'verify-share', keyId, key, message, partial }),
      combineExactly: (message, partials) => this.run({ op: 'combine', keyId, key, message, partials }),
    };
    return {
      scheme: SHOUP_RSA,
      parties: key.parties,
      threshold: key.threshold,
      verify: (message, signature) => local.verify(message, signature),
      verifyPartial: primitives.verifyPartial,
      combine: (message: Uint8Array, partials: PartialSignature[]): Promise<CombineOutcome> =>
        optimisticCombine(primitives, message, partials),
    };
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }

  /** Names a key for the workers' caches: a digest of the whole file, so re-dealt keys never collide. */
  private keyId(key: object): string {
    let id = this.ids.get(key);
    if (!id) {
      id = createHash('sha256').update(JSON.stringify(key)).digest('hex');
      this.ids.set(key, id);
    }
    return id;
  }
}
