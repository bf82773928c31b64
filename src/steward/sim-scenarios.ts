// Steward's simulator scenarios (spec §10 and its red-team list), registered as built-ins.
// Every scenario checks S1, S2 and the §10 invariants (properties.ts) on every record, and
// L1 at the end (all live clients answered) where a stable majority of sites exists after the
// faults heal. test/steward sweeps them over many seeds; a failing seed prints its replay.
import type { NodeId } from '../sim/core.js';
import { combine, equivocate, replayOld, sendAnything, silent } from '../sim/byzantine.js';
import type { Rng } from '../sim/prng.js';
import type { Property, RunView } from '../sim/property.js';
import type { Scenario } from '../sim/scenario.js';
import type { ByzantineWrap, FaultSpec, SimSetup } from '../sim/setup.js';
import { badPartials, equivocatingPrePrepares, OUT_EQUIVOCATED } from './byzantine-steward.js';
import { clusterSetup, WINDOW_DEFAULT, type ClusterOptions } from './cluster.js';
import { OUT } from './outputs.js';
import { queryProperty, stewardProperties } from './properties.js';
import { serviceProperty } from './service-properties.js';
import { clientNode, nodeCount, serverCount, serverNode, serversPerSite, type StewardTopology } from './topology.js';

/** Virtual-time bound: a few doubled global timeouts after the last fault heals (L-tests, D15). */
export const LIMIT_US = 120_000_000;
/** The paper's update size (§3.5). */
export const OP_BYTES = 200;
/** Read-only queries each client sends after its updates (answered inside its site, D5). */
export const QUERIES_PER_CLIENT = 1;

export type Behaviour = 'silent' | 'equivocate' | 'garbage' | 'replay' | 'bad-partials';
export const BEHAVIOURS: Behaviour[] = ['silent', 'equivocate', 'garbage', 'replay', 'bad-partials'];

/** A Byzantine server of a site (also used by the composable scenarios). */
export function behaviour(kind: Behaviour, peers: NodeId[]): ByzantineWrap {
  switch (kind) {
    case 'silent':
      return silent();
    case 'equivocate':
      return equivocate();
    case 'garbage':
      return combine(sendAnything({ peers, probability: 0.2 }));
    case 'replay':
      return replayOld({ peers, probability: 0.2 });
    case 'bad-partials':
      return badPartials();
  }
}

/** Stops the run once every live client has all its updates answered (counted incrementally). */
function allDone(t: StewardTopology, perClient: number): { counter: Property; stopWhen: (v: RunView) => boolean } {
  let done = 0;
  const counter: Property = {
    name: 'steward.progress-counter',
    onRecord: (r) => {
      if (r.kind === 'output' && (r.name === OUT.accepted || r.name === OUT.queryAnswered)) done++;
      return null;
    },
  };
  const stopWhen = (v: RunView) => {
    if (done < perClient) return false;
    let live = 0;
    for (let n = serverCount(t); n < nodeCount(t); n++) if (!v.faulty(n)) live++;
    return done >= live * perClient;
  };
  return { counter, stopWhen };
}

function build(o: ClusterOptions, faults: FaultSpec[], extraProps: Property[] = [], liveness = true): SimSetup {
  const answers = o.updatesPerClient + (o.queriesPerClient ?? 0);
  const { counter, stopWhen } = allDone(o.topology, answers);
  return clusterSetup(o, {
    faults,
    properties: [...stewardProperties(o.topology, { liveness, answersPerClient: answers, window: o.server?.window ?? WINDOW_DEFAULT }), queryProperty(), serviceProperty(o.opBytes), ...extraProps, counter],
    limitUs: LIMIT_US,
    stopWhen,
  });
}

function wanOptions(t: StewardTopology, rng: Rng, p: { updates: number; lossy: boolean }): ClusterOptions {
  const wanUs = rng.range(5_000, 30_000);
  return {
    topology: t,
    wanOneWayUs: wanUs,
    wan: {
      latency: { kind: 'uniform', minUs: wanUs, maxUs: wanUs + 5_000 },
      loss: p.lossy ? rng.uniform() * 0.05 : 0,
      reorder: p.lossy ? rng.uniform() * 0.1 : 0,
      duplicate: p.lossy ? rng.uniform() * 0.05 : 0,
      reorderDelay: { kind: 'uniform', minUs: 0, maxUs: 20_000 },
    },
    updatesPerClient: p.updates,
    queriesPerClient: QUERIES_PER_CLIENT,
    opBytes: OP_BYTES,
    startUs: () => rng.range(0, 20_000),
  };
}

/** The fixed scenarios: `sites` sites of 4 (f = 1), one client each, a clean WAN. */
function plainCluster(rng: Rng, p: { updates: number; sites: number }): { t: StewardTopology; o: ClusterOptions } {
  const t: StewardTopology = { sites: p.sites, f: 1, clientsPerSite: 1 };
  return { t, o: wanOptions(t, rng, { updates: p.updates, lossy: false }) };
}

const siteServers = (t: StewardTopology, s: number) => Array.from({ length: serversPerSite(t) }, (_, i) => serverNode(t, s, i));

/** A property that a scenario's fault must have had its effect (so the test cannot pass vacuously). */
function eventually(name: string, what: string, test: (v: RunView) => boolean): Property {
  return { name, check: (v) => (test(v) ? null : `${what} never happened`) };
}

/** The sweep: 3 or 5 sites, f=1, lossy reordering WANs, ≤ f faulty servers per site (crashes, restarts, the five Byzantine behaviours), a healing partition. */
export const sweepScenario: Scenario<{ updates: number; faults: boolean; lossy: boolean; partition: boolean }> = {
  name: 'steward-sweep',
  description: 'Steward: 3–5 sites × 4, lossy WAN, ≤ f crashed/Byzantine servers per site, a healing site partition (S1, S2, I1–I14, I16, L1)',
  params: { updates: 2, faults: true, lossy: true, partition: true },
  build(rng, p) {
    const t: StewardTopology = { sites: rng.chance(0.7) ? 3 : 5, f: 1, clientsPerSite: 1 };
    const o = wanOptions(t, rng, p);
    const faults: FaultSpec[] = [];
    if (p.faults)
      for (let s = 0; s < t.sites; s++) {
        const roll = rng.uniform();
        const node = rng.pick(siteServers(t, s));
        const atUs = rng.range(0, 200_000);
        if (roll < 0.2) faults.push({ kind: 'crash', node, atUs });
        else if (roll < 0.3) faults.push({ kind: 'crash', node, atUs, restartAfterUs: rng.range(100_000, 1_000_000) });
        else if (roll < 0.7) {
          const peers = siteServers(t, s).filter((n) => n !== node);
          faults.push({ kind: 'byzantine', node, atUs: rng.chance(0.5) ? 0 : atUs, wrap: behaviour(rng.pick(BEHAVIOURS), peers) });
        }
      }
    if (p.partition && rng.chance(0.5)) {
      const cut = rng.int(t.sites);
      faults.push({ kind: 'partition', atUs: rng.range(0, 300_000), groups: [[...siteServers(t, cut), clientNode(t, cut, 0)]], healAfterUs: rng.range(200_000, 1_500_000) });
    }
    return build(o, faults);
  },
};

/** A mute leader-site rep (§3.5 red team): the site must replace it by a local view change. */
export const muteRepScenario: Scenario<{ updates: number; sites: number }> = {
  name: 'steward-mute-rep',
  description: 'Steward: the leader site’s rep is silent from the start; LOCAL-VIEW-CHANGE must replace it (L1, S1)',
  params: { updates: 3, sites: 3 },
  build(rng, p) {
    const { t, o } = plainCluster(rng, p);
    const faults: FaultSpec[] = [{ kind: 'byzantine', node: serverNode(t, 0, 0), atUs: 0, wrap: silent() }];
    const changed = eventually('steward.local-view-changed', 'a local view change at the leader site', (v) =>
      v.trace.outputs.some((r) => r.name === OUT.view && r.node < serversPerSite(t) && (r.data as { lpv: number }).lpv > 0));
    return build(o, faults, [changed]);
  },
};

/** The leader site cut off from every other site (§3.5 red team): GLOBAL-VIEW-CHANGE elects another, the cut heals later. */
export const leaderPartitionScenario: Scenario<{ updates: number; sites: number; healUs: number }> = {
  name: 'steward-leader-partition',
  description: 'Steward: the leader site is partitioned away; GLOBAL-VIEW-CHANGE must move leadership, then the cut heals (L1, S1, I7)',
  params: { updates: 3, sites: 3, healUs: 6_000_000 },
  build(rng, p) {
    const { t, o } = plainCluster(rng, p);
    const leaderSide = [...siteServers(t, 0), clientNode(t, 0, 0)];
    const faults: FaultSpec[] = [{ kind: 'partition', atUs: rng.range(30_000, 150_000), groups: [leaderSide], healAfterUs: p.healUs }];
    const moved = eventually('steward.global-view-changed', 'a global view change', (v) =>
      v.trace.outputs.some((r) => r.name === OUT.view && (r.data as { gpv: number }).gpv > 0));
    return build(o, faults, [moved]);
  },
};

/** f servers per site hand out bad partial signatures: THRESHOLD-SIGN must blacklist them (Fig. 3.10, I14). */
export const badPartialsScenario: Scenario<{ updates: number; sites: number }> = {
  name: 'steward-bad-partials',
  description: 'Steward: one server per site sends bad partial signatures; THRESHOLD-SIGN blacklists it and progress continues (I14, L1)',
  params: { updates: 3, sites: 3 },
  build(rng, p) {
    const { t, o } = plainCluster(rng, p);
    const faults: FaultSpec[] = Array.from({ length: t.sites }, (_, s) => ({ kind: 'byzantine' as const, node: serverNode(t, s, rng.int(serversPerSite(t))), atUs: 0, wrap: badPartials() }));
    const blacklisted = eventually('steward.blacklisted', 'a blacklisting', (v) => v.trace.outputs.some((r) => r.name === OUT.blacklist));
    return build(o, faults, [blacklisted]);
  },
};

/** A leader-site rep that sends validly signed, conflicting Pre-Prepares to different servers (§3.5 red team). */
export const equivocatingRepScenario: Scenario<{ updates: number; sites: number; clientsPerSite: number }> = {
  name: 'steward-equivocating-rep',
  description: 'Steward: the leader site’s rep signs different Pre-Prepares for the same seq for different servers; no two PCs or orders may differ (I5, S1, L1)',
  params: { updates: 3, sites: 3, clientsPerSite: 2 },
  build(rng, p) {
    const t: StewardTopology = { sites: p.sites, f: 1, clientsPerSite: p.clientsPerSite };
    const o = wanOptions(t, rng, { updates: p.updates, lossy: false });
    const victims = new Set([serverNode(t, 0, 1 + rng.int(3))]);
    const faults: FaultSpec[] = [{ kind: 'byzantine', node: serverNode(t, 0, 0), atUs: 0, wrap: equivocatingPrePrepares((to) => victims.has(to)) }];
    const happened = eventually('steward.equivocated', 'a conflicting Pre-Prepare', (v) => v.trace.outputs.some((r) => r.name === OUT_EQUIVOCATED));
    return build(o, faults, [happened]);
  },
};

/** The deliberately broken variant: the leader rep binds every update to two seqs. I4 must catch it. */
export const brokenScenario: Scenario<{ updates: number }> = {
  name: 'steward-broken-double-assign',
  description: 'Steward, deliberately BROKEN: the rep assigns each update twice, skipping the binding check; the I4 checker must fail',
  params: { updates: 2 },
  expectsViolation: true,
  build(rng, p) {
    const t: StewardTopology = { sites: 3, f: 1, clientsPerSite: 1 };
    const o: ClusterOptions = { ...wanOptions(t, rng, { updates: p.updates, lossy: false }), server: { brokenDoubleAssign: true } };
    return build(o, []);
  },
};

export const scenarios: Scenario[] = [sweepScenario, muteRepScenario, leaderPartitionScenario, badPartialsScenario, equivocatingRepScenario, brokenScenario] as unknown as Scenario[];
