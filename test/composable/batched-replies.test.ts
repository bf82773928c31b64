// Optimized servers answer clients with Merkle-batched replies (decisions D13): one signature
// per execution, each reply verifiable alone by its path. A batch proof a server corrupts is
// refused by the client, so f such servers change nothing and a whole site of them leaves
// the batched updates unanswered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterSetup } from '../../src/composable/cluster.js';
import { decode, encode } from '../../src/composable/messages.js';
import { OUT } from '../../src/composable/outputs.js';
import { composableChecks } from '../../src/composable/properties.js';
import { ComposableServer } from '../../src/composable/server-core.js';
import { nodeCount, serverCount, serverIdOf, type ComposableTopology } from '../../src/composable/topology.js';
import type { Core, CoreEffect } from '../../src/sim/core.js';
import { Simulator } from '../../src/sim/simulator.js';

const UPDATES = 3;
const WAN_ONE_WAY_US = 10_000;
const LIMIT_US = 20_000_000;
const t: ComposableTopology = { wide: 'paxos', local: 'paxos', sites: 3, f: 1, clientsPerSite: 6 };

/** Runs the cluster with `corrupting(server)` servers flipping a byte of every batch path they send. */
function run(corrupting: (serverId: number) => boolean): { answered: number; batched: number } {
  const clients = nodeCount(t) - serverCount(t);
  const checks = composableChecks(t, { liveness: false, answersPerClient: UPDATES });
  let answered = 0;
  let batched = 0;
  const spy = (core: Core, corrupt: boolean): Core => ({
    handle(now, event) {
      return core.handle(now, event).map((fx): CoreEffect => {
        if (fx.kind !== 'send' || fx.to < serverCount(t)) return fx;
        const m = decode(fx.bytes);
        if (m.type !== 'batchSigned') return fx;
        batched++;
        if (!corrupt || m.path.length === 0) return fx;
        const path = Uint8Array.from(m.path);
        path[0]! ^= 1;
        return { ...fx, bytes: encode({ ...m, path }) };
      });
    },
  });
  const setup = clusterSetup(
    {
      topology: t,
      wan: { latency: { kind: 'fixed', us: WAN_ONE_WAY_US } },
      wanOneWayUs: WAN_ONE_WAY_US,
      optimized: true,
      updatesPerClient: UPDATES,
      opBytes: 100,
      wrap: (node, core: Core) => (core instanceof ComposableServer ? spy(core, corrupting(serverIdOf(t, node))) : core),
    },
    {
      limitUs: LIMIT_US,
      properties: [
        ...checks.properties,
        { name: 'count', onRecord: (r) => ((r.kind === 'output' && r.name === OUT.accepted && answered++), null) },
      ],
      stopWhen: () => answered === clients * UPDATES,
    },
  );
  const r = new Simulator(setup, { seed: 3 }).run();
  assert.equal(r.violation, null, r.violation?.message);
  return { answered, batched };
}

test('optimized replies are batch-signed, and every update is answered', () => {
  const { answered, batched } = run(() => false);
  assert.equal(answered, (nodeCount(t) - serverCount(t)) * UPDATES);
  assert.ok(batched > 0, 'no reply went out batch-signed');
});

test('f servers corrupting their batch proofs change nothing; a whole site of them is not believed', () => {
  const all = (nodeCount(t) - serverCount(t)) * UPDATES;
  assert.equal(run((id) => id < t.f).answered, all, 'the other servers still make f+1 valid replies');
  assert.ok(run(() => true).answered < all, 'clients accepted replies whose batch proofs were corrupted');
});
