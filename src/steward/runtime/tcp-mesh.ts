// Node-to-node transport of the Steward runtime: TCP on loopback with length-prefixed frames
// (src/wire/stream-framer.ts), one outgoing connection per peer (its first frame names the
// sender), and every site-to-site message through a wide-area link shaper per destination
// site (src/net/link-shaper.ts: delay, bandwidth, loss; this kernel has no netem). Inside a
// site the LAN is unshaped loopback. A peer that is down is retried with backoff; what waits
// for it is bounded.
import net from 'node:net';
import { LinkShaper, type LinkSpec } from '../../net/link-shaper.js';
import { DecodeError } from '../../wire/decode-error.js';
import { encodeFrame, FrameDecoder } from '../../wire/stream-framer.js';
import { BODY_BYTES_MAX } from '../messages.js';

/** Bytes queued for a peer that is not connected; beyond this, new messages are dropped (the protocol retransmits). */
export const PENDING_BYTES_MAX = 8 * 1024 * 1024;
/** Reconnect backoff bounds, ms. */
export const RECONNECT_MIN_MS = 50;
export const RECONNECT_MAX_MS = 1000;
const HELLO_BYTES = 4;

interface Peer {
  socket: net.Socket | null;
  connected: boolean;
  pending: Uint8Array[];
  pendingBytes: number;
  backoffMs: number;
}

export interface MeshOptions {
  me: number;
  ports: number[];
  siteOf(node: number): number;
  wan: LinkSpec;
  onMessage(from: number, bytes: Uint8Array): void;
}

export class TcpMesh {
  private readonly server: net.Server;
  private readonly peers = new Map<number, Peer>();
  private readonly shapers = new Map<number, { shaper: LinkShaper; targets: number[] }>();
  private readonly sockets = new Set<net.Socket>();
  private closed = false;
  readonly stats = { framesIn: 0, framesOut: 0, wanBytesOut: 0, decodeErrors: 0 };

  constructor(private readonly o: MeshOptions) {
    this.server = net.createServer((s) => this.accept(s));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.ports[this.o.me], '127.0.0.1', () => resolve());
    });
  }

  private accept(s: net.Socket): void {
    this.sockets.add(s);
    s.setNoDelay(true);
    const framer = new FrameDecoder(BODY_BYTES_MAX + 64);
    let from = -1;
    s.on('data', (chunk) => {
      let frames: Uint8Array[];
      try {
        frames = framer.push(chunk);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        this.stats.decodeErrors++;
        return s.destroy();
      }
      for (const f of frames) {
        if (from < 0) {
          if (f.length !== HELLO_BYTES) return s.destroy();
          from = new DataView(f.buffer, f.byteOffset).getUint32(0, true);
          if (from >= this.o.ports.length) return s.destroy();
          continue;
        }
        this.stats.framesIn++;
        this.o.onMessage(from, f);
      }
    });
    s.on('error', () => s.destroy());
    s.on('close', () => this.sockets.delete(s));
  }

  send(to: number, bytes: Uint8Array): void {
    if (this.closed || to === this.o.me) return;
    const fromSite = this.o.siteOf(this.o.me);
    const toSite = this.o.siteOf(to);
    if (fromSite === toSite) return this.write(to, bytes);
    let link = this.shapers.get(toSite);
    if (!link) {
      const l: { shaper: LinkShaper; targets: number[] } = { targets: [], shaper: null as unknown as LinkShaper };
      l.shaper = new LinkShaper(this.o.wan, (m) => this.write(l.targets.shift()!, m));
      this.shapers.set(toSite, (link = l));
    }
    this.stats.wanBytesOut += bytes.length;
    if (link.shaper.send(bytes)) link.targets.push(to);
  }

  private write(to: number, bytes: Uint8Array): void {
    const p = this.peer(to);
    this.stats.framesOut++;
    if (p.connected && p.socket) {
      p.socket.write(encodeFrame(bytes, BODY_BYTES_MAX + 64));
      return;
    }
    if (p.pendingBytes + bytes.length > PENDING_BYTES_MAX) return;
    p.pending.push(bytes);
    p.pendingBytes += bytes.length;
  }

  private peer(to: number): Peer {
    let p = this.peers.get(to);
    if (!p) {
      this.peers.set(to, (p = { socket: null, connected: false, pending: [], pendingBytes: 0, backoffMs: RECONNECT_MIN_MS }));
      this.connect(to, p);
    }
    return p;
  }

  private connect(to: number, p: Peer): void {
    if (this.closed) return;
    const s = net.connect(this.o.ports[to]!, '127.0.0.1');
    p.socket = s;
    s.setNoDelay(true);
    s.on('connect', () => {
      p.connected = true;
      p.backoffMs = RECONNECT_MIN_MS;
      const hello = new Uint8Array(HELLO_BYTES);
      new DataView(hello.buffer).setUint32(0, this.o.me, true);
      s.write(encodeFrame(hello));
      for (const m of p.pending) s.write(encodeFrame(m, BODY_BYTES_MAX + 64));
      p.pending = [];
      p.pendingBytes = 0;
    });
    s.on('data', () => {});
    s.on('error', () => s.destroy());
    s.on('close', () => {
      p.connected = false;
      p.socket = null;
      if (this.closed) return;
      setTimeout(() => this.connect(to, p), p.backoffMs).unref();
      p.backoffMs = Math.min(RECONNECT_MAX_MS, p.backoffMs * 2);
    });
  }

  close(): void {
    this.closed = true;
    for (const l of this.shapers.values()) l.shaper.close();
    for (const p of this.peers.values()) p.socket?.destroy();
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }
}
