// The control plane's TCP mesh between the nodes of a cluster: length-prefixed frames
// (src/wire/stream-framer) on one outgoing connection per peer (sends) and one incoming
// (receives), and the failure detector: a closed connection is a crash (crash-stop, spec §1:
// SIGKILL closes the sockets at once on one host); silence past `suspectAfterMs` is a
// suspicion that ends when the peer is heard again (a false one only costs a leader change or
// duplicate relays, D9).
import net from 'node:net';
import type { NodeId } from '../../sim/core.js';
import { DecodeError } from '../../wire/decode-error.js';
import { encodeFrame, FrameDecoder } from '../../wire/stream-framer.js';
import { MESH_BODY_MAX, meshWire, type MeshMessage } from './mesh-wire.js';

export interface PeerAddress {
  host: string;
  port: number;
}

/** Heartbeats while a link is otherwise quiet: six per suspicion timeout, and rare enough that an
 *  idle cluster of a dozen processes stays near 0 % CPU (each beat wakes a process). */
export const HEARTBEAT_MS_DEFAULT = 500;
/** Silence before a peer is suspected: above the event-loop stalls of a dozen processes on 2
 *  busy cores (observed up to a few hundred ms), so that only a hung process trips it. */
export const SUSPECT_AFTER_MS_DEFAULT = 3000;
const DIAL_ATTEMPTS = 40;
const DIAL_RETRY_MS = 50;
/** Frames carry at most one mesh message plus its header. */
const FRAME_MAX_BYTES = MESH_BODY_MAX + 64;

export interface MeshOptions {
  self: NodeId;
  peers: NodeId[];
  host?: string;
  port?: number;
  heartbeatMs?: number;
  suspectAfterMs?: number;
}

export interface MeshHandlers {
  /** The peer's hello arrived (its first frame): what it offers this node. */
  hello(peer: NodeId, extra: Uint8Array): void;
  frame(peer: NodeId, channel: number, body: Uint8Array): void;
  /** `crashed`: its connection closed, which is final; otherwise a timeout, which may end. */
  suspect(peer: NodeId, suspected: boolean, crashed: boolean): void;
}

interface Outgoing {
  socket: net.Socket;
  queue: Uint8Array[];
  flushScheduled: boolean;
  lastSentMs: number;
}

interface PeerState {
  out?: Outgoing;
  helloSeen: boolean;
  lastHeardMs: number;
  suspected: boolean;
  crashed: boolean;
}

export class TcpMesh {
  private readonly server = net.createServer({ noDelay: true });
  private readonly peers = new Map<NodeId, PeerState>();
  private readonly sockets = new Set<net.Socket>();
  private heartbeat: NodeJS.Timeout | undefined;
  private readyWaiter: (() => void) | undefined;
  private closed = false;
  /** Silence is judged only once every link is up (setup on a busy machine takes seconds). */
  private monitoring = false;
  /** Frames that failed to decode or broke the protocol: counted and dropped (DESIGN principle 5). */
  badFrames = 0;

  constructor(private readonly options: MeshOptions, private readonly handlers: MeshHandlers) {
    for (const p of options.peers) if (p !== options.self) this.peers.set(p, { helloSeen: false, lastHeardMs: Date.now(), suspected: false, crashed: false });
    this.server.on('connection', (s) => this.accept(s));
  }

  /** Starts accepting; returns the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Dials every peer and says hello; resolves once every link is up both ways. */
  async connect(addresses: Map<NodeId, PeerAddress>, helloExtra: (peer: NodeId) => Uint8Array): Promise<void> {
    const ready = new Promise<void>((resolve) => (this.readyWaiter = resolve));
    // Heartbeats flow as soon as a link is up, so peers still setting up hear from us.
    const every = this.options.heartbeatMs ?? HEARTBEAT_MS_DEFAULT;
    this.heartbeat = setInterval(() => this.beat(every), every);
    await Promise.all(
      [...this.peers.keys()].map(async (peer) => {
        const addr = addresses.get(peer);
        if (!addr) throw new Error(`no address for node ${peer}`);
        const socket = await dial(addr);
        this.sockets.add(socket);
        const st = this.peers.get(peer)!;
        st.out = { socket, queue: [], flushScheduled: false, lastSentMs: 0 };
        socket.on('error', () => {});
        socket.on('close', () => this.lost(peer));
        this.enqueue(peer, meshWire.encode({ type: 'hello', node: this.options.self, extra: helloExtra(peer) }));
      }),
    );
    this.checkReady();
    await ready;
    // Silence counts from here: a peer heard once during a slow setup is not suspect yet.
    for (const st of this.peers.values()) st.lastHeardMs = Date.now();
    this.monitoring = true;
  }

  send(peer: NodeId, channel: number, body: Uint8Array): void {
    this.enqueue(peer, meshWire.encode({ type: 'frame', channel, body }));
  }

  /** Changes the silence that makes a peer suspect (from now on). */
  setSuspectAfter(ms: number): void {
    this.options.suspectAfterMs = ms;
  }

  isCrashed(peer: NodeId): boolean {
    return this.peers.get(peer)?.crashed ?? false;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.server.close();
    for (const s of this.sockets) s.destroy();
  }

  private enqueue(peer: NodeId, message: Uint8Array): void {
    const st = this.peers.get(peer);
    const out = st?.out;
    if (!out || st.crashed || this.closed) return;
    out.queue.push(encodeFrame(message, FRAME_MAX_BYTES));
    out.lastSentMs = Date.now();
    if (out.flushScheduled) return;
    out.flushScheduled = true;
    // Everything one turn of the event loop sends to a peer leaves in one write (one syscall).
    process.nextTick(() => {
      out.flushScheduled = false;
      const chunks = out.queue;
      out.queue = [];
      if (!out.socket.destroyed) out.socket.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder(FRAME_MAX_BYTES);
    let peer: NodeId | undefined;
    socket.on('error', () => {});
    socket.on('close', () => {
      if (peer !== undefined) this.lost(peer);
    });
    socket.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = decoder.push(chunk);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        this.badFrames++; // a stream cannot resynchronise after a bad length: drop the link
        socket.destroy();
        return;
      }
      for (const f of frames) {
        let m: MeshMessage;
        try {
          m = meshWire.decode(f);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          this.badFrames++;
          continue;
        }
        if (peer === undefined) {
          const st = m.type === 'hello' ? this.peers.get(m.node) : undefined;
          if (!st || m.type !== 'hello' || st.helloSeen) {
            this.badFrames++;
            socket.destroy();
            return;
          }
          peer = m.node;
          st.helloSeen = true;
          this.heard(peer);
          this.handlers.hello(peer, m.extra);
          this.checkReady();
          continue;
        }
        this.heard(peer);
        if (m.type === 'frame') this.handlers.frame(peer, m.channel, m.body);
        else if (m.type === 'hello') this.badFrames++;
      }
    });
  }

  private checkReady(): void {
    if (!this.readyWaiter) return;
    for (const st of this.peers.values()) if ((!st.out || !st.helloSeen) && !st.crashed) return;
    const w = this.readyWaiter;
    this.readyWaiter = undefined;
    w();
  }

  private heard(peer: NodeId): void {
    const st = this.peers.get(peer)!;
    st.lastHeardMs = Date.now();
    if (st.suspected && !st.crashed) {
      st.suspected = false;
      this.handlers.suspect(peer, false, false);
    }
  }

  private lost(peer: NodeId): void {
    const st = this.peers.get(peer)!;
    if (st.crashed || this.closed) return;
    st.crashed = true;
    st.suspected = true;
    st.out?.socket.destroy();
    this.handlers.suspect(peer, true, true);
    this.checkReady();
  }

  private beat(everyMs: number): void {
    const now = Date.now();
    const timeout = this.options.suspectAfterMs ?? SUSPECT_AFTER_MS_DEFAULT;
    for (const [peer, st] of this.peers) {
      if (st.crashed) continue;
      if (st.out && now - st.out.lastSentMs >= everyMs) this.enqueue(peer, meshWire.encode({ type: 'heartbeat' }));
      if (this.monitoring && !st.suspected && now - st.lastHeardMs > timeout) {
        st.suspected = true;
        this.handlers.suspect(peer, true, false);
      }
    }
  }
}

async function dial(addr: PeerAddress): Promise<net.Socket> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect({ host: addr.host, port: addr.port, noDelay: true });
        s.once('connect', () => {
          s.off('error', reject);
          resolve(s);
        });
        s.once('error', reject);
      });
    } catch (e) {
      if (attempt >= DIAL_ATTEMPTS) throw e;
      await new Promise((r) => setTimeout(r, DIAL_RETRY_MS));
    }
  }
}
