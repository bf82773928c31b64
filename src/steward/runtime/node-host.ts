// Runs one sans-IO core (src/sim/core.ts) in a real process: time is the monotonic clock,
// timers are setTimeout (re-setting replaces), crypto goes to the CryptoHost, sends to the
// TCP mesh, outputs to a callback. The same core code runs in the simulator.
import type { Core, CoreEffect, CoreEvent, Json } from '../../sim/core.js';
import type { CryptoHost } from './crypto-host.js';

export class NodeHost {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly t0 = process.hrtime.bigint();
  private stopped = false;

  constructor(
    private readonly core: Core,
    private readonly send: (to: number, bytes: Uint8Array) => void,
    private readonly crypto: CryptoHost,
    private readonly onOutput: (name: string, data: Json) => void,
  ) {}

  nowUs(): number {
    return Number((process.hrtime.bigint() - this.t0) / 1000n);
  }

  handle(event: CoreEvent): void {
    if (this.stopped) return;
    this.apply(this.core.handle(this.nowUs(), event));
  }

  private apply(effects: CoreEffect[]): void {
    for (const fx of effects) {
      switch (fx.kind) {
        case 'send':
          this.send(fx.to, fx.bytes);
          break;
        case 'set-timer': {
          clearTimeout(this.timers.get(fx.timer));
          const name = fx.timer;
          this.timers.set(name, setTimeout(() => {
            this.timers.delete(name);
            this.handle({ kind: 'timer', timer: name });
          }, fx.afterUs / 1000));
          break;
        }
        case 'cancel-timer':
          clearTimeout(this.timers.get(fx.timer));
          this.timers.delete(fx.timer);
          break;
        case 'crypto': {
          const job = fx.job;
          void this.crypto.run(fx.op, fx.bytes).then((a) => this.handle({ kind: 'crypto', job, ok: a.ok, bytes: a.bytes }));
          break;
        }
        case 'output':
          this.onOutput(fx.name, fx.data);
          break;
        default:
          break; // one-sided writes and permissions are not Steward's
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
  }
}
