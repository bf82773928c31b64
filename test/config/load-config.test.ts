import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configEnvName, ConfigError, loadConfig } from '../../src/config/load-config.js';
import { sections } from '../../src/config/sections.js';

const dir = mkdtempSync(path.join(tmpdir(), 'castellan-config-'));
function file(name: string, content: unknown): string {
  const p = path.join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

function issues(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.code, 'ERR_CASTELLAN_CONFIG');
    return e.issues.map((i) => `${i.path} | ${i.source} | ${i.message}`);
  }
  assert.fail('loaded without error');
}

test('with no sources every setting has its default', () => {
  const c = loadConfig({ env: {} });
  for (const [s, keys] of Object.entries(sections))
    for (const [k, setting] of Object.entries(keys)) assert.equal((c as any)[s][k], setting.default, `${s}.${k}`);
  assert.equal(c.rma.backend, 'shm');
});

test('precedence: defaults < file < env < --set, key by key', () => {
  const f = file('prec.json', { rma: { backend: 'verbs', pollSpinUs: 5 }, ramcast: { groups: 4 } });
  const c = loadConfig({
    file: f,
    env: { CASTELLAN_RMA_BACKEND: 'fabric', CASTELLAN_RAMCAST_RING_SLOTS: '128' },
    sets: ['rma.backend=shm'],
  });
  assert.equal(c.rma.backend, 'shm'); // --set beats env beats file
  assert.equal(c.rma.pollSpinUs, 5); // file beats default
  assert.equal(c.ramcast.groups, 4);
  assert.equal(c.ramcast.ringSlots, 128); // env beats default
  assert.equal(c.ramcast.processesPerGroup, 3);
});

test('the file comes from CASTELLAN_CONFIG when --config is absent, --config wins when both are given', () => {
  const a = file('a.json', { log: { level: 'debug' } });
  const b = file('b.json', { log: { level: 'error' } });
  assert.equal(loadConfig({ env: { CASTELLAN_CONFIG: a } }).log.level, 'debug');
  assert.equal(loadConfig({ file: b, env: { CASTELLAN_CONFIG: a } }).log.level, 'error');
});

test('env names are CASTELLAN_<SECTION>_<KEY> in upper snake case', () => {
  assert.equal(configEnvName('rma', 'pollSpinUs'), 'CASTELLAN_RMA_POLL_SPIN_US');
  assert.equal(loadConfig({ env: { CASTELLAN_RAMCAST_PROCESSES_PER_GROUP: '5' } }).ramcast.processesPerGroup, 5);
});

test('errors name the path, the bad value, its source and what is expected, all at once', () => {
  const f = file('bad.json', { rma: { backend: 'ib' }, ramcast: { slotBytes: 10 } });
  assert.deepEqual(issues(() => loadConfig({ file: f, env: { CASTELLAN_SIM_SEEDS: 'many' }, sets: ['ramcast.groups=256'] })), [
    `rma.backend | file ${f} | "ib" is not one of shm, verbs, fabric`,
    `ramcast.slotBytes | file ${f} | 10 is not an integer in [64, 1048576]`,
    'sim.seeds | env CASTELLAN_SIM_SEEDS | "many" is not an integer in [1, 10000000]',
    'ramcast.groups | --set ramcast.groups=256 | "256" is not an integer in [1, 255]',
  ]);
});

test('unknown sections and keys are errors (a typo never passes silently)', () => {
  const f = file('typo.json', { rma: { backnd: 'shm' }, ramcats: {} });
  const found = issues(() => loadConfig({ file: f, env: { CASTELLAN_RMA_BACKND: 'shm' }, sets: ['x.y=1', 'nodot'] }));
  assert.equal(found.length, 5);
  assert.match(found[0]!, /^rma\.backnd \| .* \| unknown key; rma has: backend, pollSpinUs$/);
  assert.match(found[1]!, /^ramcats \| .* \| unknown section; sections are: log, sim, rma, ramcast, bench$/);
  assert.match(found.join('\n'), /env CASTELLAN_RMA_BACKND \| no such key/);
  assert.match(found.join('\n'), /x\.y \| --set x\.y=1 \| unknown section/);
  assert.match(found.join('\n'), /nodot \| --set \| expected section\.key=value/);
});

test('JSON types are checked strictly: a string is not an integer in the file', () => {
  const f = file('types.json', { ramcast: { groups: '2' }, sim: { firstSeed: 1.5 } });
  assert.equal(issues(() => loadConfig({ file: f, env: {} })).length, 2);
});

test('an unreadable or malformed file is one clear error', () => {
  assert.match(issues(() => loadConfig({ file: path.join(dir, 'missing.json'), env: {} }))[0]!, /cannot read JSON/);
  assert.match(issues(() => loadConfig({ file: file('broken.json', '{ "log": '), env: {} }))[0]!, /cannot read JSON/);
  assert.match(issues(() => loadConfig({ file: file('array.json', '[]'), env: {} }))[0]!, /expected a JSON object/);
});
