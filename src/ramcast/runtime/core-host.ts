// Runs a sans-IO Core (src/sim/core.ts) in real time on the TCP mesh: the same control-plane
// code the simulator runs (DESIGN principle 1). Time is the monotonic clock; timers are
// setTimeout; `send` goes to the mesh; `output` and `permit` go to the host's hooks. A core
// driven this way never emits `write`: one-sided writes belong to the native driver.
import { performance } from 'node:perf_hooks';
import type { Core, CoreEffect, CoreEvent, Json, NodeId } from '../../sim/core.js';
import { CHANNEL_CORE } from './mesh-wire.js';
import type { TcpMesh } from './tcp-mesh.js';

export interface CoreHostHooks {
  output?(name: string, data: Json): void;
  /** Memory-permission fencing (spec §6): grant or revoke `peer`'s write right on `region`. */
  permit?(region: string, peer: NodeId, allowed: boolean): void;
}

export class CoreHost {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly core: Core, private readonly mesh: TcpMesh, private readonly hooks: CoreHostHooks = {}) {}

  feed(event: CoreEvent): void {
    if (this.stopped) return;
    this.apply(this.core.handle(performance.now() * 1000, event));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private apply(effects: CoreEffect[]): void {
    for (const fx of effects) {
      switch (fx.kind) {
        case 'send':
          this.mesh.send(fx.to, CHANNEL_CORE, fx.bytes);
          break;
        case 'set-timer': {
          clearTimeout(this.timers.get(fx.timer));
          const name = fx.timer;
          this.timers.set(
            name,
            setTimeout(() => {
              this.timers.delete(name);
              this.feed({ kind: 'timer', timer: name });
            }, Math.max(0, fx.afterUs / 1000)),
          );
          break;
        }
        case 'cancel-timer':
          clearTimeout(this.timers.get(fx.timer));
          this.timers.delete(fx.timer);
          break;
        case 'output':
          this.hooks.output?.(fx.name, fx.data);
          break;
        case 'permit':
          this.hooks.permit?.(fx.region, fx.peer, fx.allowed);
          break;
        case 'write':
          throw new Error('a core hosted on the mesh issued a one-sided write; those belong to the native driver');
        case 'crypto':
          throw new Error('this host runs no crypto jobs');
      }
    }
  }
}
