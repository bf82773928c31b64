// ASSIGN-SEQUENCE (Steward §3.4.2, Fig. 3.11): the intra-site BFT agreement on which update
// gets a sequence number. The representative sends a Pre-Prepare; every server without a
// conflict answers with a Prepare; a Pre-Prepare plus 2f Prepares from distinct other
// servers with the same (gv, lv, seq, digest) is a Prepare Certificate (PC). Steward has no
// Commit: THRESHOLD-SIGN of the Proposal plays that part (spec §3). The flat-BFT baseline
// reuses this module and adds a commit round (bft-baseline.ts). Conflicts that involve the
// rest of the server's state (constraints, window, bindings in the global history) are asked
// of the owner through `mayPrepare`.
import { sha256, hex } from './crypto-port.js';

export interface PrepareCertificate {
  gv: number;
  lv: number;
  seq: number;
  /** The client's signed Update envelope. */
  update: Uint8Array;
  digest: Uint8Array;
  /** The signed Pre-Prepare envelope, then the 2f signed Prepare envelopes. */
  parts: Uint8Array[];
}

interface Slot {
  gv: number;
  lv: number;
  pp: { update: Uint8Array; digest: Uint8Array; from: number; env: Uint8Array } | null;
  /** Prepare envelopes by sender id, with their digests; may precede the Pre-Prepare. */
  prepares: Map<number, { digest: Uint8Array; env: Uint8Array }>;
  pcBuilt: boolean;
}

export interface AssignSequenceContext {
  /** 2f Prepares complete a PC. */
  f: number;
  myId: number;
  /** The representative of local view lv. */
  repOf(lv: number): number;
  /** Owner's checks of Fig. 3.6 beyond this slot (constrained, window, contiguity, bindings). */
  mayPrepare(seq: number, digest: Uint8Array, gv: number, lv: number): boolean;
  /** Sends an RSA-signed Prepare to the site; resolves with its envelope for our own slot. */
  sendPrepare(gv: number, lv: number, seq: number, digest: Uint8Array, stored: (env: Uint8Array) => void): void;
  onCertificate(pc: PrepareCertificate): void;
  /**
   * A seq gained or lost its PC (adopted, or dropped for a newer view): what I8's checker needs.
   * Garbage collection of an executed prefix is not reported (GOUs stand there).
   */
  onCertificateHeld?(seq: number, held: boolean): void;
}

export const digestOf = (update: Uint8Array): Uint8Array => sha256(update);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

export class AssignSequence {
  private readonly slots = new Map<number, Slot>();
  /** PCs, the latest per seq (constraining entries, Def. 3.6.7; spec §15.7). */
  readonly certificates = new Map<number, PrepareCertificate>();

  constructor(private readonly ctx: AssignSequenceContext) {}

  private slot(seq: number, gv: number, lv: number): Slot {
    let s = this.slots.get(seq);
    if (!s || s.gv < gv || (s.gv === gv && s.lv < lv)) this.slots.set(seq, (s = { gv, lv, pp: null, prepares: new Map(), pcBuilt: false }));
    return s;
  }

  /** The Pre-Prepare stored for seq in (gv, lv), if any. */
  prePrepared(seq: number, gv: number, lv: number): { digest: Uint8Array } | null {
    const s = this.slots.get(seq);
    return s && s.gv === gv && s.lv === lv ? s.pp : null;
  }

  /** The representative stores its own Pre-Prepare (its envelope is the PC's first part). */
  storeOwnPrePrepare(gv: number, lv: number, seq: number, update: Uint8Array, env: Uint8Array): void {
    const s = this.slot(seq, gv, lv);
    if (s.pp) return;
    s.pp = { update, digest: digestOf(update), from: this.ctx.myId, env };
    this.check(seq, s);
  }

  /** A verified Pre-Prepare from server `from` (Fig. 3.6 conflicts, then Fig. 3.7 apply). */
  onPrePrepare(from: number, gv: number, lv: number, seq: number, update: Uint8Array, env: Uint8Array): void {
    if (from !== this.ctx.repOf(lv)) return;
    const digest = digestOf(update);
    const existing = this.slots.get(seq);
    if (existing && existing.gv === gv && existing.lv === lv && existing.pp) return; // store only into an empty slot
    const pc = this.certificates.get(seq);
    if (pc && pc.gv === gv && !same(pc.digest, digest)) return;
    if (!this.ctx.mayPrepare(seq, digest, gv, lv)) return;
    const s = this.slot(seq, gv, lv);
    s.pp = { update, digest, from, env };
    this.ctx.sendPrepare(gv, lv, seq, digest, (own) => {
      if (this.slots.get(seq) !== s) return;
      if (!s.prepares.has(this.ctx.myId)) s.prepares.set(this.ctx.myId, { digest, env: own });
      this.check(seq, s);
    });
    this.check(seq, s);
  }

  /** True while a Prepare for this slot could still matter (spares verifying late ones). */
  wantsPrepare(gv: number, lv: number, seq: number, from: number): boolean {
    const s = this.slots.get(seq);
    if (s && (s.gv > gv || (s.gv === gv && s.lv > lv))) return false;
    return !(s && s.gv === gv && s.lv === lv && (s.pcBuilt || s.prepares.has(from)));
  }

  onPrepare(from: number, gv: number, lv: number, seq: number, digest: Uint8Array, env: Uint8Array): void {
    if (!this.wantsPrepare(gv, lv, seq, from)) return;
    const s = this.slot(seq, gv, lv);
    if (s.pp && !same(s.pp.digest, digest)) return;
    s.prepares.set(from, { digest, env });
    this.check(seq, s);
  }

  /** PC-Ready (Fig. 3.9; spec §15.5: it means the Pre-Prepare). */
  private check(seq: number, s: Slot): void {
    if (!s.pp || s.pcBuilt) return;
    const pp = s.pp;
    const matching = [...s.prepares].filter(([id, p]) => id !== pp.from && same(p.digest, pp.digest)).sort((a, b) => a[0] - b[0]);
    if (matching.length < 2 * this.ctx.f) return;
    s.pcBuilt = true;
    const pc: PrepareCertificate = { gv: s.gv, lv: s.lv, seq, update: pp.update, digest: pp.digest, parts: [pp.env, ...matching.slice(0, 2 * this.ctx.f).map(([, p]) => p.env)] };
    this.adopt(pc);
    this.ctx.onCertificate(pc);
  }

  /** Store a PC (built here or adopted from a state bundle): the newer view wins. */
  adopt(pc: PrepareCertificate): void {
    const old = this.certificates.get(pc.seq);
    if (!old || old.gv < pc.gv || (old.gv === pc.gv && old.lv < pc.lv)) this.certificates.set(pc.seq, pc);
    if (!old) this.ctx.onCertificateHeld?.(pc.seq, true);
  }

  /** Drop the PC of seq (a Proposal of the same or newer gv arrived: spec §15.7). */
  dropCertificate(seq: number, belowGv: number): void {
    const pc = this.certificates.get(seq);
    if (pc && pc.gv <= belowGv) this.dropHeld(seq);
  }

  private dropHeld(seq: number): void {
    this.certificates.delete(seq);
    this.ctx.onCertificateHeld?.(seq, false);
  }

  /** Drop PCs and slots of seq from views older than (gv, lv) (Fig. 3.18 bundle apply; §15.8). */
  dropOlder(seq: number, gv: number, lv: number): void {
    const pc = this.certificates.get(seq);
    if (pc && (pc.gv < gv || (pc.gv === gv && pc.lv < lv))) this.dropHeld(seq);
    const s = this.slots.get(seq);
    if (s && (s.gv < gv || (s.gv === gv && s.lv < lv))) this.slots.delete(seq);
  }

  /** Forget everything at or below an executed prefix. */
  garbageCollect(upTo: number): void {
    for (const seq of this.slots.keys()) if (seq <= upTo) this.slots.delete(seq);
    for (const seq of this.certificates.keys()) if (seq <= upTo) this.certificates.delete(seq);
  }

  /** Is `update` bound (Pre-Prepared) to a seq other than `seq` in view (gv, lv)? */
  boundElsewhere(digest: Uint8Array, seq: number): boolean {
    const key = hex(digest);
    for (const [s, slot] of this.slots) if (s !== seq && slot.pp && hex(slot.pp.digest) === key) return true;
    for (const [s, pc] of this.certificates) if (s !== seq && hex(pc.digest) === key) return true;
    return false;
  }

  highestSeq(): number {
    let h = 0;
    for (const s of this.slots.keys()) h = Math.max(h, s);
    for (const s of this.certificates.keys()) h = Math.max(h, s);
    return h;
  }
}
