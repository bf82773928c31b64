// I12's Proposal half (Fig. 3.8 A): a Proposal held in a Global_History slot is replaced only
// by one from a higher global view. Besides replacement, a Proposal leaves its slot only when
// the seq is executed (execution.ts) or, on applying a Collected_Global_Constraints, when it
// is from an older gv than the server's (D17); a drop of any other Proposal is a violation
// too. Per server and incarnation (a restart loses the history).
import type { NodeId } from '../sim/core.js';
import type { Property, RunView } from '../sim/property.js';
import type { TraceRecord } from '../sim/trace.js';
import { OUT } from './outputs.js';

type Data = Record<string, number | string | boolean>;

export function proposalReplacementProperty(): Property {
  /** node → seq → gv of the Proposal it holds. */
  const held = new Map<NodeId, Map<number, number>>();
  const gvOf = new Map<NodeId, number>();
  return {
    name: 'steward.I12-proposals',
    onRecord(r: TraceRecord, v: RunView) {
      if (r.kind === 'start') {
        held.delete(r.node);
        gvOf.delete(r.node);
        return null;
      }
      if (r.kind !== 'output' || v.byzantine(r.node)) return null;
      const d = r.data as Data;
      if (r.name === OUT.view) {
        gvOf.set(r.node, d.gv as number);
        return null;
      }
      if (r.name !== OUT.proposalStored && r.name !== OUT.proposalDropped) return null;
      const seq = d.seq as number;
      const gv = d.gv as number;
      let slots = held.get(r.node);
      if (!slots) held.set(r.node, (slots = new Map()));
      const prior = slots.get(seq);
      if (r.name === OUT.proposalDropped) {
        const mine = gvOf.get(r.node) ?? 0;
        if (gv >= mine) return `I12: server ${r.node} in gv ${mine} dropped the Proposal of gv ${gv} at seq ${seq}`;
        slots.delete(seq);
        return null;
      }
      if (prior !== undefined && gv <= prior) return `I12: server ${r.node} replaced the Proposal of gv ${prior} at seq ${seq} by one of gv ${gv}`;
      slots.set(seq, gv);
      return null;
    },
  };
}
