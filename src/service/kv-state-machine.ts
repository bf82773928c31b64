// The replicated key-value store: a StateMachine over versioned keys. Malformed command
// bytes yield a `rejected` result (deterministically), never an exception: a Byzantine
// client's garbage must not split the replicas.
import { createHash } from 'node:crypto';
import { DecodeError } from '../wire/decode-error.js';
import { kvCommands, kvResults, type KvResult } from './kv-commands.js';
import type { StateMachine } from './state-machine.js';

interface Entry {
  version: number;
  value: Uint8Array;
}

export class KvStateMachine implements StateMachine {
  private readonly entries = new Map<string, Entry>();
  /** Versions keep counting across deletes so a stale compareAndPut never succeeds. */
  private nextVersion = 1;

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
    const h = createHash('sha256').update(`next ${this.nextVersion}\n`);
    for (const k of [...this.entries.keys()].sort()) {
      const e = this.entries.get(k)!;
      h.update(`${k.length}:${k} ${e.version} ${e.value.length}:`).update(e.value);
    }
    return h.digest();
  }

  private applyCommand(update: Uint8Array): KvResult {
    const command = decodeOrReason(update);
    if (typeof command === 'string') return { type: 'rejected', reason: command };
    switch (command.type) {
      case 'get':
        return { type: 'rejected', reason: 'get is a query, not an update' };
      case 'put':
        return this.put(command.key, command.value);
      case 'delete':
        if (!this.entries.delete(command.key)) return { type: 'done', version: 0 };
        this.nextVersion++;
        return { type: 'done', version: 0 };
      case 'compareAndPut': {
        const current = this.entries.get(command.key)?.version ?? 0;
        return current === command.expected ? this.put(command.key, command.value) : { type: 'conflict', version: current };
      }
    }
  }

  private put(key: string, value: Uint8Array): KvResult {
    const version = this.nextVersion++;
    this.entries.set(key, { version, value: Uint8Array.from(value) });
    return { type: 'done', version };
  }
}

function decodeOrReason(bytes: Uint8Array) {
  try {
    return kvCommands.decode(bytes);
  } catch (e) {
    if (e instanceof DecodeError) return e.message;
    throw e;
  }
}
