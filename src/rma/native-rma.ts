// Typed view of binding.rma (native/rma/*_js.cc): one thin class per native object.
// Region: memory peers write into; Connection: a writer's side of a peer's region, opened
// from the peer's handle (bytes carried over the control plane); Poller: spin-then-wait on
// local regions. Errors carry ERR_CASTELLAN_RMA_* codes (BOUNDS, REVOKED, PEER_CLOSED,
// PEER_GONE, HANDLE, UNAVAILABLE, …).
import { subsystem } from '../native/addon.js';
import { ShmWriter, type NativeShmConnection } from './shm-writer.js';

export type RmaBackend = 'shm' | 'verbs' | 'fabric';
/** Backends whose remote writes reach the doorbell only through progress() (completion events). */
export const progressDriven = (backend: RmaBackend): boolean => backend !== 'shm';
export const rmaBackends: readonly RmaBackend[] = ['shm', 'fabric', 'verbs'];

/** libfabric providers the fabric backend is tested with: tcp;ofi_rxm (between hosts, the default) and shm. */
export const fabricProviders = ['tcp;ofi_rxm', 'shm'] as const;

export interface RegionOptions {
  /** libfabric provider (fabric backend): `tcp;ofi_rxm` (default) or `shm`. */
  provider?: string;
  /** Address peers reach this region on (fabric, verbs). */
  address?: string;
}

export interface Grant {
  id: number;
  /** Opaque remote handle: give it to exactly one writer. */
  handle: Uint8Array;
}

export interface Region {
  readonly size: number;
  readonly backend: RmaBackend;
  grant(): Grant;
  /** On return, no write under this grant can land any more (spec/ramcast.md §6). */
  revoke(grantId: number): void;
  /** Advances after every completed remote write. */
  doorbell(): number;
  /** The region's memory (kept mapped while this view lives). */
  buffer(): ArrayBuffer;
  /** The doorbell word itself, for spinning with Atomics.load without a native call. */
  doorbellView(): Uint32Array;
  /**
   * Drives target-side progress (fabric, verbs: completions become doorbell rings); a no-op
   * on shm. A JS thread spinning on doorbellView() of such a region calls it while it spins;
   * when nobody does, the region's own thread still rings the doorbell, only later.
   */
  progress(): void;
  close(): void;
}

export interface Connection {
  readonly size: number;
  write(offset: number, bytes: Uint8Array): void;
  read(offset: number, length: number): Uint8Array;
  peerAlive(): boolean;
  close(): void;
}

export interface Poller {
  readonly sleeps: number;
  watch(region: Region): number;
  unwatch(slot: number): void;
  /** Blocking: returns the watch slots written since the last report, [] on timeout. */
  wait(timeoutMs?: number): number[];
  /** Polls on a native thread; one batch in flight at a time. */
  start(onReady: (slots: number[]) => void): void;
  stop(): void;
}

interface RmaBinding {
  Region: new (backend: RmaBackend, bytes: number, options?: RegionOptions) => Region;
  Poller: new (options?: { spinUs?: number }) => Poller;
  connect(handle: Uint8Array): Connection;
  sweepStale(): number;
  /** provider: for fabric, whether that libfabric provider is usable (default tcp;ofi_rxm). */
  available(backend: RmaBackend, provider?: string): { ok: boolean; reason: string };
  floorRtt(rounds: number): number;
  nativePollerRtt(backend: RmaBackend, rounds: number, spinUs?: number, provider?: string): number;
}

export function rma(): RmaBinding {
  return subsystem<RmaBinding>('rma');
}

export function createRegion(backend: RmaBackend, bytes: number, options?: RegionOptions): Region {
  return new (rma().Region)(backend, bytes, options);
}

export interface ConnectOptions {
  /**
   * 'js' (default): shm writes run in JS and a wasm gate on an alias of the peer's segment
   * (src/rma/shm-writer.ts), no native call per write; 'native': every write through the
   * addon (as C++ callers do).
   */
  writes?: 'js' | 'native';
}

export function connect(handle: Uint8Array, options: ConnectOptions = {}): Connection {
  const native = rma().connect(handle) as NativeShmConnection;
  if (options.writes === 'native') return native;
  return ShmWriter.open(native) ?? native;
}

export function createPoller(options?: { spinUs?: number }): Poller {
  return new (rma().Poller)(options);
}
