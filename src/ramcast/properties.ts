// The atomic multicast properties of spec §9 (definitions from the appendix, Props. 1–5) as
// simulator Properties over the trace's outputs: `ramcast.multicast` from clients (Task 1)
// and `ramcast.deliver` from servers (Task 6). The same functions check delivery logs of
// real processes (checkLogs).
import type { NodeId } from '../sim/core.js';
import type { Property, RunView } from '../sim/property.js';
import type { TraceRecord } from '../sim/trace.js';
import type { RamcastTopology } from './config.js';
import { OUT_DELIVER, OUT_MULTICAST, type DeliverRecord, type MulticastRecord } from './trace.js';

/** What the checkers need: who multicast what, and each process's delivery sequence. */
export interface DeliveryLogs {
  multicasts: Map<string, MulticastRecord & { client: NodeId }>;
  delivered: Map<NodeId, DeliverRecord[]>;
}

export function logsFromOutputs(outputs: readonly TraceRecord[]): DeliveryLogs {
  const logs: DeliveryLogs = { multicasts: new Map(), delivered: new Map() };
  for (const r of outputs) {
    if (r.name === OUT_MULTICAST) logs.multicasts.set((r.data as unknown as MulticastRecord).id, { ...(r.data as unknown as MulticastRecord), client: r.node });
    else if (r.name === OUT_DELIVER) {
      let list = logs.delivered.get(r.node);
      if (!list) logs.delivered.set(r.node, (list = []));
      list.push(r.data as unknown as DeliverRecord);
    }
  }
  return logs;
}

function destinations(topology: RamcastTopology, dst: number[]): NodeId[] {
  return dst.flatMap((g) => topology.groups[g] ?? []);
}

/** Prop. 1: at most once, only at a destination, only if multicast before. */
export function checkIntegrity(topology: RamcastTopology, logs: DeliveryLogs): string | null {
  for (const [p, list] of logs.delivered) {
    const seen = new Set<string>();
    for (const d of list) {
      if (seen.has(d.id)) return `process ${p} delivered ${d.id} twice`;
      seen.add(d.id);
      const m = logs.multicasts.get(d.id);
      if (!m) return `process ${p} delivered ${d.id}, which was never multicast`;
      if (!destinations(topology, m.dst).includes(p)) return `process ${p} delivered ${d.id} but is not in its destination groups ${m.dst.join(',')}`;
    }
  }
  return null;
}

/** Prop. 2 (validity), run to quiescence: a correct client's message reaches every correct destination. */
export function checkValidity(topology: RamcastTopology, logs: DeliveryLogs, correct: (n: NodeId) => boolean): string | null {
  const got = deliveredSets(logs);
  for (const [id, m] of logs.multicasts) {
    if (!correct(m.client)) continue;
    for (const p of destinations(topology, m.dst))
      if (correct(p) && !got.get(p)?.has(id)) return `correct process ${p} never delivered ${id} from correct client ${m.client}`;
  }
  return null;
}

/** Prop. 3: delivered anywhere (even by a process that later crashed) ⇒ delivered by every correct destination. */
export function checkAgreement(topology: RamcastTopology, logs: DeliveryLogs, correct: (n: NodeId) => boolean): string | null {
  const got = deliveredSets(logs);
  for (const [q, list] of logs.delivered)
    for (const d of list)
      for (const p of destinations(topology, d.dst))
        if (correct(p) && !got.get(p)?.has(d.id)) return `process ${q} delivered ${d.id} but correct process ${p} never did`;
  return null;
}

/** Prop. 4 (checkable form of §9.4): for p, q in both destinations of m and m', if p delivered
 *  m' and q delivered m, then p delivered m before m' or q delivered m' before m. Equivalently
 *  (and in time linear per pair): restricted to the messages addressed to both, one process's
 *  delivery sequence is a prefix of the other's — at the first position where they differ,
 *  m' = p's message and m = q's break the rule, and without such a position it holds. */
export function checkPrefixOrder(topology: RamcastTopology, logs: DeliveryLogs): string | null {
  const dests = new Map<string, Set<NodeId>>();
  for (const [id, m] of logs.multicasts) dests.set(id, new Set(destinations(topology, m.dst)));
  const procs = [...logs.delivered.keys()];
  for (const [i, p] of procs.entries())
    for (const q of procs.slice(i + 1)) {
      const shared = (n: NodeId) => logs.delivered.get(n)!.map((d) => d.id).filter((id) => dests.get(id)?.has(p) && dests.get(id)?.has(q));
      const sp = shared(p);
      const sq = shared(q);
      for (let k = 0; k < Math.min(sp.length, sq.length); k++)
        if (sp[k] !== sq[k])
          return `processes ${p} and ${q} disagree: ${p} delivered ${sp[k]} without ${sq[k]} before it, ${q} delivered ${sq[k]} without ${sp[k]} before it`;
    }
  return null;
}

/** Prop. 5: the relation "some process delivered m before m'" is acyclic. */
export function checkAcyclicOrder(logs: DeliveryLogs): string | null {
  const edges = new Map<string, Set<string>>();
  for (const list of logs.delivered.values())
    for (let i = 1; i < list.length; i++) {
      let s = edges.get(list[i - 1]!.id);
      if (!s) edges.set(list[i - 1]!.id, (s = new Set()));
      s.add(list[i]!.id);
    }
  const state = new Map<string, 1 | 2>();
  const visit = (start: string): string | null => {
    const stack: [string, Iterator<string>][] = [[start, (edges.get(start) ?? new Set<string>()).values()]];
    state.set(start, 1);
    while (stack.length) {
      const [node, it] = stack[stack.length - 1]!;
      const next = it.next();
      if (next.done) {
        state.set(node, 2);
        stack.pop();
        continue;
      }
      const s = state.get(next.value);
      if (s === 1) return `delivery order has a cycle through ${next.value} and ${node}`;
      if (s === undefined) {
        state.set(next.value, 1);
        stack.push([next.value, (edges.get(next.value) ?? new Set<string>()).values()]);
      }
    }
    return null;
  };
  for (const id of edges.keys()) if (!state.has(id)) {
    const v = visit(id);
    if (v) return v;
  }
  return null;
}

/** §9.6 internal invariants: one final timestamp per message everywhere; delivery in increasing timestamp order. */
export function checkTimestamps(logs: DeliveryLogs): string | null {
  const ts = new Map<string, number>();
  for (const [p, list] of logs.delivered) {
    let last = -1;
    for (const d of list) {
      const prev = ts.get(d.id);
      if (prev !== undefined && prev !== d.ts) return `${d.id} has final timestamp ${prev} at one process and ${d.ts} at ${p}`;
      ts.set(d.id, d.ts);
      if (d.ts < last) return `process ${p} delivered ${d.id} (ts ${d.ts}) after a message with ts ${last}`;
      last = d.ts;
    }
  }
  return null;
}

function deliveredSets(logs: DeliveryLogs): Map<NodeId, Set<string>> {
  return new Map([...logs.delivered].map(([p, l]) => [p, new Set(l.map((d) => d.id))]));
}

/** Every §9 check over one set of logs; the first failure, or null. */
export function checkLogs(topology: RamcastTopology, logs: DeliveryLogs, correct: (n: NodeId) => boolean): string | null {
  return (
    checkIntegrity(topology, logs) ??
    checkTimestamps(logs) ??
    checkPrefixOrder(topology, logs) ??
    checkAcyclicOrder(logs) ??
    checkAgreement(topology, logs, correct) ??
    checkValidity(topology, logs, correct)
  );
}

/** The §9 properties as simulator Properties (safety at every record where cheap, all at the end). */
export function ramcastProperties(topology: RamcastTopology): Property[] {
  const logsOf = (view: RunView) => logsFromOutputs(view.trace.outputs);
  const correct = (view: RunView) => (n: NodeId) => !view.faulty(n);
  return [
    { name: 'ramcast-uniform-integrity', check: (v) => checkIntegrity(topology, logsOf(v)) },
    { name: 'ramcast-timestamp-agreement', check: (v) => checkTimestamps(logsOf(v)) },
    { name: 'ramcast-uniform-prefix-order', check: (v) => checkPrefixOrder(topology, logsOf(v)) },
    { name: 'ramcast-uniform-acyclic-order', check: (v) => checkAcyclicOrder(logsOf(v)) },
    { name: 'ramcast-uniform-agreement', check: (v) => checkAgreement(topology, logsOf(v), correct(v)) },
    { name: 'ramcast-validity', check: (v) => checkValidity(topology, logsOf(v), correct(v)) },
  ];
}
