// The Steward message family (spec/steward.md §3, Fig. 3.2) in src/wire conventions: one
// version byte, one tag, fixed field layouts, every length bounded. Two envelopes carry
// authentication: `signed` (the sender's RSA signature, "R") and `siteSigned` (a site
// threshold signature, "T"); their bodies are messages of this same family. Self-proving
// Globally_Ordered_Updates travel bare. Embedded signed messages (the client's Update in a
// Pre-Prepare, Proposals in a GOU) are kept as their exact envelope bytes so that any
// receiver can re-verify them.
import { array, bytes, fixed, struct, u16, u32, u64n, u8 } from '../wire/codec.js';
import { defineFamily } from '../wire/family.js';
import { SERVERS_PER_SITE_MAX, SITES_MAX } from './topology.js';

/** Family version: bump on any layout change. */
export const STEWARD_WIRE_VERSION = 2;
/** SHA-256 digests of updates and of threshold-signed data. */
export const DIGEST_BYTES = 32;
/** One client operation; the paper's is 200 B (§3.5); 4 KiB leaves room for real commands. */
export const OP_BYTES_MAX = 4096;
/** A state machine's result in a Reply or Query_Reply: a KV value is at most one op, plus its header. */
export const RESULT_BYTES_MAX = OP_BYTES_MAX + 256;
/** RSA signatures up to 4096-bit keys. */
export const SIG_BYTES_MAX = 512;
/** A Shoup partial with proof at 4096 bits is ~1.2 KiB (partial-codec.ts); 2 KiB bounds it. */
export const PARTIAL_BYTES_MAX = 2048;
/** An embedded envelope (signed Update, T-signed Proposal): op + signatures + headers. */
export const EMBEDDED_BYTES_MAX = OP_BYTES_MAX + 1024;
/** A GOU: one Proposal plus at most SITES_MAX Accepts. */
export const GOU_BYTES_MAX = EMBEDDED_BYTES_MAX + SITES_MAX * 256;
/** One constraining entry's part: the largest is a GOU. */
export const ENTRY_PART_BYTES_MAX = GOU_BYTES_MAX;
/** Parts of an entry: a PC is 1 Pre-Prepare + 2f Prepares; a GOU 1 Proposal + Accepts. */
export const ENTRY_PARTS_MAX = Math.max(SERVERS_PER_SITE_MAX, SITES_MAX + 1);
/** Entries in one state report: at most the window W (constants.ts WINDOW_W ≤ this). */
export const ENTRIES_MAX = 1024;
/** Whole envelope bodies: state bundles (2f+1 reports of up to W entries) are the largest. */
export const BODY_BYTES_MAX = 32 * 1024 * 1024;

const gv = u32;
const lv = u32;
const seq = u64n;
const digest = fixed(DIGEST_BYTES);
const sig = bytes(SIG_BYTES_MAX);
const embedded = bytes(EMBEDDED_BYTES_MAX);
const site = u16;

/** A PC, Proposal or GOU for one seq, as carried in state messages (Def. 3.6.7). */
export const ENTRY_KIND = { pc: 1, proposal: 2, gou: 3 } as const;
export const entryCodec = struct({ kind: u8, seq, parts: array(bytes(ENTRY_PART_BYTES_MAX), ENTRY_PARTS_MAX) });
export type Entry = { kind: number; seq: number; parts: Uint8Array[] };
const entries = array(entryCodec, ENTRIES_MAX);

/** State-collection scope: CONSTRUCT-LOCAL-CONSTRAINT vs CONSTRUCT-ARU/-GLOBAL-CONSTRAINT. */
export const SCOPE = { local: 0, global: 1 } as const;

export const stewardWire = defineFamily({
  name: 'steward',
  version: STEWARD_WIRE_VERSION,
  messages: {
    // ---- envelopes ----
    signed: { tag: 1, codec: struct({ from: u32, body: bytes(BODY_BYTES_MAX), sig }) },
    siteSigned: { tag: 2, codec: struct({ site, body: bytes(BODY_BYTES_MAX), sig }) },
    // ---- client ----
    update: { tag: 10, codec: struct({ client: u32, ts: u64n, op: bytes(OP_BYTES_MAX) }) },
    query: { tag: 11, codec: struct({ client: u32, ts: u64n, op: bytes(OP_BYTES_MAX) }) },
    /** The state machine's result for the update ordered at seq (D7). */
    reply: { tag: 12, codec: struct({ client: u32, ts: u64n, seq, result: bytes(RESULT_BYTES_MAX) }) },
    /** The query's result from the state after `aru` executions, and that state's chain digest (D5). */
    queryReply: { tag: 13, codec: struct({ client: u32, ts: u64n, aru: seq, state: digest, result: bytes(RESULT_BYTES_MAX) }) },
    // ---- ASSIGN-SEQUENCE and THRESHOLD-SIGN (Figs 3.10, 3.11) ----
    prePrepare: { tag: 20, codec: struct({ gv, lv, seq, update: embedded }) },
    prepare: { tag: 21, codec: struct({ gv, lv, seq, digest }) },
    /** Partial_Sig names its data by digest: every server computes the data itself (D3). */
    partialSig: { tag: 22, codec: struct({ data: digest, partial: bytes(PARTIAL_BYTES_MAX) }) },
    corruptedServer: { tag: 23, codec: struct({ accused: u32, data: digest, partial: bytes(PARTIAL_BYTES_MAX) }) },
    /** Flat BFT baseline only (Steward has no Commit, spec §3). */
    commit: { tag: 24, codec: struct({ gv, lv, seq, digest }) },
    // ---- ASSIGN-GLOBAL-ORDER (Fig. 3.12) ----
    proposal: { tag: 30, codec: struct({ site, gv, lv, seq, update: embedded }) },
    accept: { tag: 31, codec: struct({ site, gv, lv, seq, digest }) },
    gou: { tag: 32, codec: struct({ proposal: embedded, accepts: array(bytes(256), SITES_MAX) }) },
    // ---- view changes (Figs 3.14–3.23) ----
    newRep: { tag: 40, codec: struct({ site, lv }) },
    globalVC: { tag: 41, codec: struct({ site, gv }) },
    globalPreinstallProof: { tag: 42, codec: struct({ vcs: array(bytes(1024), SITES_MAX) }) },
    requestState: { tag: 43, codec: struct({ scope: u8, gv, lv, invocationAru: seq }) },
    serverState: { tag: 44, codec: struct({ scope: u8, gv, lv, invocationAru: seq, entries }) },
    collectedState: { tag: 45, codec: struct({ scope: u8, gv, lv, invocationAru: seq, reports: array(bytes(BODY_BYTES_MAX / 128), SERVERS_PER_SITE_MAX) }) },
    aruMessage: { tag: 46, codec: struct({ site, gv, aru: seq }) },
    globalConstraint: { tag: 47, codec: struct({ site, gv, invocationAru: seq, entries }) },
    collectedGlobalConstraints: { tag: 48, codec: struct({ gv, lv, constraints: array(bytes(BODY_BYTES_MAX / 128), SITES_MAX) }) },
    reliable: { tag: 49, codec: struct({ inner: bytes(BODY_BYTES_MAX / 128) }) },
    // ---- reconciliation (Figs 3.24, 3.25) ----
    localReconRequest: { tag: 50, codec: struct({ session: u64n, aru: seq }) },
    globalReconRequest: { tag: 51, codec: struct({ session: u64n, aru: seq }) },
    globalRecon: { tag: 52, codec: struct({ site, server: u16, session: u64n, aru: seq }) },
  },
});

export type WireMessage = Parameters<typeof stewardWire.encode>[0];
export type MessageType = WireMessage['type'];
export type Msg<K extends MessageType> = Extract<WireMessage, { type: K }>;

export const encode = (m: WireMessage): Uint8Array => stewardWire.encode(m);
/** Throws only DecodeError. */
export const decode = (b: Uint8Array): WireMessage => stewardWire.decode(b);
