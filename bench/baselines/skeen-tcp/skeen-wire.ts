// Messages of the Skeen-over-TCP baseline (skeen-server.ts): a versioned family (src/wire),
// bounded like RamCast's (the same payload and destination limits), so both carry the same
// bytes of application data.
import { array, bytes, struct, u16, u32, u64n } from '../../../src/wire/codec.js';
import { DecodeError } from '../../../src/wire/decode-error.js';
import { defineFamily, type MessageOf } from '../../../src/wire/family.js';

/** RamCast's limits (native/ramcast/layout.h): at most 8 destination groups, 188-byte payloads. */
export const SKEEN_DST_MAX = 8;
export const SKEEN_PAYLOAD_MAX = 188;

const id = { client: u32, seq: u32 };
const dst = array(u16, SKEEN_DST_MAX);
const payload = bytes(SKEEN_PAYLOAD_MAX);

const messages = {
  /** client → leader of every destination group */
  mcast: { tag: 1, codec: struct({ ...id, dst, payload }) },
  /** leader → its followers: the message and the leader's group timestamp */
  propose: { tag: 2, codec: struct({ ...id, dst, payload, ts: u64n }) },
  /** follower → leader: stored */
  ack: { tag: 3, codec: struct({ ...id, ts: u64n }) },
  /** leader → the other destination leaders: my group's timestamp, replicated on a majority */
  stamp: { tag: 4, codec: struct({ ...id, group: u16, ts: u64n }) },
  /** leader → its followers, in delivery order: deliver it with this final timestamp */
  final: { tag: 5, codec: struct({ ...id, ts: u64n }) },
  /** server → client: delivered here */
  delivered: { tag: 6, codec: struct({ seq: u32 }) },
};

export const skeenWire = defineFamily({ name: 'skeen-tcp', version: 1, messages });
export type SkeenMessage = MessageOf<typeof messages>;

/** Decodes a frame, or counts it on `bad` and returns undefined (DESIGN principle 5). */
export function decodeSkeen(bytes: Uint8Array, bad: { badFrames: number }): SkeenMessage | undefined {
  try {
    return skeenWire.decode(bytes);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    bad.badFrames++;
    return undefined;
  }
}
