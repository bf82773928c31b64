// Codec of RamCast's two-sided control messages (spec §5 Tasks 7–8; [CODE] uses SEND/RECV
// for these, never the rings): CATCH_UP, its reply, and the NACK a member sends to a
// candidate whose round is stale. A versioned family (src/wire): every length is bounded and
// bad bytes are a DecodeError, counted and dropped by the receiver.
import { array, bytes, struct, u16, u32, u64n } from '../wire/codec.js';
import { defineFamily, type MessageOf } from '../wire/family.js';
import type { CatchUpReport } from './native.js';

// Bounds on a reply: one entry per message a process still holds (D8); a slot image is at most
// kSlotBytes (256) and a message has at most kMaxDstGroups (8) destination groups.
const MAX_REPORTED_MESSAGES = 1 << 20;
const MAX_IMAGE_BYTES = 256;
const MAX_STAMPS = 8;

const stamp = struct({ group: u16, round: u64n, value: u64n });
const reported = struct({ client: u32, seq: u32, image: bytes(MAX_IMAGE_BYTES), stamps: array(stamp, MAX_STAMPS) });
const header = { group: u16, round: u64n };

const messages = {
  'catch-up': { tag: 1, codec: struct(header) },
  'catch-up-reply': { tag: 2, codec: struct({ ...header, clock: u32, messages: array(reported, MAX_REPORTED_MESSAGES) }) },
  nack: { tag: 3, codec: struct(header) },
};

export const controlWire = defineFamily({ name: 'ramcast.control', version: 1, messages });
export type ControlMessage = MessageOf<typeof messages>;

/** A reply as the codec carries it, from the core's report. */
export function catchUpReply(group: number, round: number, report: CatchUpReport): ControlMessage {
  return { type: 'catch-up-reply', group, round, clock: report.clock, messages: report.messages };
}

export function reportOf(m: Extract<ControlMessage, { type: 'catch-up-reply' }>): CatchUpReport {
  return { clock: m.clock, messages: m.messages };
}
