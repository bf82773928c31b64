// `castellan serve`: the replicated KV service on this machine behind the HTTP gateway, over a
// local Steward cluster (one process per server) or the unreplicated local baseline.
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { HttpGateway } from '../../service/http-gateway.js';
import { KvStateMachine } from '../../service/kv-state-machine.js';
import { LocalServiceClient } from '../../service/local-client.js';
import type { ServiceClient } from '../../service/state-machine.js';
import { startStewardService, type StewardService } from '../../steward/runtime/steward-service.js';

/**
 * Defaults sized for 2 cores: 3 sites is the smallest Steward that survives a whole site
 * failing (a majority of sites remains), 4 servers a site (f = 1) the smallest that tolerates a
 * Byzantine server in each; that is 12 server processes already, and every update costs each of
 * them threshold-RSA work, so larger sites only divide the same CPU further.
 */
export const SERVE_SITES_DEFAULT = 3;
export const SERVE_SERVERS_DEFAULT = 4;
/** Client identities behind the gateway: requests ordered at once (closed loop per identity, §3.2). */
export const SERVE_CLIENTS_DEFAULT = 16;
/** The paper's wide area (§3.5): 50 ms one way, 10 Mbps. */
export const SERVE_WAN_MS_DEFAULT = 50;
export const SERVE_WAN_MBPS_DEFAULT = 10;
export const SERVE_PORT_DEFAULT = 8080;

const usage = `usage: castellan serve [--protocol steward|local] [--sites S] [--servers N] [--clients C]
                      [--wan-ms MS] [--wan-mbps MBPS] [--port P] [--host H]

Starts the replicated key-value service behind its HTTP gateway and prints the URL; Ctrl-C
stops it. With --protocol steward (default), a Steward cluster of S sites × N servers runs on
this machine, one OS process per server, TCP on loopback, wide-area links shaped in the
runtime, real RSA-1024 and threshold RSA; the gateway hosts C clients of site 0.

  curl -X PUT localhost:P/kv/a -d 1      → {"version":V}
  curl localhost:P/kv/a                  → 1   (header x-castellan-version: V)
  curl -X PUT -H 'If-Match: V' ...       → compare-and-put, 412 on conflict
  curl localhost:P/metrics               → Prometheus metrics

  --protocol P   steward (default) or local (the unreplicated baseline, in this process)
  --sites S      Steward sites, default ${SERVE_SITES_DEFAULT}
  --servers N    servers per site, 3f+1 (4, 7, 10, …), default ${SERVE_SERVERS_DEFAULT}
  --clients C    client identities behind the gateway, default ${SERVE_CLIENTS_DEFAULT}
  --wan-ms MS    one-way wide-area delay between sites, default ${SERVE_WAN_MS_DEFAULT}
  --wan-mbps M   wide-area link rate, default ${SERVE_WAN_MBPS_DEFAULT}
  --port P       gateway port, default ${SERVE_PORT_DEFAULT} (0: any free port)
  --host H       gateway address, default 127.0.0.1
`;

function count(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be a number ≥ ${min}, got "${value}"`);
  return Number(value);
}

export const serveCommand = {
  name: 'serve',
  summary: 'run the replicated KV service (Steward or the local baseline) behind its HTTP gateway',
  usage,
  async run(argv: string[]): Promise<number> {
    const { values } = parseFlags(argv, {
      options: {
        protocol: { type: 'string' },
        sites: { type: 'string' },
        servers: { type: 'string' },
        clients: { type: 'string' },
        'wan-ms': { type: 'string' },
        'wan-mbps': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
      },
    });
    const protocol = values.protocol ?? 'steward';
    if (protocol !== 'steward' && protocol !== 'local') throw new UsageError(`--protocol must be steward or local, got "${protocol}"`);
    const servers = count(values.servers, 'servers', SERVE_SERVERS_DEFAULT, 4);
    if ((servers - 1) % 3 !== 0) throw new UsageError(`--servers must be 3f+1 (4, 7, 10, …), got ${servers}`);
    const port = count(values.port, 'port', SERVE_PORT_DEFAULT, 0);
    let service: StewardService | null = null;
    let client: ServiceClient;
    if (protocol === 'steward') {
      const sites = count(values.sites, 'sites', SERVE_SITES_DEFAULT);
      const clients = count(values.clients, 'clients', SERVE_CLIENTS_DEFAULT);
      const wan = { delayMs: count(values['wan-ms'], 'wan-ms', SERVE_WAN_MS_DEFAULT, 0), bandwidthBps: count(values['wan-mbps'], 'wan-mbps', SERVE_WAN_MBPS_DEFAULT) * 1e6 };
      process.stderr.write(`starting Steward: ${sites} sites × ${servers} server processes, ${clients} gateway clients, WAN ${wan.delayMs} ms / ${wan.bandwidthBps / 1e6} Mbps…\n`);
      service = await startStewardService({ sites, f: (servers - 1) / 3, clients, wan });
      client = service.client;
    } else client = new LocalServiceClient(new KvStateMachine());
    const gateway = new HttpGateway(client, { port, host: values.host });
    const address = await gateway.listen();
    process.stdout.write(`castellan ${protocol} KV service at http://${address.address}:${address.port}/kv/\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    process.stderr.write('stopping…\n');
    await gateway.close();
    await (service ? service.stop() : client.close());
    return 0;
  },
} satisfies Command;
