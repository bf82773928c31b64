// Acceptance (issue 2): a deliberately broken protocol is caught by a property over a sweep,
// and its reported seed replays to the same failure, through the API and through the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeViolation, sweep } from '../../src/sim/sweep.js';
import { replayCommand, runSeed } from '../../src/sim/run-seed.js';
import { parseParams } from '../../src/sim/scenario.js';
import { Simulator } from '../../src/sim/simulator.js';
import type { Property } from '../../src/sim/property.js';
import { brokenOrder } from './broken-order.js';
import { echoNodes } from './echo-protocol.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const MODULE = 'dist/test/sim/broken-order.js';
const SWEEP_SEEDS = 500;

test('a sweep catches the broken total order, and its seed replays to the same violation', () => {
  const s = sweep(brokenOrder, { seeds: SWEEP_SEEDS, module: MODULE });
  assert.ok(s.violation, 'the broken protocol is caught');
  const v = s.violation;
  assert.equal(v.property, 'total-order');
  assert.equal(s.seedsRun, v.seed + 1, 'the sweep stops at the first violation');
  assert.equal(v.replay, `castellan sim --replay ${v.seed} broken-order --module ${MODULE}`);
  assert.match(describeViolation(v), /VIOLATION of "total-order".*seed/);
  const again = runSeed(brokenOrder, v.seed, { retainTrace: true });
  assert.deepEqual(again.violation, { property: v.property, message: v.message, seed: v.seed, step: v.step, timeUs: v.timeUs });
  // Seeds before it were clean.
  for (let seed = 0; seed < v.seed; seed++) assert.equal(runSeed(brokenOrder, seed).violation, null);
});

test('the same protocol over a network that never reorders passes the sweep', () => {
  const s = sweep(brokenOrder, { seeds: 100, params: parseParams(brokenOrder, ['reorder=0']) });
  assert.equal(s.violation, null);
  assert.equal(s.seedsRun, 100);
  assert.ok(s.events > 0 && s.virtualUs > 0);
});

test('the replay command carries changed parameters', () => {
  const params = parseParams(brokenOrder, ['reorder=0.5', 'messages=7']);
  assert.equal(replayCommand(brokenOrder, 9, params, 'my dir/x.js'), "castellan sim --replay 9 broken-order --module 'my dir/x.js' --param messages=7 --param reorder=0.5");
  assert.throws(() => parseParams(brokenOrder, ['reorder=lots']), /must be a number/);
  assert.throws(() => parseParams(brokenOrder, ['colour=red']), /no parameter "colour"/);
});

test('incremental properties stop the run at the violating step; final checks see the outputs', () => {
  const firstPingAt2: Property = { name: 'no-ping-at-2', onRecord: (r) => (r.kind === 'output' && r.node === 2 ? 'node 2 got a ping' : null) };
  let finalChecked = false;
  const late: Property = { name: 'late', check: () => { finalChecked = true; return null; } };
  const sim = new Simulator({ nodes: echoNodes({ nodes: 3, pings: 10, intervalUs: 1000 }), properties: [firstPingAt2, late], limitUs: 1_000_000 }, { seed: 1 });
  const r = sim.run();
  assert.equal(r.ended, 'violation');
  assert.equal(r.violation?.property, 'no-ping-at-2');
  assert.equal(r.violation?.timeUs, 100);
  assert.equal(finalChecked, false, 'no further checks after the first violation');
  const full = new Simulator({ nodes: echoNodes({ nodes: 3, pings: 10, intervalUs: 1000 }), properties: [late], limitUs: 1_000_000 }, { seed: 1 }).run();
  assert.ok(finalChecked && full.steps > r.steps && full.ended === 'idle');
});

test('a property that reads the whole trace gets it retained, even in a sweep', () => {
  let seen = 0;
  const whole: Property = { name: 'whole', needsFullTrace: true, check: (v) => { seen = v.trace.records.length; return null; } };
  new Simulator({ nodes: echoNodes({ nodes: 2, pings: 3, intervalUs: 10 }), properties: [whole], limitUs: 1_000_000 }, { seed: 1 }).run();
  assert.ok(seen > 10);
});

test('stopWhen ends a run early', () => {
  const r = new Simulator({ nodes: echoNodes({ nodes: 2, pings: 100, intervalUs: 1000 }), stopWhen: (v) => v.trace.outputs.length >= 4, limitUs: 1_000_000 }, { seed: 1 }).run();
  assert.equal(r.ended, 'stop');
  assert.equal(r.trace.outputs.length, 4);
});

function castellan(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/castellan.js', 'sim', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('CLI: the sweep reports the violation with a replay command that reproduces it', () => {
  const s = castellan('broken-order', '--module', MODULE, '--seeds', String(SWEEP_SEEDS));
  assert.equal(s.code, 1, s.err);
  assert.match(s.out, /VIOLATION of "total-order"/);
  assert.match(s.err, /broken-order: seeds \d+\/500, \d+ events, \d+ events\/s, 1 violation/);
  const replay = /^replay: castellan sim (.*)$/m.exec(s.out)![1]!.split(' ');
  const dir = mkdtempSync(path.join(tmpdir(), 'castellan-sim-'));
  const traceFile = path.join(dir, 'trace.jsonl');
  const r = castellan(...replay, '--trace', traceFile);
  assert.equal(r.code, 1, r.err);
  const violationLines = (text: string) => text.split('\n').filter((l) => /VIOLATION|^ {2}/.test(l));
  assert.deepEqual(violationLines(r.out), violationLines(s.out));
  const hash = /trace hash ([0-9a-f]{16})/.exec(r.out)![1];
  const seed = replay[1]!;
  const traceFile2 = path.join(dir, 'trace2.jsonl');
  const json = castellan('--replay', seed, 'broken-order', '--module', MODULE, '--json', '--trace', traceFile2);
  assert.ok(readFileSync(traceFile).length > 0);
  assert.equal(Buffer.compare(readFileSync(traceFile), readFileSync(traceFile2)), 0, 'replays write byte-equal traces');
  assert.equal(json.code, 1);
  const parsed = JSON.parse(json.out) as { traceHash: string; violation: { property: string } };
  assert.equal(parsed.traceHash, hash);
  assert.equal(parsed.violation.property, 'total-order');
});

test('CLI: a passing sweep exits 0; --json, --list and --help tell the truth', () => {
  const ok = castellan('broken-order', '--module', MODULE, '--seeds', '20', '--param', 'reorder=0', '--json');
  assert.equal(ok.code, 0, ok.err);
  const summary = JSON.parse(ok.out) as { seedsRun: number; violation: unknown; params: { reorder: number } };
  assert.equal(summary.seedsRun, 20);
  assert.equal(summary.violation, null);
  assert.equal(summary.params.reorder, 0);
  const list = castellan('--list', '--module', MODULE, '--json');
  assert.equal(list.code, 0);
  const listed = (JSON.parse(list.out) as { scenarios: { name: string; expectsViolation: boolean }[] }).scenarios;
  assert.ok(listed.some((s) => s.name === 'broken-order' && !s.expectsViolation));
  const deliberatelyBroken = new Set(listed.filter((s) => s.expectsViolation).map((s) => s.name));
  const help = castellan('--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /--replay SEED/);
  // Start the tour at the first seed that breaks broken-order; one seed per scenario keeps it
  // cheap however many built-in scenarios there are.
  const breaking = sweep(brokenOrder, { seeds: SWEEP_SEEDS }).violation!.seed;
  const tour = castellan('--module', MODULE, '--seeds', '1', '--start-seed', String(breaking), '--json');
  assert.equal(tour.code, 1, 'the tour reaches the broken module scenario and stops there');
  const result = JSON.parse(tour.out) as { sweeps: { scenario: string; seedsRun: number; violation: unknown }[]; violation: { scenario: string } };
  const sweeps = result.sweeps;
  assert.equal(sweeps.at(-1)!.scenario, 'broken-order');
  assert.equal(result.violation.scenario, 'broken-order');
  assert.ok(sweeps.length > 1 && sweeps.slice(0, -1).every((s) => s.seedsRun === 1), 'every built-in scenario before it ran its seed');
  const passedOver = sweeps.slice(0, -1).filter((s) => s.violation !== null).map((s) => s.scenario);
  assert.ok(deliberatelyBroken.size > 0, 'some built-in scenario is a deliberately broken variant');
  assert.deepEqual(passedOver, [...deliberatelyBroken], 'the tour went past exactly the deliberately broken variants, each caught');
  assert.match(tour.err, /broken-order: seeds 1\/1/, 'progress shows on stderr');
});

test('CLI: bad input is a usage error (exit 2) with a clear message', () => {
  const unknown = castellan('no-such-scenario');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /no scenario "no-such-scenario"/);
  assert.equal(castellan('broken-order', '--module', MODULE, '--param', 'colour=red').code, 2);
  assert.equal(castellan('broken-order', '--module', MODULE, '--seeds', 'many').code, 2);
  assert.equal(castellan('broken-order', '--trace', 'x').code, 2);
  const missing = castellan('--list', '--module', 'dist/test/sim/not-there.js');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /cannot load scenario module/);
});
