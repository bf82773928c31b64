// Steward-specific Byzantine behaviour for the simulator's hook (src/sim/byzantine.ts has the
// generic ones: silent, equivocate, garbage, replay). A server that hands out bad partial
// signatures follows the protocol otherwise and signs its Partial_Sig messages correctly, so
// only THRESHOLD-SIGN's share checks can catch it (Fig. 3.10 → blacklisting, §5.2).
import type { CoreEvent } from '../sim/core.js';
import type { ByzantineWrap } from '../sim/setup.js';

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
