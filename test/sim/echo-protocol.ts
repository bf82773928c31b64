// A small echo protocol for the simulator's own tests (it lives in test/, not src/): node 0
// sends numbered pings to its peers on a timer, every other node outputs what it received and
// echoes it back. Messages: kind byte (1 ping, 2 pong), u32 sequence number, zero padding up
// to `size` bytes so bandwidth tests can choose message sizes.
import type { Core, CoreEffect, CoreEvent, NodeId, TimeUs } from '../../src/sim/core.js';
import type { CoreFactory } from '../../src/sim/setup.js';

const PING = 1;
const PONG = 2;
const HEADER_BYTES = 5;

export interface EchoOptions {
  nodes: number;
  pings: number;
  /** Gap between rounds of pings; 0 sends every round at the same virtual instant. */
  intervalUs: TimeUs;
  /** Message size in bytes (at least the 5-byte header). */
  size?: number;
  /** Who node 0 pings (default: every other node). */
  peers?: NodeId[];
  /** Whether peers answer (off for one-way traffic tests). */
  echo?: boolean;
}

export function encode(kind: number, n: number, size = HEADER_BYTES): Uint8Array {
  const b = new Uint8Array(Math.max(size, HEADER_BYTES));
  b[0] = kind;
  new DataView(b.buffer).setUint32(1, n);
  return b;
}

export function decode(bytes: Uint8Array): { kind: number; n: number } | null {
  if (bytes.length < HEADER_BYTES || (bytes[0] !== PING && bytes[0] !== PONG)) return null;
  return { kind: bytes[0]!, n: new DataView(bytes.buffer, bytes.byteOffset).getUint32(1) };
}

class Pinger implements Core {
  private next = 0;
  constructor(private readonly o: EchoOptions, private readonly peers: NodeId[]) {}

  handle(_now: TimeUs, ev: CoreEvent): CoreEffect[] {
    switch (ev.kind) {
      case 'start':
        return this.o.pings > 0 ? [{ kind: 'set-timer', timer: 'tick', afterUs: 0 }] : [];
      case 'timer': {
        const n = this.next++;
        const fx: CoreEffect[] = this.peers.map((to) => ({ kind: 'send', to, bytes: encode(PING, n, this.o.size) }));
        if (this.next < this.o.pings) fx.push({ kind: 'set-timer', timer: 'tick', afterUs: this.o.intervalUs });
        return fx;
      }
      case 'receive': {
        const m = decode(ev.bytes);
        return [{ kind: 'output', name: m?.kind === PONG ? 'pong' : 'garbage', data: { from: ev.from, n: m?.n ?? -1 } }];
      }
      default:
        return [];
    }
  }
}

class Echoer implements Core {
  constructor(private readonly o: EchoOptions) {}

  handle(_now: TimeUs, ev: CoreEvent): CoreEffect[] {
    if (ev.kind !== 'receive') return [];
    const m = decode(ev.bytes);
    if (m?.kind !== PING) return [{ kind: 'output', name: 'garbage', data: { from: ev.from, size: ev.bytes.length } }];
    const fx: CoreEffect[] = [{ kind: 'output', name: 'ping', data: { from: ev.from, n: m.n } }];
    if (this.o.echo !== false) fx.push({ kind: 'send', to: ev.from, bytes: encode(PONG, m.n, this.o.size) });
    return fx;
  }
}

export function echoNodes(o: EchoOptions): CoreFactory[] {
  const peers = o.peers ?? Array.from({ length: o.nodes - 1 }, (_, i) => i + 1);
  return Array.from({ length: o.nodes }, (_, i): CoreFactory => (i === 0 ? () => new Pinger(o, peers) : () => new Echoer(o)));
}
