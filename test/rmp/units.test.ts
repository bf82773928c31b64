// The pure pieces of RMP: Figure 1's packet-size rule and window dynamics, the group name
// mapping, the reformation plan (syncTs coverage, minority rule) and handler locks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FixedWindowPolicy, SeedWindowPolicy, WAIT, WINDOW_MAX_BYTES } from '../../src/rmp/flow-control.js';
import { fnv1a32, groupAddress } from '../../src/rmp/group-address.js';
import { HandlerLocks } from '../../src/rmp/handler-locks.js';
import { MAX_PACKET_BYTES, MIN_PACKET_BYTES } from '../../src/rmp/limits.js';
import { partitionMayContinue, planReformation, type Vote } from '../../src/rmp/reformation-plan.js';

test('Figure 1: at most half the window, at least MIN_PACKET, at most what is free, at most MAX_PACKET', () => {
  const f = new SeedWindowPolicy();
  assert.equal(f.window, MIN_PACKET_BYTES, 'slow start from one minimum packet');
  assert.equal(f.nextPacketSize(5000, 0), MIN_PACKET_BYTES, 'half of a 1 KB window is below MIN_PACKET: send MIN_PACKET');
  assert.equal(f.nextPacketSize(5000, MIN_PACKET_BYTES), WAIT, 'nothing free: wait for an ACK');
  f.onOrdered(7 * MIN_PACKET_BYTES); // slow start: W grows by what was ordered
  assert.equal(f.window, 8 * MIN_PACKET_BYTES);
  assert.equal(f.nextPacketSize(100_000, 0), 4 * MIN_PACKET_BYTES, 'half of the 8 KB window');
  assert.equal(f.nextPacketSize(100_000, 6 * MIN_PACKET_BYTES), 2 * MIN_PACKET_BYTES, 'only 2 KB free');
  assert.equal(f.nextPacketSize(300, 0), MIN_PACKET_BYTES, 'a small offer still takes a minimum packet slot');
  for (let i = 0; i < 20; i++) f.onOrdered(f.window);
  assert.equal(f.window, WINDOW_MAX_BYTES);
  assert.equal(f.nextPacketSize(100_000, 0), MAX_PACKET_BYTES, 'capped at MAX_PACKET');
  f.onLoss();
  assert.equal(f.window, MIN_PACKET_BYTES, 'a loss drops the window to one minimum packet');
  f.onOrdered(MIN_PACKET_BYTES);
  assert.equal(f.window, 2 * MIN_PACKET_BYTES, 'slow start again below ssthresh (32 KB)');
});

test('window growth turns linear above ssthresh', () => {
  const f = new SeedWindowPolicy();
  f.onOrdered(15 * MIN_PACKET_BYTES); // 16 KB
  f.onLoss(); // ssthresh 8 KB
  for (let i = 0; i < 3; i++) f.onOrdered(f.window); // 1 → 2 → 4 → 8 KB
  assert.equal(f.window, 8 * MIN_PACKET_BYTES);
  f.onOrdered(8 * MIN_PACKET_BYTES);
  assert.equal(f.window, 9 * MIN_PACKET_BYTES, 'one MIN_PACKET per window of ordered bytes');
});

test('a fixed window is another policy behind the same interface', () => {
  const f = new FixedWindowPolicy(16 * MIN_PACKET_BYTES);
  assert.equal(f.nextPacketSize(100_000, 0), MAX_PACKET_BYTES);
  assert.equal(f.nextPacketSize(100_000, 15.5 * MIN_PACKET_BYTES), WAIT);
  f.onLoss();
  assert.equal(f.window, 16 * MIN_PACKET_BYTES);
});

test('group names map to a scoped address, a port and the LAN TTL, stably', () => {
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  const g = groupAddress('castellan-demo');
  assert.match(g.address, /^239\.(19[2-5])\.\d+\.\d+$/);
  assert.ok(g.port >= 10_000 && g.port < 60_000);
  assert.equal(g.ttl, 1);
  assert.deepEqual(groupAddress('castellan-demo'), g);
  assert.notEqual(groupAddress('castellan-other').hash, g.hash);
  assert.throws(() => groupAddress(''), RangeError);
});

const vote = (voter: number, joinTs: number, haveTo: number, stableTs = 0, pass = 10): Vote => ({ voter, joinTs, haveTo, stableTs, pass });

test('reformation: syncTs is the highest timestamp covered by a chain of voters', () => {
  const plan = planReformation([vote(1, 0, 7, 3), vote(2, 0, 12, 3), vote(3, 10, 15, 10)], [1, 2, 3, 4], 4, 'majority');
  assert.deepEqual(plan, { kind: 'commit', list: [1, 2, 3], syncTs: 15, firstSite: 3, basePass: 12 });
  // A hole no voter covers stops the chain; a joiner above it cannot continue (its join is void).
  const holed = planReformation([vote(1, 0, 7), vote(2, 0, 8), vote(3, 10, 15)], [1, 2, 3, 4, 5], 5, 'majority');
  assert.equal(holed.kind, 'abort', 'two of five is not a majority once the joiner is dropped');
  const p = planReformation([vote(1, 0, 7), vote(2, 0, 8), vote(3, 10, 15), vote(4, 0, 6)], [1, 2, 3, 4, 5], 5, 'majority');
  assert.deepEqual(p, { kind: 'commit', list: [1, 2, 4], syncTs: 8, firstSite: 2, basePass: 12 });
});

test('reformation: the first token site joined earliest among those holding up to syncTs', () => {
  const p = planReformation([vote(5, 4, 9), vote(6, 0, 9), vote(7, 0, 3)], [5, 6, 7], 3, 'majority');
  assert.equal(p.kind === 'commit' && p.firstSite, 6);
});

test('minority partitions: a strict majority of MaxN, or the configured minimum size', () => {
  assert.equal(partitionMayContinue(3, 5, 'majority'), true);
  assert.equal(partitionMayContinue(2, 4, 'majority'), false);
  assert.equal(partitionMayContinue(1, 5, 1), true);
  assert.equal(planReformation([vote(1, 0, 5)], [1, 2, 3], 3, 'majority').kind, 'abort');
  assert.equal(planReformation([vote(1, 0, 5)], [1, 2, 3], 3, 1).kind, 'commit');
});

test('handler locks: the first acquire wins, only the holder releases, absent holders are freed', () => {
  const l = new HandlerLocks();
  assert.equal(l.acquire(3, 10), true);
  assert.equal(l.acquire(3, 11), false);
  assert.equal(l.release(3, 11), false);
  assert.equal(l.holder(3), 10);
  l.acquire(4, 11);
  assert.deepEqual(l.dropAbsent([11]), [3]);
  assert.equal(l.holder(3), undefined);
  assert.equal(l.holder(4), 11);
});
