// The §10 checkers bite: hand-built traces that break an invariant must be reported (a
// sweep that never fails cannot tell a checker that works from one that checks nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunView } from '../../src/sim/property.js';
import type { TraceRecord } from '../../src/sim/trace.js';
import { OUT } from '../../src/steward/outputs.js';
import { stewardProperties } from '../../src/steward/properties.js';
import { clientNode, type StewardTopology } from '../../src/steward/topology.js';

const T: StewardTopology = { sites: 3, f: 1, clientsPerSite: 1 };
const W = 8;
const REP = 0;
const CLIENT = clientNode(T, 0, 0);
const allCorrect = { byzantine: () => false, faulty: () => false } as unknown as RunView;

const out = (node: number, name: string, data: Record<string, number | string | boolean>): TraceRecord => ({ t: 0, node, kind: 'output', name, data });
const submitted = out(CLIENT, OUT.submit, { client: CLIENT, ts: 1, digest: 'aa' });
const executed = out(REP, OUT.execute, { seq: 1, gv: 0, lv: 0, client: CLIENT, ts: 1, digest: 'aa', noop: false, state: '00' });
const prePrepare = (seq: number, constrained = true) => out(REP, OUT.prePrepare, { gv: 0, lv: 0, seq, digest: 'bb', constrained });

/** The first violation the Steward checkers report over `records` (and at the end, `view`), or null. */
function firstViolation(records: TraceRecord[], view: RunView = allCorrect): string | null {
  const props = stewardProperties(T, { liveness: false, window: W });
  for (const r of records) for (const p of props) {
    const m = p.onRecord?.(r, view) ?? null;
    if (m !== null) return m;
  }
  for (const p of props) {
    const m = p.check?.(view) ?? null;
    if (m !== null) return m;
  }
  return null;
}

test('I10 holds for Pre-Prepares inside (Global_aru, Global_aru + W] while constrained', () => {
  assert.equal(firstViolation([submitted, executed, prePrepare(2), prePrepare(1 + W)]), null);
});

test('I10 catches a Pre-Prepare at or below Global_aru', () => {
  assert.match(firstViolation([submitted, executed, prePrepare(1)]) ?? '', /^I10: .* seq 1 outside its window \(Global_aru 1, W 8\)/);
});

test('I10 catches a Pre-Prepare beyond the window', () => {
  assert.match(firstViolation([submitted, executed, prePrepare(2 + W)]) ?? '', /^I10: .* seq 10 outside its window/);
});

test('I10 catches a Pre-Prepare sent while not constrained', () => {
  assert.match(firstViolation([prePrepare(1, false)]) ?? '', /^I10: .* while not constrained/);
});

const gou = (node: number, seq: number, digest: string) => out(node, OUT.gou, { seq, gv: 0, digest });
const restart = (node: number): TraceRecord => ({ t: 0, node, kind: 'start', ok: true });

test('I12 holds for one GOU per seq per server, and again after a restart (state lost)', () => {
  assert.equal(firstViolation([gou(REP, 1, 'aa'), gou(REP + 1, 1, 'aa'), gou(REP, 2, 'cc'), restart(REP), gou(REP, 1, 'aa')]), null);
});

test('I12 catches a server storing a second GOU for a seq (the first was removed or replaced)', () => {
  assert.match(firstViolation([gou(REP, 1, 'aa'), gou(REP, 2, 'cc'), gou(REP, 1, 'aa')]) ?? '', /^I12: server 0 stored a second GOU for seq 1/);
});

const prepare = (node: number, seq: number, o: { gv?: number; lv?: number; constrained?: boolean } = {}) =>
  out(node, OUT.prepare, { gv: o.gv ?? 0, lv: o.lv ?? 0, seq, digest: 'bb', constrained: o.constrained ?? true });

test('I10 catches a Prepare sent while not constrained or outside the window', () => {
  // In local view 1 server 1 is the rep, so server 0 (REP of lv 0) prepares.
  assert.equal(firstViolation([submitted, executed, prepare(REP, 2, { lv: 1 }), prepare(REP, 1 + W, { lv: 1 })]), null);
  assert.match(firstViolation([prepare(2, 1, { constrained: false })]) ?? '', /^I10: server 2 sent a Prepare for seq 1 while not constrained/);
  assert.match(firstViolation([submitted, executed, prepare(REP, 1, { lv: 1 })]) ?? '', /^I10: .*Prepare for seq 1 outside its window/);
  assert.match(firstViolation([submitted, executed, prepare(REP, 2 + W, { lv: 1 })]) ?? '', /^I10: .*Prepare for seq 10 outside its window/);
});

// Sites of 4 servers: nodes 0–3 are site 0, 4–7 site 1, 8–11 site 2.
const view = (node: number, v: { gv?: number; gpv?: number; lv?: number; lpv?: number; rep?: number; leaderSite?: number }) => {
  const gv = v.gv ?? 0, lv = v.lv ?? 0;
  return out(node, OUT.view, { gv, gpv: v.gpv ?? gv, lv, lpv: v.lpv ?? lv, local: false, global: false, rep: v.rep ?? lv % 4, leaderSite: v.leaderSite ?? gv % 3 });
};

test('I16 holds for roles derived as lv mod 4 and gv mod 3, and for Pre-Prepares and Prepares from the right servers', () => {
  const pp = (node: number, gv: number, lv: number) => out(node, OUT.prePrepare, { gv, lv, seq: 1, digest: 'bb', constrained: true });
  assert.equal(firstViolation([view(5, { gv: 4, lv: 6 }), pp(0, 0, 0), pp(4 + 1, 1, 5), prepare(4 + 2, 1, { gv: 1, lv: 5 }), prepare(8 + 3, 1, { gv: 5, lv: 4 })]), null);
});

test('I16 catches a wrong rep or leader site in a server\'s view, and a role taken by the wrong server', () => {
  const pp = (node: number, gv: number, lv: number) => out(node, OUT.prePrepare, { gv, lv, seq: 1, digest: 'bb', constrained: true });
  assert.match(firstViolation([view(5, { lv: 6, rep: 1 })]) ?? '', /^I16: server 5 in local view 6 takes server 1 for its rep, not 2/);
  assert.match(firstViolation([view(5, { gv: 4, leaderSite: 0 })]) ?? '', /^I16: server 5 in global view 4 takes site 0 for the leader site, not 1/);
  assert.match(firstViolation([pp(4, 0, 0)]) ?? '', /^I16: server 4 of site 1 sent a Pre-Prepare for seq 1 in gv 0, whose leader site is 0/);
  assert.match(firstViolation([pp(1, 0, 0)]) ?? '', /^I16: server 1 of site 0 sent a Pre-Prepare for seq 1 in lv 0, whose rep is server 0/);
  assert.match(firstViolation([prepare(2, 1, { lv: 2 })]) ?? '', /^I16: server 2 of site 0 sent a Prepare for seq 1 in lv 2, whose rep is server 2/);
});

const timer = (node: number, kind: 'set-timer' | 'cancel-timer' | 'timer', name: string): TraceRecord => ({ t: 0, node, kind, name });
const received = (node: number): TraceRecord => ({ t: 0, node, kind: 'receive', peer: 0, size: 1, digest: '00000000' });

test('I9 holds when a step moves past the preinstalled view and stops its timer after announcing it', () => {
  // A global timeout: the timer fires, gv goes to gpv + 1 (announced), the local timer is
  // restarted in the same step after the view record; then a preinstall re-arms Global_T.
  const records = [view(1, {}), timer(1, 'set-timer', 'global-t'), timer(1, 'set-timer', 'local-t'), received(2),
    timer(1, 'timer', 'global-t'), view(1, { gv: 1, gpv: 0 }), received(2),
    received(1), view(1, { gv: 1, lv: 1, lpv: 0 }), timer(1, 'cancel-timer', 'local-t'), received(2),
    received(1), view(1, { gv: 1, lv: 1 }), timer(1, 'set-timer', 'global-t'), timer(1, 'set-timer', 'local-t')];
  assert.equal(firstViolation(records), null);
});

test('I9 catches Global_T or Local_T running past the preinstalled view, at the end of the step', () => {
  assert.match(firstViolation([view(1, {}), timer(1, 'set-timer', 'global-t'), received(1), view(1, { gv: 1, gpv: 0 }), received(2)]) ?? '',
    /^I9: server 1's Global_T runs in global view 1, preinstalled 0/);
  assert.match(firstViolation([view(1, { lv: 1, lpv: 0 }), timer(1, 'set-timer', 'local-t')]) ?? '', /^I9: server 1's Local_T runs in local view 1, preinstalled 0/);
  // A restart loses both the views and the timers.
  assert.equal(firstViolation([view(1, { lv: 1, lpv: 0 }), restart(1), timer(1, 'set-timer', 'local-t')]), null);
});

const stored = (node: number, seq: number, gv: number) => out(node, OUT.proposalStored, { seq, gv, digest: 'bb' });
const dropped = (node: number, seq: number, gv: number) => out(node, OUT.proposalDropped, { seq, gv });

test('I12 holds for Proposals replaced by higher gvs, and dropped (D17) when older than the server\'s gv', () => {
  assert.equal(firstViolation([stored(1, 1, 0), stored(1, 1, 2), stored(2, 1, 0), view(1, { gv: 3, gpv: 3 }), dropped(1, 1, 2), stored(1, 1, 1), restart(2), stored(2, 1, 0)]), null);
});

test('I12 catches a Proposal replaced by one of the same or a lower gv, and a drop of a current one', () => {
  assert.match(firstViolation([stored(1, 1, 2), stored(1, 1, 1)]) ?? '', /^I12: server 1 replaced the Proposal of gv 2 at seq 1 by one of gv 1/);
  assert.match(firstViolation([stored(1, 1, 2), stored(1, 1, 2)]) ?? '', /^I12: server 1 replaced the Proposal of gv 2 at seq 1 by one of gv 2/);
  assert.match(firstViolation([view(1, { gv: 2 }), stored(1, 1, 2), dropped(1, 1, 2)]) ?? '', /^I12: server 1 in gv 2 dropped the Proposal of gv 2 at seq 1/);
});

const partial = (node: number, digest: string): TraceRecord => ({ t: 0, node, kind: 'crypto', name: `c${node}`, info: 'tsig.partial', size: 40, digest });
const siteSigned = (node: number, data: string) => out(node, OUT.siteSigned, { data, size: 40 });

test('I13 holds for a site signature on data that 2f+1 servers of the site made partials on', () => {
  assert.equal(firstViolation([partial(0, 'd1'), partial(1, 'd1'), partial(3, 'd1'), siteSigned(2, 'd1')]), null);
});

test('I13 catches a site signature with too few partials: repeats, other data and other sites do not count', () => {
  const expect = /^I13: server 2 holds site 0's signature on data d1 \(40 bytes\), but only 2 servers made partials on it \(need 3\)/;
  assert.match(firstViolation([partial(0, 'd1'), partial(1, 'd1'), partial(1, 'd1'), siteSigned(2, 'd1')]) ?? '', expect);
  assert.match(firstViolation([partial(0, 'd1'), partial(1, 'd1'), partial(3, 'd2'), siteSigned(2, 'd1')]) ?? '', expect);
  assert.match(firstViolation([partial(0, 'd1'), partial(1, 'd1'), partial(4, 'd1'), siteSigned(2, 'd1')]) ?? '', expect);
});

const pcHeld = (node: number, seq: number, held: boolean) => out(node, OUT.pcHeld, { seq, held });
/** Server `node` executes the submitted update at seq 1. */
const executes = (node: number) => out(node, OUT.execute, { seq: 1, gv: 0, lv: 0, client: CLIENT, ts: 1, digest: 'aa', noop: false, state: '00' });

test('I8 holds while entries above Global_aru are gap-free at the end of each step', () => {
  // seq 2's PC arrives in the same step that dropped it for a newer view (a union applied).
  const records = [submitted, pcHeld(1, 1, true), stored(1, 2, 0), view(1, { gv: 1 }), received(1), pcHeld(1, 3, true), pcHeld(1, 2, true), dropped(1, 2, 0), received(1),
    gou(1, 1, 'aa'), executes(1), pcHeld(1, 1, false), received(1), pcHeld(1, 2, false), pcHeld(1, 3, false), received(1)];
  assert.equal(firstViolation(records), null);
});

test('I8 catches an entry above a hole, and a hole left by dropping an entry', () => {
  assert.match(firstViolation([pcHeld(1, 1, true), pcHeld(1, 3, true), received(2)]) ?? '', /^I8: server 1 holds a constraining entry for seq 3 but none for seq 2 \(Global_aru 0\)/);
  assert.match(firstViolation([submitted, gou(1, 1, 'aa'), executes(1), stored(1, 2, 0), gou(1, 3, 'd3'), view(1, { gv: 1 }), received(1), dropped(1, 2, 0)]) ?? '',
    /^I8: server 1 holds a constraining entry for seq 3 but none for seq 2 \(Global_aru 1\)/);
  // A restart empties the histories.
  assert.equal(firstViolation([pcHeld(1, 1, true), pcHeld(1, 2, true), received(1), restart(1), pcHeld(1, 1, true)]), null);
});

const reliableSent = (node: number, t = 0) => ({ ...out(node, OUT.reliableSent, { message: 'ee', size: 9 }), t });
const arrives = (node: number): TraceRecord => ({ t: 0, node, kind: 'receive', peer: 0, size: 9, digest: 'ee' });
/** The run ended at 2 s, with these nodes crashed (not stable). */
const endedAt2s = (crashed: number[] = []) => ({ byzantine: () => false, faulty: (n: number) => crashed.includes(n), nowUs: 2_000_000 }) as unknown as RunView;
const otherSites = [4, 5, 6, 7, 8, 9, 10, 11];

test('I17 holds when a site\'s reliably sent message reaches every stable server of the other stable sites', () => {
  assert.equal(firstViolation([reliableSent(1), ...otherSites.filter((n) => n !== 6).map(arrives)], endedAt2s([6])), null);
  // Site 1 with two crashed servers is not stable: nothing is promised there.
  assert.equal(firstViolation([reliableSent(1), ...[8, 9, 10, 11].map(arrives)], endedAt2s([4, 5])), null);
});

test('I17 catches a stable server that never got it; sent too late, or a lossy run, promises nothing', () => {
  const missing = [reliableSent(1), ...otherSites.filter((n) => n !== 10).map(arrives)];
  assert.match(firstViolation(missing, endedAt2s()) ?? '', /^I17: site 0's reliably sent message ee\/9 \(sent at t=0 µs\) never reached stable server 10 of stable site 2/);
  assert.equal(firstViolation([reliableSent(1, 1_500_000), ...otherSites.filter((n) => n !== 10).map(arrives)], endedAt2s()), null);
  const lost: TraceRecord = { t: 0, node: 1, kind: 'drop', peer: 10, size: 9, info: 'loss' };
  assert.equal(firstViolation([...missing, lost], endedAt2s()), null);
});

const pcAt = (node: number, seq: number) => pcHeld(node, seq, true);
/** Servers 0–11 all correct; I11 is judged when every one of them has the same Global_aru. */
const allServersExecute = () => Array.from({ length: 12 }, (_, n) => executes(n));

test('I11 holds for entries up to a + 2W anywhere and leader-site local entries up to a + W', () => {
  // Global_aru 1 everywhere; W = 8: server 5 (site 1, not the leader site of gv 0) may hold seq 17, server 1 (site 0) seq 9.
  const entries = [2, 3, 4, 5, 6, 7, 8];
  const records = [submitted, ...allServersExecute(), ...entries.map((s) => pcAt(1, s)), pcAt(1, 9), ...[...entries, 9, 10, 11, 12, 13, 14, 15, 16].map((s) => gou(5, s, `g${s}`)), stored(5, 17, 0), received(0)];
  assert.equal(firstViolation(records), null);
});

test('I11 catches an entry above a + 2W, and a leader-site local entry above a + W', () => {
  const upTo = (n: number) => Array.from({ length: n - 1 }, (_, i) => i + 2);
  assert.match(firstViolation([submitted, ...allServersExecute(), ...upTo(18).map((s) => gou(5, s, `g${s}`)), received(0)]) ?? '',
    /^I11: every stable server has Global_aru 1, but server 5 holds an entry for seq 18 > a \+ 2W \(W 8\)/);
  assert.match(firstViolation([submitted, ...allServersExecute(), ...upTo(10).map((s) => pcAt(2, s)), received(0)]) ?? '',
    /^I11: every stable server has Global_aru 1, but leader-site server 2 holds a local entry for seq 10 > a \+ W \(W 8\)/);
  // Not judged while the stable servers' Global_arus differ (server 11 has not executed seq 1).
  assert.equal(firstViolation([submitted, ...allServersExecute().slice(0, 11), ...upTo(10).map((s) => pcAt(2, s)), received(0)]), null);
});
