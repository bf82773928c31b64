// The new §10 checkers catch real faults of the server, not only hand-built traces: each test
// plants one deliberate mutation in the cores of a built-in scenario (for this process only,
// undone afterwards), runs a few seeds, and expects that invariant's checker to stop the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costModelCrypto } from '../../src/crypto/cost-model.js';
import type { Core, NodeId } from '../../src/sim/core.js';
import { Rng } from '../../src/sim/prng.js';
import type { Scenario } from '../../src/sim/scenario.js';
import type { SimSetup } from '../../src/sim/setup.js';
import { RNG_STREAM, Simulator } from '../../src/sim/simulator.js';
import { ReliableSend } from '../../src/steward/reliable-send.js';
import { ServerContext } from '../../src/steward/server-context.js';
import { leaderPartitionScenario, muteRepScenario, sweepScenario } from '../../src/steward/sim-scenarios.js';
import { ViewTimers } from '../../src/steward/view-timers.js';

/** Seeds of a scripted scenario tried per mutation: the first already fails. */
const SEEDS = 3;
/** Seeds of steward-sweep tried for the weak threshold: about one in five exposes it. */
const MUTATED_SWEEP_SEEDS = 20;

/** The first violation over seeds 0…seeds−1 of `scenario`, its setup passed through `mutate`. */
function firstViolation(scenario: Scenario, seeds: number, mutate: (setup: SimSetup) => SimSetup = (s) => s): { property: string; message: string } | null {
  for (let seed = 0; seed < seeds; seed++) {
    const setup = mutate(scenario.build(new Rng(seed).fork(RNG_STREAM.build), scenario.params));
    const r = new Simulator(setup, { seed }).run();
    if (r.violation) return r.violation;
  }
  return null;
}

test('I9: Local_T / Global_T armed without the view being preinstalled is caught', () => {
  const arm = ViewTimers.prototype.arm;
  // The mutation: arm() forgets its "only in a preinstalled view" condition (it pretends gpv = gv and lpv = lv).
  ViewTimers.prototype.arm = function (this: ViewTimers) {
    const s = (this as unknown as { ctx: { state: { gv: number; gpv: number; lv: number; lpv: number } } }).ctx.state;
    const { gpv, lpv } = s;
    s.gpv = s.gv;
    s.lpv = s.lv;
    try {
      arm.call(this);
    } finally {
      s.gpv = gpv;
      s.lpv = lpv;
    }
  };
  try {
    const v = firstViolation(leaderPartitionScenario as unknown as Scenario, SEEDS);
    assert.equal(v?.property, 'steward.I9-timers', v?.message ?? 'no violation');
    assert.match(v!.message, /^I9: server \d+'s (Local|Global)_T runs in (local|global) view \d+, preinstalled \d+/);
  } finally {
    ViewTimers.prototype.arm = arm;
  }
});

test('I13: a site signature combined from f+1 partials is caught', () => {
  const f = 1;
  // The mutation: THRESHOLD-SIGN combines at f+1 shares, and the site keys are dealt (f+1, 3f+1).
  // Most signing rounds still see all 2f+1 servers ask for their partials before anyone
  // combines; data that only some servers sign (Global_VC, New_Rep, reconciliation after
  // faults) exposes it within a few seeds of the sweep.
  const weakThreshold = (setup: SimSetup): SimSetup => {
    const sites = new Map<NodeId, { site: number; party: number }>();
    const nodes = setup.nodes.map((make) => (node: NodeId, inc: number): Core => {
      const core = make(node, inc) as unknown as { ctx?: { site: number; myId: number; tsign: { ctx: { threshold: number } } } };
      if (core.ctx) {
        core.ctx.tsign.ctx.threshold = f + 1;
        sites.set(node, { site: core.ctx.site, party: core.ctx.myId + 1 });
      }
      return core as unknown as Core;
    });
    return { ...setup, nodes, crypto: costModelCrypto({ sites, threshold: f + 1, secret: new Uint8Array(32).fill(7) }) };
  };
  const v = firstViolation(sweepScenario as unknown as Scenario, MUTATED_SWEEP_SEEDS, weakThreshold);
  assert.equal(v?.property, 'steward.I13', v?.message ?? 'no violation');
  assert.match(v!.message, /^I13: server \d+ holds site \d's signature on data [0-9a-f]{8} \(\d+ bytes\), but only 2 servers made partials on it \(need 3\)/);
});

test('I8: a server that skips Is-Contiguous (Fig. 3.9) and so stores entries above a hole is caught', () => {
  const isContiguous = ServerContext.prototype.isContiguous;
  ServerContext.prototype.isContiguous = () => true;
  try {
    const v = firstViolation(muteRepScenario as unknown as Scenario, SEEDS);
    assert.equal(v?.property, 'steward.I8-I11', v?.message ?? 'no violation');
    assert.match(v!.message, /^I8: server \d+ holds a constraining entry for seq \d+ but none for seq \d+ \(Global_aru \d+\)/);
  } finally {
    ServerContext.prototype.isContiguous = isContiguous;
  }
});

test('I17: RELIABLE-SEND that only hands the message to its own site (no peer paths) is caught', () => {
  const { invoke, onReliable } = ReliableSend.prototype;
  ReliableSend.prototype.invoke = function (this: ReliableSend, inner: Uint8Array) {
    (this as unknown as { ctx: { sendLocalAllReliable(m: Uint8Array): void } }).ctx.sendLocalAllReliable(inner);
  };
  ReliableSend.prototype.onReliable = () => {};
  try {
    const v = firstViolation(muteRepScenario as unknown as Scenario, SEEDS);
    assert.equal(v?.property, 'steward.I17', v?.message ?? 'no violation');
    assert.match(v!.message, /^I17: site \d's reliably sent message [0-9a-f]{8}\/\d+ \(sent at t=\d+ µs\) never reached stable server \d+ of stable site \d/);
  } finally {
    Object.assign(ReliableSend.prototype, { invoke, onReliable });
  }
});

test('unmutated, the same seeds pass (steward-sweep\'s are in sweep.test.ts)', () => {
  assert.equal(firstViolation(leaderPartitionScenario as unknown as Scenario, SEEDS), null);
  assert.equal(firstViolation(muteRepScenario as unknown as Scenario, SEEDS), null);
});
