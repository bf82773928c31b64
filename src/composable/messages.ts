// The composable architecture's message family (Lane 2008, Ch. 4) in src/wire conventions:
// one version byte, one tag, fixed field layouts, every length bounded.
//
// Three layers share it:
//  * agreement messages (propose … fetched): the SAME Paxos / BFT code runs inside each LM
//    among servers (RSA-signed `signed` envelopes) and among LMs as the wide-area protocol
//    (LM-signed `blinkData` frames) — the "unmodified wide-area protocol" of §4.3;
//  * BLink (§4.4): `lmMessage` is what an LM says (its body, and its link sequence number on
//    each logical link it goes out on); `blinkData` carries it with its LM signature, direct
//    or as a Merkle-batch proof (§4.6); `ack` is the cumulative acknowledgement vector;
//  * local-only messages: CLink (§4.5) ordering requests and fault proofs, LM timeout notes
//    (§4.3), THRESHOLD-SIGN partials (Steward Fig. 3.10, reused), client traffic.
// Ordered LM events (`evRequest`, `evLink`, `evTimeout`) and batches of them are messages of
// the family too, so every byte an LM orders is decoded by one bounded codec.
import { array, bool, bytes, fixed, string, struct, u16, u32, u64n } from '../wire/codec.js';
import { defineFamily } from '../wire/family.js';
import { SERVERS_PER_SITE_MAX, SITES_MAX } from './topology.js';

/** Family version: bump on any layout change. */
export const COMPOSABLE_WIRE_VERSION = 1;
export const DIGEST_BYTES = 32;
/** One client operation; the paper's is 200 B (§4.7); 4 KiB leaves room for real commands. */
export const OP_BYTES_MAX = 4096;
/** A client's signed update envelope: the operation, ids and an RSA signature. */
export const UPDATE_BYTES_MAX = OP_BYTES_MAX + 1024;
/** RSA signatures up to 4096-bit keys. */
export const SIG_BYTES_MAX = 512;
/** A Shoup partial with proof at 4096 bits is ~1.2 KiB; 2 KiB bounds it. */
export const PARTIAL_BYTES_MAX = 2048;
/** A Merkle path: 32 bytes per level, 2^32 leaves at most (merkle.ts MERKLE_LEAVES_MAX). */
export const PATH_BYTES_MAX = 32 * 32;
/** One agreed value: an LM batch of events (aggregation, §4.6) or one client update. */
export const VALUE_BYTES_MAX = 8 * 1024 * 1024;
/** Events in one LM batch; merkle-batcher.ts DEFAULT_MAX_BATCH bounds what one instance signs. */
export const BATCH_EVENTS_MAX = 4096;
/** An event: a BLink frame, an ordering request or a timeout with its notes. */
export const EVENT_BYTES_MAX = 1024 * 1024;
/** Entries one view-change state report may carry (see agreement.ts: never truncated). */
export const ENTRIES_MAX = 65_536;
/** Raw signed messages embedded as proof in one entry: a PC holds 1 + 2f of them. */
export const PROOFS_MAX = SERVERS_PER_SITE_MAX + SITES_MAX;
/** A raw embedded message (a signed Prepare, a BLink frame). */
export const RAW_BYTES_MAX = 64 * 1024;
/** Whole bodies: state reports and new-view bundles are the largest. */
export const BODY_BYTES_MAX = 64 * 1024 * 1024;
/** Catch-up: decided values per reply. */
export const FETCH_ENTRIES_MAX = 256;
/** Timer names are short tags ("wan", "ack", "link:3"). */
export const TIMER_NAME_BYTES_MAX = 32;
/** A reply's result: the KV service's results are tiny; 4 KiB bounds a value read back. */
export const RESULT_BYTES_MAX = 4096;

const view = u32;
const seq = u64n;
const site = u16;
const digest = fixed(DIGEST_BYTES);
const sig = bytes(SIG_BYTES_MAX);
const value = bytes(VALUE_BYTES_MAX);
const raw = bytes(RAW_BYTES_MAX);

/** A prepared (BFT) or accepted (Paxos) value, with the others' signed votes that prove it. */
export const entryCodec = struct({ seq, view, value, proofs: array(raw, PROOFS_MAX) });
export type AgreementEntry = { seq: number; view: number; value: Uint8Array; proofs: Uint8Array[] };
const entries = array(entryCodec, ENTRIES_MAX);

export const composableWire = defineFamily({
  name: 'composable',
  version: COMPOSABLE_WIRE_VERSION,
  messages: {
    // ---- envelopes and client traffic ----
    /** A server's or client's RSA signature over `body` (a message of this family). */
    signed: { tag: 1, codec: struct({ from: u32, body: bytes(BODY_BYTES_MAX), sig }) },
    update: { tag: 2, codec: struct({ client: u32, ts: u64n, op: bytes(OP_BYTES_MAX) }) },
    /** Client → its site; the flag asks for CLink-Order (§4.5) and is not signed (identical update). */
    clientUpdate: { tag: 3, codec: struct({ retransmit: bool, update: bytes(UPDATE_BYTES_MAX) }) },
    reply: { tag: 4, codec: struct({ client: u32, ts: u64n, seq, result: bytes(RESULT_BYTES_MAX) }) },
    /** CLink-Opt (§4.5): a non-leader LM server forwards an update to a leader-LM server, no crypto. */
    forwardUpdate: { tag: 5, codec: struct({ update: bytes(UPDATE_BYTES_MAX) }) },
    /** A server's RSA signature over the Merkle root of a batch that holds `body` (optimized replies, decisions D13). */
    batchSigned: { tag: 6, codec: struct({ from: u32, body: bytes(BODY_BYTES_MAX), sig, index: u32, leafCount: u32, path: bytes(PATH_BYTES_MAX) }) },

    // ---- agreement (Paxos or PBFT), among servers and among LMs ----
    propose: { tag: 10, codec: struct({ view, seq, value }) },
    prepare: { tag: 11, codec: struct({ view, seq, digest }) },
    commit: { tag: 12, codec: struct({ view, seq, digest }) },
    accepted: { tag: 13, codec: struct({ view, seq, digest }) },
    viewChange: { tag: 14, codec: struct({ view, executed: seq }) },
    requestState: { tag: 15, codec: struct({ view, base: seq }) },
    state: { tag: 16, codec: struct({ view, base: seq, entries }) },
    newView: { tag: 17, codec: struct({ view, base: seq, entries, states: array(bytes(BODY_BYTES_MAX / 64), SERVERS_PER_SITE_MAX) }) },
    fetch: { tag: 18, codec: struct({ from: seq }) },
    fetched: { tag: 19, codec: struct({ view, decided: array(struct({ seq, value }), FETCH_ENTRIES_MAX) }) },
    newViewRequest: { tag: 20, codec: struct({ view }) },

    // ---- BLink (§4.4) and the wide-area program ----
    lmMessage: { tag: 30, codec: struct({ from: site, links: array(struct({ to: site, seq }), SITES_MAX), body: bytes(BODY_BYTES_MAX) }) },
    /** A signed LM message: `leafCount` 0 = `sig` covers the lmMessage itself, else a Merkle proof (§4.6). */
    blinkData: { tag: 31, codec: struct({ lm: bytes(BODY_BYTES_MAX), sig, index: u32, leafCount: u32, path: bytes(PATH_BYTES_MAX) }) },
    /** Cumulative: for each incoming logical link, the highest contiguous seq ordered (§4.4.1). */
    ack: { tag: 32, codec: struct({ links: array(struct({ from: site, seq }), SITES_MAX) }) },
    /** The wide-area program's request to the leader LM: order this client update (§4.3 flow). */
    forward: { tag: 33, codec: struct({ update: bytes(UPDATE_BYTES_MAX) }) },
    /** Peer walking (§4.4.2): the forwarder is alive (ping/hello). */
    hello: { tag: 34, codec: struct({ to: site }) },

    // ---- local-only ----
    /** CLink-Order (§4.5): OR(id_r, u, seq_r); `epoch` is the origin's incarnation (D11). */
    orderingRequest: { tag: 40, codec: struct({ origin: u16, epoch: u32, seqR: u64n, update: bytes(UPDATE_BYTES_MAX) }) },
    /** Two signed ORs of one origin with the same (epoch, seq_r) and different updates. */
    faultProof: { tag: 41, codec: struct({ a: raw, b: raw }) },
    /** An LM timeout note (§4.3): this server's timer `name` expired in `epoch`. */
    expiry: { tag: 42, codec: struct({ name: string(TIMER_NAME_BYTES_MAX), epoch: u64n }) },
    partialSig: { tag: 43, codec: struct({ data: digest, partial: bytes(PARTIAL_BYTES_MAX) }) },
    corruptedServer: { tag: 44, codec: struct({ accused: u32, data: digest, partial: bytes(PARTIAL_BYTES_MAX) }) },

    // ---- ordered LM events and batches (§4.3) ----
    evRequest: { tag: 50, codec: struct({ request: bytes(EVENT_BYTES_MAX) }) },
    evLink: { tag: 51, codec: struct({ data: bytes(EVENT_BYTES_MAX) }) },
    evTimeout: { tag: 52, codec: struct({ name: string(TIMER_NAME_BYTES_MAX), epoch: u64n, notes: array(bytes(1024), SERVERS_PER_SITE_MAX) }) },
    batch: { tag: 53, codec: struct({ events: array(bytes(EVENT_BYTES_MAX), BATCH_EVENTS_MAX) }) },
  },
});

export type WireMessage = Parameters<typeof composableWire.encode>[0];
export type MessageType = WireMessage['type'];
export type Msg<K extends MessageType> = Extract<WireMessage, { type: K }>;
export type AgreementMsg = Msg<'propose' | 'prepare' | 'commit' | 'accepted' | 'viewChange' | 'requestState' | 'state' | 'newView' | 'fetch' | 'fetched' | 'newViewRequest'>;
export const AGREEMENT_TYPES: ReadonlySet<MessageType> = new Set(['propose', 'prepare', 'commit', 'accepted', 'viewChange', 'requestState', 'state', 'newView', 'fetch', 'fetched', 'newViewRequest']);
export const isAgreement = (m: WireMessage): m is AgreementMsg => AGREEMENT_TYPES.has(m.type);

export const encode = (m: WireMessage): Uint8Array => composableWire.encode(m);

/**
 * Decoded messages by byte array: one frame is decoded by the receive path, the validator,
 * the leader's batch, the execution and the wide-area protocol; the bytes are never mutated
 * after they are built or received, so each array is decoded once (and its nested arrays,
 * shared by the decoded value, hit the cache in turn). The values are read-only.
 */
const decoded = new WeakMap<Uint8Array, WireMessage>();

/** Throws only DecodeError. */
export function decode(b: Uint8Array): WireMessage {
  let m = decoded.get(b);
  if (!m) decoded.set(b, (m = composableWire.decode(b)));
  return m;
}
