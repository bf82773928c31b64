// Typed view of binding.ramcast (native/ramcast): the per-message RamCast cores. The delivery
// path runs there (DESIGN principle 2); TypeScript drives only the control plane.
import { subsystem } from '../native/addon.js';
import type { RamcastTopology } from './config.js';

export type RegionName = 'ring' | 'ts' | 'ack' | 'credit';

export interface NativeWrite {
  to: number;
  region: RegionName;
  offset: number;
  bytes: Uint8Array;
}

export interface NativeDelivery {
  client: number;
  seq: number;
  /** Final timestamp (counter << 16 | group). */
  ts: number;
  dst: number[];
  payload: Uint8Array;
}

export interface NativeEffects {
  writes: NativeWrite[];
  deliveries: NativeDelivery[];
  issued: { client: number; seq: number; dst: number[] }[];
  /** Client multicasts delivered as awaited (sequence numbers). */
  completed: number[];
}

export interface GroupStamp {
  group: number;
  round: number;
  value: number;
}

export interface ReportedMessage {
  client: number;
  seq: number;
  image: Uint8Array;
  stamps: GroupStamp[];
}

export interface CatchUpReport {
  clock: number;
  messages: ReportedMessage[];
}

export interface ServerInfo {
  round: number;
  leader: number;
  clock: number;
  fenced: number;
  duplicates: number;
  malformed: number;
  delivered: number;
  overwrites: number;
}

/** The server core's control surface: what the control plane (server-node.ts) drives, in the
 *  simulator (NativeServer) and in the real runtime (a driver's ServerEndpoint) alike. */
export interface ServerControl {
  installRound(round: number): void;
  setGroupLeader(group: number, leader: number): void;
  observeClock(counter: number): void;
  settle(image: Uint8Array, value: number | null, foreign: GroupStamp[]): void;
  /** Task 9 done: the barrier goes to `promised` members (who answered before settling). */
  openRound(promised: number[]): void;
  suspectClient(client: number): void;
  resync(node: number): void;
  report(group: number): CatchUpReport;
  takeEffects(): NativeEffects;
  info(): ServerInfo;
  /** Undelivered messages, one per line: diagnostics for a stuck run. */
  describePending(): string;
}

/** The core as the simulator hosts it: writes land through `landed`. */
export interface NativeServer extends ServerControl {
  landed(from: number, region: RegionName, offset: number, bytes: Uint8Array): void;
}

export interface NativeClient {
  /** With `awaitMode` other than 'none', effects report the seq once delivered as asked. */
  multicast(dst: number[], payload: Uint8Array, awaitMode?: 'none' | 'one' | 'quorum' | 'all'): number;
  nextSeq(): number;
  awaiting(): number;
  landed(from: number, region: RegionName, offset: number, bytes: Uint8Array): void;
  suspectServer(node: number, suspected: boolean): void;
  queued(): number;
  takeEffects(): NativeEffects;
}

export interface RamcastLimits {
  /** Bytes of a writer's data ring / ts ring in a mailbox (the real runtime, D13). */
  dataRingBytes: number;
  tsRingBytes: number;
  ringSlots: number;
  slotBytes: number;
  maxPayloadBytes: number;
  maxDstGroups: number;
  maxGroupSize: number;
  ringRegionBytesPerClient: number;
}

interface RamcastBinding {
  RamcastServer: new (topology: RamcastTopology, self: number) => NativeServer;
  RamcastClient: new (topology: RamcastTopology, self: number) => NativeClient;
  limits: RamcastLimits;
}

export function ramcastNative(): RamcastBinding {
  return subsystem<RamcastBinding>('ramcast');
}
