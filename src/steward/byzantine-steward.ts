// Steward-specific Byzantine behaviour for the simulator's hook (src/sim/byzantine.ts has the
// generic ones: silent, equivocate, garbage, replay). A server that hands out bad partial
// signatures follows the protocol otherwise and signs its Partial_Sig messages correctly, so
// only THRESHOLD-SIGN's share checks can catch it (Fig. 3.10 → blacklisting, §5.2).
import type { CoreEffect, CoreEvent, NodeId } from '../sim/core.js';
import type { ByzantineWrap } from '../sim/setup.js';
import { tryOpenSigned } from './envelopes.js';
import { encode } from './messages.js';

export function badPartials(): ByzantineWrap {
  return (core, rng) => {
    const partialJobs = new Set<string>();
    return {
      handle(now, event) {
        let ev: CoreEvent = event;
        if (event.kind === 'crypto' && partialJobs.delete(event.job) && event.bytes.length > 2) {
          const bytes = event.bytes.slice();
          bytes[2 + rng.int(bytes.length - 2)]! ^= 1 << rng.int(8); // keep the party number, spoil the share
          ev = { ...event, bytes };
        }
        const fx = core.handle(now, ev);
        for (const f of fx) if (f.kind === 'crypto' && f.op === 'tsig.partial') partialJobs.add(f.job);
        return fx;
      },
    };
  };
}

/**
 * A representative that equivocates (§3.5 red team): every Pre-Prepare it sends goes as is to
 * some servers and, to the `victims`, replaced by a *validly signed* Pre-Prepare for the same
 * (gv, lv, seq) carrying another client's update it has seen. Only the protocol's quorums,
 * not signature checks, stand between this and two different PCs.
 */
export function equivocatingPrePrepares(victims: (to: NodeId) => boolean): ByzantineWrap {
  return (core) => {
    const seenUpdates: Uint8Array[] = [];
    let selfNode = 0;
    const pending = new Map<string, { body: Uint8Array; to: NodeId[] }>();
    let next = 0;
    return {
      handle(now, event) {
        if (event.kind === 'crypto' && pending.has(event.job)) {
          const p = pending.get(event.job)!;
          pending.delete(event.job);
          const env = encode({ type: 'signed', from: selfNode, body: p.body, sig: event.bytes });
          const fx: CoreEffect[] = p.to.map((to): CoreEffect => ({ kind: 'send', to, bytes: env }));
          fx.push({ kind: 'output', name: OUT_EQUIVOCATED, data: { victims: p.to.length } });
          return fx;
        }
        if (event.kind === 'receive') {
          const o = tryOpenSigned(event.bytes);
          if (o?.body.type === 'update' && seenUpdates.length < SEEN_UPDATES_MAX) seenUpdates.push(event.bytes);
        }
        const out: CoreEffect[] = [];
        for (const f of core.handle(now, event)) {
          const o = f.kind === 'send' ? tryOpenSigned(f.bytes) : null;
          const pp = o?.body.type === 'prePrepare' ? o.body : null;
          if (f.kind !== 'send' || !pp || !victims(f.to)) {
            out.push(f);
            continue;
          }
          selfNode = o!.from;
          const other = seenUpdates.find((u) => Buffer.compare(u, pp.update) !== 0);
          if (!other) {
            out.push(f);
            continue;
          }
          const body = encode({ type: 'prePrepare', gv: pp.gv, lv: pp.lv, seq: pp.seq, update: other });
          const job = `byz-${next++}`;
          const same = [...pending.values()].find((x) => x.body.length === body.length && Buffer.compare(x.body, body) === 0);
          if (same) same.to.push(f.to);
          else {
            pending.set(job, { body, to: [f.to] });
            out.push({ kind: 'crypto', job, op: 'sign', bytes: body });
          }
        }
        return out;
      },
    };
  };
}

/** Output of an equivocating rep each time it sent a conflicting Pre-Prepare (scenarios check it happened). */
export const OUT_EQUIVOCATED = 'steward.byzantine.equivocated';
/** Client updates an equivocating rep keeps to substitute (a few are enough). */
const SEEN_UPDATES_MAX = 16;
