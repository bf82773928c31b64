// Each spec §12 checker on hand-made logs: a correct log passes, and the smallest log that
// breaks the property is reported under that property's name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Json } from '../../src/sim/core.js';
import { OUT } from '../../src/rmp/outputs.js';
import { checkRmpLogs, type CheckOptions, type OutputRecord } from '../../src/rmp/properties.js';
import { Qos } from '../../src/rmp/qos.js';

const A = 0;
const B = 65536;
const C = 131072;
const opts: CheckOptions = { faulty: () => false, retransBufferMaxBytes: 1 << 20, expectReplies: true, quiescent: true, converge: true };

class Log {
  readonly records: OutputRecord[] = [];
  private t = 0;
  add(node: number, name: string, data: Record<string, Json>): this {
    this.records.push({ t: ++this.t, node, name, data });
    return this;
  }
  start(pids: number[], list = pids, key = '1.0'): this {
    for (const pid of pids) {
      const node = pid / 65536;
      this.add(node, OUT.incarnation, { pid, node }).add(node, OUT.status, { pid, status: 'member' });
      this.add(node, OUT.view, { pid, key, list, prev: null, ts: 0, cause: 'founded' });
    }
    return this;
  }
  sent(src: number, seq: number, qos: number, k = 0): this {
    return this.add(src / 65536, OUT.sent, { pid: src, id: `${src}:${seq}`, qos, k, handler: 0, bytes: 10 });
  }
  have(pid: number, id: string, ts: number): this {
    return this.add(pid / 65536, OUT.have, { pid, id, ts });
  }
  deliver(pid: number, src: number, seq: number, qos: number, ts: number, k = 0, orderView: string | null = '1.0'): this {
    return this.add(pid / 65536, OUT.deliver, { pid, id: `${src}:${seq}`, src, seq, qos, k, ts, orderView: ts < 0 ? null : orderView, messages: 1, nonMember: false });
  }
}

function violated(l: Log, o: Partial<CheckOptions> = {}): string | null {
  const v = checkRmpLogs(l.records, { ...opts, ...o });
  return v === null ? null : `${v.property}: ${v.message}`;
}

/** Two members, A sends one totally ordered packet that both hold and deliver at ts 1. */
function healthy(): Log {
  return new Log().start([A, B]).sent(A, 1, Qos.totallyOrdered).have(A, `${A}:1`, 1).have(B, `${A}:1`, 1).deliver(A, A, 1, Qos.totallyOrdered, 1).deliver(B, A, 1, Qos.totallyOrdered, 1);
}

test('a correct log passes every check', () => {
  assert.equal(violated(healthy()), null);
});

test('no loss: a final-view member that never delivers a packet sent after it joined', () => {
  const l = new Log().start([A, B]).sent(A, 1, Qos.reliable).deliver(A, A, 1, Qos.reliable, -1);
  assert.match(violated(l)!, /^rmp-no-loss: member 65536 .* never delivered 0:1/);
  assert.equal(violated(l, { quiescent: false }), null, 'liveness is judged only on quiet runs');
});

test('exactly once and source order (order within a source, no gaps inside a run)', () => {
  assert.match(violated(healthy().deliver(B, A, 1, Qos.totallyOrdered, 1))!, /^rmp-exactly-once/);
  const backwards = new Log().start([A]).sent(A, 1, Qos.sourceOrdered).sent(A, 2, Qos.sourceOrdered).deliver(A, A, 2, Qos.sourceOrdered, -1).deliver(A, A, 1, Qos.sourceOrdered, -1);
  assert.match(violated(backwards)!, /^rmp-source-order: .* after seq 2/);
  const gap = new Log().start([A, B]);
  for (const seq of [1, 2, 3]) gap.sent(A, seq, Qos.sourceOrdered);
  gap.deliver(B, A, 1, Qos.sourceOrdered, -1).deliver(B, A, 3, Qos.sourceOrdered, -1);
  assert.match(violated(gap, { quiescent: false })!, /^rmp-source-order: process 65536 skipped source 0's ordered packets between seq 1 and 3/);
});

test('total order: two members of one view deliver different packets at one position', () => {
  const l = new Log().start([A, B]).sent(A, 1, Qos.totallyOrdered).sent(B, 1, Qos.totallyOrdered);
  l.deliver(A, A, 1, Qos.totallyOrdered, 1).deliver(B, B, 1, Qos.totallyOrdered, 1);
  assert.match(violated(l, { quiescent: false })!, /^rmp-total-order: in view 1.0/);
});

test('virtual synchrony: members install the same view after different deliveries', () => {
  const l = new Log().start([A, B, C]).sent(A, 1, Qos.totallyOrdered).deliver(A, A, 1, Qos.totallyOrdered, 1);
  for (const pid of [A, B]) l.add(pid / 65536, OUT.view, { pid, key: '2.0', list: [A, B], prev: '1.0', ts: 2, cause: 'reformation' });
  assert.match(violated(l, { quiescent: false })!, /^rmp-virtual-synchrony: processes 0 and 65536 both installed 2.0 after 1.0/);
});

test('K-resilience, majority and safe count the processes that held the packet', () => {
  const base = () => new Log().start([A, B, C]).sent(A, 1, Qos.kResilient, 2).have(A, `${A}:1`, 1).have(B, `${A}:1`, 1);
  assert.match(violated(base().deliver(A, A, 1, Qos.kResilient, 1, 2), { quiescent: false })!, /^rmp-k-resilience: .*K=2, effective 2\) when only 2/);
  assert.equal(violated(base().deliver(A, A, 1, Qos.kResilient, 1, 1), { quiescent: false }), null);
  const removedC = base();
  removedC.add(0, OUT.reformed, { pid: A, key: '2.0', syncTs: 1, removed: [C] }).deliver(A, A, 1, Qos.kResilient, 1, 2);
  assert.equal(violated(removedC, { quiescent: false }), null, 'K clamps to the members not removed');
  const maj = new Log().start([A, B, C]).sent(A, 1, Qos.majorityResilient).have(A, `${A}:1`, 1).deliver(A, A, 1, Qos.majorityResilient, 1);
  assert.match(violated(maj, { quiescent: false })!, /^rmp-majority: .* when 1 of the 3/);
  const safe = new Log().start([A, B, C]).sent(A, 1, Qos.safe).have(A, `${A}:1`, 1).have(B, `${A}:1`, 1).deliver(A, A, 1, Qos.safe, 1);
  assert.match(violated(safe, { quiescent: false })!, /^rmp-safe: .* members 131072 of view 1.0/);
});

test('agreed across partitions: two agreed packets in opposite orders, even in different views', () => {
  const l = new Log().start([A, B]);
  for (const [pid, order] of [[A, [1, 2]], [B, [2, 1]]] as const) {
    const key = `2.${pid}`; // each side of a partition reformed on its own
    l.add(pid / 65536, OUT.view, { pid, key, list: [pid], prev: '1.0', ts: 1, cause: 'reformation' });
    order.forEach((src, i) => l.deliver(pid, src === 1 ? C : 3 * 65536, 1, Qos.majorityResilient, i + 2, 0, null));
  }
  assert.match(violated(l, { quiescent: false })!, /^rmp-agreed-across-partitions: processes 0 and 65536/);
});

test('token uniqueness and the acceptance rule', () => {
  const l = healthy().add(0, OUT.token, { pid: A, view: '1.0', pass: 3, upTo: 1 }).add(1, OUT.token, { pid: B, view: '1.0', pass: 3, upTo: 1 });
  assert.match(violated(l)!, /^rmp-token-uniqueness: processes 0 and 65536/);
  const m = new Log().start([A, B]).have(B, `${A}:1`, 1).add(1, OUT.token, { pid: B, view: '1.0', pass: 1, upTo: 2 });
  assert.match(violated(m, { quiescent: false })!, /^rmp-acceptance-rule: process 65536 .* up to ts 2 while holding only up to ts 1/);
});

test('handler locks: holders disagree, or two members answer one request', () => {
  const l = healthy().add(0, OUT.lock, { pid: A, handler: 7, holder: A, ts: 1 }).add(1, OUT.lock, { pid: B, handler: 7, holder: B, ts: 1 });
  assert.match(violated(l)!, /^rmp-handler-locks: handler 7 at ts 1/);
  const r = healthy().add(0, OUT.respond, { pid: A, client: C, seq: 1, handler: 7 }).add(1, OUT.respond, { pid: B, client: C, seq: 1, handler: 7 });
  assert.match(violated(r)!, /^rmp-handler-locks: request 131072:1 for handler 7 answered by both/);
});

test('buffers: above the bound while running, not empty when quiet', () => {
  const l = healthy().add(0, OUT.buffers, { pid: A, data: 0, acks: 0, queued: 0, unstableBytes: 10 << 20 });
  assert.match(violated(l)!, /^rmp-buffer-bound: process 0 holds/);
  const q = healthy().add(0, OUT.buffers, { pid: A, data: 2, acks: 1, queued: 0, unstableBytes: 0 });
  assert.match(violated(q)!, /^rmp-buffer-bound: member 0 still holds 2 packets/);
});

test('internal invariants reported by a core fail the run', () => {
  assert.match(violated(healthy().add(0, OUT.invariant, { pid: A, message: 'boom' }))!, /^rmp-internal-invariants: process 0: boom/);
});
