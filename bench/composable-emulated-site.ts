// An emulated non-leader logical machine for the composable bench, as on the paper's testbed
// (§4.7, after §3.5: the leader site runs in full; each other site is one machine that
// busy-waits per packet the time a real 16-server site needs, aggregation modelled). Here it
// is the site's server 0 running the site's REAL replicated state (lm-machine.ts: the
// unmodified wide-area protocol, BLink link state, logical timers) without the local
// agreement: every event it orders costs the CPU time a real LM's busiest server spends on it
// (emulatedCosts, below), and every message it emits carries a genuine LM signature charged
// at the real LM's per-signature cost. Its other servers only relay what they receive to
// server 0. Events are ordered one per instance, or (optimized) everything that queued while
// the previous instance ran, as a real optimized LM batches (§4.6).
import { encodeFields, u32, type CostedOp } from '../src/crypto/cost-model.js';
import { LmMachine, openFrame } from '../src/composable/lm-machine.js';
import { decode, encode } from '../src/composable/messages.js';
import { OutgoingSigner } from '../src/composable/outgoing-signer.js';
import type { MachineTimings } from '../src/composable/lm-machine.js';
import { lmThreshold, serverNode, serversPerSite, siteOf, witnesses, type ComposableTopology } from '../src/composable/topology.js';
import { KvStateMachine } from '../src/service/kv-state-machine.js';
import { CryptoPort } from '../src/steward/crypto-port.js';
import type { Core, CoreEffect, NodeId, TimeUs } from '../src/sim/core.js';
import type { CryptoHandler } from '../src/sim/setup.js';
import { DecodeError } from '../src/wire/decode-error.js';

/** The bench-only crypto op: CPU time of a real LM's local ordering, its cost in the request. */
export const LM_WORK_OP = 'emulated.lm-work';
const TICK = 'tick';
const TICK_US = 5_000;
/** Relayed bytes start with the original sender (bench-internal framing between a site's nodes). */
const RELAY_HEADER = 4;

/**
 * CPU per server of a real LM of `n` servers (the busiest, the local leader; all work in
 * parallel), from the operations server-core.ts asks for:
 *  * per ordered instance — PBFT: sign propose/prepare and commit, verify 2(n−1) envelopes;
 *    Paxos: sign accepted, verify n−1;
 *  * per event — the BLink frame's LM signature, plus the client update a propose or forward
 *    carries; a timeout event: one signed note, f+1 verified (one in a Paxos LM);
 *  * per LM signature — BFT: THRESHOLD-SIGN's partial, its signed Partial_Sig, f+1 of them
 *    verified, the combine; Paxos: one RSA signature with the shared site key (decisions D1).
 */
export function emulatedCosts(t: ComposableTopology, c: Record<CostedOp, number>): { instanceUs: number; frameUs: number; updateUs: number; timeoutUs: number; signUs: number } {
  const n = serversPerSite(t);
  const bft = t.local === 'bft';
  return {
    instanceUs: bft ? 2 * c.sign + 2 * (n - 1) * c.verify : c.sign + (n - 1) * c.verify,
    frameUs: c['tsig.verify'],
    updateUs: c.verify,
    timeoutUs: c.sign + witnesses(t.local, t.f) * c.verify,
    signUs: bft ? c['tsig.partial'] + c.sign + (t.f + 1) * c.verify + c['tsig.combine'] : c.sign,
  };
}

export interface EmulatedLmOptions {
  topology: ComposableTopology;
  site: number;
  optimized: boolean;
  wanWindow: number;
  timings: MachineTimings;
  costsUs: Record<CostedOp, number>;
}

export function emulatedLm(o: EmulatedLmOptions): Core {
  const t = o.topology;
  const cost = emulatedCosts(t, o.costsUs);
  const port = new CryptoPort();
  const machine = new LmMachine({ topology: t, site: o.site, app: new KvStateMachine(), wanWindow: o.wanWindow, timings: o.timings });
  const queues = Array.from({ length: t.sites }, () => new Map<number, Uint8Array>());
  const forwarders = new Map<number, NodeId>();
  const timerSince = new Map<string, TimeUs>();
  const proposedLink = new Array<number>(t.sites).fill(0);
  let timeouts: Uint8Array[] = [];
  let running: Uint8Array[] | null = null;
  let jobs = 0;
  let now: TimeUs = 0;
  const send = (to: NodeId, bytes: Uint8Array) => port.out.push({ kind: 'send', to, bytes });
  const signer = new OutgoingSigner({
    port,
    tsign: null,
    merkle: o.optimized,
    onFrame: (lm, frame) => {
      if (lm.links.length === 0) for (const to of forwarders.values()) send(to, frame);
      for (const { to } of lm.links) send(serverNode(t, to, machine.virtualLink(to).peer), frame);
    },
  });

  const eventCostUs = (ev: Uint8Array): number => {
    const e = decode(ev);
    if (e.type === 'evTimeout') return cost.timeoutUs;
    const f = e.type === 'evLink' ? openFrame(e.data) : null;
    return cost.frameUs + (f && (f.msg.type === 'propose' || f.msg.type === 'forward') ? cost.updateUs : 0);
  };

  /** Starts the next instance when none runs: the next in-order frame of each link (all that queued, optimized), and due timeouts. */
  const pump = () => {
    if (running) return;
    const events: Uint8Array[] = timeouts.splice(0);
    for (let more = true; more && (o.optimized || events.length === 0); ) {
      more = false;
      for (let src = 0; src < t.sites && (o.optimized || events.length === 0); src++) {
        const seq = Math.max(machine.incoming[src]!, proposedLink[src]!) + 1;
        const raw = queues[src]!.get(seq);
        if (!raw) continue;
        proposedLink[src] = seq;
        events.push(encode({ type: 'evLink', data: raw }));
        more = true;
      }
    }
    if (events.length === 0) return;
    running = events;
    const us = cost.instanceUs + events.reduce((s, e) => s + eventCostUs(e), 0);
    port.out.push({ kind: 'crypto', job: `w${jobs++}`, op: LM_WORK_OP, bytes: u32(Math.round(us)) });
  };

  const ordered = () => {
    const events = running!;
    running = null;
    for (const e of events) machine.apply(e);
    for (let src = 0; src < t.sites; src++) for (const seq of queues[src]!.keys()) if (seq <= machine.incoming[src]!) queues[src]!.delete(seq);
    signer.signInstance(machine.takeEffects().lm);
  };

  const onFrame = (from: NodeId, bytes: Uint8Array) => {
    let lm;
    try {
      const f = decode(bytes);
      if (f.type !== 'blinkData') return;
      lm = decode(f.lm);
    } catch (e) {
      if (e instanceof DecodeError) return;
      throw e;
    }
    if (lm.type !== 'lmMessage' || lm.from === o.site) return;
    forwarders.set(lm.from, from);
    const link = lm.links.find((l) => l.to === o.site);
    // ACKs to this LM: it never suspects its links (the bench has no faults), so they need no handling.
    if (!link || link.seq <= machine.incoming[lm.from]!) return;
    queues[lm.from]!.set(link.seq, bytes);
  };

  return {
    handle(nowUs, event) {
      now = nowUs;
      if (event.kind === 'start') port.out.push({ kind: 'set-timer', timer: TICK, afterUs: TICK_US });
      else if (event.kind === 'timer' && event.timer === TICK) {
        for (const [name, tm] of machine.timers) {
          const key = `${name}#${tm.epoch}`;
          const since = timerSince.get(key) ?? now;
          timerSince.set(key, since);
          if (now - since >= tm.afterUs && since !== -1) {
            timerSince.set(key, -1);
            timeouts.push(encode({ type: 'evTimeout', name, epoch: tm.epoch, notes: [] }));
          }
        }
        for (const key of timerSince.keys()) {
          const [name, epoch] = key.split('#');
          if (machine.timers.get(name!)?.epoch !== Number(epoch)) timerSince.delete(key);
        }
        port.out.push({ kind: 'set-timer', timer: TICK, afterUs: TICK_US });
      } else if (event.kind === 'receive') {
        const relayed = siteOf(t, event.from) === o.site && event.bytes.length >= RELAY_HEADER;
        const from = relayed ? new DataView(event.bytes.buffer, event.bytes.byteOffset).getUint32(0) : event.from;
        onFrame(from, relayed ? event.bytes.subarray(RELAY_HEADER) : event.bytes);
      } else if (event.kind === 'crypto') {
        if (event.job.startsWith('w')) ordered();
        else port.answer(event.job, event.ok, event.bytes);
      }
      pump();
      return port.drain();
    },
  };
}

/** A non-leader site's other servers: everything they receive goes to server 0, the emulated LM. */
export function relayTo(node0: NodeId): Core {
  return {
    handle(_now, event): CoreEffect[] {
      if (event.kind !== 'receive') return [];
      const bytes = new Uint8Array(RELAY_HEADER + event.bytes.length);
      new DataView(bytes.buffer).setUint32(0, event.from);
      bytes.set(event.bytes, RELAY_HEADER);
      return [{ kind: 'send', to: node0, bytes }];
    },
  };
}

/**
 * Wraps the composable simulator crypto: an emulated LM's work op costs what its request says,
 * and its `site.sign` yields a genuine LM signature (the cost model's own, from f+1 of the
 * site's shares) charged at the real LM's per-signature cost.
 */
export function withEmulatedLms(inner: CryptoHandler, t: ComposableTopology, emulated: (node: NodeId) => boolean, signUs: number): CryptoHandler {
  return (job, rng) => {
    if (!emulated(job.node)) return inner(job, rng);
    if (job.op === LM_WORK_OP) return { ok: true, bytes: new Uint8Array(0), costUs: new DataView(job.bytes.buffer, job.bytes.byteOffset).getUint32(0) };
    if (job.op !== 'site.sign') return inner(job, rng);
    const site = siteOf(t, job.node);
    const partials: Uint8Array[] = [];
    for (let i = 0; i < lmThreshold(t); i++) partials.push(inner({ node: serverNode(t, site, i), job: job.job, op: 'tsig.partial', bytes: job.bytes }, rng).bytes);
    const combined = inner({ node: job.node, job: job.job, op: 'tsig.combine', bytes: encodeFields([job.bytes, ...partials]) }, rng);
    return { ok: combined.ok, bytes: combined.bytes, costUs: signUs };
  };
}
