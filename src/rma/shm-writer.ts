// JS writer for the shm backend: the same steps as native/rma/shm_connection.cc's write, on
// the same words of the peer's segment, but without a native call per write. A JS-driven
// round trip is two writes and two doorbell spins; through N-API each write costs several
// times the whole native write (the bench's rma.rtt driver=js row shows the difference), so
// JS connections to shm regions write here. Change both files together.
//
// Fencing (spec/ramcast.md §6) is the shm Dekker protocol: busy += 1, then read the grant's
// key; revoke() stores key = 0, then waits for busy == 0. Atomics are sequentially consistent,
// so one side sees the other. The 64-bit key is read as two 32-bit halves; a read torn by a
// concurrent revoke can only happen while busy is raised, so revoke() still waits this write
// out and nothing lands after it returns.
import type { Connection } from './native-rma.js';

/** What the native connection exposes for this (ConnectionJs::ShmWriter). */
export interface ShmWriterWords {
  data: ArrayBuffer;
  header: ArrayBuffer;
  words: { state: number; doorbell: number; sleepers: number; busy: number; keyLow: number; keyHigh: number };
  keyLow: number;
  keyHigh: number;
  open: number;
}

export interface NativeShmConnection extends Connection {
  shmWriter(): ShmWriterWords | null;
  /** FUTEX_WAKE on the doorbell, for pollers asleep there. */
  wake(): void;
}

function rmaError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export class ShmWriter implements Connection {
  readonly size: number;
  #native: NativeShmConnection;
  #data: Uint8Array | undefined;
  readonly #header: Uint32Array;
  readonly #state: number;
  readonly #doorbell: number;
  readonly #sleepers: number;
  readonly #busy: number;
  readonly #keyLowAt: number;
  readonly #keyHighAt: number;
  readonly #keyLow: number;
  readonly #keyHigh: number;
  readonly #open: number;

  constructor(native: NativeShmConnection, w: ShmWriterWords) {
    this.#native = native;
    this.#data = new Uint8Array(w.data);
    this.size = this.#data.length;
    this.#header = new Uint32Array(w.header);
    this.#state = w.words.state;
    this.#doorbell = w.words.doorbell;
    this.#sleepers = w.words.sleepers;
    this.#busy = w.words.busy;
    this.#keyLowAt = w.words.keyLow;
    this.#keyHighAt = w.words.keyHigh;
    this.#keyLow = w.keyLow;
    this.#keyHigh = w.keyHigh;
    this.#open = w.open;
  }

  write(offset: number, bytes: Uint8Array): void {
    const data = this.#data;
    if (data === undefined) throw rmaError('ERR_CASTELLAN_RMA_CLOSED', 'connection is closed');
    if (!Number.isSafeInteger(offset) || offset < 0) throw rmaError('ERR_CASTELLAN_ARG', 'offset must be a non-negative integer');
    if (!ArrayBuffer.isView(bytes)) throw rmaError('ERR_CASTELLAN_ARG', 'write(offset: number, bytes: Uint8Array)');
    const len = bytes.byteLength;
    if (offset > this.size || len > this.size - offset)
      throw rmaError('ERR_CASTELLAN_RMA_BOUNDS', `write of ${len} bytes at offset ${offset} exceeds the region's ${this.size} bytes`);
    const h = this.#header;
    if (Atomics.load(h, this.#state) !== this.#open) throw rmaError('ERR_CASTELLAN_RMA_PEER_CLOSED', "the region's owner closed it");
    Atomics.add(h, this.#busy, 1);
    if (Atomics.load(h, this.#keyLowAt) !== this.#keyLow || Atomics.load(h, this.#keyHighAt) !== this.#keyHigh) {
      Atomics.sub(h, this.#busy, 1);
      throw rmaError('ERR_CASTELLAN_RMA_REVOKED', "write refused: the region's owner revoked this grant");
    }
    // Bytes of any view (as the native write takes): other element types are re-viewed as bytes.
    data.set(bytes.BYTES_PER_ELEMENT === 1 ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, len), offset);
    Atomics.add(h, this.#doorbell, 1); // commit: orders the bytes before it and the sleepers read after it
    Atomics.sub(h, this.#busy, 1);
    if (Atomics.load(h, this.#sleepers) !== 0) this.#native.wake();
  }

  read(offset: number, length: number): Uint8Array {
    return this.#native.read(offset, length);
  }

  peerAlive(): boolean {
    return this.#native.peerAlive();
  }

  close(): void {
    this.#data = undefined;
    this.#native.close();
  }
}
