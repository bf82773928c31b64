// The agreement engine alone (src/composable/agreement.ts), among n members on an in-memory
// network that reorders, drops and partitions: Paxos and PBFT decide one value per seq at
// every member, through leader crashes, an equivocating PBFT leader, repeated suspicions and a
// member that falls behind and catches up. Thousands of random runs; safety is checked on
// every decision. (The full composable system is swept in sweep.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agreement, NOOP } from '../../src/composable/agreement.js';
import { decode, encode, isAgreement, type AgreementMsg } from '../../src/composable/messages.js';
import { Rng } from '../../src/sim/prng.js';
import type { Protocol } from '../../src/composable/topology.js';

interface Net {
  members: Agreement[];
  queue: Array<{ from: number; to: number; raw: Uint8Array }>;
  decided: Map<number, string>[];
  down: Set<number>;
  /** Messages from these members to these victims are replaced (equivocation). */
  tamper?: (from: number, to: number, m: AgreementMsg) => AgreementMsg | null;
}

const raw = (from: number, msg: AgreementMsg) => encode({ type: 'signed', from, body: encode(msg), sig: new Uint8Array(0) });

function open(bytes: Uint8Array): { from: number; msg: ReturnType<typeof decode> } | null {
  const e = decode(bytes);
  if (e.type !== 'signed') return null;
  return { from: e.from, msg: decode(e.body) };
}

function makeNet(protocol: Protocol, n: number, f: number, window = 8): Net {
  const members = Array.from({ length: n }, (_, me) => new Agreement({ protocol, n, f, me, window, open }));
  return { members, queue: [], decided: members.map(() => new Map()), down: new Set() };
}

function flush(net: Net, me: number): void {
  const { out, decisions } = net.members[me]!.drain();
  for (const d of decisions) {
    const key = Buffer.from(d.value).toString('hex');
    net.decided[me]!.set(d.seq, key);
    for (let other = 0; other < net.members.length; other++) {
      const theirs = net.decided[other]!.get(d.seq);
      if (theirs !== undefined && theirs !== key && !net.down.has(other)) assert.fail(`members ${other} and ${me} decided different values at seq ${d.seq}`);
    }
  }
  for (const o of out) {
    const targets = o.to === 'all' ? net.members.map((_, i) => i).filter((i) => i !== me) : [o.to];
    for (const to of targets) {
      const msg = net.tamper?.(me, to, o.msg) ?? o.msg;
      net.queue.push({ from: me, to, raw: raw(me, msg) });
    }
  }
}

/** Delivers queued messages in a random order; `drop` of them are lost. Returns steps taken. */
function run(net: Net, rng: Rng, opts: { drop?: number; steps?: number; cut?: (a: number, b: number) => boolean } = {}): number {
  let steps = 0;
  for (let me = 0; me < net.members.length; me++) flush(net, me);
  while (net.queue.length > 0 && steps < (opts.steps ?? 1_000_000)) {
    const i = rng.int(Math.min(net.queue.length, 8));
    const [m] = net.queue.splice(i, 1);
    steps++;
    if (net.down.has(m!.to) || net.down.has(m!.from) || rng.chance(opts.drop ?? 0) || opts.cut?.(m!.from, m!.to)) continue;
    const o = open(m!.raw)!;
    if (!isAgreement(o.msg)) continue;
    net.members[m!.to]!.receive(o.from, o.msg, m!.raw);
    flush(net, m!.to);
  }
  return steps;
}

/** Random runs per test invocation: about 5 s on one core. */
const RANDOM_RUNS = 120;

const value = (i: number) => new Uint8Array([i & 0xff, i >> 8, 7]);

function proposeAll(net: Net, count: number, rng: Rng, opts: Parameters<typeof run>[2] = {}): void {
  let sent = 0;
  for (let round = 0; round < count * 10 && sent < count; round++) {
    const leader = net.members.find((m, i) => !net.down.has(i) && m.canPropose());
    while (leader && leader.canPropose() && sent < count) leader.propose(value(sent++));
    run(net, rng, opts);
  }
}

function agreedPrefix(net: Net): number {
  return Math.min(...net.members.filter((_, i) => !net.down.has(i)).map((m) => m.executed));
}

for (const [protocol, n, f] of [['paxos', 3, 1], ['bft', 4, 1], ['paxos', 5, 2], ['bft', 7, 2]] as const) {
  test(`${protocol} n=${n}: every member decides the same values in the same order`, () => {
    const net = makeNet(protocol, n, f);
    proposeAll(net, 30, new Rng(1));
    assert.equal(agreedPrefix(net), 30);
    for (let i = 1; i <= 30; i++) assert.equal(net.decided[0]!.get(i), Buffer.from(value(i - 1)).toString('hex'));
  });

  test(`${protocol} n=${n}: the leader crashes mid-stream; a view change keeps every decided value and goes on`, () => {
    const rng = new Rng(2);
    const net = makeNet(protocol, n, f);
    proposeAll(net, 10, rng);
    // The leader proposes more, but only some members hear it before it dies.
    const leader = net.members[0]!;
    for (let i = 10; i < 14; i++) leader.propose(value(i));
    flush(net, 0);
    net.queue = net.queue.filter((m) => m.to === 1);
    net.down.add(0);
    run(net, rng);
    for (let i = 1; i < n; i++) net.members[i]!.suspect();
    run(net, rng);
    const before = new Map(net.decided[1]!);
    proposeAll(net, 10, rng);
    for (const [s, v] of before) assert.equal(net.decided[2]!.get(s), v, `seq ${s} changed across the view change`);
    assert.ok(agreedPrefix(net) >= 20, `prefix ${agreedPrefix(net)}`);
    assert.ok(net.members.slice(1).every((m) => m.view >= 1 && m.status === 'normal'));
  });
}

test('bft: an equivocating leader (different proposes to different members) never splits the decisions', () => {
  for (let seed = 0; seed < 100; seed++) {
    const rng = new Rng(seed);
    const net = makeNet('bft', 4, 1);
    net.tamper = (from, to, m) => (from === 0 && m.type === 'propose' && to % 2 === 1 ? { ...m, value: value(1000 + m.seq) } : null);
    proposeAll(net, 5, rng);
    for (let i = 1; i < 4; i++) net.members[i]!.suspect();
    run(net, rng);
    net.down.add(0);
    for (const m of net.members.slice(1)) if (m.status !== 'normal') m.suspect();
    run(net, rng);
    proposeAll(net, 5, rng);
  }
});

test('a member cut off for a while catches up by fetch (f+1 matching answers)', () => {
  for (const [protocol, n, f] of [['paxos', 3, 1], ['bft', 4, 1]] as const) {
    const rng = new Rng(9);
    const net = makeNet(protocol, n, f, 64);
    const lagging = n - 1;
    proposeAll(net, 40, rng, { cut: (a, b) => a === lagging || b === lagging });
    assert.equal(net.members[lagging]!.executed, 0);
    net.members[lagging]!.maxKnown = 40;
    net.members[lagging]!.catchUp();
    run(net, rng);
    assert.equal(net.members[lagging]!.executed, 40);
    assert.deepEqual([...net.decided[lagging]!], [...net.decided[0]!]);
  }
});

test('bft: a Byzantine member that claims a huge executed prefix in its view change does not stall the new view', () => {
  const rng = new Rng(5);
  const net = makeNet('bft', 4, 1);
  net.tamper = (from, _to, m) => (from === 3 && m.type === 'viewChange' ? { ...m, executed: 1_000_000 } : null);
  proposeAll(net, 6, rng);
  for (const m of net.members) m.suspect();
  run(net, rng);
  proposeAll(net, 6, rng);
  assert.equal(agreedPrefix(net), 12);
});

test('random runs: loss, reordering, random suspicions and crashes of ≤ f members never split a decision', () => {
  let progressed = 0;
  for (let seed = 0; seed < RANDOM_RUNS; seed++) {
    const rng = new Rng(1000 + seed);
    const [protocol, n, f] = rng.pick([['paxos', 3, 1], ['bft', 4, 1], ['paxos', 5, 2], ['bft', 7, 2]] as const);
    const net = makeNet(protocol, n, f);
    let sent = 0;
    for (let round = 0; round < 40; round++) {
      if (rng.chance(0.15) && net.down.size < f) net.down.add(rng.int(n));
      if (rng.chance(0.3)) for (const [i, m] of net.members.entries()) if (!net.down.has(i) && rng.chance(0.7)) m.suspect();
      const leader = net.members.find((m, i) => !net.down.has(i) && m.canPropose());
      if (leader) for (let k = 0; k < 3 && leader.canPropose(); k++) leader.propose(value(sent++));
      for (const [i, m] of net.members.entries()) if (!net.down.has(i) && m.behind) m.catchUp();
      run(net, rng, { drop: rng.pick([0.05, 0.3]) });
    }
    // Stable from here on: no loss, suspect until a live leader is in place.
    for (let round = 0; round < 30; round++) {
      const live = net.members.filter((_, i) => !net.down.has(i));
      if (live.every((m) => m.status === 'normal' && !net.down.has(m.leader) && m.view === live[0]!.view)) break;
      for (const m of live) if (m.status !== 'normal' || net.down.has(m.leader)) m.suspect();
      run(net, rng);
    }
    for (const m of net.members) m.retransmit();
    proposeAll(net, 3, rng);
    for (const [i, m] of net.members.entries()) if (!net.down.has(i)) m.catchUp();
    run(net, rng);
    if (agreedPrefix(net) > 0) progressed++;
    for (const d of net.decided) for (const v of d.values()) assert.ok(v === Buffer.from(NOOP).toString('hex') || v.endsWith('07'));
  }
  assert.ok(progressed > RANDOM_RUNS * 0.8, `only ${progressed} of ${RANDOM_RUNS} runs made progress once stable`);
});
