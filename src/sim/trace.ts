// The record of a run: every event a core handled, every effect it produced, and what the
// network and the fault schedule did. Each record serialises to one canonical JSON line; the
// trace hash (trace-hash.ts) is always kept, the records and their lines only when asked
// (sweeps keep just the hash and the outputs).
import type { Json, NodeId, TimeUs } from './core.js';
import { canonicalJson } from './canonical-json.js';
import { TraceHash } from './trace-hash.js';
import { crc32cReference } from '../wire/crc32c.js';

export type TraceKind =
  // events handed to a core
  | 'start' | 'receive' | 'memory' | 'timer' | 'request' | 'suspect' | 'crypto-result'
  // effects a core returned
  | 'send' | 'write' | 'set-timer' | 'cancel-timer' | 'output' | 'crypto' | 'permit'
  // what the network did (`info` says why a drop happened)
  | 'drop' | 'duplicate' | 'write-rejected'
  // what the fault schedule did
  | 'crash' | 'restart' | 'pause' | 'resume' | 'partition' | 'heal' | 'byzantine';

/** One trace line. Keys serialise in this order; absent keys are omitted. */
export interface TraceRecord {
  t: TimeUs;
  /** The node concerned (receiver of an event, author of an effect); -1 for network-wide. */
  node: NodeId;
  kind: TraceKind;
  /** The other end: sender, destination, suspected node, writer. */
  peer?: NodeId;
  /** Timer, region, crypto job or output name. */
  name?: string;
  offset?: number;
  /** A duration, µs: a timer's delay, a pause's length, a crash's restart delay. */
  us?: TimeUs;
  /** Payload length in bytes (for `resume`: events that queued up during the pause). */
  size?: number;
  /** CRC-32C of the payload, 8 hex digits. */
  digest?: string;
  /** crypto-result: ok; start: restarted; suspect: suspected; permit: allowed. */
  ok?: boolean;
  data?: Json;
  info?: string;
}

export function payloadDigest(bytes: Uint8Array): string {
  return crc32cReference(bytes).toString(16).padStart(8, '0');
}

export function serialiseRecord(r: TraceRecord): string {
  let s = `{"t":${r.t},"node":${r.node},"kind":"${r.kind}"`;
  if (r.peer !== undefined) s += `,"peer":${r.peer}`;
  if (r.name !== undefined) s += `,"name":${JSON.stringify(r.name)}`;
  if (r.offset !== undefined) s += `,"offset":${r.offset}`;
  if (r.us !== undefined) s += `,"us":${r.us}`;
  if (r.size !== undefined) s += `,"size":${r.size}`;
  if (r.digest !== undefined) s += `,"digest":"${r.digest}"`;
  if (r.ok !== undefined) s += `,"ok":${r.ok}`;
  if (r.data !== undefined) s += `,"data":${canonicalJson(r.data)}`;
  if (r.info !== undefined) s += `,"info":${JSON.stringify(r.info)}`;
  return s + '}';
}

export class Trace {
  private readonly hasher = new TraceHash();
  /** Every record, in order, when retained. */
  readonly records: TraceRecord[] = [];
  /** The `output` records, always kept: what properties check at the end. */
  readonly outputs: TraceRecord[] = [];
  count = 0;

  constructor(readonly retained: boolean) {}

  add(r: TraceRecord): void {
    this.hasher.add(r);
    this.count++;
    if (r.kind === 'output') this.outputs.push(r);
    if (this.retained) this.records.push(r);
  }

  /** 16 hex digits; equal for equal traces, retained or not. */
  hash(): string {
    return this.hasher.hex();
  }

  /** The canonical JSON-lines text (only for a retained trace). */
  toJsonLines(): string {
    if (!this.retained) throw new Error('trace was not retained: run with retainTrace to serialise it');
    let text = '';
    for (const r of this.records) text += serialiseRecord(r) + '\n';
    return text;
  }
}
