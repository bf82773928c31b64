// Frames of the control-plane TCP mesh (tcp-mesh.ts) and of RamCast's link setup over it
// (DESIGN "Transports": memory handles are exchanged over the TCP control plane). Versioned
// families (src/wire); every length is bounded; bad bytes are a DecodeError, counted and
// dropped by the receiver.
import { bytes, struct, u32, u8 } from '../../wire/codec.js';
import { defineFamily, type MessageOf } from '../../wire/family.js';

/** Opaque bytes a node attaches to its hello (RamCast: its grants for the peer). */
export const HELLO_EXTRA_MAX = 4096;
/** One control message (a CATCH_UP reply carries every message a process holds, D8). */
export const MESH_BODY_MAX = 16 * 1024 * 1024;
/** A serialised rma handle (native/rma/handle.h bounds its strings to 1 KiB). */
export const HANDLE_MAX = 2048;

const meshMessages = {
  /** First frame on every connection: who dials, and what it offers the peer. */
  hello: { tag: 1, codec: struct({ node: u32, extra: bytes(HELLO_EXTRA_MAX) }) },
  /** A message for the receiving node's host; `channel` says which part takes it. */
  frame: { tag: 2, codec: struct({ channel: u8, body: bytes(MESH_BODY_MAX) }) },
  /** Liveness while nothing else flows (failure detector). */
  heartbeat: { tag: 3, codec: struct({}) },
};

export const meshWire = defineFamily({ name: 'ramcast.mesh', version: 1, messages: meshMessages });
export type MeshMessage = MessageOf<typeof meshMessages>;

/** Channels of `frame`: the protocol core's control messages, and link setup. */
export const CHANNEL_CORE = 0;
export const CHANNEL_LINKS = 1;

const LOG_CODES = { data: 0, ts: 1 } as const;
export type LinkLog = keyof typeof LOG_CODES;

const linkMessages = {
  /** In a RamCast hello: my grants for you on my data mailbox and (when permitted) my ts mailbox. */
  offer: { tag: 1, codec: struct({ data: bytes(HANDLE_MAX), ts: bytes(HANDLE_MAX) }) },
  /** A fresh grant after fencing changed (§6): a new leader may now write my ts mailbox. */
  grant: { tag: 2, codec: struct({ log: u8, handle: bytes(HANDLE_MAX) }) },
};

export const linkWire = defineFamily({ name: 'ramcast.links', version: 1, messages: linkMessages });
export type LinkMessage = MessageOf<typeof linkMessages>;

export function logCode(log: LinkLog): number {
  return LOG_CODES[log];
}

export function logName(code: number): LinkLog | undefined {
  return code === LOG_CODES.data ? 'data' : code === LOG_CODES.ts ? 'ts' : undefined;
}
