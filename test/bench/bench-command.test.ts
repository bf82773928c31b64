// The benchmark convention end to end: the CLI runs the wire bench and writes its files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repositoryRoot } from '../../src/native/addon.js';

const cli = path.join(repositoryRoot, 'bin', 'castellan.js');

/** A light well-formedness check: one svg root, every element closed, no stray markup characters. */
function assertWellFormedSvg(svg: string): void {
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg.trimEnd(), /<\/svg>$/);
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue; // self-closing
    if (m[1]) assert.equal(stack.pop(), m[2], `unbalanced </${m[2]}>`);
    else stack.push(m[2]!);
  }
  assert.deepEqual(stack, []);
  const text = svg.replace(/<[^>]*>/g, '').replace(/&#\d+;/g, '');
  assert.ok(!/[<>&]/.test(text), 'unescaped markup character in text');
}

test('castellan bench wire --quick --json --out DIR: one report object on stdout, JSON and SVG on disk', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'castellan-bench-'));
  const stdout = execFileSync(process.execPath, [cli, 'bench', 'wire', '--quick', '--json', '--out', out, '--payloads', '128'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const report = JSON.parse(lines[0]!);
  assert.equal(report.bench, 'wire');
  assert.equal(typeof report.machine.cpu, 'string');
  assert.equal(typeof report.machine.cores, 'number');
  assert.equal(report.machine.node, process.version);
  assert.ok(!Number.isNaN(Date.parse(report.startedAt)) && report.durationS >= 0);
  assert.ok(report.results.length > 0);
  for (const r of report.results) {
    assert.deepEqual(Object.keys(r).sort(), ['name', 'params', 'unit', 'value']);
    assert.ok(Number.isFinite(r.value) && r.value > 0, JSON.stringify(r));
  }
  // the bench option reached the bench; the baseline and the ratio are in the same run
  const encodes = report.results.filter((r: { name: string }) => r.name === 'wire.encode');
  assert.deepEqual(encodes.map((r: { params: { codec: string; payload: number } }) => [r.params.codec, r.params.payload]), [['wire', 128], ['json', 128]]);
  assert.ok(report.results.some((r: { name: string; unit: string }) => r.name === 'wire.encode.speedup_vs_json' && r.unit === 'ratio'));
  assert.ok(report.results.some((r: { name: string; params: { impl: string } }) => r.name === 'crc32c' && r.params.impl === 'native'));
  assert.deepEqual(JSON.parse(readFileSync(path.join(out, 'wire.json'), 'utf8')), report);
  assertWellFormedSvg(readFileSync(path.join(out, 'wire.svg'), 'utf8'));
});

test('without --out the files go to the configured bench.outDir, and the table goes to stdout', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'castellan-bench-set-'));
  const stdout = execFileSync(
    process.execPath,
    [cli, 'bench', 'wire', '--quick', '--payloads', '64', '--crc-sizes', '16', '--set', `bench.outDir=${out}`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  assert.match(stdout, /^bench wire: .*\nname +params +value\n/);
  assert.match(stdout, /^crc32c\.native_vs_typescript +bytes=16 +[\d.e+-]+ ratio$/m);
  assert.equal(JSON.parse(readFileSync(path.join(out, 'wire.json'), 'utf8')).bench, 'wire');
});

test('castellan bench --list names the wire bench; an unknown bench or bench option is a usage error', () => {
  assert.match(execFileSync(process.execPath, [cli, 'bench', '--list'], { encoding: 'utf8' }), /^wire /m);
  assert.throws(
    () => execFileSync(process.execPath, [cli, 'bench', 'nope'], { encoding: 'utf8', stdio: 'pipe' }),
    (e: { status: number; stderr: string }) => e.status === 2 && /unknown bench "nope"/.test(e.stderr),
  );
  assert.throws(
    () => execFileSync(process.execPath, [cli, 'bench', 'wire', '--payload', '64'], { encoding: 'utf8', stdio: 'pipe' }),
    (e: { status: number; stderr: string }) => e.status === 2 && /bench wire has no option --payload; it takes: --payloads, --crc-sizes/.test(e.stderr),
  );
});
