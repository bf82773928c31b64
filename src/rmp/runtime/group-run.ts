// A scripted RMP group of real processes, shared by the namespace and loopback tests, the
// benchmark and the main job: start members and clients (each in its own namespace when a
// LAN is given), wait until every member is in one view, read deliveries and views back, kill
// a member and wait for the survivors' reformation.
import type { Lan } from '../../net/netns.js';
import { OUT, type DeliverRecord, type ViewRecord } from '../outputs.js';
import { inTotalOrder } from '../qos.js';
import { startProcess, waitFor, type RmpProcess } from './process-group.js';

export interface GroupSpec {
  name: string;
  members: number;
  clients: number;
  /** The last this many clients have no multicast and send through every member in turn, member 1 first (D21). */
  forwardedClients?: number;
  /** One host per process (members first); loopback multicast on this host when absent. */
  lan?: Lan;
  extraArgs?: string[];
  /** How long startup and convergence may take. */
  timeoutMs: number;
}

export interface Group {
  members: RmpProcess[];
  clients: RmpProcess[];
  all: RmpProcess[];
}

/**
 * Starts the group (every member a founder) and resolves once all members share one view of
 * all of them. A founder that starts late may be reformed out first and rejoin as new.
 */
export async function startGroup(spec: GroupSpec): Promise<Group> {
  const founders = Array.from({ length: spec.members }, (_, i) => i).join(',');
  const args = (i: number) => ['--group', spec.name, '--founders', founders, ...(spec.lan ? ['--iface', spec.lan.hosts[i]!.address] : ['--iface', '127.0.0.1', '--loopback']), ...(spec.extraArgs ?? [])];
  const start = (i: number, role: 'member' | 'client', extra: string[] = []) => startProcess({ node: i, role, args: [...args(i), ...extra], host: spec.lan?.hosts[i] }, spec.lan);
  const members = Array.from({ length: spec.members }, (_, i) => start(i, 'member'));
  const forwarded = spec.forwardedClients ?? 0;
  const clients = Array.from({ length: spec.clients - forwarded }, (_, i) => start(spec.members + i, 'client'));
  if (forwarded > 0) {
    // A forwarded client needs its forwarders' unicast ports, which members learn when they start.
    await waitFor(() => members.every((p) => p.ready !== null), spec.timeoutMs, 'RMP members to start');
    const address = (i: number) => spec.lan?.hosts[i]!.address ?? '127.0.0.1';
    const order = members.map((_, i) => (i + 1) % members.length);
    const list = order.map((i) => `${i}@${address(i)}:${members[i]!.ready!.port as number}`).join(',');
    for (let i = spec.clients - forwarded; i < spec.clients; i++) clients.push(start(spec.members + i, 'client', ['--forwarders', list]));
  }
  const all = [...members, ...clients];
  await waitFor(() => all.every((p) => p.ready !== null), spec.timeoutMs, 'RMP processes to start');
  await waitFor(() => {
    const v = members.map(lastView);
    return v.every((x) => x !== undefined && x.key === v[0]!.key && x.list.length === spec.members);
  }, spec.timeoutMs, `${spec.members} members in one view`);
  return { members, clients, all };
}

export function lastView(p: RmpProcess): ViewRecord | undefined {
  return p.named(OUT.view).slice(-1)[0] as unknown as ViewRecord | undefined;
}

/** Deliveries in the total order (totally ordered and stronger). */
export function totalOrder(p: RmpProcess): DeliverRecord[] {
  return (p.named(OUT.deliver) as unknown as DeliverRecord[]).filter((d) => inTotalOrder(d.qos));
}

/** Application messages in these deliveries (a packet may carry several: Figure 1's coalescing). */
export function messageCount(ds: readonly DeliverRecord[]): number {
  return ds.reduce((n, d) => n + d.messages, 0);
}

/** A process's total order as comparable keys. */
export function orderKeys(p: RmpProcess): string[] {
  return totalOrder(p).map((d) => `${d.id}@${d.ts}`);
}

/** What a process delivered in the total order before it installed `viewKey` (virtual synchrony's set). */
export function deliveredBefore(p: RmpProcess, viewKey: string): string[] {
  const at = p.outputs.findIndex((o) => o.name === OUT.view && (o.data as unknown as ViewRecord).key === viewKey);
  return p.outputs
    .slice(0, at < 0 ? p.outputs.length : at)
    .filter((o) => o.name === OUT.deliver && inTotalOrder((o.data as unknown as DeliverRecord).qos))
    .map((o) => `${(o.data as unknown as DeliverRecord).id}@${(o.data as unknown as DeliverRecord).ts}`);
}

/** SIGKILL one member; resolves when every other member installed a reformed view without it. */
export async function killAndAwaitReformation(victim: RmpProcess, members: readonly RmpProcess[], timeoutMs: number): Promise<{ ms: number; view: ViewRecord }> {
  const victimPid = victim.ready!.pid as number;
  const survivors = members.filter((m) => m !== victim);
  const killedAt = Date.now();
  victim.kill('SIGKILL');
  await waitFor(() => survivors.every((m) => lastView(m)?.cause === 'reformation' && !lastView(m)!.list.includes(victimPid)), timeoutMs, 'a reformation without the killed member');
  return { ms: Date.now() - killedAt, view: lastView(survivors[0]!)! };
}
