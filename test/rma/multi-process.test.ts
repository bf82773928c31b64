// Multi-process RMA (issue 4 acceptance): 4 processes write into each other's shm regions
// concurrently; a SIGKILLed process is detected by the others; no segment is left in
// /dev/shm afterwards. Four processes on 2 cores: writes interleave under real preemption.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rma } from '../../src/rma/native-rma.js';

const helper = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'mesh-peer.js');
const PEERS = 4;
const WRITES = 2000;

type Reply = { grants?: string[]; wrote?: number; alive?: boolean; stripes?: { seq: number; rec: number }[] };

function ask(child: ChildProcess, msg: object): Promise<Reply> {
  const reply = once(child, 'message') as Promise<[Reply]>;
  child.send(msg);
  return reply.then(([r]) => r);
}

function segmentsOf(pids: number[]): string[] {
  return readdirSync('/dev/shm').filter((n) => pids.some((pid) => n.startsWith(`castellan-rma-${pid}-`)));
}

test('4 processes write into each other\'s regions; a killed one is detected; nothing leaks', async () => {
  const children = Array.from({ length: PEERS }, (_, i) =>
    fork(helper, [String(i), String(PEERS), String(WRITES)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const pids = children.map((c) => c.pid!);
  try {
    const grants = await Promise.all(children.map((c) => once(c, 'message').then(([r]) => (r as Reply).grants!)));
    const wrote = await Promise.all(
      children.map((c, i) =>
        ask(c, { peers: children.map((_, j) => ({ index: j, handle: grants[j]![i]! })).filter((p) => p.index !== i) }),
      ),
    );
    assert.deepEqual(wrote.map((w) => w.wrote), Array(PEERS).fill(WRITES));
    for (const [i, child] of children.entries()) {
      const { stripes } = await ask(child, { verify: true });
      for (let w = 0; w < PEERS; w++) {
        if (w === i) continue;
        assert.deepEqual(stripes![w], { seq: WRITES, rec: WRITES }, `peer ${i}: stripe of writer ${w}`);
      }
    }
    const victim = children[PEERS - 1]!;
    victim.kill('SIGKILL');
    await once(victim, 'exit');
    for (const child of children.slice(0, -1)) {
      assert.equal((await ask(child, { check: PEERS - 1 })).alive, false, 'killed peer must be detected');
      assert.equal((await ask(child, { check: 0 === children.indexOf(child) ? 1 : 0 })).alive, true);
    }
    await Promise.all(children.slice(0, -1).map((c) => { const e = once(c, 'exit'); c.send({ exit: true }); return e; }));
    assert.deepEqual(segmentsOf(pids), [], 'segments left in /dev/shm');
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rma().sweepStale();
  }
});
