// A membership view (spec §1): its token list and an identity that stays unique across
// partitions: (epoch, creator), where the creator is the token site that ordered a join or
// leave, or the originator of a reformation.
import type { Pid } from './pid.js';

export interface View {
  epoch: number;
  creator: Pid;
  list: Pid[];
  key: string;
}

export function viewKey(epoch: number, creator: Pid): string {
  return `${epoch}.${creator}`;
}

export function makeView(epoch: number, creator: Pid, list: Pid[]): View {
  return { epoch, creator, list, key: viewKey(epoch, creator) };
}

/** The view a group starts in: epoch 1, made by nobody (creator 0). */
export function foundingView(founders: Pid[]): View {
  return makeView(1, 0, [...founders]);
}

/** The member after `pid` in token-list order (the token's next site, spec §5.2). */
export function successor(list: readonly Pid[], pid: Pid): Pid {
  const i = list.indexOf(pid);
  return list[(i + 1) % list.length]!;
}
