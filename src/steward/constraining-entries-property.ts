// I8 and I11 follow the same state: each correct server's constraining entries (PC, Proposal
// or GOU, Def. 3.6.7) above its Global_aru, read from its records — PCs gained and lost,
// Proposals stored and dropped, GOUs stored, seqs executed — and judged when its step is over
// (step-boundaries.ts: applying a union drops old entries before adopting new ones). Below
// Global_aru the GOUs stand (never removed: I12). Per server and incarnation.
//
// I8 (Claim 3.6.13, Def. 3.6.8): every correct server is always contiguous, i.e. holds an
// entry for every seq up to its highest one.
//
// I11 (Lemmas 3.6.23, 3.6.30): when all stable servers have Global_aru = a, no correct server
// holds an entry above a + 2W, and none in the leader site (of its own gv) a PC or Proposal
// above a + W. A server is stable if it was never crashed, paused or Byzantine; I11 is not
// judged while a partition is in force (the cut-off servers are not stable then, and the
// lemmas speak of stable sites that can reach each other).
import type { NodeId } from '../sim/core.js';
import type { Property, RunView } from '../sim/property.js';
import { OUT } from './outputs.js';
import { judgedAtStepEnds } from './step-boundaries.js';
import { serverCount, siteOf, type StewardTopology } from './topology.js';

const PC = 1;
const PROPOSAL = 2;
const GOU = 4;

interface Held {
  aru: number;
  gv: number;
  /** seq above aru → which constraining entries it has (bits). */
  entries: Map<number, number>;
}

export function constrainingEntriesProperty(t: StewardTopology, window: number): Property {
  const servers = new Map<NodeId, Held>();
  const changed = new Set<NodeId>();
  let aruChanged = false;
  let partitioned = false;

  /** The Global_aru every stable server has, or null when they differ. */
  const commonStableAru = (v: RunView): number | null => {
    let a: number | null = null;
    for (let node = 0; node < serverCount(t); node++) {
      if (v.faulty(node)) continue;
      const aru = servers.get(node)?.aru ?? 0;
      if (a === null) a = aru;
      else if (a !== aru) return null;
    }
    return a;
  };

  const contiguous = (node: NodeId, h: Held): string | null => {
    let highest = h.aru;
    let count = 0;
    for (const [seq, bits] of h.entries)
      if (seq > h.aru && bits !== 0) {
        count++;
        if (seq > highest) highest = seq;
      }
    if (highest - h.aru === count) return null;
    let hole = h.aru + 1;
    while (h.entries.get(hole)) hole++;
    return `I8: server ${node} holds a constraining entry for seq ${highest} but none for seq ${hole} (Global_aru ${h.aru})`;
  };

  const bounded = (node: NodeId, h: Held, a: number): string | null => {
    const leaderSite = siteOf(t, node) === h.gv % t.sites;
    for (const [seq, bits] of h.entries) {
      if (seq > a + 2 * window) return `I11: every stable server has Global_aru ${a}, but server ${node} holds an entry for seq ${seq} > a + 2W (W ${window})`;
      if (leaderSite && bits & (PC | PROPOSAL) && seq > a + window) return `I11: every stable server has Global_aru ${a}, but leader-site server ${node} holds a local entry for seq ${seq} > a + W (W ${window})`;
    }
    return null;
  };

  const judge = (v: RunView): string | null => {
    const a = partitioned || (changed.size === 0 && !aruChanged) ? null : commonStableAru(v);
    const toBound = a === null ? [] : aruChanged ? [...servers.keys()] : [...changed];
    for (const node of changed) {
      if (v.byzantine(node)) continue;
      const m = contiguous(node, servers.get(node)!);
      if (m !== null) return m;
    }
    for (const node of toBound) {
      if (v.byzantine(node) || !servers.has(node)) continue;
      const m = bounded(node, servers.get(node)!, a!);
      if (m !== null) return m;
    }
    changed.clear();
    aruChanged = false;
    return null;
  };

  const mark = (h: Held, seq: number, bit: number, on: boolean) => {
    if (seq <= h.aru) return;
    const bits = ((h.entries.get(seq) ?? 0) & ~bit) | (on ? bit : 0);
    if (bits === 0) h.entries.delete(seq);
    else h.entries.set(seq, bits);
  };

  return judgedAtStepEnds('steward.I8-I11', (r) => {
    if (r.kind === 'partition' || r.kind === 'heal') {
      partitioned = r.kind === 'partition';
      aruChanged = true; // judge every server again once the cut heals
      return;
    }
    if (r.kind === 'start') {
      servers.delete(r.node); // a restart begins with empty histories
      return;
    }
    if (r.kind !== 'output') return;
    const d = r.data as Record<string, number | string | boolean>;
    const seq = d.seq as number;
    let h = servers.get(r.node);
    const held = () => h ?? (servers.set(r.node, (h = { aru: 0, gv: 0, entries: new Map() })), h);
    switch (r.name) {
      case OUT.view:
        held().gv = d.gv as number;
        break;
      case OUT.execute:
        held().aru = seq;
        h!.entries.delete(seq);
        aruChanged = true;
        break;
      case OUT.pcHeld:
        mark(held(), seq, PC, d.held === true);
        break;
      case OUT.proposalStored:
        mark(held(), seq, PROPOSAL, true);
        break;
      case OUT.proposalDropped:
        mark(held(), seq, PROPOSAL, false);
        break;
      case OUT.gou:
        mark(held(), seq, GOU, true);
        break;
      default:
        return;
    }
    changed.add(r.node);
  }, judge);
}
