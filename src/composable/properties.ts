// The composable architecture's properties (Lane 2008 §4.2, §4.4, §4.5) as simulator
// Properties over the cores' outputs (outputs.ts):
//  * local S1 — no two correct servers of an LM execute different batches at one local seq,
//    and each executes its LM's instances gap-free, in order;
//  * S1 / S2 / order — no two correct servers execute different updates at one global seq;
//    only submitted updates execute; execution is gap-free; with no Byzantine site, no update
//    is bound to two seqs (a correct leader LM never proposes one twice);
//  * CLink exactly-once — no correct server applies one (client, ts) twice;
//  * BLink — a correct LM's servers agree on what each link seq carries; a correct receiver
//    orders each link's messages exactly once, in link order, as they were sent; at the end
//    every message between two correct, connected LMs sent a while before was delivered;
//  * L1 — every live client of a correct site had all its updates answered;
//  * no correct server is ever blacklisted; views never go back.
// Servers of Byzantine sites, and Byzantine servers, may claim anything: their outputs are
// ignored. Crashed servers count until they crash; a restarted one starts over from seq 1.
// The same check function reads the execution logs of real processes (checkExecutionLogs).
import type { NodeId } from '../sim/core.js';
import type { Property, RunView } from '../sim/property.js';
import type { TraceRecord } from '../sim/trace.js';
import { OUT, type ExecuteRecord, type LinkRecord, type LocalExecuteRecord, type SubmitRecord } from './outputs.js';
import { isClient, isServer, nodeCount, serverCount, serverNode, siteOf, type ComposableTopology } from './topology.js';

export interface PropertyOptions {
  /** Sites whose LM is Byzantine in this run (BFT wide area only). */
  byzantineSites?: ReadonlySet<number>;
  /** Check L1 and BLink delivery at the end (the scenario leaves a stable system behind). */
  liveness: boolean;
  /** Updates each live client must have answered (L1). */
  answersPerClient: number;
  /** Clients whose site is down for good (more than f servers crashed) are not owed answers. */
  deadSites?: ReadonlySet<number>;
  /** BLink delivery is owed only for messages sent this long before the end. */
  linkSettleUs?: number;
}

/** Default BLink settle time: a few link timeouts of the scenarios' timings. */
export const LINK_SETTLE_US = 5_000_000;

/** S1, order and exactly-once over execution logs: node → records in execution order. */
export function checkExecutionLogs(logs: Map<NodeId, ExecuteRecord[]>, opts: { strictBinding: boolean } = { strictBinding: true }): string | null {
  const atSeq = new Map<number, { digest: string; node: NodeId }>();
  const boundAt = new Map<string, number>();
  for (const [node, list] of logs) {
    let last = 0;
    const applied = new Set<string>();
    for (const e of list) {
      if (e.seq !== last + 1) return `order: server ${node} executed seq ${e.seq} after ${last}`;
      last = e.seq;
      const prior = atSeq.get(e.seq);
      if (prior && prior.digest !== e.digest) return `S1: servers ${prior.node} and ${node} executed different updates at seq ${e.seq} (${prior.digest.slice(0, 12) || 'no-op'} vs ${e.digest.slice(0, 12) || 'no-op'})`;
      if (!prior) atSeq.set(e.seq, { digest: e.digest, node });
      if (e.digest === '') continue;
      const key = `${e.client}:${e.ts}`;
      if (!e.noop) {
        if (applied.has(key)) return `exactly-once: server ${node} applied (client ${e.client}, ts ${e.ts}) twice`;
        applied.add(key);
      }
      const b = boundAt.get(e.digest);
      if (opts.strictBinding && b !== undefined && b !== e.seq) return `binding: update (client ${e.client}, ts ${e.ts}) was ordered at seqs ${b} and ${e.seq}`;
      boundAt.set(e.digest, e.seq);
    }
  }
  return null;
}

export interface Checks {
  properties: Property[];
  /** No message between two live correct LMs is waiting to be delivered (the run may end). */
  quiescent(): boolean;
}

export function composableChecks(t: ComposableTopology, opts: PropertyOptions): Checks {
  const byzSites = opts.byzantineSites ?? new Set<number>();
  const correct = (v: RunView, node: NodeId) => isServer(t, node) && !v.byzantine(node) && !byzSites.has(siteOf(t, node));
  const submitted = new Set<string>();
  const localAt = new Map<string, { digest: string; node: NodeId }>();
  const localLast = new Map<NodeId, number>();
  const execAt = new Map<number, { digest: string; node: NodeId }>();
  const execLast = new Map<NodeId, number>();
  const applied = new Map<NodeId, Set<string>>();
  const boundAt = new Map<string, number>();
  const sent = new Map<string, { digest: string; t: number }>();
  const delivered = new Map<string, number>();
  const deliveredAnywhere = new Set<string>();
  const undelivered = new Set<string>();
  const gone = (s: number) => byzSites.has(s) || (opts.deadSites?.has(s) ?? false);
  const views = new Map<string, number>();

  const reset = (node: NodeId) => {
    localLast.delete(node);
    execLast.delete(node);
    applied.delete(node);
    for (const k of [...delivered.keys()]) if (k.startsWith(`${node}/`)) delivered.delete(k);
    for (const k of [...views.keys()]) if (k.startsWith(`${node}/`)) views.delete(k);
  };

  const safety: Property = {
    name: 'composable.safety',
    onRecord(r: TraceRecord, v: RunView) {
      if (r.kind === 'start') {
        reset(r.node); // a restarted server lost its state and executes from seq 1 again
        return null;
      }
      if (r.kind !== 'output') return null;
      if (r.name === OUT.submit) {
        submitted.add((r.data as unknown as SubmitRecord).digest);
        return null;
      }
      if (!correct(v, r.node)) return null;
      switch (r.name) {
        case OUT.localExecute: {
          const e = r.data as unknown as LocalExecuteRecord;
          const last = localLast.get(r.node) ?? 0;
          if (e.seq !== last + 1) return `local order: server ${r.node} executed local seq ${e.seq} after ${last}`;
          localLast.set(r.node, e.seq);
          const k = `${e.site}/${e.seq}`;
          const prior = localAt.get(k);
          if (prior && prior.digest !== e.digest) return `local S1: servers ${prior.node} and ${r.node} of site ${e.site} executed different batches at local seq ${e.seq}`;
          if (!prior) localAt.set(k, { digest: e.digest, node: r.node });
          return null;
        }
        case OUT.execute: {
          const e = r.data as unknown as ExecuteRecord;
          const last = execLast.get(r.node) ?? 0;
          if (e.seq !== last + 1) return `order: server ${r.node} executed seq ${e.seq} after ${last}`;
          execLast.set(r.node, e.seq);
          const prior = execAt.get(e.seq);
          if (prior && prior.digest !== e.digest) return `S1: servers ${prior.node} and ${r.node} executed different updates at seq ${e.seq}`;
          if (!prior) execAt.set(e.seq, { digest: e.digest, node: r.node });
          if (e.digest === '') return null;
          if (!submitted.has(e.digest)) return `S2: server ${r.node} executed an update no client submitted (seq ${e.seq})`;
          const key = `${e.client}:${e.ts}`;
          let a = applied.get(r.node);
          if (!a) applied.set(r.node, (a = new Set()));
          if (!e.noop) {
            if (a.has(key)) return `CLink exactly-once: server ${r.node} applied (client ${e.client}, ts ${e.ts}) twice`;
            a.add(key);
          }
          const b = boundAt.get(e.digest);
          if (byzSites.size === 0 && b !== undefined && b !== e.seq) return `binding: update (client ${e.client}, ts ${e.ts}) ordered at seqs ${b} and ${e.seq} with no Byzantine site`;
          if (b === undefined) boundAt.set(e.digest, e.seq);
          return null;
        }
        case OUT.linkSend: {
          const s = r.data as unknown as LinkRecord;
          const k = `${s.from}>${s.to}#${s.seq}`;
          const prior = sent.get(k);
          if (prior && prior.digest !== s.digest) return `BLink: servers of site ${s.from} disagree on link seq ${s.seq} to site ${s.to}`;
          if (!prior) {
            sent.set(k, { digest: s.digest, t: r.t });
            if (!deliveredAnywhere.has(k) && !gone(s.from) && !gone(s.to)) undelivered.add(k);
          }
          return null;
        }
        case OUT.linkDeliver: {
          const d = r.data as unknown as LinkRecord;
          const k = `${r.node}/${d.from}`;
          const last = delivered.get(k) ?? 0;
          if (d.seq !== last + 1) return `BLink: server ${r.node} ordered link seq ${d.seq} from site ${d.from} after ${last}`;
          delivered.set(k, d.seq);
          const s = sent.get(`${d.from}>${d.to}#${d.seq}`);
          if (!byzSites.has(d.from) && s && s.digest !== d.digest) return `BLink: server ${r.node} ordered another message than site ${d.from} sent at link seq ${d.seq}`;
          deliveredAnywhere.add(`${d.from}>${d.to}#${d.seq}`);
          undelivered.delete(`${d.from}>${d.to}#${d.seq}`);
          return null;
        }
        case OUT.view: {
          const d = r.data as { level: string; view: number };
          const k = `${r.node}/${d.level}`;
          const prior = views.get(k) ?? 0;
          if (d.view < prior) return `views: server ${r.node}'s ${d.level} view went back from ${prior} to ${d.view}`;
          views.set(k, d.view);
          return null;
        }
        case OUT.blacklist: {
          const accused = serverNode(t, siteOf(t, r.node), (r.data as { server: number }).server);
          if (!v.byzantine(accused)) return `blacklist: server ${r.node} blacklisted correct server ${accused}`;
          return null;
        }
        default:
          return null;
      }
    },
  };

  const props: Property[] = [safety];
  const quiescent = () => undelivered.size === 0;
  if (!opts.liveness) return { properties: props, quiescent };
  props.push({
    name: 'composable.L1',
    check(v: RunView) {
      const got = new Map<NodeId, number>();
      for (const r of v.trace.outputs) if (r.name === OUT.accepted) got.set(r.node, (got.get(r.node) ?? 0) + 1);
      for (let node = serverCount(t); node < nodeCount(t); node++) {
        if (!isClient(t, node) || v.faulty(node) || byzSites.has(siteOf(t, node)) || opts.deadSites?.has(siteOf(t, node))) continue;
        const have = got.get(node) ?? 0;
        if (have < opts.answersPerClient) return `L1: client ${node} (site ${siteOf(t, node)}) got ${have} of ${opts.answersPerClient} updates answered by t=${v.nowUs} µs`;
      }
      return null;
    },
  });
  props.push({
    name: 'composable.blink-delivery',
    check(v: RunView) {
      const settle = opts.linkSettleUs ?? LINK_SETTLE_US;
      for (const [k, s] of sent) {
        const [from, rest] = k.split('>');
        const to = Number(rest!.split('#')[0]);
        if (gone(Number(from)) || gone(to) || s.t > v.nowUs - settle) continue;
        if (!deliveredAnywhere.has(k)) return `BLink delivery: site ${to} never ordered link seq ${k.split('#')[1]} from site ${from} (sent at ${s.t} µs)`;
      }
      return null;
    },
  });
  return { properties: props, quiescent };
}
