// A RamCast client as a sans-IO Core: Task 1 runs in the native client core (slot encoding,
// one ring position per destination group, credit-based flow control); this adapter turns
// requests into multicasts and host suspicion into "stop waiting for that server's credit".
import type { Core, CoreEffect, CoreEvent, NodeId, TimeUs } from '../sim/core.js';
import { isClient, validateTopology, type RamcastTopology } from './config.js';
import { ramcastNative, type NativeClient } from './native.js';
import { decodeMulticastRequest } from './request.js';
import { DecodeError } from '../wire/decode-error.js';
import { toCoreEffects } from './trace.js';

export class RamcastClientNode implements Core {
  private readonly native: NativeClient;
  /** Requests that failed to decode or were refused: counted, reported as outputs. */
  rejected = 0;

  constructor(topology: RamcastTopology, private readonly self: NodeId) {
    validateTopology(topology);
    if (!isClient(topology, self)) throw new Error(`node ${self} is not a RamCast client`);
    this.native = new (ramcastNative().RamcastClient)(topology, self);
  }

  handle(_nowUs: TimeUs, event: CoreEvent): CoreEffect[] {
    const fx: CoreEffect[] = [];
    switch (event.kind) {
      case 'request':
        try {
          const req = decodeMulticastRequest(event.bytes);
          this.native.multicast(req.dst, req.payload);
        } catch (e) {
          const code = (e as { code?: string }).code;
          if (!(e instanceof DecodeError) && !code?.startsWith('ERR_CASTELLAN_RAMCAST')) throw e;
          this.rejected++;
          fx.push({ kind: 'output', name: 'ramcast.rejected', data: { node: this.self, reason: (e as Error).message } });
        }
        break;
      case 'memory':
        if (event.region === 'credit') this.native.landed(event.from, 'credit', event.offset, event.bytes);
        break;
      case 'suspect':
        this.native.suspectServer(event.node, event.suspected);
        break;
      default:
        break;
    }
    fx.push(...toCoreEffects(this.native.takeEffects()));
    return fx;
  }

  /** Multicasts waiting for ring credit. */
  queued(): number {
    return this.native.queued();
  }
}
