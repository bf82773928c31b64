// Test hosts as network namespaces on one bridge: a real IP multicast LAN on one machine
// (DESIGN.md "Wide-area emulation"; RMP runs on it). Each host gets a veth into the bridge,
// an address in a private test subnet that exists only inside the namespaces, a multicast
// route, and optionally a tbf rate limit (egress) and iptables random loss (ingress).
// Names carry the creator's pid, so a later run removes what a crashed run left behind.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Every name starts with this; `cleanupStale` only touches names of dead creators. */
export const NETNS_PREFIX = 'cst';
/** Private test subnet 10.213.<lan>.0/24: never routed outside the namespaces. */
const SUBNET_BASE = '10.213';
const HOSTS_MAX = 200; // addresses .10 … .209 in the /24
/** tbf burst: ~one 1500-byte frame's worth plus slack, so the rate holds at small time scales. */
const TBF_BURST_BYTES = 32 * 1024;
/** tbf queue bound, in time: deeper queues only add latency. */
const TBF_LATENCY_MS = 100;

export interface LanOptions {
  hosts: number;
  /** Egress rate limit per host, kbit/s (tbf); none when undefined. */
  rateKbit?: number;
  /** Ingress random loss per host, percent (iptables statistic); none when undefined. */
  lossPercent?: number;
}

export interface Host {
  name: string;
  address: string;
  iface: string;
}

export interface Lan {
  hosts: Host[];
  bridge: string;
  /** Runs a command inside a host's namespace. */
  spawn(host: Host, command: string, args: string[], options?: SpawnOptions): ChildProcess;
  exec(host: Host, command: string, args: string[]): string;
  destroy(): void;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function inNs(ns: string, command: string, args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, command, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Whether this process can build namespaces; `reason` says why not. */
export function netnsSupport(): { ok: boolean; reason: string } {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'needs root (network namespaces, bridges, tc, iptables)' };
  try {
    ip('netns', 'list');
    execFileSync('iptables', ['-V'], { stdio: 'ignore' });
    execFileSync('tc', ['-V'], { stdio: 'ignore' });
  } catch (e) {
    return { ok: false, reason: `ip/iptables/tc unavailable: ${(e as Error).message}` };
  }
  return { ok: true, reason: '' };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes namespaces and bridges left by runs whose process is gone; returns how many. */
export function cleanupStale(): number {
  let removed = 0;
  const nsNames = ip('netns', 'list').split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(`${NETNS_PREFIX}-`));
  const liveTags = new Set<string>();
  for (const ns of nsNames) {
    const [, pid, tag] = ns.split('-');
    if (pidAlive(Number(pid))) {
      liveTags.add(tag!);
      continue;
    }
    try {
      ip('netns', 'del', ns);
      removed++;
    } catch {
      // already gone
    }
  }
  const links = ip('-o', 'link', 'show', 'type', 'bridge').split('\n');
  for (const line of links) {
    const name = line.split(': ')[1]?.split('@')[0];
    if (!name?.startsWith(`${NETNS_PREFIX}b`)) continue;
    if (liveTags.has(name.slice(NETNS_PREFIX.length + 1))) continue;
    try {
      ip('link', 'del', name);
      removed++;
    } catch {
      // already gone
    }
  }
  return removed;
}

export function createLan(options: LanOptions): Lan {
  if (!Number.isInteger(options.hosts) || options.hosts < 1 || options.hosts > HOSTS_MAX)
    throw new RangeError(`hosts must be 1..${HOSTS_MAX}`);
  if (options.lossPercent !== undefined && !(options.lossPercent >= 0 && options.lossPercent < 100))
    throw new RangeError('lossPercent must be in [0, 100)');
  if (options.rateKbit !== undefined && !(options.rateKbit > 0)) throw new RangeError('rateKbit must be positive');
  cleanupStale();
  const tag = randomBytes(3).toString('hex'); // bridge and veth names must fit IFNAMSIZ (15)
  const lanOctet = 1 + (randomBytes(1)[0]! % 250);
  const bridge = `${NETNS_PREFIX}b${tag}`;
  const hosts: Host[] = [];
  const destroy = () => {
    for (const h of hosts) {
      try {
        ip('netns', 'del', h.name);
      } catch {
        // never created or already gone
      }
    }
    try {
      ip('link', 'del', bridge);
    } catch {
      // never created
    }
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    // Flood multicast to every port: no IGMP querier runs on this LAN, so snooping would drop it.
    ip('link', 'set', bridge, 'type', 'bridge', 'mcast_snooping', '0');
    ip('link', 'set', bridge, 'up');
    for (let i = 0; i < options.hosts; i++) {
      const host: Host = { name: `${NETNS_PREFIX}-${process.pid}-${tag}-h${i}`, address: `${SUBNET_BASE}.${lanOctet}.${10 + i}`, iface: 'eth0' };
      hosts.push(host);
      const outside = `${NETNS_PREFIX}v${tag}${i}`;
      ip('netns', 'add', host.name);
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.name);
      ip('link', 'set', outside, 'master', bridge, 'up');
      inNs(host.name, 'ip', ['link', 'set', 'lo', 'up']);
      inNs(host.name, 'ip', ['addr', 'add', `${host.address}/24`, 'dev', 'eth0']);
      inNs(host.name, 'ip', ['link', 'set', 'eth0', 'up']);
      inNs(host.name, 'ip', ['route', 'add', '224.0.0.0/4', 'dev', 'eth0']);
      if (options.rateKbit !== undefined) {
        inNs(host.name, 'tc', ['qdisc', 'add', 'dev', 'eth0', 'root', 'tbf', 'rate', `${options.rateKbit}kbit`,
          'burst', String(TBF_BURST_BYTES), 'latency', `${TBF_LATENCY_MS}ms`]);
      }
      if (options.lossPercent !== undefined && options.lossPercent > 0) {
        inNs(host.name, 'iptables', ['-A', 'INPUT', '-i', 'eth0', '-m', 'statistic', '--mode', 'random',
          '--probability', String(options.lossPercent / 100), '-j', 'DROP']);
      }
    }
  } catch (e) {
    destroy();
    throw e;
  }
  return {
    hosts,
    bridge,
    spawn: (host, command, args, opts) => spawn('ip', ['netns', 'exec', host.name, command, ...args], opts ?? {}),
    exec: (host, command, args) => inNs(host.name, command, args),
    destroy,
  };
}

/** Runs `body` with a LAN that is torn down afterwards, also when `body` throws. */
export async function withLan<T>(options: LanOptions, body: (lan: Lan) => Promise<T>): Promise<T> {
  const lan = createLan(options);
  try {
    return await body(lan);
  } finally {
    lan.destroy();
  }
}
