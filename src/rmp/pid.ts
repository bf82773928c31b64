// RMP process ids. A member removed from a group may come back only as a *new* member
// (seed §4), and a restarted process has lost its state, so an id names one incarnation:
// node number (16 bits) and incarnation (16 bits) in one u32 on the wire.
import { NODE_MAX } from './limits.js';

export type Pid = number;

/** Incarnations per host-supplied epoch: a process may rejoin as new this many times. */
export const REJOINS_PER_EPOCH = 64;
/** Host epochs: the incarnation's high bits (16-bit incarnation / 64 rejoins). */
export const EPOCHS_MAX = 0x10000 / REJOINS_PER_EPOCH;

export function makePid(node: number, epoch: number, rejoin: number): Pid {
  if (!Number.isInteger(node) || node < 0 || node > NODE_MAX) throw new RangeError(`RMP node must be 0..${NODE_MAX}, got ${node}`);
  if (!Number.isInteger(rejoin) || rejoin < 0 || rejoin >= REJOINS_PER_EPOCH) throw new RangeError(`rejoin must be 0..${REJOINS_PER_EPOCH - 1}, got ${rejoin}`);
  const inc = (epoch % EPOCHS_MAX) * REJOINS_PER_EPOCH + rejoin;
  return node * 0x10000 + inc;
}

/** The node (simulator NodeId, or runtime host number) a process runs on. */
export function nodeOf(pid: Pid): number {
  return Math.floor(pid / 0x10000);
}

export function pidName(pid: Pid): string {
  return `${nodeOf(pid)}.${pid % 0x10000}`;
}
