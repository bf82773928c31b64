// Rounds (ballots) are (epoch, leader) pairs packed as epoch·2^16 + leader, exactly as
// native/ramcast/layout.h does: two candidates never pick the same round (decision D11),
// and every value stays a safe JS integer (epoch < 2^37).
import type { NodeId } from '../sim/core.js';

const NODE_SPAN = 0x10000;

export function roundOf(epoch: number, leader: NodeId): number {
  return epoch * NODE_SPAN + leader;
}
export function roundLeader(round: number): NodeId {
  return round % NODE_SPAN;
}
export function roundEpoch(round: number): number {
  return Math.floor(round / NODE_SPAN);
}
/** The round every group starts in (epoch 1: round 0 means "no stamp" in the memory cells). */
export function initialRound(leader: NodeId): number {
  return roundOf(1, leader);
}
/** Timestamp value = counter·2^16 + group (decision D6). */
export function tsCounter(value: number): number {
  return Math.floor(value / NODE_SPAN);
}
