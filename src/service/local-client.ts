// The unreplicated baseline: the same state machine applied in-process, no ordering, no
// crypto, no network. Benchmarks put the replicated service beside it in the same run.
import type { ServiceClient, StateMachine } from './state-machine.js';

export class LocalServiceClient implements ServiceClient {
  constructor(private readonly machine: StateMachine) {}
  async update(update: Uint8Array): Promise<Uint8Array> {
    return this.machine.apply(update);
  }
  async query(query: Uint8Array): Promise<Uint8Array> {
    return this.machine.query(query);
  }
  async close(): Promise<void> {}
}
