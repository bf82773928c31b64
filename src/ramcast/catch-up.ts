// Task 9 (spec §5): what a new leader settles once a majority of its group has answered
// CATCH_UP. Paxos phase-1 rule: for every reported message, my group's timestamp is the one
// accepted in the highest round by a replying member of my group, or a fresh one if none was.
// Replies from other groups are hints (D7): they only contribute foreign stamps and clocks.
import type { NodeId } from '../sim/core.js';
import type { RamcastTopology } from './config.js';
import type { CatchUpReport, GroupStamp } from './native.js';
import { tsCounter } from './round.js';

export interface Settlement {
  client: number;
  seq: number;
  image: Uint8Array;
  /** My group's timestamp to re-propose, or null: none was accepted, choose a fresh one. */
  value: number | null;
  /** The highest-round stamp of every other destination group, to forward (Task 4). */
  foreign: GroupStamp[];
}

export interface CatchUpPlan {
  /** CL2 over every clock and timestamp in the replies (the new leader's clock floor). */
  clock: number;
  settlements: Settlement[];
}

export function planCatchUp(topology: RamcastTopology, group: number, replies: Map<NodeId, CatchUpReport>): CatchUpPlan {
  const members = new Set(topology.groups[group]);
  let clock = 0;
  const byId = new Map<string, { s: Settlement; ownRound: number; foreign: Map<number, GroupStamp> }>();
  for (const [node, report] of replies) {
    clock = Math.max(clock, report.clock);
    for (const m of report.messages) {
      const key = `${m.client}:${m.seq}`;
      let e = byId.get(key);
      if (!e) {
        e = { s: { client: m.client, seq: m.seq, image: m.image, value: null, foreign: [] }, ownRound: 0, foreign: new Map() };
        byId.set(key, e);
      }
      for (const st of m.stamps) {
        clock = Math.max(clock, tsCounter(st.value));
        if (st.group === group) {
          // Only my group's members accept my group's stamps; others merely heard of them.
          if (members.has(node) && st.round > e.ownRound) {
            e.ownRound = st.round;
            e.s.value = st.value;
          }
        } else if ((e.foreign.get(st.group)?.round ?? 0) < st.round) e.foreign.set(st.group, st);
      }
    }
  }
  const settlements = [...byId.values()].map((e) => ({ ...e.s, foreign: [...e.foreign.values()] }));
  // Deterministic order (the simulator replays byte-exactly): settled values first in value
  // order, then fresh ones by id, so fresh proposals follow every re-proposed one.
  settlements.sort((a, b) =>
    a.value !== null && b.value !== null ? a.value - b.value : a.value !== null ? -1 : b.value !== null ? 1 : a.client - b.client || a.seq - b.seq,
  );
  return { clock, settlements };
}
