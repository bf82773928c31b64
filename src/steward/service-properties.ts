// The replicated service as a Steward client sees it (§3.1, D5, D7), checked in the simulator
// sweeps: every answered update of the closed-loop workload (puts to the client's own key,
// client-core.ts) returns `done` with a version above the previous one, and a client's query
// after its updates reads exactly its last put (read your writes: the client asks for an
// answer reflecting at least the seq of its last update). A correct server cannot be talked
// into another result: f+1 matching signed replies stand behind each.
import { kvCommands, kvResults, workloadPut } from '../service/kv-commands.js';
import type { Property, RunView } from '../sim/property.js';
import { OUT, type AnswerRecord } from './outputs.js';

export function serviceProperty(opBytes: number): Property {
  return {
    name: 'steward.service-results',
    check(v: RunView) {
      const last = new Map<number, { version: number; puts: number }>();
      for (const r of v.trace.outputs) {
        if (r.name !== OUT.accepted && r.name !== OUT.queryAnswered) continue;
        const a = r.data as unknown as AnswerRecord;
        const result = kvResults.decode(Buffer.from(a.result, 'hex'));
        const prior = last.get(r.node) ?? { version: 0, puts: 0 };
        if (r.name === OUT.accepted) {
          if (result.type !== 'done' || result.version <= prior.version) return `client ${r.node}'s put ${prior.puts + 1} answered ${JSON.stringify(result)} after version ${prior.version}`;
          last.set(r.node, { version: result.version, puts: prior.puts + 1 });
          continue;
        }
        if (prior.puts === 0) {
          if (result.type !== 'missing') return `client ${r.node} read ${result.type} before writing its key`;
          continue;
        }
        const put = kvCommands.decode(workloadPut(r.node, prior.puts - 1, opBytes));
        const wrote = put.type === 'put' ? Buffer.from(put.value).toString('hex') : '';
        if (result.type !== 'value' || result.version !== prior.version || Buffer.from(result.value).toString('hex') !== wrote)
          return `client ${r.node} read ${JSON.stringify({ ...result, value: undefined })} after its put at version ${prior.version}`;
      }
      return null;
    },
  };
}
