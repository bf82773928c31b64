// The replicated key-value service's commands and results on the wire (src/wire
// conventions). An update is what a replication protocol orders (Steward's 200-byte
// "SQL statement" stands in as a put); a query is answered by one replica from its state.
import { bytes, string, struct, u64n } from '../wire/codec.js';
import { defineFamily, type MessageOf } from '../wire/family.js';

/** Keys are short names (URL path segments at the gateway). */
export const KV_KEY_MAX_BYTES = 256;
/** One value fits a wide-area update comfortably; larger blobs belong in a blob store. */
export const KV_VALUE_MAX_BYTES = 64 * 1024;

const key = string(KV_KEY_MAX_BYTES);
const value = bytes(KV_VALUE_MAX_BYTES);

const commands = {
  put: { tag: 1, codec: struct({ key, value }) },
  delete: { tag: 2, codec: struct({ key }) },
  /** Put only if the key's version is `expected` (0: the key must be absent). */
  compareAndPut: { tag: 3, codec: struct({ key, expected: u64n, value }) },
  get: { tag: 16, codec: struct({ key }) },
};

const results = {
  /** The key's version after the command (0: absent). */
  done: { tag: 1, codec: struct({ version: u64n }) },
  /** compareAndPut found another version. */
  conflict: { tag: 2, codec: struct({ version: u64n }) },
  value: { tag: 3, codec: struct({ version: u64n, value }) },
  missing: { tag: 4, codec: struct({}) },
  /** The command bytes did not decode: the replicas all reject it the same way. */
  rejected: { tag: 5, codec: struct({ reason: string(200) }) },
};

export const kvCommands = defineFamily({ name: 'kv-command', version: 1, messages: commands });
export const kvResults = defineFamily({ name: 'kv-result', version: 1, messages: results });
export type KvCommand = MessageOf<typeof commands>;
export type KvResult = MessageOf<typeof results>;
export type KvUpdate = Exclude<KvCommand, { type: 'get' }>;

/** Bytes a put adds around its value (version, tag, length prefixes, a short key): about this many. */
const WORKLOAD_PUT_OVERHEAD_BYTES = 16;

/**
 * A benchmark client's i-th update: a put of `opBytes` in all to the client's own key (the
 * papers' fixed-size updates, §3.5), so replicas execute real state changes.
 */
export function workloadPut(client: number, i: number, opBytes: number): Uint8Array {
  const value = new Uint8Array(Math.max(0, opBytes - WORKLOAD_PUT_OVERHEAD_BYTES)).fill((client + i) & 0xff);
  return kvCommands.encode({ type: 'put', key: `c${client}`, value });
}
