// An emulated non-leader Steward site for the E1 benchmark, as on the paper's testbed (§3.5:
// "each of the other 4 sites is one machine acting as that site's representative", which
// busy-waits per packet the time a real 16-server site needs). It is one simulator node in
// the rep's place: for each Proposal from the leader site it verifies the site signature,
// then asks for a site signature on its Accept at the measured per-Accept cost of a full
// site (siteAcceptCostUs, below), and sends the Accept to every other site's rep, exactly as
// the real protocol's rep would. It executes nothing and serves no clients (the E1 clients
// attach to the leader site). The other servers of the site are inert.
import type { CostedOp } from '../src/crypto/cost-model.js';
import { encodeFields, u32 } from '../src/crypto/cost-model.js';
import type { Core, CoreEffect, NodeId } from '../src/sim/core.js';
import type { CryptoHandler } from '../src/sim/setup.js';
import { digestOf } from '../src/steward/assign-sequence.js';
import { openSiteSigned } from '../src/steward/envelopes.js';
import { decode, encode } from '../src/steward/messages.js';
import { serverNode, type StewardTopology } from '../src/steward/topology.js';
import { DecodeError } from '../src/wire/decode-error.js';

/** The bench-only crypto op: a whole site's THRESHOLD-SIGN of an Accept, at its measured cost. */
export const SITE_SIGN_OP = 'emulated.site-sign';

/**
 * One server's CPU per Accept in a real (2f+1, 3f+1) site (Fig. 3.10 at a non-leader site):
 * check the Proposal's site signature, make a partial, RSA-sign the Partial_Sig message,
 * check 2f+1 Partial_Sig signatures, combine. Every server of the site does this in parallel,
 * so it is the site's per-packet cost; the rep's relays and the Accept's wide-area send are
 * network time, modelled by the simulator.
 */
export function siteAcceptCostUs(c: Record<CostedOp, number>, f: number): number {
  return c['tsig.verify'] + c['tsig.partial'] + c.sign + (2 * f + 1) * c.verify + c['tsig.combine'];
}

export function emulatedSite(t: StewardTopology, site: number): Core {
  let next = 0;
  const pending = new Map<string, Uint8Array>();
  /** One Accept per (gv, seq), like the real site: a re-sent Proposal gets the same Accept again. */
  const accepted = new Map<string, Uint8Array | null>();
  const reps = Array.from({ length: t.sites }, (_, s) => serverNode(t, s, 0)).filter((_, s) => s !== site);
  return {
    handle(_now, event) {
      const fx: CoreEffect[] = [];
      if (event.kind === 'crypto') {
        const body = pending.get(event.job);
        pending.delete(event.job);
        if (body && event.ok && event.job.startsWith('a')) {
          const acc = encode({ type: 'siteSigned', site, body, sig: event.bytes });
          const a = decodeAccept(body);
          accepted.set(a, acc);
          for (const to of reps) fx.push({ kind: 'send', to, bytes: acc });
        } else if (body && event.ok) {
          const job = `a${next++}`;
          pending.set(job, body);
          fx.push({ kind: 'crypto', job, op: SITE_SIGN_OP, bytes: body });
        }
        return fx;
      }
      if (event.kind !== 'receive') return fx;
      try {
        const o = openSiteSigned(event.bytes);
        const p = o.body;
        if (p.type !== 'proposal') return fx;
        const key = `${p.gv}/${p.seq}`;
        if (accepted.has(key)) {
          const acc = accepted.get(key);
          if (acc) for (const to of reps) fx.push({ kind: 'send', to, bytes: acc });
          return fx;
        }
        accepted.set(key, null);
        const job = `v${next++}`;
        pending.set(job, encode({ type: 'accept', site, gv: p.gv, lv: p.lv, seq: p.seq, digest: digestOf(p.update) }));
        fx.push({ kind: 'crypto', job, op: 'tsig.verify', bytes: encodeFields([u32(o.site), o.bodyBytes, o.sig]) });
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
      }
      return fx;
    },
  };
}

function decodeAccept(body: Uint8Array): string {
  const a = decode(body);
  return a.type === 'accept' ? `${a.gv}/${a.seq}` : '';
}

export const inertCore: Core = { handle: () => [] };

/**
 * Wraps the cost-model signer so an emulated site's SITE_SIGN_OP yields a genuine site
 * signature (the cost model's own, from 2f+1 of its parties' shares) charged at `costUs`.
 */
export function withEmulatedSiteSigning(inner: CryptoHandler, t: StewardTopology, costUs: number): CryptoHandler {
  return (job, rng) => {
    if (job.op !== SITE_SIGN_OP) return inner(job, rng);
    const site = Math.floor(job.node / (3 * t.f + 1));
    const partials: Uint8Array[] = [];
    for (let i = 0; i < 2 * t.f + 1; i++) partials.push(inner({ node: serverNode(t, site, i) as NodeId, job: job.job, op: 'tsig.partial', bytes: job.bytes }, rng).bytes);
    const combined = inner({ node: job.node, job: job.job, op: 'tsig.combine', bytes: encodeFields([job.bytes, ...partials]) }, rng);
    return { ok: combined.ok, bytes: combined.bytes, costUs };
  };
}
