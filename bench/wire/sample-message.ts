// The representative message the wire bench encodes: shaped like an ordering protocol's
// proposal (view, sequence number, sender, digest, acknowledgements, client payload), plus
// the JSON encoding of the same message that serves as the baseline.
import { array, bytes, fixed, string, struct, u16, u32, u64n } from '../../src/wire/codec.js';
import { defineFamily, type MessageOf } from '../../src/wire/family.js';

export const DIGEST_BYTES = 32;
export const CLIENT_ID_MAX = 64;
export const ACKS_MAX = 16;
/** Largest payload the bench sweeps to (64 KiB): beyond it, memcpy dominates both codecs. */
export const PAYLOAD_MAX = 64 * 1024;

const messages = {
  proposal: {
    tag: 1,
    codec: struct({
      view: u64n,
      seq: u64n,
      site: u16,
      server: u16,
      digest: fixed(DIGEST_BYTES),
      client: string(CLIENT_ID_MAX),
      timestampUs: u64n,
      acks: array(u32, ACKS_MAX),
      payload: bytes(PAYLOAD_MAX),
    }),
  },
};

export const benchFamily = defineFamily({ name: 'bench', version: 1, messages });
export type Proposal = MessageOf<typeof messages>;

export function sampleProposal(payloadBytes: number): Proposal {
  const payload = new Uint8Array(payloadBytes);
  for (let i = 0; i < payloadBytes; i++) payload[i] = (i * 31) & 0xff;
  return {
    type: 'proposal',
    view: 7,
    seq: 1_234_567,
    site: 3,
    server: 2,
    digest: new Uint8Array(DIGEST_BYTES).fill(0xab),
    client: 'client-42@site-3',
    timestampUs: 1_700_000_000_000_000,
    acks: [1, 2, 3, 4, 5],
    payload,
  };
}

const utf8in = new TextEncoder();
const utf8out = new TextDecoder();

/** The baseline: the same message as JSON bytes, binary fields in base64 (what a JSON API would do). */
export function jsonEncode(m: Proposal): Uint8Array {
  return utf8in.encode(
    JSON.stringify({ ...m, digest: Buffer.from(m.digest).toString('base64'), payload: Buffer.from(m.payload).toString('base64') }),
  );
}

export function jsonDecode(b: Uint8Array): Proposal {
  const o = JSON.parse(utf8out.decode(b));
  return { ...o, digest: new Uint8Array(Buffer.from(o.digest, 'base64')), payload: new Uint8Array(Buffer.from(o.payload, 'base64')) };
}
