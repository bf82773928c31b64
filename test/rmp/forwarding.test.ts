// Forwarding for clients without multicast (seed §5, D21), event by event: the client wraps
// its requests for its forwarder and moves on when the forwarder stays silent; a member
// multicasts a client's forwarded request, answers it back through FORWARD, and relays
// replies only for clients it saw forwarded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CoreEffect } from '../../src/sim/core.js';
import { FORWARDER_SILENT_ROUNDS, RmpClient } from '../../src/rmp/client.js';
import { rmpCommands } from '../../src/rmp/commands.js';
import { rmpConfig, SIM_TIMERS } from '../../src/rmp/config.js';
import { MULTICAST_NODE } from '../../src/rmp/member-io.js';
import { RmpMember } from '../../src/rmp/member.js';
import { OUT } from '../../src/rmp/outputs.js';
import { ReplyStatus, rmpPackets, type RmpPacket } from '../../src/rmp/packets.js';
import { makePid } from '../../src/rmp/pid.js';
import { Qos } from '../../src/rmp/qos.js';

const GROUP = 0x5eed;
const MEMBER = makePid(0, 0, 0);
const CLIENT_NODE = 5;
const CLIENT = makePid(CLIENT_NODE, 0, 0);
const config = rmpConfig(GROUP, [MEMBER]);
const send = rmpCommands.encode({ type: 'send', qos: Qos.totallyOrdered, k: 0, handler: 0, payload: Uint8Array.of(1, 2, 3) });

const sends = (fx: CoreEffect[]) => fx.filter((e) => e.kind === 'send').map((e) => ({ to: e.to, packet: rmpPackets.decode(e.bytes) }));
const inner = (p: RmpPacket): RmpPacket => (p.type === 'forward' ? rmpPackets.decode(p.packet) : p);
const outputs = (fx: CoreEffect[], name: string) => fx.filter((e) => e.kind === 'output' && e.name === name);

function request(seq: number, sender = CLIENT): Uint8Array {
  return rmpPackets.encode({ type: 'nonMemberData', group: GROUP, sender, viewEpoch: 0, viewCreator: 0, seq, qos: Qos.totallyOrdered, k: 0, handler: 0, control: 0, messages: [Uint8Array.of(9)] });
}

function forward(sender: number, packet: Uint8Array): Uint8Array {
  return rmpPackets.encode({ type: 'forward', group: GROUP, sender, viewEpoch: 0, viewCreator: 0, packet });
}

test('a client with forwarders sends each request inside FORWARD to the first and moves on after silent retry rounds', () => {
  const c = new RmpClient(CLIENT_NODE, 0, config, undefined, [1, 2]);
  c.handle(0, { kind: 'start', restarted: false });
  const first = sends(c.handle(10, { kind: 'request', bytes: send }));
  assert.equal(first.length, 1);
  assert.equal(first[0]!.to, 1);
  assert.equal(first[0]!.packet.type, 'forward');
  assert.equal(inner(first[0]!.packet).type, 'nonMemberData');
  let t = 10;
  const retryTo: number[] = [];
  for (let round = 1; round <= FORWARDER_SILENT_ROUNDS; round++) {
    t += SIM_TIMERS.clientRetryUs;
    const fx = c.handle(t, { kind: 'timer', timer: 'retry' });
    retryTo.push(...sends(fx).map((s) => s.to));
    assert.equal(outputs(fx, OUT.forwarder).length, round === FORWARDER_SILENT_ROUNDS ? 1 : 0, `round ${round}`);
  }
  assert.deepEqual(retryTo, [...Array(FORWARDER_SILENT_ROUNDS - 1).fill(1), 2], 'retries go to the second forwarder after the silent rounds');
  const reply = rmpPackets.encode({ type: 'reply', group: GROUP, sender: MEMBER, viewEpoch: 1, viewCreator: MEMBER, client: CLIENT, seq: 1, status: ReplyStatus.ack, payload: new Uint8Array(0) });
  const fx = c.handle(t + 1, { kind: 'receive', from: 2, bytes: forward(makePid(2, 0, 0), reply) });
  assert.equal(outputs(fx, OUT.reply).length, 1, 'a relayed reply is the reply');
  assert.equal(c.stats.failovers, 1);
});

test('a member forwards a client\'s request to the group, orders it and answers inside FORWARD straight to the client', () => {
  const m = new RmpMember(0, 0, config);
  m.handle(0, { kind: 'start', restarted: false });
  const bytes = request(1);
  const fx = [...m.handle(100, { kind: 'receive', from: CLIENT_NODE, bytes: forward(CLIENT, bytes) })];
  for (let t = 200; t < 20_000 && !sends(fx).some((s) => s.to === CLIENT_NODE); t += 100) fx.push(...m.handle(t, { kind: 'timer', timer: 'token-hold' }));
  const out = sends(fx);
  const copy = out.find((s) => s.to === MULTICAST_NODE && s.packet.type === 'forward')!;
  assert.ok(copy !== undefined, 'the request is multicast inside FORWARD');
  assert.equal(copy.packet.sender, MEMBER, 'the outer sender is the forwarder (D4)');
  assert.deepEqual((copy.packet as Extract<RmpPacket, { type: 'forward' }>).packet, bytes, 'the client\'s bytes, unchanged');
  const answer = out.find((s) => s.to === CLIENT_NODE)!;
  assert.equal(answer.packet.type, 'forward');
  const r = inner(answer.packet);
  assert.ok(r.type === 'reply' && r.client === CLIENT && r.seq === 1);
  // A reply from another member for this client is relayed to it; one for a stranger is not.
  const stranger = makePid(6, 0, 0);
  const replyFor = (client: number) => rmpPackets.encode({ type: 'reply', group: GROUP, sender: makePid(3, 0, 0), viewEpoch: 1, viewCreator: MEMBER, client, seq: 2, status: ReplyStatus.ack, payload: new Uint8Array(0) });
  assert.deepEqual(sends(m.handle(30_000, { kind: 'receive', from: 3, bytes: forward(makePid(3, 0, 0), replyFor(CLIENT)) })).map((s) => s.to), [CLIENT_NODE]);
  assert.deepEqual(sends(m.handle(30_001, { kind: 'receive', from: 3, bytes: forward(makePid(3, 0, 0), replyFor(stranger)) })), []);
});

test('a request another member forwarded is taken in, not forwarded again, and answered through that member', () => {
  const m = new RmpMember(0, 0, config);
  m.handle(0, { kind: 'start', restarted: false });
  const fx = [...m.handle(100, { kind: 'receive', from: 2, bytes: forward(makePid(2, 0, 0), request(1)) })];
  assert.ok(!sends(fx).some((s) => s.packet.type === 'forward' && s.to === MULTICAST_NODE), 'a fellow member\'s copy is not multicast again');
  for (let t = 200; t < 20_000 && !sends(fx).some((s) => s.to === 2); t += 100) fx.push(...m.handle(t, { kind: 'timer', timer: 'token-hold' }));
  const answer = sends(fx).filter((s) => s.packet.type === 'forward' && inner(s.packet).type === 'reply');
  assert.deepEqual(answer.map((s) => s.to), [2], 'the reply goes to the forwarder, never to the client it cannot reach');
});
