// Main-job part: RMP. In the simulator, a seed sweep of the randomized scenario (crashes,
// partitions, joins, leaves, loss) with every spec §12 property checked. Then the real
// runtime: three members and a non-member client as separate processes on a namespace LAN
// with 10% loss when this host allows it (root), else on loopback multicast; totally ordered
// traffic, one member killed with SIGKILL, and the merged logs checked by the same §12
// checkers. About 15 s.
import { netnsSupport, withLan, type Lan } from '../../net/netns.js';
import type { Scenario } from '../../sim/scenario.js';
import { RETRANS_BUFFER_MAX_BYTES } from '../../rmp/config.js';
import { checkRmpLogs } from '../../rmp/properties.js';
import { sweepScenario } from '../../rmp/sim-scenarios.js';
import { mergedOutputs, stopAll, waitFor } from '../../rmp/runtime/process-group.js';
import { deliveredBefore, killAndAwaitReformation, messageCount, orderKeys, startGroup, totalOrder } from '../../rmp/runtime/group-run.js';
import type { MainJobPart } from './part.js';
import { sweepScenarios } from './scenario-sweep.js';

/** Seeds of the simulator sweep run here (the test suite runs 600 of this scenario). */
const SWEEP_SEEDS = 60;
const MEMBERS = 3;
const PACKETS = 60;
const REQUESTS = 10;
const RATE_PER_S = 40;
const LOSS_PERCENT = 10;
/** Generous: the machine is shared; failure detection itself takes ~2 s (LAN_TIMERS). */
const WAIT_MS = 40_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
}

interface RealRun {
  where: string;
  messages: number;
  sameOrder: boolean;
  p50Ms: number;
  retransmissions: number;
  reformationMs: number;
  survivorsAgree: boolean;
  verdict: string | null;
}

async function realRun(lan: Lan | null): Promise<RealRun> {
  const { members, all } = await startGroup({ name: `castellan-up-${process.pid}`, members: MEMBERS, clients: 1, lan: lan ?? undefined, timeoutMs: WAIT_MS });
  const client = all[MEMBERS]!;
  try {
    for (const m of members) m.send({ cmd: 'traffic', qos: 'totallyOrdered', size: 500, count: PACKETS, rate: RATE_PER_S });
    client.send({ cmd: 'traffic', qos: 'totallyOrdered', size: 64, count: REQUESTS, rate: 10 });
    const expected = MEMBERS * PACKETS + REQUESTS;
    await waitFor(() => members.every((m) => messageCount(totalOrder(m)) >= expected), WAIT_MS, `${expected} messages everywhere`);
    const orders = members.map((m) => orderKeys(m).join());
    const reports = await Promise.all(members.map((m) => m.report()));
    const latency = reports.flatMap((r) => (r.perQos as Record<string, { latencyUs: number[] }>).totallyOrdered?.latencyUs ?? []);
    const retransmissions = reports.reduce((n, r) => n + (r.core as { retransmissions: number }).retransmissions, 0);
    const victim = members[MEMBERS - 1]!;
    const { ms, view } = await killAndAwaitReformation(victim, members, WAIT_MS);
    const before = members.filter((m) => m !== victim).map((m) => deliveredBefore(m, view.key).join());
    await new Promise((r) => setTimeout(r, 800)); // idle rotations in the new view: buffers drain
    const verdict = checkRmpLogs(mergedOutputs(all), { faulty: (n) => n === victim.spec.node, retransBufferMaxBytes: RETRANS_BUFFER_MAX_BYTES, expectReplies: true, quiescent: true, converge: true });
    return {
      where: lan ? `namespace LAN, ${LOSS_PERCENT}% loss` : 'loopback multicast (no root: no namespaces)',
      messages: expected,
      sameOrder: orders.every((o) => o === orders[0]),
      p50Ms: median(latency) / 1000,
      retransmissions,
      reformationMs: ms,
      survivorsAgree: before.every((b) => b === before[0]),
      verdict: verdict === null ? null : `${verdict.property}: ${verdict.message}`,
    };
  } finally {
    await stopAll(all);
  }
}

export const rmpPart: MainJobPart = {
  name: 'rmp',
  description: 'RMP: simulator sweep with faults, then 3 member processes + a client on a real multicast LAN (netns, 10% loss) or loopback; SIGKILL → reformation; spec §12 checked',
  async run(progress) {
    const sweep = sweepScenarios([sweepScenario as unknown as Scenario], { [sweepScenario.name]: SWEEP_SEEDS });
    progress(`simulator: ${SWEEP_SEEDS} seeds of rmp-sweep, ${sweep.events} events in ${sweep.wallMs} ms, ${sweep.violation ?? 'every §12 property held'}`);
    const support = netnsSupport();
    const real = support.ok ? await withLan({ hosts: MEMBERS + 1, lossPercent: LOSS_PERCENT }, (lan) => realRun(lan)) : await realRun(null);
    progress(`real processes (${real.where}): ${real.messages} messages, p50 ${real.p50Ms.toFixed(2)} ms, ${real.retransmissions} retransmissions; reformation ${real.reformationMs} ms after SIGKILL; ${real.verdict ?? 'every §12 property held'}`);
    return {
      measured: {
        'simulator sweep': `${SWEEP_SEEDS} seeds (3–7 members, joins, leaves, crash/restart/pause/partition, loss), ${sweep.events} events, ${sweep.wallMs} ms`,
        'real runtime': `${MEMBERS} members + 1 client as processes on ${real.where}`,
        'totally ordered latency p50': `${real.p50Ms.toFixed(2)} ms (one-way, ${RATE_PER_S} msg/s per member)`,
        'retransmissions (NACK answers)': String(real.retransmissions),
        'reformation after SIGKILL': `${real.reformationMs} ms (detection: an unconfirmed token pass after 40 × 20 ms, or 2 s of token silence; LAN_TIMERS)`,
      },
      checked: {
        'simulator: every spec §12 property on every seed': sweep.violation === null,
        'real: every member delivered every totally ordered message in one order': real.sameOrder,
        'real: survivors delivered the same packets before the view change (virtual synchrony)': real.survivorsAgree,
        'real: merged logs pass the spec §12 checkers': real.verdict === null,
      },
      detail: { sweep: { seeds: SWEEP_SEEDS, events: sweep.events, violation: sweep.violation }, real: { ...real } },
    };
  },
};
