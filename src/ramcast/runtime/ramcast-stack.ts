// RamCast as a cluster process's stack (process-runner.ts): one native driver thread for every
// node placed in the process, a server or client runtime per node on its TCP mesh endpoint,
// delivery logs appended per batch, per-hop traces kept for the bench.
import type { NodeId } from '../../sim/core.js';
import { isClient } from '../config.js';
import { RamcastClientRuntime } from './client-runtime.js';
import { createDriver, type NativeDriver } from './native-driver.js';
import type { HostedNode, Stack } from './process-runner.js';
import { RamcastServerRuntime } from './server-runtime.js';

/** How much of a server's undelivered-message listing a status carries (diagnostics). */
const PENDING_REPORT_CHARS = 4000;

/** The part of a hosted node every runtime object provides as is. */
function meshSide(rt: RamcastServerRuntime | RamcastClientRuntime): Omit<HostedNode, 'status'> {
  return {
    self: rt.self,
    start: () => rt.start(),
    stop: () => rt.stop(),
    helloExtra: (peer) => rt.helloExtra(peer),
    hello: (peer, extra) => rt.hello(peer, extra),
    frame: (peer, channel, body) => rt.frame(peer, channel, body),
    suspect: (peer, suspected, crashed) => rt.suspect(peer, suspected, crashed),
  };
}

export function ramcastStack(): Stack {
  let driver: NativeDriver | undefined;
  const byNode = new Map<NodeId, RamcastServerRuntime | RamcastClientRuntime>();
  return {
    nodes(spec, mesh, log) {
      driver = createDriver({ spinUs: spec.spinUs });
      const d = driver;
      const options = { backend: spec.backend, trace: spec.trace };
      return spec.nodes.map((node): HostedNode => {
        const l = log(node);
        if (isClient(spec.topology, node)) {
          const rt = new RamcastClientRuntime(d, spec.topology, node, options, l && { issuing: (seq, dst) => l.multicast(seq, dst), withdrawn: (seq) => l.withdrawn(seq) });
          byNode.set(node, rt);
          let issued = 0;
          let completed = 0;
          return {
            ...meshSide(rt),
            multicast: (dst: number[], payload: Uint8Array) => {
              issued++;
              return rt.multicast(dst, payload, { await: spec.awaitMode }).then((r) => {
                completed++;
                return r;
              });
            },
            status: () => ({ node, role: 'client', issued, completed, outstanding: rt.outstanding, stats: { ...rt.endpoint.stats() } }),
          };
        }
        const rt = new RamcastServerRuntime(d, spec.topology, node, () => mesh(node), options);
        byNode.set(node, rt);
        if (l) rt.on('deliver', (batch) => l.delivered(batch));
        const rows: number[] = [];
        rt.on('trace', (t) => {
          for (const v of t) rows.push(v);
        });
        return {
          ...meshSide(rt),
          status: () => ({
            node,
            role: 'server',
            delivered: rt.delivered,
            stats: { ...rt.endpoint.stats(), ...rt.control.info(), driver: { ...d.stats() }, pending: rt.control.describePending().slice(0, PENDING_REPORT_CHARS) },
          }),
          traces: () => rows,
        };
      });
    },
    start() {
      driver!.start((events) => {
        for (const e of events) byNode.get(e.node)?.handle(e);
      });
    },
    stop() {
      driver?.stop();
    },
  };
}
