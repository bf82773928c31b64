// One server's part of BLink (Lane 2008 §4.4): not replicated, driven by what its LM
// executes. Sending side: keep every signed frame until the receiving LM acknowledges it;
// the current forwarder of a link sends new frames to the current peer and re-sends the
// unacknowledged ones after a rotation (and periodically, for lossy links); every server
// times the head of the unacknowledged queue and, when it expires, sends an LM timeout note
// that moves the link to its next virtual link. Receiving side: the peer verifies a frame,
// keeps it in the link's queue and disseminates it to its LM; it hands the LM's cumulative
// ACKs back to the forwarder it heard from, who disseminates them in the sending LM.
// Peer walking (benign sending LM): only the forwarder suspects its peer; the others watch
// the forwarder's hellos and replace it when it goes quiet (§4.4.2).
import type { NodeId, TimeUs } from '../sim/core.js';
import type { LmMachine, OutgoingLm } from './lm-machine.js';
import { encode, type Msg } from './messages.js';
import { serverNode, type ComposableTopology } from './topology.js';

/** Link seqs a receiver keeps ahead of what its LM ordered (frames further ahead are dropped, then re-sent). */
export const RECEIVE_WINDOW = 4096;
/** Frames one periodic re-send puts on the wire at most. */
export const RESEND_MAX = 256;

export interface BlinkContext {
  t: ComposableTopology;
  site: number;
  myId: number;
  machine: LmMachine;
  sendTo(node: NodeId, bytes: Uint8Array): void;
  /** Unsigned, to every other server of the site (frames and ACKs authenticate themselves). */
  sendLocalAll(bytes: Uint8Array): void;
  /** An LM timeout note for the leader (signed by the caller). */
  note(name: string, epoch: number): void;
  retransmitUs: TimeUs;
  helloPeriodUs: TimeUs;
  helloTimeoutUs: TimeUs;
}

interface OutLink {
  frames: Map<number, Uint8Array>;
  acked: number;
  headSince: TimeUs | null;
  lastResend: TimeUs;
  lastHello: TimeUs;
  helloSeen: TimeUs;
}

interface InLink {
  queue: Map<number, Uint8Array>;
  /** The remote server this site last heard from on the link: where its ACKs go. */
  forwarder: NodeId | null;
}

export class BlinkEndpoint {
  private readonly out: OutLink[];
  private readonly in: InLink[];
  private readonly noted = new Set<string>();
  private now: TimeUs = 0;

  constructor(private readonly c: BlinkContext) {
    this.out = Array.from({ length: c.t.sites }, () => ({ frames: new Map(), acked: 0, headSince: null, lastResend: 0, lastHello: 0, helloSeen: 0 }));
    this.in = Array.from({ length: c.t.sites }, () => ({ queue: new Map(), forwarder: null }));
  }

  setNow(now: TimeUs): void {
    this.now = now;
  }

  private peerNode(dest: number): NodeId {
    return serverNode(this.c.t, dest, this.c.machine.virtualLink(dest).peer);
  }

  amForwarder(dest: number): boolean {
    return this.c.machine.virtualLink(dest).forwarder === this.c.myId;
  }

  /** A frame of ours is signed: keep it per link; the forwarders send it; ACKs go back to whoever sent us data. */
  onSigned(lm: OutgoingLm, frame: Uint8Array): void {
    if (lm.links.length === 0) {
      for (const l of this.in) if (l.forwarder !== null) this.c.sendTo(l.forwarder, frame);
      return;
    }
    for (const { to, seq } of lm.links) {
      const o = this.out[to]!;
      if (seq <= o.acked) continue;
      o.frames.set(seq, frame);
      if (this.amForwarder(to)) {
        this.c.sendTo(this.peerNode(to), frame);
        o.lastResend = this.now;
      }
    }
  }

  /** The LM moved the link to `dest` to its next virtual link: a new forwarder resends everything unacknowledged (§4.4.1). */
  onRotated(dest: number): void {
    const o = this.out[dest]!;
    o.headSince = this.now;
    if (this.amForwarder(dest)) this.resend(dest);
  }

  private resend(dest: number): void {
    const o = this.out[dest]!;
    const peer = this.peerNode(dest);
    let sent = 0;
    for (const seq of [...o.frames.keys()].sort((a, b) => a - b)) {
      if (sent++ >= RESEND_MAX) break;
      this.c.sendTo(peer, o.frames.get(seq)!);
    }
    o.lastResend = this.now;
  }

  /** A verified ACK from site `from`; from a remote server (we forward on that link) we disseminate it. */
  onAck(from: number, ack: Msg<'ack'>, raw: Uint8Array, remote: boolean): void {
    const o = this.out[from]!;
    if (remote) this.c.sendLocalAll(raw);
    o.helloSeen = this.now;
    const mine = ack.links.find((l) => l.from === this.c.site)?.seq ?? 0;
    if (mine <= o.acked) return;
    o.acked = mine;
    for (const seq of o.frames.keys()) if (seq <= mine) o.frames.delete(seq);
    o.headSince = this.now;
  }

  /** A verified data frame on the link from `src`. True when it is new here (then it was queued and, from a remote peer, disseminated). */
  onData(raw: Uint8Array, src: number, seq: number, fromNode: NodeId, remote: boolean): boolean {
    const l = this.in[src]!;
    if (remote) l.forwarder = fromNode;
    const delivered = this.c.machine.incoming[src]!;
    if (seq <= delivered || seq > delivered + RECEIVE_WINDOW || l.queue.has(seq)) return false;
    l.queue.set(seq, raw);
    if (remote) this.c.sendLocalAll(raw);
    return true;
  }

  /** The frame at `seq` on the link from `src`, if this server holds it. */
  frame(src: number, seq: number): Uint8Array | undefined {
    return this.in[src]!.queue.get(seq);
  }

  /** Forget frames the LM has ordered. */
  prune(): void {
    for (let src = 0; src < this.in.length; src++) {
      const delivered = this.c.machine.incoming[src]!;
      for (const seq of this.in[src]!.queue.keys()) if (seq <= delivered) this.in[src]!.queue.delete(seq);
    }
  }

  onHello(dest: number): void {
    if (dest >= 0 && dest < this.out.length) this.out[dest]!.helloSeen = this.now;
  }

  /** Once per tick: link suspicion, periodic re-sends, hellos. */
  tick(): void {
    const m = this.c.machine;
    const bft = this.c.t.local === 'bft';
    for (let dest = 0; dest < this.out.length; dest++) {
      if (dest === this.c.site) continue;
      const o = this.out[dest]!;
      if (o.acked >= m.links[dest]!.nextSeq) {
        o.headSince = null;
        continue;
      }
      o.headSince ??= this.now;
      const waited = this.now - o.headSince;
      const forwarder = this.amForwarder(dest);
      if (bft) {
        if (waited >= m.linkTimeoutUs(dest)) this.noteOnce(`link:${dest}`, m.linkEpoch('link', dest));
      } else if (forwarder) {
        if (waited >= m.linkTimeoutUs(dest)) this.noteOnce(`walk:${dest}`, m.linkEpoch('walk', dest));
        if (this.now - o.lastHello >= this.c.helloPeriodUs) {
          o.lastHello = this.now;
          this.c.sendLocalAll(encode({ type: 'hello', to: dest }));
        }
      } else if (this.now - Math.max(o.helloSeen, o.headSince) >= this.c.helloTimeoutUs) {
        this.noteOnce(`fwd:${dest}`, m.linkEpoch('fwd', dest));
      }
      if (forwarder && o.frames.size > 0 && this.now - o.lastResend >= this.c.retransmitUs) this.resend(dest);
    }
  }

  private noteOnce(name: string, epoch: number): void {
    const key = `${name}#${epoch}`;
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.c.note(name, epoch);
  }
}
