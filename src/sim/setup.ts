// What one simulated run is made of: the nodes' cores, the network, the fault schedule, the
// injected inputs, the properties to check and when to stop. A scenario's `build` returns it;
// tests may also construct one directly.
import type { Core, NodeId, TimeUs } from './core.js';
import type { NetworkConfig } from './link.js';
import type { Property, RunView } from './property.js';
import type { Rng } from './prng.js';

/** Makes node `node`'s core; called at start and again at each restart (state is lost). */
export type CoreFactory = (node: NodeId, incarnation: number) => Core;

/** Replaces a correct core by a Byzantine one (see byzantine.ts for ready-made wrappers). */
export type ByzantineWrap = (core: Core, rng: Rng, node: NodeId) => Core;

export type FaultSpec =
  /** The node stops; with `restartAfterUs` its core is re-created and gets start{restarted}. */
  | { kind: 'crash'; node: NodeId; atUs: TimeUs; restartAfterUs?: TimeUs }
  /** The node processes nothing for `forUs`; its events queue up and run on resume. */
  | { kind: 'pause'; node: NodeId; atUs: TimeUs; forUs: TimeUs }
  /** Nodes in different groups (the unlisted ones form one more group) cannot communicate. */
  | { kind: 'partition'; atUs: TimeUs; groups: NodeId[][]; healAfterUs?: TimeUs }
  /** From `atUs` on (and after restarts) the node's core is wrapped by `wrap`. */
  | { kind: 'byzantine'; node: NodeId; atUs: TimeUs; wrap: ByzantineWrap };

export type InputSpec =
  | { kind: 'request'; node: NodeId; atUs: TimeUs; bytes: Uint8Array }
  | { kind: 'suspect'; node: NodeId; atUs: TimeUs; peer: NodeId; suspected: boolean };

export interface CryptoJob {
  node: NodeId;
  job: string;
  op: string;
  bytes: Uint8Array;
}

/** A crypto answer and the virtual time the work takes (the cost-model signer plugs in here). */
export interface CryptoAnswer {
  ok: boolean;
  bytes: Uint8Array;
  costUs: TimeUs;
}

export type CryptoHandler = (job: CryptoJob, rng: Rng) => CryptoAnswer;

export interface SimSetup {
  nodes: CoreFactory[];
  network?: NetworkConfig;
  faults?: FaultSpec[];
  inputs?: InputSpec[];
  properties?: Property[];
  /**
   * Answers `crypto` effects. Each node has one crypto unit: jobs run one after another, so a
   * job's result arrives `costUs` after the previous one finished (or after it was asked).
   */
  crypto?: CryptoHandler;
  /**
   * An eventually-perfect failure detector: `delayUs` after a node crashes or pauses, every
   * other live node gets suspect{node, true}; after it restarts or resumes, suspect{node, false}.
   */
  detector?: { delayUs: TimeUs };
  /** The run ends when virtual time would pass this. */
  limitUs: TimeUs;
  /** Checked after every step: true ends the run early (e.g. every request delivered). */
  stopWhen?: (view: RunView) => boolean;
  /** Safety net against a core that loops in zero virtual time. */
  maxEvents?: number;
}
