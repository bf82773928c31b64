// One RMP process (member or non-member client) on this host, for multi-process tests, the
// benchmark and the main job. Control on stdin, one JSON object per line:
//   {"cmd":"traffic","qos":"totallyOrdered","k":0,"handler":0,"size":200,"count":100,"rate":50}
//   {"cmd":"saturate","qos":"totallyOrdered","size":1024,"seconds":5}   (keeps the send queue full)
//   {"cmd":"join"} {"cmd":"leave"} {"cmd":"lock","handler":7,"acquire":true}
//   {"cmd":"report"} {"cmd":"exit"}
// A client without multicast names its forwarding members (seed §5, D21):
//   --role client --forwarders 0@10.0.0.1:41234,1@10.0.0.2:40111   (node@address:port, in order)
// On stdout, one JSON object per line: {"ready":{…}} first, then every core output as
// {"t","node","name","data"} (or, with --log summary, only views, status and reformations),
// and {"report":{…}} on request: delivery meters per QoS, host and core counters.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import type { Json } from '../../sim/core.js';
import { RmpClient } from '../client.js';
import { LAN_TIMERS, RETRANS_BUFFER_MAX_BYTES, rmpConfig, SIM_TIMERS, type MinPartition } from '../config.js';
import { SeedWindowPolicy, WINDOW_MAX_BYTES } from '../flow-control.js';
import { groupAddress } from '../group-address.js';
import { RmpMember } from '../member.js';
import { OUT } from '../outputs.js';
import { makePid } from '../pid.js';
import { parseQos, qosName, QOS_NAMES, type QosLevel } from '../qos.js';
import { monotonicUs, RmpHost, type PeerAddress } from './rmp-host.js';
import { meterDelivery, newMeter, stampedMessage, type DeliveryMeter } from './traffic.js';

/** Traffic is paced in ticks of this many ms (sends catch up to rate × elapsed each tick). */
const TRAFFIC_TICK_MS = 5;
/** A saturating sender keeps this many messages queued behind flow control: never idle, bounded memory. */
const SATURATE_QUEUE_DEPTH = 256;
/** And refills it this often (a 100 Mbit/s link drains 12 KB per ms). */
const SATURATE_TICK_MS = 1;
/** Outputs printed with --log summary: what a supervisor needs to follow the group. */
const SUMMARY_OUTPUTS = new Set<string>([OUT.view, OUT.status, OUT.reformed, OUT.invariant]);

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'member' },
    node: { type: 'string' },
    epoch: { type: 'string', default: '0' },
    group: { type: 'string', default: 'castellan-rmp' },
    iface: { type: 'string', default: '127.0.0.1' },
    founders: { type: 'string', default: '' },
    loopback: { type: 'boolean', default: false },
    'min-partition': { type: 'string', default: 'majority' },
    timers: { type: 'string', default: 'lan' },
    'token-silence-ms': { type: 'string' },
    'window-max-kb': { type: 'string' },
    log: { type: 'string', default: 'all' },
    forwarders: { type: 'string', default: '' },
  },
});

const node = Number(values.node);
const epoch = Number(values.epoch);
const group = groupAddress(values.group!);
const founders = values.founders!.split(',').filter((s) => s !== '').map((n) => makePid(Number(n), 0, 0));
const minPartition: MinPartition = values['min-partition'] === 'majority' ? 'majority' : Number(values['min-partition']);
let timers = values.timers === 'sim' ? SIM_TIMERS : LAN_TIMERS;
if (values['token-silence-ms'] !== undefined) timers = { ...timers, tokenSilenceUs: Number(values['token-silence-ms']) * 1000 };
const windowMax = values['window-max-kb'] === undefined ? WINDOW_MAX_BYTES : Number(values['window-max-kb']) * 1024;
// A larger window needs a larger bound on unstable bytes: four windows, as for the default (config.ts).
const retransBufferMaxBytes = Math.max(RETRANS_BUFFER_MAX_BYTES, 4 * windowMax);
const config = rmpConfig(group.hash, founders.length > 0 ? founders : [makePid(node, epoch, 0)], { minPartition, timers, flow: () => new SeedWindowPolicy(windowMax), retransBufferMaxBytes });
const logAll = values.log === 'all';
const forwarders = parseForwarders(values.forwarders!);

/** `node@address:port,…`: a client's forwarding members in order of preference. */
function parseForwarders(list: string): Map<number, PeerAddress> {
  const out = new Map<number, PeerAddress>();
  for (const item of list.split(',').filter((x) => x !== '')) {
    const m = /^(\d+)@(.+):(\d+)$/.exec(item);
    if (m === null) throw new Error(`--forwarders expects node@address:port, got "${item}"`);
    out.set(Number(m[1]), { address: m[2]!, port: Number(m[3]) });
  }
  return out;
}

const meters = new Map<string, DeliveryMeter>(QOS_NAMES.map((q) => [q, newMeter()]));
const replyLatencyUs: number[] = [];
const print = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');

const onOutput = (name: string, data: Json, t: number) => {
  if (logAll || SUMMARY_OUTPUTS.has(name)) print({ t, node, name, data });
};

const member = values.role === 'member' ? new RmpMember(node, epoch, config, (record, messages) => meterDelivery(meters.get(qosName(record.qos))!, messages, monotonicUs())) : null;
const sentAt = new Map<number, number>();
const client = member === null ? new RmpClient(node, epoch, config, (seq) => {
  const at = sentAt.get(seq);
  if (at !== undefined) replyLatencyUs.push(monotonicUs() - at);
  sentAt.delete(seq);
}, [...forwarders.keys()]) : null;
const host = new RmpHost((member ?? client)!, { group, interfaceAddress: values.iface!, listen: member !== null, loopback: values.loopback!, peers: forwarders }, onOutput);
let clientSeq = 0;

function traffic(qos: QosLevel, k: number, handler: number, size: number, count: number, rate: number): void {
  let sent = 0;
  const started = Date.now();
  const tick = () => {
    const due = Math.min(count, Math.floor(((Date.now() - started) / 1000) * rate) + 1);
    while (sent < due) {
      if (client !== null) sentAt.set(++clientSeq, monotonicUs());
      host.command({ type: 'send', qos, k, handler, payload: stampedMessage(size, sent++) });
    }
    if (sent < count) setTimeout(tick, TRAFFIC_TICK_MS);
  };
  tick();
}

/** Offer more than the link carries for `seconds`: the window, not the application, paces the sender. */
function saturate(qos: QosLevel, size: number, seconds: number): void {
  if (member === null) return;
  const until = Date.now() + seconds * 1000;
  let index = 0;
  const tick = () => {
    while (member.queuedMessages < SATURATE_QUEUE_DEPTH) host.command({ type: 'send', qos, k: 0, handler: 0, payload: stampedMessage(size, index++) });
    if (Date.now() < until) setTimeout(tick, SATURATE_TICK_MS);
  };
  tick();
}

function report(): Json {
  const perQos: Record<string, Json> = {};
  for (const [q, m] of meters) if (m.messages > 0) perQos[q] = { ...m };
  return {
    node,
    pid: member?.pid ?? client!.pid,
    status: member?.status ?? 'client',
    view: member?.view?.key ?? null,
    window: member?.window ?? 0,
    tUs: monotonicUs(),
    perQos,
    replyLatencyUs,
    host: { ...host.stats, ...host.socketStats() },
    core: { ...(member?.stats ?? client!.stats) },
  } as unknown as Json;
}

host.start();
print({ ready: { node, pid: member?.pid ?? client!.pid, port: host.port, group: group.address, groupPort: group.port } });

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === '') return;
  const c = JSON.parse(line) as Record<string, unknown>;
  switch (c.cmd) {
    case 'traffic':
      traffic(parseQos(String(c.qos)), Number(c.k ?? 0), Number(c.handler ?? 0), Number(c.size ?? 200), Number(c.count ?? 1), Number(c.rate ?? 100));
      break;
    case 'saturate':
      saturate(parseQos(String(c.qos)), Number(c.size ?? 1024), Number(c.seconds ?? 5));
      break;
    case 'join':
    case 'leave':
      host.command({ type: c.cmd });
      break;
    case 'lock':
      host.command({ type: 'lock', handler: Number(c.handler), acquire: c.acquire !== false });
      break;
    case 'report':
      print({ report: report() });
      break;
    case 'exit':
      host.close();
      process.exit(0);
  }
}).on('close', () => {
  host.close();
  process.exit(0);
});
