// Byzantine replicas for the simulator (Steward's threat model, spec/steward.md): wrappers
// that turn a correct core into a faulty one. Each is a ByzantineWrap, used in a scenario as
// a `byzantine` fault or through Simulator.replaceCore. The wrapped core keeps running, so
// the faulty node still looks plausible: it follows the protocol except where it lies.
import type { Core, CoreEffect, NodeId } from './core.js';
import type { Rng } from './prng.js';
import type { ByzantineWrap } from './setup.js';

/** Bytes the arbitrary-message sender writes at most per message unless told otherwise. */
export const DEFAULT_GARBAGE_BYTES_MAX = 256;
/** Messages a replayer remembers unless told otherwise (oldest forgotten first). */
export const DEFAULT_REPLAY_MEMORY = 64;

function wrapEffects(core: Core, after: (effects: CoreEffect[], event: Parameters<Core['handle']>[1]) => CoreEffect[]): Core {
  return { handle: (now, event) => after(core.handle(now, event), event) };
}

/** Never sends or writes anything (a crash that keeps lying about being alive to itself). */
export function silent(): ByzantineWrap {
  return (core) => wrapEffects(core, (fx) => fx.filter((f) => f.kind !== 'send' && f.kind !== 'write'));
}

export interface EquivocateOptions {
  /** Peers that get the altered message; the default: odd-numbered nodes. */
  victims?: (to: NodeId) => boolean;
  /** How a message is altered; the default flips one random bit. */
  mutate?: (bytes: Uint8Array, to: NodeId, rng: Rng) => Uint8Array;
}

/** Tells different peers different things: sends to victims carry altered bytes. */
export function equivocate(options: EquivocateOptions = {}): ByzantineWrap {
  const victims = options.victims ?? ((to: NodeId) => to % 2 === 1);
  const mutate = options.mutate ?? flipOneBit;
  return (core, rng) =>
    wrapEffects(core, (fx) => fx.map((f) => (f.kind === 'send' && victims(f.to) ? { ...f, bytes: mutate(f.bytes, f.to, rng) } : f)));
}

function flipOneBit(bytes: Uint8Array, _to: NodeId, rng: Rng): Uint8Array {
  if (bytes.length === 0) return rng.bytes(new Uint8Array(1));
  const out = bytes.slice();
  out[rng.int(out.length)]! ^= 1 << rng.int(8);
  return out;
}

export interface NoiseOptions {
  /** Who may receive the garbage. */
  peers: NodeId[];
  /** Chance, per event the node handles, of one extra arbitrary message. */
  probability: number;
  maxBytes?: number;
}

/** Besides following the protocol, sends arbitrary bytes to random peers. */
export function sendAnything(options: NoiseOptions): ByzantineWrap {
  const maxBytes = options.maxBytes ?? DEFAULT_GARBAGE_BYTES_MAX;
  return (core, rng) =>
    wrapEffects(core, (fx) => {
      if (!rng.chance(options.probability)) return fx;
      const bytes = rng.bytes(new Uint8Array(rng.range(0, maxBytes)));
      return [...fx, { kind: 'send', to: rng.pick(options.peers), bytes }];
    });
}

export interface ReplayOptions {
  peers: NodeId[];
  /** Chance, per event the node handles, of re-sending one remembered message. */
  probability: number;
  memory?: number;
}

/** Remembers messages it received and sent, and re-sends old ones to random peers. */
export function replayOld(options: ReplayOptions): ByzantineWrap {
  const memory = options.memory ?? DEFAULT_REPLAY_MEMORY;
  return (core, rng) => {
    const seen: Uint8Array[] = [];
    const remember = (b: Uint8Array): void => {
      seen.push(b);
      if (seen.length > memory) seen.shift();
    };
    return wrapEffects(core, (fx, event) => {
      if (event.kind === 'receive') remember(event.bytes);
      const replayed = seen.length > 0 && rng.chance(options.probability) ? rng.pick(seen) : null;
      for (const f of fx) if (f.kind === 'send') remember(f.bytes);
      return replayed ? [...fx, { kind: 'send', to: rng.pick(options.peers), bytes: replayed }] : fx;
    });
  };
}

/** Applies several wrappers, innermost first. */
export function combine(...wraps: ByzantineWrap[]): ByzantineWrap {
  return (core, rng, node) => wraps.reduce((c, w) => w(c, rng, node), core);
}
