// Thin class over binding.mcast.Socket (native/mcast): a UDP multicast socket whose receive
// side runs on a native I/O thread and arrives here in batches. The handler runs once per
// batch; until it returns, the batch counts against `queuedMax` (back-pressure: the I/O
// thread stops reading and the kernel's queue absorbs the burst, counting what it drops).
import { subsystem } from '../native/addon.js';

export interface McastSocketOptions {
  /** UDP port to bind (0: any). */
  port?: number;
  /** Address to bind; `0.0.0.0` receives every joined group. */
  bindAddress?: string;
  /** Interface address for outgoing multicast (IP_MULTICAST_IF). */
  interfaceAddress?: string;
  /** Multicast TTL: 1 keeps datagrams on the LAN (RMP's setting). */
  ttl?: number;
  /** Deliver our own multicast back to us (IP_MULTICAST_LOOP). */
  loopback?: boolean;
  /** Datagrams waiting for JS before the I/O thread pauses reading. */
  queuedMax?: number;
  /** Largest datagram accepted; longer ones are counted as truncated. */
  datagramMax?: number;
}

export interface Datagram {
  data: Uint8Array;
  address: string;
  port: number;
}

export interface McastStats {
  received: number;
  batches: number;
  /** The kernel's count of datagrams dropped because our socket queue was full. */
  kernelDrops: number;
  truncated: number;
  /** Times back-pressure paused reading. */
  paused: number;
  sent: number;
  sendErrors: number;
}

interface NativeSocket {
  readonly port: number;
  join(group: string, interfaceAddress?: string): void;
  leave(group: string, interfaceAddress?: string): void;
  send(address: string, port: number, datagrams: Uint8Array[]): number;
  stats(): McastStats;
  close(): void;
  ref(): void;
  unref(): void;
}

interface McastBinding {
  Socket: new (options: McastSocketOptions, onBatch: (payload: Buffer, meta: Uint32Array) => void) => NativeSocket;
}

function ipv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

export class McastSocket {
  private readonly native: NativeSocket;

  constructor(options: McastSocketOptions, onBatch: (datagrams: Datagram[]) => void) {
    this.native = new (subsystem<McastBinding>('mcast').Socket)(options, (payload, meta) => {
      const out: Datagram[] = new Array(meta.length / 3);
      let at = 0;
      for (let i = 0; i < out.length; i++) {
        const len = meta[3 * i]!;
        out[i] = { data: payload.subarray(at, at + len), address: ipv4(meta[3 * i + 1]!), port: meta[3 * i + 2]! };
        at += len;
      }
      onBatch(out);
    });
  }

  get port(): number {
    return this.native.port;
  }
  join(group: string, interfaceAddress?: string): void {
    this.native.join(group, interfaceAddress);
  }
  leave(group: string, interfaceAddress?: string): void {
    this.native.leave(group, interfaceAddress);
  }
  /** Sends every datagram to address:port in sendmmsg batches; returns how many went out. */
  send(address: string, port: number, datagrams: Uint8Array[]): number {
    return this.native.send(address, port, datagrams);
  }
  stats(): McastStats {
    return this.native.stats();
  }
  /** Let the process exit while the socket is open (like dgram's unref). */
  unref(): void {
    this.native.unref();
  }
  close(): void {
    this.native.close();
  }
}
