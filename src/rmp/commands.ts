// What an application asks of its RMP process: the `request` event's bytes (src/sim/core.ts).
// A family of its own so the simulator's inputs and the runtime's API share one decoder.
import { bool, bytes, struct, u16, u8 } from '../wire/codec.js';
import { defineFamily, type MessageOf } from '../wire/family.js';
import { MAX_PACKET_BYTES, MEMBERS_MAX } from './limits.js';
import { Qos, QOS_MAX, type QosLevel } from './qos.js';

const messages = {
  /** Multicast one message at this QoS (members), or send it to the group (non-members). */
  send: { tag: 1, codec: struct({ qos: u8, k: u8, handler: u16, payload: bytes(MAX_PACKET_BYTES) }) },
  /** Acquire or release a handler lock (spec §9): a totally ordered operation. */
  lock: { tag: 2, codec: struct({ handler: u16, acquire: bool }) },
  /** Leave the group voluntarily (spec §8.2). */
  leave: { tag: 3, codec: struct({}) },
  /** Join the group (a process that is not a founder starts outside it, spec §8.1). */
  join: { tag: 4, codec: struct({}) },
};

export const rmpCommands = defineFamily({ name: 'rmp-command', version: 1, messages });
export type RmpCommand = MessageOf<typeof messages>;

export interface ValidSend {
  qos: QosLevel;
  k: number;
  handler: number;
  payload: Uint8Array;
}

/** A send with a QoS level that exists and a K a group can have; K kept only for k-resilient. Else null. */
export function validSend(c: Extract<RmpCommand, { type: 'send' }>): ValidSend | null {
  if (c.qos > QOS_MAX || c.k >= MEMBERS_MAX) return null;
  const qos = c.qos as QosLevel;
  return { qos, k: qos === Qos.kResilient ? c.k : 0, handler: c.handler, payload: c.payload };
}
