// The trace hash: 64 bits identifying a whole trace, updated per record from its fields (not
// from its JSON text, which a sweep never builds: serialising every line cost more than
// running the cores). Two MurmurHash3 x86_32 lanes with different seeds absorb 32-bit words;
// each record contributes a presence mask of its optional fields and then the fields, strings
// as length + UTF-16 units, so distinct records never feed the same word sequence. It
// identifies traces (same seed ⇒ same hash); it does not authenticate them.
import { canonicalJson } from './canonical-json.js';
import type { TraceKind, TraceRecord } from './trace.js';

const LANE_A_SEED = 0x9747b28c;
const LANE_B_SEED = 0x5bd1e995;
const TWO_POW_32 = 4294967296;

const KIND_CODES: Record<TraceKind, number> = {
  start: 1, receive: 2, memory: 3, timer: 4, request: 5, suspect: 6, 'crypto-result': 7,
  send: 8, write: 9, 'set-timer': 10, 'cancel-timer': 11, output: 12, crypto: 13, permit: 14,
  drop: 15, duplicate: 16, 'write-rejected': 17,
  crash: 18, restart: 19, pause: 20, resume: 21, partition: 22, heal: 23, byzantine: 24,
};

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class TraceHash {
  private a = LANE_A_SEED;
  private b = LANE_B_SEED;
  private words = 0;

  /** Absorb one 32-bit word into both lanes (MurmurHash3's block step). */
  private word(w: number): void {
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let a = this.a ^ k;
    a = (a << 13) | (a >>> 19);
    this.a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    let b = this.b ^ Math.imul(k, 0x85ebca6b);
    b = (b << 17) | (b >>> 15);
    this.b = (Math.imul(b, 9) + 0x38b34ae5) | 0;
    this.words++;
  }

  /** Integers up to 2^53 in magnitude: one word when small, two otherwise. */
  private int(x: number): void {
    if (x >= -0x80000000 && x < 0x80000000) this.word(x | 0);
    else {
      this.word(0x7fffffff); // a marker no small int pairs with
      this.word(x >>> 0);
      this.word(Math.floor(x / TWO_POW_32) | 0);
    }
  }

  private str(s: string): void {
    this.word(s.length);
    let i = 0;
    for (; i + 1 < s.length; i += 2) this.word(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
    if (i < s.length) this.word(s.charCodeAt(i));
  }

  add(r: TraceRecord): void {
    const mask =
      (r.peer !== undefined ? 1 : 0) | (r.name !== undefined ? 2 : 0) | (r.offset !== undefined ? 4 : 0) |
      (r.us !== undefined ? 8 : 0) | (r.size !== undefined ? 16 : 0) | (r.digest !== undefined ? 32 : 0) |
      (r.ok !== undefined ? 64 : 0) | (r.data !== undefined ? 128 : 0) | (r.info !== undefined ? 256 : 0);
    this.word(KIND_CODES[r.kind] | (mask << 8));
    this.int(r.t);
    this.int(r.node);
    if (r.peer !== undefined) this.int(r.peer);
    if (r.name !== undefined) this.str(r.name);
    if (r.offset !== undefined) this.int(r.offset);
    if (r.us !== undefined) this.int(r.us);
    if (r.size !== undefined) this.int(r.size);
    if (r.digest !== undefined) this.str(r.digest);
    if (r.ok !== undefined) this.word(r.ok ? 1 : 0);
    if (r.data !== undefined) this.str(canonicalJson(r.data));
    if (r.info !== undefined) this.str(r.info);
  }

  /** 16 lowercase hex digits. */
  hex(): string {
    const n = this.words;
    const a = fmix32((this.a ^ n) + (this.b >>> 0));
    const b = fmix32((this.b ^ n) + a);
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }
}
