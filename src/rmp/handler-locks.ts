// Handler locks (seed §2, spec §9): mutually exclusive, shared by the group. Acquire and
// release ride totally ordered DATA packets, so every member applies the same operations in
// the same order and computes the same holder at every point of the total order; the first
// acquire wins, a release by a non-holder does nothing, and a view change that removes the
// holder frees the lock.
import type { Pid } from './pid.js';

export class HandlerLocks {
  private readonly holders = new Map<number, Pid>();

  holder(handler: number): Pid | undefined {
    return this.holders.get(handler);
  }

  /** Returns true when the table changed. */
  acquire(handler: number, by: Pid): boolean {
    if (this.holders.has(handler)) return false;
    this.holders.set(handler, by);
    return true;
  }

  release(handler: number, by: Pid): boolean {
    if (this.holders.get(handler) !== by) return false;
    this.holders.delete(handler);
    return true;
  }

  /** Frees every lock held by a process not in `members`; returns the freed handlers. */
  dropAbsent(members: readonly Pid[]): number[] {
    const freed: number[] = [];
    for (const [h, p] of this.holders) if (!members.includes(p)) freed.push(h);
    for (const h of freed) this.holders.delete(h);
    return freed.sort((a, b) => a - b);
  }
}

/** Replies kept per client so a retransmitted request gets the same answer (spec §9). */
export const REPLIES_PER_CLIENT_MAX = 64;

/** The replies this member sent, by client and request sequence number (oldest evicted first). */
export class ReplyCache {
  private readonly byClient = new Map<Pid, Map<number, Uint8Array>>();

  get(client: Pid, seq: number): Uint8Array | undefined {
    return this.byClient.get(client)?.get(seq);
  }

  put(client: Pid, seq: number, bytes: Uint8Array): void {
    let m = this.byClient.get(client);
    if (m === undefined) this.byClient.set(client, (m = new Map()));
    m.set(seq, bytes);
    if (m.size > REPLIES_PER_CLIENT_MAX) m.delete(m.keys().next().value!);
  }
}
