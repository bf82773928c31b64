// Crypto from inside a sans-IO core (src/sim/core.ts): each operation is a `crypto` effect and
// its answer a `crypto` event; the port keeps the continuation per job. The op names and
// request layouts are the cost-model signer's (src/crypto/cost-model.ts), so the simulator
// charges virtual time for them and the runtime host (src/steward/runtime/crypto-host.ts)
// answers them with real RSA and native threshold RSA. A bounded cache of envelopes already
// verified saves re-checking the Proposals and Accepts that GOUs and state bundles repeat.
import { createHash } from 'node:crypto';
import type { CoreEffect } from '../sim/core.js';
import { encodeFields, u32 } from '../crypto/cost-model.js';

type Done = (ok: boolean, bytes: Uint8Array) => void;

/** Verified-envelope digests remembered; old halves are dropped past this (a few windows' worth). */
export const VERIFIED_CACHE_MAX = 8192;

const digests = new WeakMap<Uint8Array, Uint8Array>();

/** SHA-256, memoised per array: the same envelope is digested by several protocol steps. */
export function sha256(bytes: Uint8Array): Uint8Array {
  let d = digests.get(bytes);
  if (!d) digests.set(bytes, (d = createHash('sha256').update(bytes).digest()));
  return d;
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export class CryptoPort {
  private next = 0;
  private readonly waiting = new Map<string, Done>();
  private verified = new Set<string>();
  private verifiedOld = new Set<string>();
  /** Effects produced since the host last drained them. */
  out: CoreEffect[] = [];

  private ask(op: string, bytes: Uint8Array, done: Done): void {
    const job = `c${this.next++}`;
    this.waiting.set(job, done);
    this.out.push({ kind: 'crypto', job, op, bytes });
  }

  /** Feeds a `crypto` event; false if the job is not ours (e.g. from before a restart). */
  answer(job: string, ok: boolean, bytes: Uint8Array): boolean {
    const done = this.waiting.get(job);
    if (!done) return false;
    this.waiting.delete(job);
    done(ok, bytes);
    return true;
  }

  sign(message: Uint8Array, done: (sig: Uint8Array) => void): void {
    this.ask('sign', message, (_ok, b) => done(b));
  }

  /**
   * The site key's own signature (composable architecture, Ch. 4: a Paxos logical machine's
   * servers share one plain site key instead of threshold shares); checked with verifySite.
   */
  siteSign(message: Uint8Array, done: (sig: Uint8Array) => void): void {
    this.ask('site.sign', message, (_ok, b) => done(b));
  }

  /** RSA signature of node `signer`; `remember` for envelopes that will come again (embedded updates). */
  verify(signer: number, message: Uint8Array, sig: Uint8Array, done: (ok: boolean) => void, remember = false): void {
    const check = (d: (ok: boolean) => void) => this.ask('verify', encodeFields([u32(signer), message, sig]), (ok) => d(ok));
    if (remember) this.cached(`r${signer}`, message, sig, done, check);
    else check(done);
  }

  /** Threshold signature of `site`. */
  verifySite(site: number, message: Uint8Array, sig: Uint8Array, done: (ok: boolean) => void): void {
    this.cached(`t${site}`, message, sig, done, (d) => this.ask('tsig.verify', encodeFields([u32(site), message, sig]), (ok) => d(ok)));
  }

  partial(message: Uint8Array, done: (partial: Uint8Array) => void): void {
    this.ask('tsig.partial', message, (_ok, b) => done(b));
  }

  verifyShare(message: Uint8Array, partial: Uint8Array, done: (ok: boolean) => void): void {
    this.ask('tsig.verify-share', encodeFields([message, partial]), (ok) => done(ok));
  }

  /** ok false when fewer than k of the partials are valid. */
  combine(message: Uint8Array, partials: Uint8Array[], done: (ok: boolean, sig: Uint8Array) => void): void {
    this.ask('tsig.combine', encodeFields([message, ...partials]), done);
  }

  /** Runs every check; `done(true)` only if all pass (none: true at once). */
  all(checks: Array<(d: (ok: boolean) => void) => void>, done: (ok: boolean) => void): void {
    let left = checks.length;
    let failed = false;
    if (left === 0) return done(true);
    for (const c of checks)
      c((ok) => {
        if (!ok) failed = true;
        if (--left === 0) done(!failed);
      });
  }

  private cached(who: string, message: Uint8Array, sig: Uint8Array, done: (ok: boolean) => void, check: (d: (ok: boolean) => void) => void): void {
    const key = who + hex(sha256(Buffer.concat([message, sig])));
    if (this.verified.has(key) || this.verifiedOld.has(key)) return done(true);
    check((ok) => {
      if (ok) this.remember(key);
      done(ok);
    });
  }

  private remember(key: string): void {
    this.verified.add(key);
    if (this.verified.size > VERIFIED_CACHE_MAX / 2) {
      this.verifiedOld = this.verified;
      this.verified = new Set();
    }
  }

  drain(): CoreEffect[] {
    const fx = this.out;
    this.out = [];
    return fx;
  }
}
