// Steward's service properties and invariants (spec §10) as simulator Properties over the
// cores' outputs (outputs.ts). Byzantine servers' outputs are ignored (a faulty server may
// claim anything); crashed servers count until they crash. The same check functions read the
// execution logs of real processes (checkExecutionLogs).
import type { NodeId } from '../sim/core.js';
import type { Property, RunView } from '../sim/property.js';
import type { TraceRecord } from '../sim/trace.js';
import { OUT, type AcceptedRecord, type ExecuteRecord, type SubmitRecord } from './outputs.js';
import { constrainingEntriesProperty } from './constraining-entries-property.js';
import { proposalReplacementProperty } from './proposal-replacement-property.js';
import { reliableDeliveryProperty } from './reliable-delivery-property.js';
import { rolesProperty } from './roles-property.js';
import { siteSignatureProperty } from './site-signature-property.js';
import { viewTimersProperty } from './view-timers-property.js';
import { isClient, leaderSiteOf, serverNode, serversPerSite, siteOf, type StewardTopology } from './topology.js';

type Data = Record<string, number | string | boolean>;

/** S1/I1 (and I3, I4) over execution logs: node → records in execution order. */
export function checkExecutionLogs(logs: Map<NodeId, ExecuteRecord[]>, submitted?: Set<string>): string | null {
  const atSeq = new Map<number, { digest: string; state: string; node: NodeId }>();
  const boundAt = new Map<string, number>();
  for (const [node, list] of logs) {
    let last = 0;
    for (const e of list) {
      if (e.seq !== last + 1) return `I3: server ${node} executed seq ${e.seq} after ${last}`;
      last = e.seq;
      const prior = atSeq.get(e.seq);
      if (prior && prior.digest !== e.digest) return `S1: servers ${prior.node} and ${node} executed different updates at seq ${e.seq} (${prior.digest.slice(0, 12)} vs ${e.digest.slice(0, 12)})`;
      if (prior && prior.state !== e.state) return `S1: servers ${prior.node} and ${node} reached different states at seq ${e.seq}`;
      if (!prior) atSeq.set(e.seq, { digest: e.digest, state: e.state, node });
      const b = boundAt.get(e.digest);
      if (b !== undefined && b !== e.seq) return `I4: update ${e.digest.slice(0, 12)} (client ${e.client}, ts ${e.ts}) was ordered at seqs ${b} and ${e.seq}`;
      boundAt.set(e.digest, e.seq);
      if (submitted && !submitted.has(e.digest)) return `S2: server ${node} executed ${e.digest.slice(0, 12)} at seq ${e.seq}, which no client submitted`;
    }
  }
  return null;
}

/** Everything incremental in one pass over the records (one Property per invariant family). */
export function stewardProperties(t: StewardTopology, opts: { liveness: boolean; answersPerClient?: number; window: number }): Property[] {
  const correct = (v: RunView, node: NodeId) => !v.byzantine(node);
  const submitted = new Set<string>();
  const execAt = new Map<number, { digest: string; state: string; node: NodeId }>();
  const boundAt = new Map<string, number>();
  const lastSeq = new Map<NodeId, number>();
  const pcs = new Map<string, string>();
  const proposals = new Map<string, string>();
  const ordered = new Map<number, { gv: number; digest: string }>();
  const views = new Map<NodeId, { gv: number; lv: number }>();

  const safety: Property = {
    name: 'steward.S1-S2-I1-I4',
    onRecord(r: TraceRecord, v: RunView) {
      if (r.kind === 'start') {
        lastSeq.delete(r.node); // a restarted server re-executes from seq 1 (state was lost)
        views.delete(r.node);
        return null;
      }
      if (r.kind !== 'output') return null;
      const d = r.data as Data;
      if (r.name === OUT.submit) {
        submitted.add((d as unknown as SubmitRecord).digest);
        return null;
      }
      if (!correct(v, r.node)) return null;
      if (r.name === OUT.execute) {
        const e = d as unknown as ExecuteRecord;
        const last = lastSeq.get(r.node) ?? 0;
        if (e.seq !== last + 1) return `I3: server ${r.node} executed seq ${e.seq} after ${last}`;
        lastSeq.set(r.node, e.seq);
        const prior = execAt.get(e.seq);
        if (prior && prior.digest !== e.digest) return `S1: servers ${prior.node} and ${r.node} executed different updates at seq ${e.seq}`;
        if (prior && prior.state !== e.state) return `S1: servers ${prior.node} and ${r.node} reached different states at seq ${e.seq}`;
        if (!prior) execAt.set(e.seq, { digest: e.digest, state: e.state, node: r.node });
        if (!submitted.has(e.digest)) return `S2: server ${r.node} executed an update no client submitted (seq ${e.seq})`;
        const b = boundAt.get(e.digest);
        if (b !== undefined && b !== e.seq) return `I4: update (client ${e.client}, ts ${e.ts}) ordered at seqs ${b} and ${e.seq}`;
        boundAt.set(e.digest, e.seq);
      }
      return null;
    },
  };

  const agreement: Property = {
    name: 'steward.I5-I7',
    onRecord(r: TraceRecord, v: RunView) {
      if (r.kind !== 'output' || !correct(v, r.node)) return null;
      const d = r.data as Data;
      if (r.name === OUT.pc) {
        const k = `${d.site}/${d.gv}/${d.lv}/${d.seq}`;
        const prior = pcs.get(k);
        if (prior && prior !== d.digest) return `I5: two PCs for different updates at site ${d.site}, (gv ${d.gv}, lv ${d.lv}, seq ${d.seq})`;
        pcs.set(k, d.digest as string);
      } else if (r.name === OUT.proposal) {
        const k = `${d.gv}/${d.seq}`;
        const prior = proposals.get(k);
        if (prior && prior !== d.digest && leaderSiteOf(t, d.gv as number) === d.site) return `I6: two T-signed Proposals in gv ${d.gv} for seq ${d.seq} carry different updates`;
        if (!prior && leaderSiteOf(t, d.gv as number) === d.site) proposals.set(k, d.digest as string);
        const o = ordered.get(d.seq as number);
        if (o && (d.gv as number) > o.gv && o.digest !== d.digest) return `I7: seq ${d.seq} was ordered in gv ${o.gv} but gv ${d.gv} proposes another update`;
      } else if (r.name === OUT.gou) {
        const o = ordered.get(d.seq as number);
        if (!o || (d.gv as number) < o.gv) ordered.set(d.seq as number, { gv: d.gv as number, digest: d.digest as string });
      }
      return null;
    },
  };

  const viewsProp: Property = {
    name: 'steward.I9-and-I14',
    onRecord(r: TraceRecord, v: RunView) {
      if (r.kind !== 'output' || !correct(v, r.node)) return null;
      const d = r.data as Data;
      if (r.name === OUT.view) {
        const gv = d.gv as number, gpv = d.gpv as number, lv = d.lv as number, lpv = d.lpv as number;
        if (gv - gpv < 0 || gv - gpv > 1 || lv - lpv < 0 || lv - lpv > 1) return `I9: server ${r.node} has (gv ${gv}, gpv ${gpv}, lv ${lv}, lpv ${lpv})`;
        const prior = views.get(r.node);
        if (prior && (gv < prior.gv || lv < prior.lv)) return `I9: server ${r.node}'s views went back (${prior.gv},${prior.lv}) → (${gv},${lv})`;
        views.set(r.node, { gv, lv });
      } else if (r.name === OUT.blacklist) {
        const accused = serverNode(t, siteOf(t, r.node), d.server as number);
        if (!v.byzantine(accused)) return `I14: server ${r.node} blacklisted correct server ${accused}`;
      }
      return null;
    },
  };

  // I10 (Figs 3.6, 3.12): a rep assigns a seq, and a server prepares it, only when globally and
  // locally constrained and inside its window. Global_aru is the last seq the server executed
  // (I3), read from its own execute records, not from what the record claims.
  const assignment: Property = {
    name: 'steward.I10',
    onRecord(r: TraceRecord, v: RunView) {
      if (r.kind !== 'output' || (r.name !== OUT.prePrepare && r.name !== OUT.prepare) || !correct(v, r.node)) return null;
      const d = r.data as Data;
      const seq = d.seq as number;
      const what = r.name === OUT.prePrepare ? 'Pre-Prepare' : 'Prepare';
      const aru = lastSeq.get(r.node) ?? 0;
      if (d.constrained !== true) return `I10: server ${r.node} sent a ${what} for seq ${seq} while not constrained`;
      if (seq <= aru || seq > aru + opts.window) return `I10: server ${r.node} sent a ${what} for seq ${seq} outside its window (Global_aru ${aru}, W ${opts.window})`;
      return null;
    },
  };

  // I12, its GOU half (Fig. 3.8): a GOU, once stored, is never removed, so a correct server
  // stores at most one per seq in each incarnation (a restart loses its state).
  const storedGous = new Map<NodeId, Set<number>>();
  const gousKept: Property = {
    name: 'steward.I12',
    onRecord(r: TraceRecord, v: RunView) {
      if (r.kind === 'start') {
        storedGous.delete(r.node);
        return null;
      }
      if (r.kind !== 'output' || r.name !== OUT.gou || !correct(v, r.node)) return null;
      const seq = (r.data as Data).seq as number;
      let stored = storedGous.get(r.node);
      if (!stored) storedGous.set(r.node, (stored = new Set()));
      if (stored.has(seq)) return `I12: server ${r.node} stored a second GOU for seq ${seq}: the first was removed or replaced`;
      stored.add(seq);
      return null;
    },
  };

  const props = [safety, agreement, viewsProp, assignment, gousKept, proposalReplacementProperty(), constrainingEntriesProperty(t, opts.window), viewTimersProperty(), rolesProperty(t), siteSignatureProperty(t), reliableDeliveryProperty(t)];
  if (opts.liveness) props.push(livenessProperty(t, opts.answersPerClient === undefined ? undefined : () => opts.answersPerClient!));
  return props;
}

/**
 * D5 for read-only queries: an answer backed by f+1 matching replies is a state some correct
 * server really was in after executing exactly `aru` updates (its execution record says so).
 */
export function queryProperty(): Property {
  return {
    name: 'steward.query-answers',
    check(v: RunView) {
      const states = new Map<number, Set<string>>([[0, new Set([''.padStart(16, '0')])]]);
      for (const r of v.trace.outputs) {
        if (r.name !== OUT.execute || v.byzantine(r.node)) continue;
        const e = r.data as unknown as ExecuteRecord;
        let s = states.get(e.seq);
        if (!s) states.set(e.seq, (s = new Set()));
        s.add(e.state);
      }
      for (const r of v.trace.outputs) {
        if (r.name !== OUT.queryAnswered) continue;
        const q = r.data as { seq: number; state: string };
        if (!states.get(q.seq)?.has(q.state)) return `query answer of client ${r.node} (aru ${q.seq}, state ${q.state}) matches no correct server's state`;
      }
      return null;
    },
  };
}

/** L1, bounded (spec §10 L-tests, D15): by the end every live client has all its updates answered. */
export function livenessProperty(t: StewardTopology, expected?: (client: NodeId) => number): Property {
  return {
    name: 'steward.L1',
    check(v: RunView) {
      const got = new Map<NodeId, number>();
      const submittedBy = new Map<NodeId, number>();
      for (const r of v.trace.outputs) {
        if (r.name === OUT.accepted || r.name === OUT.queryAnswered) got.set(r.node, (got.get(r.node) ?? 0) + 1);
        if (r.name === OUT.submit) submittedBy.set(r.node, Math.max(submittedBy.get(r.node) ?? 0, (r.data as unknown as AcceptedRecord).ts));
      }
      for (let node = serversPerSite(t) * t.sites; node < v.nodeCount; node++) {
        if (!isClient(t, node) || v.faulty(node)) continue;
        const want = expected?.(node) ?? submittedBy.get(node) ?? 0;
        const have = got.get(node) ?? 0;
        if (have < want) return `L1: client ${node} (site ${siteOf(t, node)}) got ${have} of ${want} updates and queries answered by t=${v.nowUs} µs`;
      }
      return null;
    },
  };
}
