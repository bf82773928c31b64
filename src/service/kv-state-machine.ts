// The replicated key-value store: a StateMachine over versioned keys. Malformed command
// bytes yield a `rejected` result (deterministically), never an exception: a Byzantine
// client's garbage must not split the replicas. The digest is kept incrementally (a replica
// digests its state after every execution for the checkers, so it must not cost a pass over
// every key): the XOR of one SHA-256 per entry, plus the version counter. Keys are unique, so
// XOR's weakness with repeated elements does not arise; it detects divergence between
// correct replicas, it is not a commitment a Byzantine party could not collide.
import { createHash } from 'node:crypto';
import { DecodeError } from '../wire/decode-error.js';
import { kvCommands, kvResults, type KvResult } from './kv-commands.js';
import type { StateMachine } from './state-machine.js';

interface Entry {
  version: number;
  value: Uint8Array;
  /** SHA-256 of (key, version, value): this entry's share of the digest. */
  hash: Buffer;
}

const DIGEST_BYTES = 32;

export class KvStateMachine implements StateMachine {
  private readonly entries = new Map<string, Entry>();
  /** Versions keep counting across deletes so a stale compareAndPut never succeeds. */
  private nextVersion = 1;
  /** XOR of every entry's hash. */
  private readonly entriesXor = Buffer.alloc(DIGEST_BYTES);

  get size(): number {
    return this.entries.size;
  }

  apply(update: Uint8Array): Uint8Array {
    return kvResults.encode(this.applyCommand(update));
  }

  query(query: Uint8Array): Uint8Array {
    const command = decodeOrReason(query);
    if (typeof command === 'string') return kvResults.encode({ type: 'rejected', reason: command });
    if (command.type !== 'get') return kvResults.encode({ type: 'rejected', reason: `${command.type} is an update, not a query` });
    const entry = this.entries.get(command.key);
    return kvResults.encode(entry ? { type: 'value', version: entry.version, value: entry.value } : { type: 'missing' });
  }

  digest(): Uint8Array {
    return createHash('sha256').update(`next ${this.nextVersion}\n`).update(this.entriesXor).digest();
  }

  private applyCommand(update: Uint8Array): KvResult {
    const command = decodeOrReason(update);
    if (typeof command === 'string') return { type: 'rejected', reason: command };
    switch (command.type) {
      case 'get':
        return { type: 'rejected', reason: 'get is a query, not an update' };
      case 'put':
        return this.put(command.key, command.value);
      case 'delete': {
        const old = this.entries.get(command.key);
        if (!old) return { type: 'done', version: 0 };
        this.entries.delete(command.key);
        xorInto(this.entriesXor, old.hash);
        this.nextVersion++;
        return { type: 'done', version: 0 };
      }
      case 'compareAndPut': {
        const current = this.entries.get(command.key)?.version ?? 0;
        return current === command.expected ? this.put(command.key, command.value) : { type: 'conflict', version: current };
      }
    }
  }

  private put(key: string, value: Uint8Array): KvResult {
    const version = this.nextVersion++;
    const old = this.entries.get(key);
    if (old) xorInto(this.entriesXor, old.hash);
    const hash = createHash('sha256').update(`${Buffer.byteLength(key)}:${key} ${version} ${value.length}:`).update(value).digest();
    xorInto(this.entriesXor, hash);
    this.entries.set(key, { version, value: Uint8Array.from(value), hash });
    return { type: 'done', version };
  }
}

function xorInto(acc: Buffer, h: Buffer): void {
  for (let i = 0; i < DIGEST_BYTES; i++) acc[i] = acc[i]! ^ h[i]!;
}

function decodeOrReason(bytes: Uint8Array) {
  try {
    return kvCommands.decode(bytes);
  } catch (e) {
    if (e instanceof DecodeError) return e.message;
    throw e;
  }
}
