// A RamCast client in the real runtime: `multicast(groups, payload)` writes the message
// straight into the rings of every destination process (Task 1, native, on the calling
// thread) and resolves when the servers' credit words show it delivered where the caller asked
// (ClientCore::Await; the driver thread notices, JS only settles the promise). Crashed servers
// stop counting (D4); the control plane is the failure detector alone.
import type { NodeId } from '../../sim/core.js';
import { DecodeError } from '../../wire/decode-error.js';
import type { RamcastTopology } from '../config.js';
import { linkWire } from './mesh-wire.js';
import type { AwaitMode, ClientEndpoint, DriverEvent, EndpointOptions, NativeDriver } from './native-driver.js';
import type { MeshHandlers } from './tcp-mesh.js';

const NO_HANDLE = new Uint8Array(0);

export interface MulticastOptions {
  /** Where the message must be delivered before the promise resolves (default 'quorum'). */
  await?: AwaitMode;
}

export interface MulticastReceipt {
  seq: number;
  /** CLOCK_MONOTONIC ns, taken natively: the call, and when the driver saw the completion. */
  issuedNs: number;
  doneNs: number;
}

/** Logs a multicast before its first byte leaves (so a crash cannot hide it from the checkers). */
export interface IssueLog {
  issuing(seq: number, dst: number[]): void;
  withdrawn(seq: number): void;
}

export class RamcastClientRuntime implements MeshHandlers {
  readonly endpoint: ClientEndpoint;
  private readonly waiting = new Map<number, (r: MulticastReceipt) => void>();
  badFrames = 0;

  constructor(driver: NativeDriver, topology: RamcastTopology, readonly self: NodeId, options: EndpointOptions = {}, private readonly log?: IssueLog) {
    this.endpoint = driver.addClient(topology, self, options);
  }

  multicast(groups: number[], payload: Uint8Array, options: MulticastOptions = {}): Promise<MulticastReceipt> {
    const mode = options.await ?? 'quorum';
    const seq = this.endpoint.nextSeq();
    this.log?.issuing(seq, groups);
    let issued: number;
    try {
      issued = this.endpoint.multicast(groups, payload, mode);
    } catch (e) {
      this.log?.withdrawn(seq);
      return Promise.reject(e);
    }
    if (mode === 'none') return Promise.resolve({ seq: issued, issuedNs: 0, doneNs: 0 });
    return new Promise((resolve) => this.waiting.set(issued, resolve));
  }

  /** Multicasts not yet completed. */
  get outstanding(): number {
    return this.waiting.size;
  }

  start(): void {}

  helloExtra(peer: NodeId): Uint8Array {
    return linkWire.encode({ type: 'offer', data: this.endpoint.grant(peer, 'data'), ts: NO_HANDLE });
  }

  hello(peer: NodeId, extra: Uint8Array): void {
    try {
      const offer = linkWire.decode(extra);
      if (offer.type === 'offer') this.endpoint.attach(peer, 'data', offer.data);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.badFrames++;
    }
  }

  frame(): void {
    this.badFrames++; // servers send a client nothing over the mesh
  }

  suspect(peer: NodeId, suspected: boolean, crashed: boolean): void {
    if (crashed) this.endpoint.detach(peer);
    this.endpoint.suspectServer(peer, suspected);
  }

  handle(event: DriverEvent): void {
    const c = event.completions;
    for (let i = 0; i < c.length; i += 3) {
      const resolve = this.waiting.get(c[i]!);
      if (!resolve) continue;
      this.waiting.delete(c[i]!);
      resolve({ seq: c[i]!, issuedNs: c[i + 1]!, doneNs: c[i + 2]! });
    }
  }

  stop(): void {}
}
