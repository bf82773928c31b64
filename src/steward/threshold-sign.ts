// THRESHOLD-SIGN (Steward §3.4.2, Fig. 3.10): every server of a site partial-signs the same
// data, sends its Partial_Sig to the site, and any server holding 2f+1 combines them. When
// the combined signature fails, the shares are checked one by one; each bad one proves its
// sender faulty (it signed the Partial_Sig message), so it is blacklisted and a
// Corrupted_Server accusation is sent. At most f combines fail (Claim 3.6.5). Reused by the
// composable architecture's BFT logical machines (Ch. 4), hence the narrow context.
import { hex, sha256, type CryptoPort } from './crypto-port.js';
import type { WireMessage } from './messages.js';

/** Data items with partials but no local instance yet, kept for when the data appears. */
export const EARLY_PARTIAL_DATA_MAX = 4096;

export interface ThresholdSignContext {
  port: CryptoPort;
  /** This server's 0-based id in its site. */
  myId: number;
  /** Shares needed: 2f+1 in Steward (§3.2). */
  threshold: number;
  /** RSA-signed send to every other server of the site. */
  sendLocalAll(body: WireMessage): void;
  /** Servers proven faulty (shared with every other protocol: their messages are dropped). */
  corrupted: Set<number>;
  onBlacklist?(server: number): void;
  /** A combine succeeded: the site's signature on `data` now exists (I13's checker counts its partials). */
  onCombined?(data: Uint8Array): void;
}

interface Instance {
  data: Uint8Array | null;
  partials: Map<number, Uint8Array>;
  waiters: Array<(sig: Uint8Array) => void>;
  combining: boolean;
  done: Uint8Array | null;
  /** Partial sets already tried, so a failed combine is not repeated on the same shares. */
  tried: Set<string>;
}

export class ThresholdSign {
  private readonly instances = new Map<string, Instance>();
  /** Combines that failed verification (I14 bounds them by f per data item). */
  failedCombines = 0;

  constructor(private readonly ctx: ThresholdSignContext) {}

  /** Sign `data` as a site; `done` gets the site signature (once per call). */
  sign(data: Uint8Array, done: (sig: Uint8Array) => void): void {
    const key = hex(sha256(data));
    const inst = this.instance(key);
    if (inst.done) return done(inst.done);
    inst.waiters.push(done);
    if (inst.data) return;
    inst.data = data;
    this.ctx.port.partial(data, (partial) => {
      inst.partials.set(this.ctx.myId, partial);
      this.ctx.sendLocalAll({ type: 'partialSig', data: sha256(data), partial });
      this.tryCombine(inst);
    });
    this.tryCombine(inst);
  }

  /**
   * Contribute our partial to data that another server will combine (a GLOBAL_RECON request):
   * the partial is sent, no combine is attempted here.
   */
  contribute(data: Uint8Array): void {
    this.ctx.port.partial(data, (partial) => this.ctx.sendLocalAll({ type: 'partialSig', data: sha256(data), partial }));
  }

  /** A verified Partial_Sig from server `from` of this site. */
  onPartial(from: number, dataDigest: Uint8Array, partial: Uint8Array): void {
    if (this.ctx.corrupted.has(from)) return;
    const key = hex(dataDigest);
    if (!this.instances.has(key) && this.instances.size >= EARLY_PARTIAL_DATA_MAX) this.pruneUnstarted();
    const inst = this.instance(key);
    if (inst.done || inst.partials.has(from)) return; // Fig. 3.7: store only into an empty slot (spec §15.5)
    inst.partials.set(from, partial);
    this.tryCombine(inst);
  }

  /** Corrupted_Server(accused, data, partial): believe it only after checking the share ourselves. */
  onAccusation(accused: number, dataDigest: Uint8Array, partial: Uint8Array): void {
    const inst = this.instances.get(hex(dataDigest));
    if (!inst?.data || this.ctx.corrupted.has(accused) || accused === this.ctx.myId) return;
    this.ctx.port.verifyShare(inst.data, partial, (ok) => {
      if (!ok) this.blacklist(accused);
    });
  }

  /** Whether a Partial_Sig for this data is still useful (saves verifying late ones). */
  wants(dataDigest: Uint8Array): boolean {
    const inst = this.instances.get(hex(dataDigest));
    return !inst?.done;
  }

  /** Drop finished instances (their signatures live on in the messages they signed). */
  forget(data: Uint8Array): void {
    this.instances.delete(hex(sha256(data)));
  }

  private instance(key: string): Instance {
    let inst = this.instances.get(key);
    if (!inst) this.instances.set(key, (inst = { data: null, partials: new Map(), waiters: [], combining: false, done: null, tried: new Set() }));
    return inst;
  }

  private pruneUnstarted(): void {
    for (const [k, inst] of this.instances) if (!inst.data) this.instances.delete(k);
  }

  private tryCombine(inst: Instance): void {
    const data = inst.data;
    if (!data || inst.done || inst.combining) return;
    const usable = [...inst.partials].filter(([id]) => !this.ctx.corrupted.has(id)).sort((a, b) => a[0] - b[0]);
    if (usable.length < this.ctx.threshold) return;
    const chosen = usable.slice(0, this.ctx.threshold);
    const setKey = chosen.map(([id]) => id).join(',');
    if (inst.tried.has(setKey)) return;
    inst.tried.add(setKey);
    inst.combining = true;
    this.ctx.port.combine(data, chosen.map(([, p]) => p), (ok, sig) => {
      inst.combining = false;
      if (ok) {
        inst.done = sig;
        this.ctx.onCombined?.(data);
        for (const w of inst.waiters.splice(0)) w(sig);
        return;
      }
      this.failedCombines++;
      // Fig. 3.10: find the bad shares, blacklist their senders, wait for more partials.
      let left = chosen.length;
      for (const [id, p] of chosen)
        this.ctx.port.verifyShare(data, p, (valid) => {
          if (!valid) {
            inst.partials.delete(id);
            if (id !== this.ctx.myId) {
              this.blacklist(id);
              this.ctx.sendLocalAll({ type: 'corruptedServer', accused: id, data: sha256(data), partial: p });
            }
          }
          if (--left === 0) this.tryCombine(inst);
        });
    });
  }

  private blacklist(server: number): void {
    if (this.ctx.corrupted.has(server)) return;
    this.ctx.corrupted.add(server);
    this.ctx.onBlacklist?.(server);
  }
}
