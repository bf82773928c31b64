// The originator's decision at the end of the vote window (spec §8.3 step 4), as a pure
// function of the votes: which members continue, up to which timestamp the old view's
// order survives, and who holds the first token of the new view.
import type { MinPartition } from './config.js';
import type { Pid } from './pid.js';

export interface Vote {
  voter: Pid;
  /** Timestamp the voter joined at (0 for founders): it holds nothing at or below. */
  joinTs: number;
  /** The voter holds every timestamp in (joinTs, haveTo]. */
  haveTo: number;
  /** Every timestamp up to here is held by all members of its view (or delivered and freed). */
  stableTs: number;
  /** Highest token pass the voter has seen. */
  pass: number;
}

export type Plan =
  | { kind: 'abort'; voters: number; needed: string }
  | { kind: 'commit'; list: Pid[]; syncTs: number; firstSite: Pid; basePass: number };

/** Strictly more than MaxN/2, or at least the configured minimum (seed §3). */
export function partitionMayContinue(members: number, maxN: number, rule: MinPartition): boolean {
  return rule === 'majority' ? 2 * members > maxN : members >= rule;
}

/**
 * syncTs is the highest t such that every timestamp ≤ t is held by some voter: stable ones by
 * every voter that needs them, the rest by a chain of voters' intervals (joinTs, haveTo].
 * Voters that joined above syncTs cannot take part: their own join is void (decisions.md D13).
 */
export function planReformation(votes: readonly Vote[], oldList: readonly Pid[], maxN: number, rule: MinPartition): Plan {
  let syncTs = Math.max(0, ...votes.map((v) => v.stableTs));
  for (let grew = true; grew; ) {
    grew = false;
    for (const v of votes) {
      if (v.joinTs <= syncTs && v.haveTo > syncTs) {
        syncTs = v.haveTo;
        grew = true;
      }
    }
  }
  const keep = new Set(votes.filter((v) => v.joinTs <= syncTs).map((v) => v.voter));
  const list = oldList.filter((p) => keep.has(p));
  if (!partitionMayContinue(list.length, maxN, rule))
    return { kind: 'abort', voters: list.length, needed: rule === 'majority' ? `more than ${maxN}/2` : `at least ${rule}` };
  // The first token site must hold every timestamp any member may still need: the surviving
  // voter holding up to syncTs that joined earliest.
  const candidates = votes.filter((v) => keep.has(v.voter) && v.haveTo >= syncTs).sort((a, b) => a.joinTs - b.joinTs || list.indexOf(a.voter) - list.indexOf(b.voter));
  const first = candidates[0]!;
  const basePass = Math.max(...votes.map((v) => v.pass)) + 2;
  return { kind: 'commit', list, syncTs, firstSite: first.voter, basePass };
}
