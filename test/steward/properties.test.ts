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

/** The first violation the Steward checkers report over `records`, or null. */
function firstViolation(records: TraceRecord[]): string | null {
  const props = stewardProperties(T, { liveness: false, window: W });
  for (const r of records) for (const p of props) {
    const m = p.onRecord?.(r, allCorrect) ?? null;
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
