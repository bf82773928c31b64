// Delivery logs of real processes: what each client multicast (logged before its first write,
// so a SIGKILL cannot hide a message the others deliver) and what each server delivered, in
// order. Appended with one writeSync per batch, so a killed process's log is in the kernel up
// to its last batch; a torn last line is ignored. readDeliveryLogs turns a directory of them
// into the checkers' input (properties.ts), the same checkers the simulator runs.
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { NodeId } from '../../sim/core.js';
import type { DeliveryLogs } from '../properties.js';
import { messageKey } from '../trace.js';

const FILE_PREFIX = 'node-';
const FILE_SUFFIX = '.jsonl';

export function logFile(dir: string, node: NodeId): string {
  return path.join(dir, `${FILE_PREFIX}${node}${FILE_SUFFIX}`);
}

/** What a log line holds: a multicast (m), its withdrawal (w, the call threw) or a delivery (d). */
type Line = { m: [number, number[]] } | { w: number } | { d: [number, number, number, number[]] };

export interface LoggedDelivery {
  client: number;
  seq: number;
  ts: number;
  dst: number[];
}

export class DeliveryLogWriter {
  private readonly fd: number;

  constructor(dir: string, node: NodeId) {
    this.fd = openSync(logFile(dir, node), 'a');
  }

  multicast(seq: number, dst: number[]): void {
    this.write([{ m: [seq, dst] }]);
  }

  withdrawn(seq: number): void {
    this.write([{ w: seq }]);
  }

  delivered(batch: Iterable<LoggedDelivery>): void {
    const lines: Line[] = [];
    for (const d of batch) lines.push({ d: [d.client, d.seq, d.ts, d.dst] });
    this.write(lines);
  }

  close(): void {
    closeSync(this.fd);
  }

  private write(lines: Line[]): void {
    if (lines.length) writeSync(this.fd, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  }
}

/** Every log in `dir`, as the §9 checkers read them. */
export function readDeliveryLogs(dir: string): DeliveryLogs {
  const logs: DeliveryLogs = { multicasts: new Map(), delivered: new Map() };
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(FILE_PREFIX) || !name.endsWith(FILE_SUFFIX)) continue;
    const node = Number(name.slice(FILE_PREFIX.length, -FILE_SUFFIX.length));
    const withdrawn = new Set<string>();
    for (const text of readFileSync(path.join(dir, name), 'utf8').split('\n')) {
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        continue; // empty, or torn by a kill mid-write
      }
      if ('m' in line) {
        const id = messageKey(node, line.m[0]);
        logs.multicasts.set(id, { id, dst: line.m[1], client: node });
      } else if ('w' in line) {
        withdrawn.add(messageKey(node, line.w));
      } else if ('d' in line) {
        const [client, seq, ts, dst] = line.d;
        let list = logs.delivered.get(node);
        if (!list) logs.delivered.set(node, (list = []));
        list.push({ id: messageKey(client, seq), ts, dst });
      }
    }
    for (const id of withdrawn) logs.multicasts.delete(id);
  }
  return logs;
}
