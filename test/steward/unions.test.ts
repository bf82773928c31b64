// The union procedures of Fig. 3.22 and Extract-Aru on hand-built entries, and the timeout
// ratios of Fig. 3.16 (I15).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeConstraintUnion, computeGlobalUnion, computeLocalUnion, extractAru, type ConstrainingEntry, type EntryKind } from '../../src/steward/unions.js';
import { timeoutsFor } from '../../src/steward/timeouts.js';

const e = (kind: EntryKind, seq: number, gv: number, lv: number, tag: number): ConstrainingEntry => ({ kind, seq, gv, lv, update: new Uint8Array([tag]), digest: new Uint8Array([tag]), parts: [] });
const tags = (l: ConstrainingEntry[]) => l.map((x) => `${x.seq}:${x.kind}:${x.update[0]}`);

test('local union: a Proposal beats a PC, the newest local view wins', () => {
  const u = computeLocalUnion([e('pc', 5, 1, 3, 1), e('proposal', 5, 1, 2, 2), e('pc', 6, 1, 1, 3), e('pc', 6, 1, 4, 4)]);
  assert.deepEqual(tags(u), ['5:proposal:2', '6:pc:4']);
});

test('global union: a GOU wins; else the newest gv, Proposal before PC', () => {
  const u = computeGlobalUnion([
    e('proposal', 1, 3, 0, 1), e('gou', 1, 1, 0, 2),
    e('pc', 2, 4, 0, 3), e('proposal', 2, 3, 9, 4),
    e('pc', 3, 2, 1, 5), e('proposal', 3, 2, 0, 6), e('pc', 3, 2, 5, 7),
  ]);
  assert.deepEqual(tags(u), ['1:gou:2', '2:pc:3', '3:proposal:6']);
});

test('constraint union ignores PCs; Extract-Aru follows consecutive GOUs', () => {
  const entries = [e('gou', 11, 0, 0, 1), e('gou', 12, 0, 0, 2), e('proposal', 13, 1, 0, 3), e('gou', 14, 0, 0, 4), e('pc', 15, 2, 0, 5)];
  assert.deepEqual(tags(computeConstraintUnion(entries)), ['11:gou:1', '12:gou:2', '13:proposal:3', '14:gou:4']);
  assert.equal(extractAru(10, entries), 12);
  assert.equal(extractAru(9, entries), 9);
});

test('timeouts: T2 = (f+2)·T1, T3 = (f+3)·T2, doubling every S global views (I15)', () => {
  for (const f of [1, 2, 5])
    for (const gv of [0, 1, 5, 6, 11]) {
      const p = timeoutsFor(1_000_000, gv, 5, f);
      assert.ok(Math.abs(p.leaderLocalUs - (f + 2) * p.nonLeaderLocalUs) < 1e-6);
      assert.ok(Math.abs(p.globalUs - (f + 3) * p.leaderLocalUs) < 1e-6);
      assert.equal(p.globalUs, 1_000_000 * 2 ** Math.ceil(gv / 5));
    }
});
