// I8 (Claim 3.6.13, Def. 3.6.8): every correct server is always contiguous: it holds a
// constraining entry (PC, Proposal or GOU, in either history) for every seq up to its highest
// one. Below Global_aru the GOUs stand (never removed: I12), so the checker follows each
// server's entries above its Global_aru from its records — PCs gained and lost, Proposals
// stored and dropped, GOUs stored, seqs executed — and judges it when its step is over
// (step-boundaries.ts: applying a union drops old entries before adopting new ones).
// Per server and incarnation; the entries above Global_aru are at most 2W (Lemma 3.6.24).
import type { NodeId } from '../sim/core.js';
import type { Property, RunView } from '../sim/property.js';
import type { TraceRecord } from '../sim/trace.js';
import { OUT } from './outputs.js';
import { startsStep } from './step-boundaries.js';

const PC = 1;
const PROPOSAL = 2;
const GOU = 4;

interface Held {
  aru: number;
  /** seq above aru → which constraining entries it has (bits). */
  entries: Map<number, number>;
}

export function contiguityProperty(): Property {
  const servers = new Map<NodeId, Held>();
  const changed = new Set<NodeId>();

  const judge = (v: RunView): string | null => {
    for (const node of changed) {
      if (v.byzantine(node)) continue;
      const h = servers.get(node)!;
      let highest = h.aru;
      let count = 0;
      for (const [seq, bits] of h.entries) if (seq > h.aru && bits !== 0) {
        count++;
        if (seq > highest) highest = seq;
      }
      if (highest - h.aru === count) continue;
      let hole = h.aru + 1;
      while (h.entries.get(hole)) hole++;
      return `I8: server ${node} holds a constraining entry for seq ${highest} but none for seq ${hole} (Global_aru ${h.aru})`;
    }
    changed.clear();
    return null;
  };

  const mark = (h: Held, seq: number, bit: number, on: boolean) => {
    if (seq <= h.aru) return;
    const bits = ((h.entries.get(seq) ?? 0) & ~bit) | (on ? bit : 0);
    if (bits === 0) h.entries.delete(seq);
    else h.entries.set(seq, bits);
  };

  return {
    name: 'steward.I8',
    onRecord(r: TraceRecord, v: RunView) {
      if (startsStep(r)) {
        const m = judge(v);
        if (m !== null) return m;
      }
      if (r.kind === 'start') {
        servers.delete(r.node); // a restart begins with empty histories
        return null;
      }
      if (r.kind !== 'output') return null;
      const d = r.data as Record<string, number | string | boolean>;
      const seq = d.seq as number;
      let h = servers.get(r.node);
      const get = () => h ?? (servers.set(r.node, (h = { aru: 0, entries: new Map() })), h);
      switch (r.name) {
        case OUT.execute:
          get().aru = seq;
          h!.entries.delete(seq);
          break;
        case OUT.pcHeld:
          mark(get(), seq, PC, d.held === true);
          break;
        case OUT.proposalStored:
          mark(get(), seq, PROPOSAL, true);
          break;
        case OUT.proposalDropped:
          mark(get(), seq, PROPOSAL, false);
          break;
        case OUT.gou:
          mark(get(), seq, GOU, true);
          break;
        default:
          return null;
      }
      changed.add(r.node);
      return null;
    },
    check: (v) => judge(v),
  };
}
