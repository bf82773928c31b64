// I10 and I11 bound seqs by the window W (Fig. 3.9 In-Window); the scenarios' W = 128 is far
// above their few updates, so there the bounds never bind. Here W = 2 with nine closed-loop
// clients (nine updates outstanding at once): the window really holds the rep back, every
// checker holds, and a server whose window is wider than W (a deliberate mutation) is caught
// by I11 alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Property } from '../../src/sim/property.js';
import { Simulator } from '../../src/sim/simulator.js';
import { clusterSetup, type ClusterOptions } from '../../src/steward/cluster.js';
import { constrainingEntriesProperty } from '../../src/steward/constraining-entries-property.js';
import { OUT, type ExecuteRecord } from '../../src/steward/outputs.js';
import { stewardProperties } from '../../src/steward/properties.js';
import type { StewardTopology } from '../../src/steward/topology.js';

const W = 2;
const T: StewardTopology = { sites: 3, f: 1, clientsPerSite: 3 };
const UPDATES = 3;
const SEEDS = 3;
/** Virtual-time bound: the run stops earlier, once every client has all its answers. */
const LIMIT_US = 60_000_000;

function run(seed: number, serverWindow: number, properties: Property[]) {
  const o: ClusterOptions = {
    topology: T,
    wanOneWayUs: 10_000,
    wan: { latency: { kind: 'uniform', minUs: 10_000, maxUs: 15_000 }, loss: 0.01 },
    updatesPerClient: UPDATES,
    opBytes: 200,
    startUs: (site, c) => 1_000 * (3 * site + c),
    server: { window: serverWindow },
  };
  let answered = 0;
  const counter: Property = { name: 'answers', onRecord: (r) => (r.kind === 'output' && r.name === OUT.accepted && answered++, null) };
  const setup = clusterSetup(o, { properties: [...properties, counter], limitUs: LIMIT_US, stopWhen: () => answered >= T.sites * T.clientsPerSite * UPDATES });
  return new Simulator(setup, { seed }).run();
}

test(`W = ${W}: the window binds (a Pre-Prepare at Global_aru + W) and every checker holds`, () => {
  for (let seed = 0; seed < SEEDS; seed++) {
    const r = run(seed, W, stewardProperties(T, { liveness: true, answersPerClient: UPDATES, window: W }));
    assert.equal(r.violation, null, r.violation?.message);
    assert.equal(r.ended, 'stop');
    const aru = new Map<number, number>();
    let widest = 0;
    for (const rec of r.trace.outputs) {
      if (rec.name === OUT.execute) aru.set(rec.node, (rec.data as unknown as ExecuteRecord).seq);
      if (rec.name === OUT.prePrepare) widest = Math.max(widest, (rec.data as { seq: number }).seq - (aru.get(rec.node) ?? 0));
    }
    assert.equal(widest, W, `seed ${seed}: the rep never used its whole window`);
  }
});

test('servers with a window of 3W where W is assumed: I11 catches the leader-site entries above a + W', () => {
  const r = run(0, 3 * W, [constrainingEntriesProperty(T, W)]);
  assert.match(r.violation?.message ?? 'no violation', /^I11: every stable server has Global_aru \d+, but leader-site server \d+ holds a local entry for seq \d+ > a \+ W \(W 2\)/);
});
