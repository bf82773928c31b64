// fast-check arbitraries that generate exactly the valid RMP packets and commands (every
// field within its bound), for round-trip properties and as fuzz seeds.
import fc from 'fast-check';
import { ACK_ENTRIES_MAX, FRONTIER_SOURCES_MAX, MEMBERS_MAX, MESSAGES_PER_PACKET_MAX, NACK_WANTS_MAX } from '../../src/rmp/limits.js';
import type { RmpCommand } from '../../src/rmp/commands.js';
import type { RmpPacket } from '../../src/rmp/packets.js';
import { QOS_MAX } from '../../src/rmp/qos.js';

const u32 = fc.nat({ max: 0xffff_ffff });
const u16 = fc.nat({ max: 0xffff });
/** Arrays are kept short (the maxima are exercised by dedicated tests) so runs stay fast. */
const SHORT = 6;

const header = { group: u32, sender: u32, viewEpoch: u32, viewCreator: u32 };
const entry = fc.record({ src: u32, seq: u32 }, { noNullPrototype: true });
const payload = fc.uint8Array({ maxLength: 64 });

const data = (type: 'data' | 'nonMemberData') =>
  fc.record({
    type: fc.constant(type),
    ...header,
    seq: u32,
    qos: fc.integer({ min: 0, max: QOS_MAX }),
    k: fc.integer({ min: 0, max: MEMBERS_MAX - 1 }),
    handler: u16,
    control: fc.integer({ min: 0, max: 2 }),
    messages: fc.array(payload, { maxLength: Math.min(SHORT, MESSAGES_PER_PACKET_MAX) }),
  }, { noNullPrototype: true });

const change = fc.record({
  epoch: u32,
  creator: u32,
  list: fc.array(u32, { maxLength: Math.min(SHORT, MEMBERS_MAX) }),
  joined: fc.array(u32, { maxLength: Math.min(SHORT, MEMBERS_MAX) }),
  frontier: fc.array(entry, { maxLength: Math.min(SHORT, FRONTIER_SOURCES_MAX) }),
}, { noNullPrototype: true });

export const rmpPacket: fc.Arbitrary<RmpPacket> = fc.oneof(
  data('data'),
  data('nonMemberData'),
  fc.record({ type: fc.constant('ack' as const), ...header, pass: u32, tsBase: u32, next: u32, entries: fc.array(entry, { maxLength: Math.min(SHORT, ACK_ENTRIES_MAX) }), change: fc.option(change, { nil: undefined }) }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('confirm' as const), ...header, pass: u32, heldTo: u32 }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('nack' as const), ...header, wants: fc.array(fc.record({ kind: fc.integer({ min: 1, max: 2 }), a: u32, b: u32, c: u32 }, { noNullPrototype: true }), { maxLength: Math.min(SHORT, NACK_WANTS_MAX) }) }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('retrans' as const), ...header, packet: payload }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('forward' as const), ...header, packet: payload }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('reply' as const), ...header, client: u32, seq: u32, status: fc.integer({ min: 0, max: 1 }), payload }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('joinRequest' as const), ...header, nonce: u32 }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('recoveryStart' as const), ...header, attempt: u32 }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('recoveryVote' as const), ...header, attempt: u32, originator: u32, joinTs: u32, haveTo: u32, stableTs: u32, pass: u32 }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('recoveryNewList' as const), ...header, attempt: u32, list: fc.array(u32, { maxLength: SHORT }), syncTs: u32, firstSite: u32, basePass: u32 }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('recoveryAbort' as const), ...header, attempt: u32, originator: u32, reason: fc.integer({ min: 1, max: 2 }) }, { noNullPrototype: true }),
) as fc.Arbitrary<RmpPacket>;

export const rmpCommand: fc.Arbitrary<RmpCommand> = fc.oneof(
  fc.record({ type: fc.constant('send' as const), qos: fc.nat({ max: 255 }), k: fc.nat({ max: 255 }), handler: u16, payload }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('lock' as const), handler: u16, acquire: fc.boolean() }, { noNullPrototype: true }),
  fc.constant({ type: 'leave' as const }),
);
