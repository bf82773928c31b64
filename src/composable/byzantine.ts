// Composable-specific Byzantine servers for the simulator's hook (src/sim/byzantine.ts has
// the generic ones; src/steward/byzantine-steward.ts the bad partial signatures, reused).
// An equivocating local leader signs, validly, a different batch for the same (view, seq)
// for some of its site's servers: only the local agreement's quorums stand between this and
// two different local executions (local S1).
import type { CoreEffect, NodeId } from '../sim/core.js';
import type { ByzantineWrap } from '../sim/setup.js';
import { DecodeError } from '../wire/decode-error.js';
import { decode, encode } from './messages.js';

export const OUT_EQUIVOCATED = 'composable.byzantine-equivocated';

export function equivocatingLeader(victims: (to: NodeId) => boolean): ByzantineWrap {
  return (core, _rng, self) => {
    const pending = new Map<string, { body: Uint8Array; to: NodeId[] }>();
    let next = 0;
    return {
      handle(now, event) {
        if (event.kind === 'crypto' && pending.has(event.job)) {
          const p = pending.get(event.job)!;
          pending.delete(event.job);
          const env = encode({ type: 'signed', from: self, body: p.body, sig: event.bytes });
          const fx: CoreEffect[] = p.to.map((to): CoreEffect => ({ kind: 'send', to, bytes: env }));
          fx.push({ kind: 'output', name: OUT_EQUIVOCATED, data: { victims: p.to.length } });
          return fx;
        }
        const fx = core.handle(now, event);
        const out: CoreEffect[] = [];
        const forged = new Map<string, { body: Uint8Array; to: NodeId[] }>();
        for (const f of fx) {
          if (f.kind !== 'send' || !victims(f.to)) {
            out.push(f);
            continue;
          }
          try {
            const e = decode(f.bytes);
            const b = e.type === 'signed' && e.from === self ? decode(e.body) : null;
            if (b?.type !== 'propose') {
              out.push(f);
              continue;
            }
            const key = `${b.view}/${b.seq}`;
            let entry = forged.get(key);
            if (!entry) forged.set(key, (entry = { body: encode({ ...b, value: encode({ type: 'batch', events: [] }) }), to: [] }));
            entry.to.push(f.to);
          } catch (err) {
            if (!(err instanceof DecodeError)) throw err;
            out.push(f);
          }
        }
        for (const entry of forged.values()) {
          const job = `equivocate-${next++}`;
          pending.set(job, entry);
          out.push({ kind: 'crypto', job, op: 'sign', bytes: entry.body });
        }
        return out;
      },
    };
  };
}
