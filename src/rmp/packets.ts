// RMP's packets (spec §3) as one src/wire family: version byte, tag, fields, CRC-32C trailer.
// The seed gives no wire format; this layout is ours (decisions.md D1, D4). Every packet
// starts with the same header, so a host can read the sender without decoding the rest
// (`peekSender`: it learns unicast addresses from it).
//
//   [version u8][tag u8][group u32][sender u32][viewEpoch u32][viewCreator u32][body…][crc32c u32]
import { array, bytes, optional, struct, u16, u32, type Codec } from '../wire/codec.js';
import { DecodeError } from '../wire/decode-error.js';
import { defineFamily, type MessageOf } from '../wire/family.js';
import type { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';
import { ACK_ENTRIES_MAX, FRONTIER_SOURCES_MAX, MAX_PACKET_BYTES, MEMBERS_MAX, MESSAGES_PER_PACKET_MAX, NACK_WANTS_MAX, PACKET_BYTES_MAX, REPLY_PAYLOAD_MAX_BYTES } from './limits.js';
import { QOS_MAX, type QosLevel } from './qos.js';

export const RMP_WIRE_VERSION = 1;
const FAMILY = 'rmp';

/** A u8 that must be ≤ max (an enum on the wire); anything else is ERR_WIRE_VALUE. */
function enumU8<T extends number>(max: number, what: string): Codec<T> {
  return {
    encode: (w: Writer, v: T) => void w.u8(v),
    decode: (r: Reader) => {
      const v = r.u8();
      if (v > max) r.fail('ERR_WIRE_VALUE', `${what} ${v} is above ${max}`);
      return v as T;
    },
  };
}

/** DATA flags: a handler-lock operation (spec §9) rides a totally ordered DATA packet. */
export const DataControl = { none: 0, lockAcquire: 1, lockRelease: 2 } as const;
export type DataControlKind = (typeof DataControl)[keyof typeof DataControl];

/** Fields every packet starts with. Non-members send view 0/0. */
const header = {
  /** 32-bit FNV-1a of the group name: demultiplexes groups that hash to one address (§8.4). */
  group: u32,
  sender: u32,
  viewEpoch: u32,
  viewCreator: u32,
};

const dataBody = struct({
  ...header,
  seq: u32,
  qos: enumU8<QosLevel>(QOS_MAX, 'qos'),
  /** K for k-resilient packets; 0 otherwise. */
  k: enumU8<number>(MEMBERS_MAX - 1, 'k'),
  /** Handler lock that must answer (0: none, auto-ack for non-members). */
  handler: u16,
  control: enumU8<DataControlKind>(DataControl.lockRelease, 'control'),
  /** Application messages coalesced by the packet-size rule (Figure 1). */
  messages: array(bytes(MAX_PACKET_BYTES), MESSAGES_PER_PACKET_MAX),
});

const orderEntry = struct({ src: u32, seq: u32 });

const viewChange = struct({
  epoch: u32,
  creator: u32,
  list: array(u32, MEMBERS_MAX),
  /** The members this change adds: a joiner starts only at the change that added it. */
  joined: array(u32, MEMBERS_MAX),
  /** Per source, the last sequence number ordered so far: where a joiner starts (D11). */
  frontier: array(orderEntry, FRONTIER_SOURCES_MAX),
});

export const NackKind = { data: 1, order: 2 } as const;
export type NackKindValue = (typeof NackKind)[keyof typeof NackKind];

/** data: (a = source, b..c = sequence range); order: (b..c = timestamp range, a unused). */
const want = struct({ kind: enumU8<NackKindValue>(NackKind.order, 'nack kind'), a: u32, b: u32, c: u32 });

export const ReplyStatus = { ack: 0, response: 1 } as const;
export type ReplyStatusValue = (typeof ReplyStatus)[keyof typeof ReplyStatus];

export const AbortReason = { superseded: 1, minority: 2 } as const;
export type AbortReasonValue = (typeof AbortReason)[keyof typeof AbortReason];

const messages = {
  data: { tag: 1, codec: dataBody },
  /** Sent by a process that is not a member (multi-RPC, seed §6); same layout as DATA. */
  nonMemberData: { tag: 2, codec: dataBody },
  ack: {
    tag: 3,
    codec: struct({
      ...header,
      /** Token passes so far, counted across normal view changes (restarted by reformation). */
      pass: u32,
      /** Timestamp of the first entry; entries take tsBase, tsBase+1, …; a change takes the next. */
      tsBase: u32,
      next: u32,
      entries: array(orderEntry, ACK_ENTRIES_MAX),
      /** A join or leave: the ACK ends its view and the change takes one timestamp (§8.1–8.2). */
      change: optional(viewChange),
    }),
  },
  confirm: { tag: 4, codec: struct({ ...header, pass: u32, heldTo: u32 }) },
  nack: { tag: 5, codec: struct({ ...header, wants: array(want, NACK_WANTS_MAX) }) },
  /** A copy of a DATA or ACK packet (its original bytes), sent by whoever held it. */
  retrans: { tag: 6, codec: struct({ ...header, packet: bytes(PACKET_BYTES_MAX) }) },
  reply: { tag: 7, codec: struct({ ...header, client: u32, seq: u32, status: enumU8<ReplyStatusValue>(ReplyStatus.response, 'reply status'), payload: bytes(REPLY_PAYLOAD_MAX_BYTES) }) },
  /** LIST_CHANGE_REQUEST(JOIN); a leave needs no request (D9). */
  joinRequest: { tag: 8, codec: struct({ ...header, nonce: u32 }) },
  recoveryStart: { tag: 9, codec: struct({ ...header, attempt: u32 }) },
  recoveryVote: { tag: 10, codec: struct({ ...header, attempt: u32, originator: u32, joinTs: u32, haveTo: u32, stableTs: u32, pass: u32 }) },
  /** RECOVERY_ACK_NEW_LIST: the reformed view (epoch = attempt, creator = originator). */
  recoveryNewList: { tag: 11, codec: struct({ ...header, attempt: u32, list: array(u32, MEMBERS_MAX), syncTs: u32, firstSite: u32, basePass: u32 }) },
  recoveryAbort: { tag: 12, codec: struct({ ...header, attempt: u32, originator: u32, reason: enumU8<AbortReasonValue>(AbortReason.minority, 'abort reason') }) },
  /**
   * A packet relayed for a non-member through a forwarding member (seed §5, D21): the
   * client's NON_MEMBER_DATA on its way to the forwarder and on the forwarder's multicast,
   * or a REPLY on its way back. The outer sender is whoever sent this datagram (D4).
   */
  forward: { tag: 13, codec: struct({ ...header, packet: bytes(PACKET_BYTES_MAX) }) },
};

export const rmpPackets = defineFamily({ name: FAMILY, version: RMP_WIRE_VERSION, messages, checksum: true });
export type RmpPacket = MessageOf<typeof messages>;
export type PacketType = RmpPacket['type'];
export type PacketOf<T extends PacketType> = Extract<RmpPacket, { type: T }>;
export type DataPacket = PacketOf<'data'> | PacketOf<'nonMemberData'>;
export type AckPacket = PacketOf<'ack'>;
export type ViewChange = NonNullable<AckPacket['change']>;
export type OrderEntry = AckPacket['entries'][number];
export type NackWant = PacketOf<'nack'>['wants'][number];

/** Offset of the sender field: after version, tag and group. */
const SENDER_OFFSET = 6;

/** The sender of an encoded packet, without decoding it (hosts learn addresses from it). */
export function peekSender(bytes: Uint8Array): number {
  if (bytes.length < SENDER_OFFSET + 4 || bytes[0] !== RMP_WIRE_VERSION)
    throw new DecodeError('ERR_WIRE_TRUNCATED', 'too short for an RMP header', 0, FAMILY);
  return new DataView(bytes.buffer, bytes.byteOffset + SENDER_OFFSET, 4).getUint32(0, true);
}

/** Encoded size of a DATA packet carrying messages of these sizes (for the packet-size rule). */
export const DATA_OVERHEAD_BYTES = 2 + 16 + 4 + 1 + 1 + 2 + 1 + 1 + 4;
export const MESSAGE_OVERHEAD_BYTES = 2;
