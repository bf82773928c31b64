// The §9 checkers must catch what they claim to: each is fed a hand-made violating log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkAcyclicOrder,
  checkAgreement,
  checkIntegrity,
  checkLogs,
  checkPrefixOrder,
  checkTimestamps,
  checkValidity,
  type DeliveryLogs,
} from '../../src/ramcast/properties.js';
import type { RamcastTopology } from '../../src/ramcast/config.js';

const topology: RamcastTopology = { groups: [[0, 1, 2], [3, 4, 5]], clients: [6] };

function logs(multicasts: [string, number[]][], delivered: Record<number, [string, number][]>): DeliveryLogs {
  return {
    multicasts: new Map(multicasts.map(([id, dst]) => [id, { id, dst, client: 6 }])),
    delivered: new Map(Object.entries(delivered).map(([p, l]) => [Number(p), l.map(([id, ts]) => ({ id, ts, dst: multicasts.find((m) => m[0] === id)?.[1] ?? [] }))])),
  };
}

const all = () => true;

test('a correct run passes every check', () => {
  const l = logs([['a', [0]], ['b', [0, 1]]], { 0: [['a', 1], ['b', 2]], 1: [['a', 1], ['b', 2]], 2: [['a', 1], ['b', 2]], 3: [['b', 2]], 4: [['b', 2]], 5: [['b', 2]] });
  assert.equal(checkLogs(topology, l, all), null);
});

test('integrity: duplicates, strangers and inventions are caught', () => {
  assert.match(checkIntegrity(topology, logs([['a', [0]]], { 0: [['a', 1], ['a', 1]] }))!, /twice/);
  assert.match(checkIntegrity(topology, logs([['a', [0]]], { 3: [['a', 1]] }))!, /not in its destination/);
  assert.match(checkIntegrity(topology, logs([], { 0: [['z', 1]] }))!, /never multicast/);
});

test('validity and agreement: a correct destination that misses a message is caught', () => {
  const l = logs([['a', [0]]], { 0: [['a', 1]], 1: [['a', 1]] });
  assert.match(checkValidity(topology, l, all)!, /process 2 never delivered a/);
  assert.match(checkAgreement(topology, l, all)!, /correct process 2 never did/);
  assert.equal(checkAgreement(topology, l, (n) => n !== 2), null);
});

test('prefix order: two processes delivering two messages in opposite orders is caught', () => {
  const l = logs([['a', [0, 1]], ['b', [0, 1]]], { 0: [['a', 1], ['b', 2]], 3: [['b', 2], ['a', 1]] });
  assert.match(checkPrefixOrder(topology, l)!, /disagree/);
  // A gap (q never delivered a) is a violation too: p shows a comes before b.
  assert.match(checkPrefixOrder(topology, logs([['a', [0, 1]], ['b', [0, 1]]], { 0: [['a', 1], ['b', 2]], 3: [['b', 2]] }))!, /disagree/);
});

test('acyclic order: a cycle through three processes is caught', () => {
  const l = logs([['a', [0, 1]], ['b', [1]], ['c', [0, 1]]], { 0: [['a', 1], ['c', 3]], 3: [['c', 3], ['b', 2]], 4: [['b', 2], ['a', 1]] });
  assert.match(checkAcyclicOrder(l)!, /cycle/);
});

test('timestamps: disagreement on a final timestamp and non-monotone delivery are caught', () => {
  assert.match(checkTimestamps(logs([['a', [0]]], { 0: [['a', 1]], 1: [['a', 2]] }))!, /final timestamp/);
  assert.match(checkTimestamps(logs([['a', [0]], ['b', [0]]], { 0: [['b', 5], ['a', 1]] }))!, /after a message/);
});

// The definition of §9.4 as written (every pair of messages at every pair of processes): the
// oracle for checkPrefixOrder's linear prefix form.
function prefixOrderByDefinition(l: DeliveryLogs): boolean {
  const dest = (id: string) => new Set((l.multicasts.get(id)?.dst ?? []).flatMap((g) => topology.groups[g]!));
  for (const [p, lp] of l.delivered)
    for (const [q, lq] of l.delivered) {
      const pos = (list: typeof lp, id: string) => {
        const i = list.findIndex((d) => d.id === id);
        return i < 0 ? Infinity : i;
      };
      for (const [i2, m2] of lp.entries())
        for (const [i1, m1] of lq.entries()) {
          if (m1.id === m2.id) continue;
          const d1 = dest(m1.id);
          const d2 = dest(m2.id);
          if (!d1.has(p) || !d1.has(q) || !d2.has(p) || !d2.has(q)) continue;
          if (!(pos(lp, m1.id) < i2 || pos(lq, m2.id) < i1)) return false;
        }
    }
  return true;
}

test('prefix order: the linear check agrees with the definition on random logs', () => {
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const dsts: number[][] = [[0], [1], [0, 1]];
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...dsts), { minLength: ids.length, maxLength: ids.length }),
      fc.array(fc.array(fc.constantFrom(...ids), { maxLength: 5 }), { minLength: 6, maxLength: 6 }),
      (dstOf, perProcess) => {
        const multicasts: [string, number[]][] = ids.map((id, i) => [id, dstOf[i]!]);
        const delivered: Record<number, [string, number][]> = {};
        perProcess.forEach((seq, p) => (delivered[p] = [...new Set(seq)].map((id) => [id, 0])));
        const l = logs(multicasts, delivered);
        assert.equal(checkPrefixOrder(topology, l) === null, prefixOrderByDefinition(l));
      },
    ),
    { numRuns: 2000, seed: 11 },
  );
});
