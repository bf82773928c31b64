// Where a RamCast multicast's time goes, hop by hop, from the native timestamps of one traced
// run (CLOCK_MONOTONIC in every process, so they compare across processes): the client's call,
// each write hop's arrival at the servers (body, the leader's timestamp at followers, the last
// ack before delivery), delivery at a quorum of every group, the credit that tells the client,
// and the promise settling in JS. Medians over the messages of the run, as time since the call.
import type { NodeId } from '../src/sim/core.js';
import type { RamcastTopology } from '../src/ramcast/config.js';
import { percentile } from './harness/stats.js';

export interface HopTimeline {
  /** Stage name → median µs since the client's call. */
  stages: [string, number][];
  messages: number;
}

interface Seen {
  body: number[];
  ts: number[];
  ack: number[];
  deliver: Map<number, number[]>; // group → delivery times
}

const median = (xs: number[]) => (xs.length ? percentile(xs, 50) : NaN);

export function hopTimeline(topology: RamcastTopology, receipts: Map<NodeId, number[]>, traces: Map<NodeId, number[]>): HopTimeline {
  const groupOf = new Map(topology.groups.flatMap((m, g) => m.map((n) => [n, g] as const)));
  const leaders = new Set(topology.groups.map((m) => Math.min(...m)));
  const seen = new Map<string, Seen>();
  for (const [node, rows] of traces)
    for (let i = 0; i + 5 < rows.length; i += 6) {
      const key = `${rows[i]}:${rows[i + 1]}`;
      let s = seen.get(key);
      if (!s) seen.set(key, (s = { body: [], ts: [], ack: [], deliver: new Map() }));
      if (rows[i + 2]) s.body.push(rows[i + 2]!);
      if (rows[i + 3] && !leaders.has(node)) s.ts.push(rows[i + 3]!);
      if (rows[i + 4]) s.ack.push(rows[i + 4]!);
      const g = groupOf.get(node)!;
      const list = s.deliver.get(g) ?? [];
      list.push(rows[i + 5]!);
      s.deliver.set(g, list);
    }
  const stage = { body: [] as number[], ts: [] as number[], ack: [] as number[], quorum: [] as number[], done: [] as number[], settled: [] as number[] };
  let messages = 0;
  for (const [client, r] of receipts)
    for (let i = 0; i + 3 < r.length; i += 4) {
      const s = seen.get(`${client}:${r[i]}`);
      const issued = r[i + 1]!;
      if (!s) continue;
      messages++;
      const us = (t: number) => (t - issued) / 1e3;
      stage.body.push(us(median(s.body)));
      if (s.ts.length) stage.ts.push(us(median(s.ts)));
      stage.ack.push(us(median(s.ack)));
      // A quorum of every destination group has delivered at the latest group's majority-th time.
      const quorum = Math.max(...[...s.deliver.entries()].map(([g, ts]) => ts.sort((a, b) => a - b)[Math.floor(topology.groups[g]!.length / 2)] ?? Infinity));
      stage.quorum.push(us(quorum));
      stage.done.push(us(r[i + 2]!));
      stage.settled.push(us(r[i + 3]!));
    }
  return {
    messages,
    stages: [
      ['body written into every destination (client → servers)', median(stage.body)],
      ["leader's timestamp at followers (leader → followers)", median(stage.ts)],
      ['last ack before delivery (members → every destination)', median(stage.ack)],
      ['delivered at a quorum of every group', median(stage.quorum)],
      ['credit seen by the client driver (servers → client)', median(stage.done)],
      ['promise settled in JS (driver thread → event loop)', median(stage.settled)],
    ],
  };
}
