// I13 (Steward §3.2): a site's threshold signature on data d exists only if at least 2f+1
// distinct servers of that site produced partial signatures on d, so f+1 of them are correct.
// Who produced a partial on what is the simulator's record of the `tsig.partial` requests its
// crypto host answered (every one is recorded, Byzantine servers' included, with the CRC-32C
// and length of d); a signature exists when a correct server reports a successful combine
// (OUT.siteSigned, same digest). Linear: one set of servers per (site, d).
import type { NodeId } from '../sim/core.js';
import type { Property, RunView } from '../sim/property.js';
import type { TraceRecord } from '../sim/trace.js';
import { OUT, type SiteSignedRecord } from './outputs.js';
import { isServer, siteOf, type StewardTopology } from './topology.js';

/** The cost-model signer's op name for a partial signature (src/crypto/cost-model.ts). */
const PARTIAL_OP = 'tsig.partial';

export function siteSignatureProperty(t: StewardTopology): Property {
  const partials = new Map<string, Set<NodeId>>();
  const key = (site: number, digest: string, size: number) => `${site}/${digest}/${size}`;
  const need = 2 * t.f + 1; // written out, not topology.ts siteThreshold: a wrong threshold there must be caught
  return {
    name: 'steward.I13',
    onRecord(r: TraceRecord, v: RunView) {
      if (r.kind === 'crypto' && r.info === PARTIAL_OP && isServer(t, r.node)) {
        const k = key(siteOf(t, r.node), r.digest!, r.size!);
        let by = partials.get(k);
        if (!by) partials.set(k, (by = new Set()));
        by.add(r.node);
        return null;
      }
      if (r.kind !== 'output' || r.name !== OUT.siteSigned || v.byzantine(r.node)) return null;
      const d = r.data as unknown as SiteSignedRecord;
      const site = siteOf(t, r.node);
      const made = partials.get(key(site, d.data, d.size))?.size ?? 0;
      if (made < need) return `I13: server ${r.node} holds site ${site}'s signature on data ${d.data} (${d.size} bytes), but only ${made} servers made partials on it (need ${need})`;
      return null;
    },
  };
}
