// The simulator's crypto for composable deployments: the cost-model signer of src/crypto
// (virtual time per operation, stand-in signatures unforgeable inside the run) with one
// threshold key per site — (f+1, 3f+1) for BFT LMs (§4.2) — plus `site.sign`, a Paxos LM's
// shared site key (decisions D1): the cost model's own site signature, charged as one RSA
// signature, so `tsig.verify` checks it like any site signature.
import { costModelCrypto, encodeFields, PAPER_2008_COSTS_US, type CostedOp } from '../crypto/cost-model.js';
import type { NodeId } from '../sim/core.js';
import type { CryptoHandler } from '../sim/setup.js';
import { lmThreshold, serverCount, serverIdOf, siteOf, type ComposableTopology } from './topology.js';

export function composableCrypto(t: ComposableTopology, options: { costsUs?: Partial<Record<CostedOp, number>>; secret?: Uint8Array } = {}): CryptoHandler {
  const sites = new Map<NodeId, { site: number; party: number }>();
  for (let node = 0; node < serverCount(t); node++) sites.set(node, { site: siteOf(t, node), party: serverIdOf(t, node) + 1 });
  const inner = costModelCrypto({ sites, threshold: lmThreshold(t), costsUs: options.costsUs, secret: options.secret });
  const signUs = { ...PAPER_2008_COSTS_US, ...options.costsUs }.sign;
  return (job, rng) => {
    if (job.op !== 'site.sign') return inner(job, rng);
    if (t.local !== 'paxos') return { ok: false, bytes: new Uint8Array(0), costUs: 0 };
    const partial = inner({ ...job, op: 'tsig.partial' }, rng);
    const combined = inner({ ...job, op: 'tsig.combine', bytes: encodeFields([job.bytes, partial.bytes]) }, rng);
    return { ok: combined.ok, bytes: combined.bytes, costUs: signUs };
  };
}
