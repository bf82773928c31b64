// The composable architecture's simulator scenarios (Lane 2008 Ch. 4), registered as
// built-ins. Every scenario checks local S1, S1, S2, order, CLink exactly-once, BLink
// integrity, blacklisting and views on every record, and L1 and BLink delivery at the end,
// where the faults leave a stable system (STABLE-CONNECTED-SITES, §4.2). Faults are those
// each composition tolerates: crashes, restarts and pauses of ≤ f servers per LM; f Byzantine
// servers per BFT LM (silent, bit-flipping, garbage, replaying, bad partial signatures, an
// equivocating local leader); a healing partition of one site; and at the wide area F faulty
// sites — a whole site crashed for Paxos, a Byzantine (silent or equivocating) LM for BFT.
// test/composable sweeps them over many seeds; a failing seed prints its replay command.
import { silent } from '../sim/byzantine.js';
import { behaviour as stewardBehaviour, BEHAVIOURS as STEWARD_BEHAVIOURS, type Behaviour as StewardBehaviour } from '../steward/sim-scenarios.js';
import type { NodeId } from '../sim/core.js';
import type { Rng } from '../sim/prng.js';
import type { Property, RunView } from '../sim/property.js';
import type { Scenario } from '../sim/scenario.js';
import type { ByzantineWrap, FaultSpec, SimSetup } from '../sim/setup.js';
import { equivocatingLeader, OUT_EQUIVOCATED } from './byzantine.js';
import { clusterSetup, type ClusterOptions } from './cluster.js';
import { OUT } from './outputs.js';
import { composableChecks } from './properties.js';
import { defaultTimings } from './timings.js';
import { clientNode, COMPOSITIONS, compositionName, nodeCount, serverCount, serverNode, serversPerSite, type ComposableTopology, type Protocol } from './topology.js';

/** Virtual-time bound: dozens of wide-area timeouts after the last fault heals (L1 as a bounded test). */
export const LIMIT_US = 60_000_000;
/** The paper's update size (§4.7). */
export const OP_BYTES = 200;
/** Sweeps look at their timers every 10 ms: every timeout they use is ≥ 50 ms. */
export const SWEEP_TICK_US = 10_000;

type Behaviour = StewardBehaviour | 'equivocating-leader';
export const BEHAVIOURS: Behaviour[] = [...STEWARD_BEHAVIOURS, 'equivocating-leader'];

/** Steward's Byzantine servers, and the composable one: a local leader that equivocates. */
function behaviour(kind: Behaviour, peers: NodeId[]): ByzantineWrap {
  return kind === 'equivocating-leader' ? equivocatingLeader((to) => to % 2 === 1) : stewardBehaviour(kind, peers);
}

const siteServers = (t: ComposableTopology, s: number) => Array.from({ length: serversPerSite(t) }, (_, i) => serverNode(t, s, i));
const siteNodes = (t: ComposableTopology, s: number) => [...siteServers(t, s), ...Array.from({ length: t.clientsPerSite }, (_, c) => clientNode(t, s, c))];

interface BuildOptions {
  faults: FaultSpec[];
  byzantineSites?: Set<number>;
  deadSites?: Set<number>;
  extra?: Property[];
  liveness?: boolean;
}

/** Stops once every live client of a live site is answered and BLink has delivered everything. */
function build(o: ClusterOptions, b: BuildOptions): SimSetup {
  const t = o.topology;
  const checks = composableChecks(t, { byzantineSites: b.byzantineSites, deadSites: b.deadSites, liveness: b.liveness ?? true, answersPerClient: o.updatesPerClient, linkSettleUs: 2_000_000 });
  const answered = new Map<NodeId, number>();
  const counter: Property = {
    name: 'composable.progress-counter',
    onRecord: (r) => {
      if (r.kind === 'output' && r.name === OUT.accepted) answered.set(r.node, (answered.get(r.node) ?? 0) + 1);
      return null;
    },
  };
  const allAnswered = (v: RunView) => {
    for (let c = serverCount(t); c < nodeCount(t); c++) {
      const site = Math.floor((c - serverCount(t)) / t.clientsPerSite);
      if (!v.faulty(c) && !b.byzantineSites?.has(site) && !b.deadSites?.has(site) && (answered.get(c) ?? 0) < o.updatesPerClient) return false;
    }
    return true;
  };
  return clusterSetup(o, {
    faults: b.faults,
    properties: [...checks.properties, ...(b.extra ?? []), counter],
    limitUs: LIMIT_US,
    stopWhen: (v) => checks.quiescent() && allAnswered(v),
  });
}

function options(t: ComposableTopology, rng: Rng, p: { updates: number; lossy: boolean; optimized: boolean }): ClusterOptions {
  const wanUs = rng.range(5_000, 20_000);
  return {
    topology: t,
    wanOneWayUs: wanUs,
    wan: {
      latency: { kind: 'uniform', minUs: wanUs, maxUs: wanUs + 5_000 },
      loss: p.lossy ? rng.uniform() * 0.03 : 0,
      reorder: p.lossy ? rng.uniform() * 0.1 : 0,
      duplicate: p.lossy ? rng.uniform() * 0.03 : 0,
      reorderDelay: { kind: 'uniform', minUs: 0, maxUs: 20_000 },
    },
    optimized: p.optimized,
    updatesPerClient: p.updates,
    opBytes: OP_BYTES,
    startUs: () => rng.range(0, 20_000),
    timings: { ...defaultTimings(wanUs), tickUs: SWEEP_TICK_US },
  };
}

function topologyFor(wide: Protocol, local: Protocol): ComposableTopology {
  return { wide, local, sites: wide === 'bft' ? 4 : 3, f: 1, clientsPerSite: 1 };
}

/** Chooses a composition: a named one, or at random weighted towards the cheaper ones (the BFT/BFT run costs ~10× Paxos/Paxos). */
function composition(rng: Rng, name: string): { wide: Protocol; local: Protocol } {
  const named = COMPOSITIONS.find((c) => compositionName(c).toLowerCase() === name.toLowerCase());
  if (named) return named;
  const r = rng.uniform();
  return r < 0.35 ? COMPOSITIONS[0]! : r < 0.6 ? COMPOSITIONS[1]! : r < 0.85 ? COMPOSITIONS[2]! : COMPOSITIONS[3]!;
}

/** A property that a scenario's fault must have had its effect (the test cannot pass vacuously). */
function eventually(name: string, what: string, test: (v: RunView) => boolean): Property {
  return { name, check: (v) => (test(v) ? null : `${what} never happened`) };
}

type SweepParams = { composition: string; updates: number; optimized: string; faults: boolean; lossy: boolean; partition: boolean; siteFaults: boolean };

/** The sweep: any composition, lossy WAN, ≤ f faulty servers per LM, a healing site partition, F faulty sites. */
export const sweepScenario: Scenario<SweepParams> = {
  name: 'composable-sweep',
  description: 'Composable: a random composition (or --param composition=BFT/Paxos …), lossy WAN, ≤ f crashed/Byzantine servers per LM, a healing partition, F faulty sites (local S1, S1, S2, BLink, CLink, L1)',
  params: { composition: 'random', updates: 1, optimized: 'random', faults: true, lossy: true, partition: true, siteFaults: true },
  build(rng, p) {
    const c = composition(rng, p.composition);
    const t = topologyFor(c.wide, c.local);
    const optimized = p.optimized === 'random' ? rng.chance(0.5) : p.optimized === 'true';
    const o = options(t, rng, { updates: p.updates, lossy: p.lossy, optimized });
    const faults: FaultSpec[] = [];
    const byzantineSites = new Set<number>();
    const deadSites = new Set<number>();
    if (p.siteFaults && rng.chance(0.3)) {
      const s = rng.int(t.sites);
      if (t.wide === 'bft') {
        byzantineSites.add(s);
        const silentSite = rng.chance(0.5);
        for (const node of siteServers(t, s)) faults.push({ kind: 'byzantine', node, atUs: 0, wrap: silentSite ? silent() : (core) => core });
        if (!silentSite) o.server = (node) => (siteServers(t, s).includes(node) ? { equivocate: true } : {});
      } else {
        deadSites.add(s);
        const atUs = rng.range(0, 300_000);
        for (const node of siteServers(t, s)) faults.push({ kind: 'crash', node, atUs });
      }
    }
    if (p.faults)
      for (let s = 0; s < t.sites; s++) {
        if (byzantineSites.has(s) || deadSites.has(s)) continue;
        const roll = rng.uniform();
        const node = rng.pick(siteServers(t, s));
        const atUs = rng.range(0, 300_000);
        if (roll < 0.2) faults.push({ kind: 'crash', node, atUs });
        else if (roll < 0.3) faults.push({ kind: 'crash', node, atUs, restartAfterUs: rng.range(100_000, 1_000_000) });
        else if (roll < 0.4) faults.push({ kind: 'pause', node, atUs, forUs: rng.range(50_000, 500_000) });
        else if (roll < 0.75 && t.local === 'bft') {
          const peers = siteServers(t, s).filter((n) => n !== node);
          faults.push({ kind: 'byzantine', node, atUs: rng.chance(0.5) ? 0 : atUs, wrap: behaviour(rng.pick(BEHAVIOURS), peers) });
        }
      }
    if (p.partition && rng.chance(0.4)) {
      const cut = rng.pick(Array.from({ length: t.sites }, (_, s) => s).filter((s) => !deadSites.has(s) && !byzantineSites.has(s)));
      faults.push({ kind: 'partition', atUs: rng.range(0, 300_000), groups: [siteNodes(t, cut)], healAfterUs: rng.range(200_000, 1_500_000) });
    }
    return build(o, { faults, byzantineSites, deadSites });
  },
};

type FixedParams = { composition: string; updates: number; optimized: boolean };

function fixed(rng: Rng, p: FixedParams): { t: ComposableTopology; o: ClusterOptions } {
  const c = composition(rng, p.composition);
  const t = topologyFor(c.wide, c.local);
  return { t, o: options(t, rng, { updates: p.updates, lossy: false, optimized: p.optimized }) };
}

const viewChanged = (level: 'local' | 'wide', site?: (node: NodeId) => boolean) => (v: RunView) =>
  v.trace.outputs.some((r) => r.name === OUT.view && (r.data as { level: string; view: number }).level === level && (r.data as { view: number }).view > 0 && (site?.(r.node) ?? true));

/** The leader LM's local leader crashes: the LM replaces it by a local view change (§4.8.2 Lemma 4.8.1). */
export const localLeaderCrashScenario: Scenario<FixedParams> = {
  name: 'composable-local-leader-crash',
  description: 'Composable: the local leader of the leader LM crashes mid-run; a local view change replaces it (L1, local S1, S1)',
  params: { composition: 'Paxos/BFT', updates: 3, optimized: false },
  build(rng, p) {
    const { t, o } = fixed(rng, p);
    const faults: FaultSpec[] = [{ kind: 'crash', node: serverNode(t, 0, 0), atUs: rng.range(20_000, 120_000) }];
    return build(o, { faults, extra: [eventually('composable.local-view-changed', 'a local view change in the leader LM', viewChanged('local', (n) => n < serversPerSite(t)))] });
  },
};

/** The leader site is partitioned away: the wide-area protocol changes its view, then the cut heals. */
export const leaderSitePartitionScenario: Scenario<FixedParams & { healUs: number }> = {
  name: 'composable-leader-site-partition',
  description: 'Composable: the leader site is cut off; the wide-area protocol elects another leader LM, then the cut heals (L1, S1, BLink delivery)',
  params: { composition: 'Paxos/Paxos', updates: 2, optimized: false, healUs: 8_000_000 },
  build(rng, p) {
    const { t, o } = fixed(rng, p);
    const faults: FaultSpec[] = [{ kind: 'partition', atUs: rng.range(5_000, 60_000), groups: [siteNodes(t, 0)], healAfterUs: p.healUs }];
    return build(o, { faults, extra: [eventually('composable.wide-view-changed', 'a wide-area view change', viewChanged('wide'))] });
  },
};

/** BFT wide area with a Byzantine leader LM that proposes different updates to different sites. */
export const byzantineSiteScenario: Scenario<FixedParams> = {
  name: 'composable-byzantine-site',
  description: 'Composable BFT wide area: the leader LM is Byzantine and equivocates (validly LM-signed conflicting proposes); S1 holds and the other LMs move on (L1)',
  params: { composition: 'BFT/Paxos', updates: 2, optimized: false },
  build(rng, p) {
    const { t, o } = fixed(rng, p);
    if (t.wide !== 'bft') throw new RangeError('composable-byzantine-site needs a BFT wide area');
    o.server = (node) => (node < serversPerSite(t) ? { equivocate: true } : {});
    const faults: FaultSpec[] = siteServers(t, 0).map((node) => ({ kind: 'byzantine' as const, node, atUs: 0, wrap: (core) => core }));
    return build(o, { faults, byzantineSites: new Set([0]), extra: [eventually('composable.wide-view-changed', 'a wide-area view change', viewChanged('wide'))] });
  },
};

/** Faulty forwarders and peers on the leader LM's links: BLink must rotate to a correct virtual link (§4.4). */
export const badLinksScenario: Scenario<FixedParams> = {
  name: 'composable-bad-links',
  description: 'Composable: one silent server in every LM (forwarders and peers that drop everything); BLink rotates virtual links until messages flow (BLink delivery, L1)',
  params: { composition: 'BFT/BFT', updates: 2, optimized: true },
  build(rng, p) {
    const { t, o } = fixed(rng, p);
    const faults: FaultSpec[] = [];
    for (let s = 0; s < t.sites; s++) {
      const node = serverNode(t, s, 1 + rng.int(serversPerSite(t) - 1));
      faults.push(t.local === 'bft' ? { kind: 'byzantine', node, atUs: 0, wrap: silent() } : { kind: 'crash', node, atUs: 0 });
    }
    return build(o, { faults });
  },
};

/** An equivocating local leader (validly signed conflicting batches) in a BFT LM. */
export const equivocatingLeaderScenario: Scenario<FixedParams> = {
  name: 'composable-equivocating-leader',
  description: 'Composable: the leader LM\u2019s local leader signs different batches for the same local seq for different servers (local S1, S1, L1)',
  params: { composition: 'Paxos/BFT', updates: 3, optimized: false },
  build(rng, p) {
    const { t, o } = fixed(rng, p);
    if (t.local !== 'bft') throw new RangeError('composable-equivocating-leader needs BFT LMs');
    const faults: FaultSpec[] = [{ kind: 'byzantine', node: serverNode(t, 0, 0), atUs: 0, wrap: equivocatingLeader((to) => to % 2 === 1) }];
    return build(o, { faults, extra: [eventually('composable.equivocated', 'a conflicting batch', (v) => v.trace.outputs.some((r) => r.name === OUT_EQUIVOCATED))] });
  },
};

/** The deliberately broken variant: the leader LM proposes each update twice. The binding checker must fail. */
export const brokenScenario: Scenario<{ composition: string; updates: number }> = {
  name: 'composable-broken-double-propose',
  description: 'Composable, deliberately BROKEN: the leader LM binds every update to two wide-area seqs; the binding checker must fail',
  params: { composition: 'Paxos/Paxos', updates: 2 },
  expectsViolation: true,
  build(rng, p) {
    const { o } = fixed(rng, { ...p, optimized: false });
    o.server = () => ({ brokenDoublePropose: true });
    return build(o, { faults: [] });
  },
};

export const scenarios: Scenario[] = [sweepScenario, localLeaderCrashScenario, leaderSitePartitionScenario, byzantineSiteScenario, badLinksScenario, equivocatingLeaderScenario, brokenScenario] as unknown as Scenario[];
