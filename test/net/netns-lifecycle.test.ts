// The test LAN builder itself: hosts reach each other, tbf and loss rules are installed,
// teardown removes everything, and names left by a dead creator are cleaned up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cleanupStale, createLan, netnsSupport, withLan } from '../../src/net/netns.js';

const support = netnsSupport();
const skip = support.ok ? false : support.reason;
const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });

test('a LAN with rate limit and loss is built and fully torn down', { skip }, async () => {
  let names: string[] = [];
  await withLan({ hosts: 2, rateKbit: 8000, lossPercent: 5 }, async (lan) => {
    names = lan.hosts.map((h) => h.name);
    assert.match(lan.exec(lan.hosts[0]!, 'tc', ['qdisc', 'show', 'dev', 'eth0']), /tbf .*rate 8Mbit/);
    assert.match(lan.exec(lan.hosts[1]!, 'iptables', ['-S', 'INPUT']), /statistic --mode random --probability 0.0(5|49999)/);
    assert.match(lan.exec(lan.hosts[1]!, 'ip', ['route', 'show']), /224\.0\.0\.0\/4 dev eth0/);
  });
  const after = namespaces();
  for (const n of names) assert.ok(!after.includes(n), `${n} survived teardown`);
});

test('teardown also happens when the test body throws', { skip }, async () => {
  let name = '';
  await assert.rejects(withLan({ hosts: 1 }, async (lan) => {
    name = lan.hosts[0]!.name;
    throw new Error('boom');
  }), /boom/);
  assert.ok(!namespaces().includes(name));
});

test('namespaces of a dead creator are removed by cleanupStale', { skip }, () => {
  const stale = 'cst-999999999-abcdef-h0'; // no such pid
  execFileSync('ip', ['netns', 'add', stale]);
  assert.ok(cleanupStale() >= 1);
  assert.ok(!namespaces().includes(stale));
});

test('bad LAN options are refused before anything is created', () => {
  assert.throws(() => createLan({ hosts: 0 }), RangeError);
  assert.throws(() => createLan({ hosts: 2, lossPercent: 100 }), RangeError);
});
