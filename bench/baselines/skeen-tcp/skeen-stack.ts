// The Skeen baseline as a cluster process's stack: the same process runner, launcher, TCP mesh
// (framing, per-tick write coalescing), Core host, workload loop and delivery logs as RamCast
// (src/ramcast/runtime), so the two differ only in the protocol and in how bytes move.
import type { Json } from '../../../src/sim/core.js';
import { isClient } from '../../../src/ramcast/config.js';
import { encodeMulticastRequest } from '../../../src/ramcast/request.js';
import { CoreHost } from '../../../src/ramcast/runtime/core-host.js';
import type { LoggedDelivery } from '../../../src/ramcast/runtime/delivery-log.js';
import { CHANNEL_CORE } from '../../../src/ramcast/runtime/mesh-wire.js';
import type { HostedNode, Stack } from '../../../src/ramcast/runtime/process-runner.js';
import { OUT_DELIVER, OUT_MULTICAST } from '../../../src/ramcast/trace.js';
import { OUT_COMPLETED, SkeenClient } from './skeen-client.js';
import { SkeenServer } from './skeen-server.js';

const EMPTY = new Uint8Array(0);

export function skeenStack(): Stack {
  return {
    nodes(spec, mesh, log) {
      return spec.nodes.map((node): HostedNode => {
        const client = isClient(spec.topology, node);
        const core = client ? new SkeenClient(spec.topology, node, spec.awaitMode) : new SkeenServer(spec.topology, node);
        const l = log(node);
        const waiting = new Map<number, () => void>();
        let resolveNext: (() => void) | undefined;
        let delivered = 0;
        let issued = 0;
        let completed = 0;
        // Deliveries logged once per event-loop turn, like RamCast's per-batch logging.
        let batch: LoggedDelivery[] = [];
        const host = new CoreHost(core, mesh(node), {
          output(name, data) {
            const d = data as { id?: string; dst?: number[]; ts?: number; seq?: number };
            if (name === OUT_MULTICAST) {
              const seq = Number(d.id!.split(':')[1]);
              l?.multicast(seq, d.dst!);
              if (resolveNext) waiting.set(seq, resolveNext);
              resolveNext = undefined;
            } else if (name === OUT_COMPLETED) {
              completed++;
              waiting.get(d.seq!)?.();
              waiting.delete(d.seq!);
            } else if (name === OUT_DELIVER) {
              delivered++;
              if (!l) return;
              const [c, s] = d.id!.split(':').map(Number);
              if (batch.length === 0) process.nextTick(() => {
                l.delivered(batch);
                batch = [];
              });
              batch.push({ client: c!, seq: s!, ts: d.ts!, dst: d.dst! });
            }
          },
        });
        return {
          self: node,
          start: () => host.feed({ kind: 'start', restarted: false }),
          stop: () => host.stop(),
          helloExtra: () => EMPTY,
          hello: () => {},
          frame: (peer, channel, body) => {
            if (channel === CHANNEL_CORE) host.feed({ kind: 'receive', from: peer, bytes: body });
          },
          suspect: (peer, suspected) => host.feed({ kind: 'suspect', node: peer, suspected }),
          status: () => ({ node, role: client ? 'client' : 'server', delivered, issued, completed, stats: { badFrames: core.badFrames } as Json }),
          multicast: client
            ? (dst: number[], payload: Uint8Array) =>
                new Promise<void>((resolve) => {
                  issued++;
                  resolveNext = resolve;
                  host.feed({ kind: 'request', bytes: encodeMulticastRequest(dst, payload) });
                })
            : undefined,
        };
      });
    },
  };
}


