// One-sided writes: FIFO per (writer, target) pair whatever the link does to messages (RDMA RC
// semantics), and fenced by `permit` (spec/ramcast.md §6): a revoked writer's writes are
// rejected at the target and traced as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Core, CoreEffect, CoreEvent, NodeId } from '../../src/sim/core.js';
import type { LinkConfig } from '../../src/sim/link.js';
import { pick, runSetup } from './run-helpers.js';

const WRITES = 50;

/** Writes offset k (one byte, value k) into node 1's region "r" every 100 µs. */
class Writer implements Core {
  private k = 0;
  handle(_now: number, ev: CoreEvent): CoreEffect[] {
    if (ev.kind === 'start') return [{ kind: 'set-timer', timer: 'w', afterUs: 0 }];
    if (ev.kind !== 'timer') return [];
    const k = this.k++;
    const fx: CoreEffect[] = [{ kind: 'write', to: 1, region: 'r', offset: k, bytes: new Uint8Array([k]) }];
    if (this.k < WRITES) fx.push({ kind: 'set-timer', timer: 'w', afterUs: 100 });
    return fx;
  }
}

/** Reports every landed write; revokes `fenced` on "r" when offset `revokeAt` lands, re-grants 2 ms later. */
class Target implements Core {
  constructor(private readonly fenced: NodeId, private readonly revokeAt = -1) {}
  handle(_now: number, ev: CoreEvent): CoreEffect[] {
    if (ev.kind === 'timer') return [{ kind: 'permit', region: 'r', peer: this.fenced, allowed: true }];
    if (ev.kind !== 'memory') return [];
    const fx: CoreEffect[] = [{ kind: 'output', name: 'landed', data: { region: ev.region, offset: ev.offset, from: ev.from } }];
    if (ev.offset === this.revokeAt) {
      fx.push({ kind: 'permit', region: 'other', peer: this.fenced, allowed: false }); // another region: no effect on "r"
      fx.push({ kind: 'permit', region: 'r', peer: this.fenced, allowed: false });
      fx.push({ kind: 'set-timer', timer: 'regrant', afterUs: 2000 });
    }
    return fx;
  }
}

const landed = (log: ReturnType<typeof runSetup>['log']) => pick(log, 'output', 1, 'landed').map((x) => (x.data as { offset: number }).offset);

test('writes on one pair arrive exactly once and in order, even over a link that loses, duplicates and reorders', () => {
  const hostile: Partial<LinkConfig> = { latency: { kind: 'uniform', minUs: 50, maxUs: 5000 }, loss: 1, duplicate: 1, reorder: 1 };
  const r = runSetup({ nodes: [() => new Writer(), () => new Target(2)], network: { defaults: hostile }, limitUs: 1_000_000 });
  assert.deepEqual(landed(r.log), Array.from({ length: WRITES }, (_, k) => k));
  for (const m of pick(r.log, 'memory', 1)) assert.equal(m.name, 'r');
});

test('permission revocation fences a writer until it is granted again', () => {
  // Offset k lands at k·100 + 100 µs; offset 10 lands at 1.1 ms and triggers the revocation,
  // the re-grant comes at 3.1 ms (before offset 30, due at the same instant but scheduled later).
  const r = runSetup({ nodes: [() => new Writer(), () => new Target(0, 10)], network: { defaults: { latency: { kind: 'fixed', us: 100 } } }, limitUs: 1_000_000 });
  const rejected = pick(r.log, 'write-rejected', 1);
  assert.deepEqual(rejected.map((x) => x.offset), Array.from({ length: 19 }, (_, i) => 11 + i));
  assert.ok(rejected.every((x) => x.peer === 0 && x.name === 'r'));
  assert.deepEqual(landed(r.log), [...Array.from({ length: 11 }, (_, k) => k), ...Array.from({ length: 20 }, (_, k) => 30 + k)]);
  assert.deepEqual(pick(r.log, 'permit', 1).map((x) => [x.t, x.name, x.ok]), [[1100, 'other', false], [1100, 'r', false], [3100, 'r', true]]);
});

test('a revocation concerns only the named writer', () => {
  const r = runSetup({ nodes: [() => new Writer(), () => new Target(2, 10), () => ({ handle: () => [] })], limitUs: 1_000_000 });
  assert.equal(pick(r.log, 'write-rejected').length, 0);
  assert.equal(landed(r.log).length, WRITES);
});

test('a restarted target registers its memory anew: revocations are forgotten', () => {
  const r = runSetup({
    nodes: [() => new Writer(), () => new Target(0, 10)],
    faults: [{ kind: 'crash', node: 1, atUs: 1500, restartAfterUs: 100 }],
    limitUs: 1_000_000,
  });
  const rejected = pick(r.log, 'write-rejected').map((x) => x.offset);
  assert.deepEqual(rejected, [11, 12, 13]);
  assert.ok(landed(r.log).includes(16));
});

test('writes across a partition are dropped', () => {
  const r = runSetup({ nodes: [() => new Writer(), () => new Target(2)], faults: [{ kind: 'partition', atUs: 1000, groups: [[0]], healAfterUs: 1000 }], limitUs: 1_000_000 });
  const got = landed(r.log);
  assert.ok(!got.includes(12) && got.includes(5) && got.includes(30));
  assert.ok(r.log.some((x) => x.kind === 'drop' && x.name === 'r' && x.info === 'partition'));
});
