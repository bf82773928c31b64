#!/usr/bin/env node
// The README's test command (npm test): compiles TypeScript, makes sure the addon is built,
// then runs every compiled test file under node's test runner. Extra arguments filter test
// files by substring (npm test -- wire sim).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
execFileSync('sh', ['ci/build-native.sh'], { stdio: ['ignore', 'ignore', 'inherit'] });
execFileSync(process.execPath, [path.join('node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { stdio: 'inherit' });

function collect(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return collect(full);
    return entry.endsWith('.test.js') ? [full] : [];
  });
}
const filters = process.argv.slice(2);
// tsc never deletes output, so a test whose source was removed or renamed would still run
// from dist/ in a working copy: only compiled tests with a source beside them count.
const hasSource = (compiled) => existsSync(path.relative('dist', compiled).replace(/\.js$/, '.ts'));
const files = collect(path.join('dist', 'test'))
  .filter(hasSource)
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const run = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
