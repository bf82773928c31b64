// Fault-free runs of every composition the dissertation evaluates (§4.7: Paxos/Paxos,
// BFT/Paxos, Paxos/BFT, BFT/BFT), unoptimized and optimized (§4.6): every client's updates
// are executed, in one order, by every server of every site, and answered; every property of
// properties.ts holds. With Merkle signing, fewer LM signatures than messages are made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterSetup } from '../../src/composable/cluster.js';
import { OUT, type ExecuteRecord } from '../../src/composable/outputs.js';
import { composableChecks } from '../../src/composable/properties.js';
import { ComposableServer } from '../../src/composable/server-core.js';
import { COMPOSITIONS, compositionName, nodeCount, serverCount, type ComposableTopology } from '../../src/composable/topology.js';
import type { Core } from '../../src/sim/core.js';
import { Simulator } from '../../src/sim/simulator.js';

const UPDATES = 4;
const WAN_ONE_WAY_US = 10_000;
const LIMIT_US = 30_000_000;

for (const c of COMPOSITIONS)
  for (const optimized of [false, true]) {
    test(`${compositionName(c)} ${optimized ? 'optimized' : 'unoptimized'}: every update executed everywhere in one order and answered`, () => {
      const t: ComposableTopology = { ...c, sites: c.wide === 'bft' ? 4 : 3, f: 1, clientsPerSite: 2 };
      const clients = nodeCount(t) - serverCount(t);
      const checks = composableChecks(t, { liveness: true, answersPerClient: UPDATES });
      const servers: ComposableServer[] = [];
      let answered = 0;
      const executed = new Map<number, number>();
      const setup = clusterSetup(
        {
          topology: t,
          wan: { latency: { kind: 'fixed', us: WAN_ONE_WAY_US } },
          wanOneWayUs: WAN_ONE_WAY_US,
          optimized,
          updatesPerClient: UPDATES,
          opBytes: 200,
          wrap: (_n, core: Core) => {
            if (core instanceof ComposableServer) servers.push(core);
            return core;
          },
        },
        {
          limitUs: LIMIT_US,
          properties: [
            ...checks.properties,
            {
              name: 'count',
              onRecord: (r) => {
                if (r.kind === 'output' && r.name === OUT.accepted) answered++;
                if (r.kind === 'output' && r.name === OUT.execute && !(r.data as unknown as ExecuteRecord).noop) executed.set(r.node, (executed.get(r.node) ?? 0) + 1);
                return null;
              },
            },
          ],
          // Until every server executed every update (clients are answered by their own site first).
          stopWhen: () => answered === clients * UPDATES && executed.size === serverCount(t) && [...executed.values()].every((n) => n === clients * UPDATES) && checks.quiescent(),
        },
      );
      const r = new Simulator(setup, { seed: 7, retainTrace: true }).run();
      assert.equal(r.violation, null, r.violation?.message);
      assert.equal(answered, clients * UPDATES);
      // Every server executed every update, and all in the same order (S1 over whole logs).
      const logs = new Map<number, string[]>();
      for (const rec of r.trace.outputs) {
        if (rec.name !== OUT.execute) continue;
        const e = rec.data as unknown as ExecuteRecord;
        if (!e.noop) (logs.get(rec.node) ?? logs.set(rec.node, []).get(rec.node)!).push(e.digest);
      }
      assert.equal(logs.size, serverCount(t));
      const first = [...logs.values()][0]!;
      assert.equal(first.length, clients * UPDATES);
      for (const l of logs.values()) assert.deepEqual(l, first);
      const signed = servers.reduce((n, s) => n + s.signatures().signatures, 0);
      const messages = servers.reduce((n, s) => n + s.signatures().messages, 0);
      if (optimized) assert.ok(signed < messages, `Merkle signing made ${signed} signatures for ${messages} messages`);
      else assert.equal(signed, messages);
    });
  }
