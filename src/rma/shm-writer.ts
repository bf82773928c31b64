// JS writer for the shm backend: writes into a peer's segment without a native call per write.
// The peer's segment is mapped a second time at the start of a private WebAssembly memory
// (ShmSegment::alias_into); the protocol's atomic steps run in a small wasm gate
// (shm-gate.wat), the bytes are copied by TypedArray.set into the same memory. Through
// N-API a write costs about 200 ns and with JS Atomics (builtin calls) about 180 ns; the gate
// needs two wasm calls and one copy (the transport bench's rma.rtt driver=js row).
// The steps and words are native/rma/shm_connection.cc's write: change them together.
import type { Connection } from './native-rma.js';
import { WASM_BYTES } from './shm-gate-wasm.js';

/** What the native connection exposes for this (connection_js.cc). */
export interface NativeShmConnection extends Connection {
  /** Bytes an alias of the peer's segment spans; null when this is not a shm connection. */
  shmAliasBytes(): number | null;
  /** Maps the peer's segment at the start of `buffer`; null when that cannot be done. */
  aliasInto(buffer: ArrayBuffer): GateAddresses | null;
  dropAlias(buffer: ArrayBuffer): void;
  /** FUTEX_WAKE on the doorbell, for pollers asleep there. */
  wake(): void;
}

/** Byte addresses in the alias, and the values the gate compares with (shm-gate.wat's imports). */
interface GateAddresses {
  state: number;
  doorbell: number;
  sleepers: number;
  busy: number;
  keyLow: number;
  keyHigh: number;
  open: number;
  grantLow: number;
  grantHigh: number;
  /** Where the data area starts in the alias. */
  data: number;
}

const WASM_PAGE_BYTES = 65536;
/** wasm32 addresses at most 4 GiB; larger regions are written through the addon. */
const WASM_PAGES_MAX = 65536;
const ENTER_OK = 0;
const ENTER_PEER_CLOSED = 1;

let gateModule: WebAssembly.Module | undefined;

function rmaError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export class ShmWriter implements Connection {
  readonly size: number;
  #native: NativeShmConnection;
  #memory: WebAssembly.Memory | undefined;
  #data: Uint8Array | undefined;
  readonly #enter: () => number;
  readonly #commit: () => number;

  /** A writer over `native`'s peer segment, or null when it cannot be aliased (then write through `native`). */
  static open(native: NativeShmConnection): ShmWriter | null {
    const bytes = native.shmAliasBytes();
    if (bytes === null) return null;
    const pages = Math.ceil(bytes / WASM_PAGE_BYTES);
    if (pages > WASM_PAGES_MAX) return null;
    let memory: WebAssembly.Memory;
    try {
      memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    } catch {
      return null; // address space refused: the native path still works
    }
    const at = native.aliasInto(memory.buffer);
    return at === null ? null : new ShmWriter(native, memory, at);
  }

  private constructor(native: NativeShmConnection, memory: WebAssembly.Memory, at: GateAddresses) {
    this.#native = native;
    this.#memory = memory;
    this.size = native.size;
    this.#data = new Uint8Array(memory.buffer, at.data, this.size);
    gateModule ??= new WebAssembly.Module(WASM_BYTES);
    const { data: _, ...globals } = at;
    const gate = new WebAssembly.Instance(gateModule, { shm: { memory, ...globals } }).exports as { enter(): number; commit(): number };
    this.#enter = gate.enter;
    this.#commit = gate.commit;
  }

  write(offset: number, bytes: Uint8Array): void {
    const data = this.#data;
    if (data === undefined) throw rmaError('ERR_CASTELLAN_RMA_CLOSED', 'connection is closed');
    if (!Number.isSafeInteger(offset) || offset < 0) throw rmaError('ERR_CASTELLAN_ARG', 'offset must be a non-negative integer');
    if (!ArrayBuffer.isView(bytes)) throw rmaError('ERR_CASTELLAN_ARG', 'write(offset: number, bytes: Uint8Array)');
    const len = bytes.byteLength;
    if (offset > this.size || len > this.size - offset)
      throw rmaError('ERR_CASTELLAN_RMA_BOUNDS', `write of ${len} bytes at offset ${offset} exceeds the region's ${this.size} bytes`);
    const entered = this.#enter();
    if (entered !== ENTER_OK)
      throw entered === ENTER_PEER_CLOSED
        ? rmaError('ERR_CASTELLAN_RMA_PEER_CLOSED', "the region's owner closed it")
        : rmaError('ERR_CASTELLAN_RMA_REVOKED', "write refused: the region's owner revoked this grant");
    try {
      // Bytes of any view (as the native write takes): other element types are re-viewed as bytes.
      data.set(bytes.BYTES_PER_ELEMENT === 1 ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, len), offset);
    } finally {
      // Even after a throw (a detached source): a raised busy count would stall revoke for ever.
      if (this.#commit() !== 0) this.#native.wake();
    }
  }

  read(offset: number, length: number): Uint8Array {
    return this.#native.read(offset, length);
  }

  peerAlive(): boolean {
    return this.#native.peerAlive();
  }

  close(): void {
    if (this.#memory !== undefined) this.#native.dropAlias(this.#memory.buffer);
    this.#memory = undefined;
    this.#data = undefined;
    this.#native.close();
  }
}
