// A message family: one version byte for the whole family, one tag byte per message type,
// then the message's fields, then (optionally) a CRC-32C trailer.
//
//   [version u8][tag u8][fields…][crc32c u32, if checksum]
//
// A family is declared once (`defineFamily`) and gives a discriminated union of its messages,
// `{ type: 'name', ...fields }`, with encode/decode that reject unknown versions and tags.
import { checkCrc32cTrailer, writeCrc32cTrailer } from './checksum-trailer.js';
import type { Codec, Infer } from './codec.js';
import { EncodeError } from './decode-error.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

export interface MessageSpec {
  /** The byte that names this message type on the wire; unique within the family. */
  tag: number;
  codec: Codec<object>;
}

export interface FamilySpec<M extends Record<string, MessageSpec>> {
  /** Appears in every DecodeError of this family. */
  name: string;
  /** Bumped whenever any message layout changes; a peer on another version is rejected. */
  version: number;
  messages: M;
  /** Append and check a CRC-32C trailer (for frames crossing untrusted links). */
  checksum?: boolean;
}

/** The union of a family's messages, discriminated by `type`. */
export type MessageOf<M extends Record<string, MessageSpec>> = {
  [K in keyof M & string]: { type: K } & Infer<M[K]['codec']>;
}[keyof M & string];

export interface Family<M extends Record<string, MessageSpec>> {
  readonly name: string;
  readonly version: number;
  readonly checksum: boolean;
  encode(message: MessageOf<M>): Uint8Array;
  /** Throws only DecodeError. */
  decode(bytes: Uint8Array): MessageOf<M>;
}

function checkByte(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new EncodeError(`${what} must be a byte, got ${v}`);
}

export function defineFamily<M extends Record<string, MessageSpec>>(spec: FamilySpec<M>): Family<M> {
  const { name, version, messages } = spec;
  const checksum = spec.checksum ?? false;
  checkByte(version, `${name}: version`);
  const byTag = new Map<number, [string, MessageSpec]>();
  for (const [type, m] of Object.entries(messages)) {
    checkByte(m.tag, `${name}.${type}: tag`);
    const clash = byTag.get(m.tag);
    if (clash) throw new EncodeError(`${name}: tag ${m.tag} is used by both ${clash[0]} and ${type}`);
    if ('fields' in m.codec && Object.hasOwn(m.codec.fields as object, 'type'))
      throw new EncodeError(`${name}.${type}: a field named "type" would clash with the message discriminator`);
    byTag.set(m.tag, [type, m]);
  }
  // One writer reused across encodes (no per-message buffer); a nested encode of the same
  // family from inside a codec gets its own.
  const shared = new Writer();
  let sharedBusy = false;

  return {
    name,
    version,
    checksum,
    encode(message) {
      const m = messages[message.type];
      if (!m) throw new EncodeError(`${name}: unknown message type ${String(message.type)}`);
      const w = sharedBusy ? new Writer() : shared.reset();
      const own = w === shared;
      if (own) sharedBusy = true;
      try {
        w.u8(version).u8(m.tag);
        m.codec.encode(w, message);
        if (checksum) writeCrc32cTrailer(w);
        return w.finish();
      } finally {
        if (own) sharedBusy = false;
      }
    },
    decode(bytes) {
      const covered = checksum ? checkCrc32cTrailer(bytes, name) : bytes;
      const r = new Reader(covered, name);
      const v = r.u8();
      if (v !== version) r.fail('ERR_WIRE_VERSION', `version ${v} is not the supported ${version}`, 0);
      const tag = r.u8();
      const entry = byTag.get(tag);
      if (!entry) return r.fail('ERR_WIRE_TAG', `unknown message tag ${tag}`, 1);
      const body = entry[1].codec.decode(r);
      r.end();
      return { type: entry[0], ...body } as MessageOf<M>;
    },
  };
}
