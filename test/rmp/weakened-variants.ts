// Deliberately broken RMP members for the checker tests: each removes one rule the spec §12
// properties depend on, and the sweep over its scenario must report the matching violation.
// Exported as scenarios so a failing seed replays with
//   castellan sim --module dist/test/rmp/weakened-variants.js --replay SEED NAME
import type { CoreEffect, CoreEvent, TimeUs } from '../../src/sim/core.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { RmpMember } from '../../src/rmp/member.js';
import { rmpPackets, type DataPacket } from '../../src/rmp/packets.js';
import { nodeOf } from '../../src/rmp/pid.js';
import { Qos } from '../../src/rmp/qos.js';
import { forwarderScenario, lossyLanScenario, trafficSetup, type TrafficParams } from '../../src/rmp/sim-scenarios.js';
import type { MemberFactory } from '../../src/rmp/sim-cluster.js';

/** Accepts the token without holding everything ordered so far (breaks spec §5.3). */
class EagerTokenMember extends RmpMember {
  protected override holdsEverythingUpTo(): boolean {
    return true;
  }
}

/** Delivers safe, majority and K-resilient packets as soon as their turn comes (breaks §6). */
class ImpatientMember extends RmpMember {
  protected override deliverableNow(ts: number, p: DataPacket): boolean {
    return p.qos >= Qos.kResilient ? true : super.deliverableNow(ts, p);
  }
}

/**
 * Replies to a client behind a forwarder go straight to the client instead of through the
 * forwarder (breaks D21): only a member that heard from the client itself can reach it. Its
 * scenario gives each client one forwarder (with several, failing over to the answerer
 * would hide the fault, slowly).
 */
class DirectReplyMember extends RmpMember {
  override handle(nowUs: TimeUs, event: CoreEvent): CoreEffect[] {
    return super.handle(nowUs, event).map((e) => {
      if (e.kind !== 'send') return e;
      const p = rmpPackets.decode(e.bytes);
      if (p.type !== 'forward') return e;
      const inner = rmpPackets.decode(p.packet);
      return inner.type === 'reply' ? { kind: 'send', to: nodeOf(inner.client), bytes: p.packet } : e;
    });
  }
}

function variant(name: string, description: string, make: MemberFactory, params: Partial<TrafficParams>, base: TrafficParams = lossyLanScenario.params): Scenario<TrafficParams> {
  const p = { ...base, ...params };
  return { name, description, params: p, build: (rng, q) => trafficSetup(rng, q, make) };
}

export const eagerTokenScenario = variant('rmp-weak-eager-token', 'BROKEN: the token is accepted without holding everything ordered', (n, i, c) => new EagerTokenMember(n, i, c), { loss: 0.15 });
export const impatientScenario = variant('rmp-weak-impatient', 'BROKEN: K-resilient, majority and safe packets are delivered without waiting for holders', (n, i, c) => new ImpatientMember(n, i, c), { qos: 'safe', loss: 0.15 });

export const directReplyScenario = variant('rmp-weak-direct-reply', 'BROKEN: replies to clients without multicast bypass their forwarder', (n, i, c) => new DirectReplyMember(n, i, c), { faults: 'none', forwarders: 1 }, forwarderScenario.params);

export const scenarios = [eagerTokenScenario, impatientScenario, directReplyScenario] as unknown as Scenario[];
