// Shared site-to-site links for the simulator. The simulator's network has one link per node
// pair, but a site's wide-area link is shared by all its servers (the paper's Spines overlay
// shaped one link per site pair, §3.5). Here every cross-site message goes node → own site's
// router → destination site's router → node; only router-to-router links carry the WAN delay
// and bandwidth, so 16 BFT servers in 5 sites contend for 5×4 links as on the testbed. The
// cores are wrapped so they still see the original sender.
import type { Core, CoreEffect, NodeId } from '../sim/core.js';
import type { LinkConfig, LinkOverride, NetworkConfig } from '../sim/link.js';
import type { CoreFactory } from '../sim/setup.js';

export interface WanPlacement {
  /** Nodes before the routers (servers and clients). */
  nodes: number;
  sites: number;
  siteOf(node: NodeId): number;
}

export interface WanCounters {
  /** Bytes that crossed router-to-router links (wide-area bytes, excluding headers). */
  wanBytes: number;
  wanMessages: number;
}

const HEADER = 4;

function wrapBytes(a: number, payload: Uint8Array, b = -1): Uint8Array {
  const extra = b >= 0 ? 8 : 4;
  const out = new Uint8Array(extra + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, a);
  if (b >= 0) v.setUint32(4, b);
  out.set(payload, extra);
  return out;
}

export function routerNode(p: WanPlacement, site: number): NodeId {
  return p.nodes + site;
}

function wrapNode(p: WanPlacement, me: NodeId, core: Core): Core {
  const mySite = p.siteOf(me);
  const isRouter = (n: NodeId) => n >= p.nodes;
  return {
    handle(now, event) {
      let ev = event;
      if (event.kind === 'receive' && isRouter(event.from)) {
        if (event.bytes.length < HEADER) return [];
        ev = { kind: 'receive', from: new DataView(event.bytes.buffer, event.bytes.byteOffset).getUint32(0), bytes: event.bytes.subarray(HEADER) };
      }
      const fx = core.handle(now, ev);
      return fx.map((f): CoreEffect => (f.kind === 'send' && p.siteOf(f.to) !== mySite ? { kind: 'send', to: routerNode(p, mySite), bytes: wrapBytes(f.to, f.bytes) } : f));
    },
  };
}

function router(p: WanPlacement, site: number, counters: WanCounters): Core {
  return {
    handle(_now, event) {
      if (event.kind !== 'receive' || event.bytes.length < HEADER) return [];
      const v = new DataView(event.bytes.buffer, event.bytes.byteOffset);
      if (event.from < p.nodes) {
        const dst = v.getUint32(0);
        if (dst >= p.nodes) return [];
        counters.wanBytes += event.bytes.length - HEADER;
        counters.wanMessages++;
        return [{ kind: 'send', to: routerNode(p, p.siteOf(dst)), bytes: wrapBytes(event.from, event.bytes.subarray(HEADER), dst) }];
      }
      if (event.bytes.length < 2 * HEADER) return [];
      const src = v.getUint32(0);
      const dst = v.getUint32(4);
      if (dst >= p.nodes || p.siteOf(dst) !== site) return [];
      return [{ kind: 'send', to: dst, bytes: wrapBytes(src, event.bytes.subarray(2 * HEADER)) }];
    },
  };
}

/** The node factories with routers appended, and the network: LAN inside sites, `wan` between routers. */
export function withWanRouters(p: WanPlacement, nodes: CoreFactory[], lan: Partial<LinkConfig>, wan: Partial<LinkConfig>): { nodes: CoreFactory[]; network: NetworkConfig; counters: WanCounters } {
  const counters: WanCounters = { wanBytes: 0, wanMessages: 0 };
  const wrapped: CoreFactory[] = nodes.map((f, i) => (node, inc) => wrapNode(p, i, f(node, inc)));
  for (let s = 0; s < p.sites; s++) wrapped.push(() => router(p, s, counters));
  const links: LinkOverride[] = [];
  for (let a = 0; a < p.sites; a++) for (let b = 0; b < p.sites; b++) if (a !== b) links.push({ ...wan, from: routerNode(p, a), to: routerNode(p, b) });
  return { nodes: wrapped, network: { defaults: lan, links }, counters };
}
