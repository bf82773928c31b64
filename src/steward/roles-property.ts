// I16 (Steward §3.4.3, D14): the representative of local view lv is server lv mod (3f+1) of its
// site, and the leader site of global view gv is site gv mod S. Checked twice over: the roles
// each correct server derives from its views (its view records), and who acts in a role —
// only the leader site's rep sends Pre-Prepares, only the leader site's other servers Prepares.
// The formulas are written out here, not taken from topology.ts, so a wrong repOf or
// leaderSiteOf there is caught.
import type { Property, RunView } from '../sim/property.js';
import type { TraceRecord } from '../sim/trace.js';
import { OUT } from './outputs.js';
import { serverIdOf, siteOf, type StewardTopology } from './topology.js';

type Data = Record<string, number | string | boolean>;

export function rolesProperty(t: StewardTopology): Property {
  const n = 3 * t.f + 1;
  return {
    name: 'steward.I16',
    onRecord(r: TraceRecord, v: RunView) {
      if (r.kind !== 'output' || v.byzantine(r.node)) return null;
      const d = r.data as Data;
      const gv = d.gv as number;
      const lv = d.lv as number;
      if (r.name === OUT.view) {
        if (d.rep !== lv % n) return `I16: server ${r.node} in local view ${lv} takes server ${d.rep} for its rep, not ${lv % n}`;
        if (d.leaderSite !== gv % t.sites) return `I16: server ${r.node} in global view ${gv} takes site ${d.leaderSite} for the leader site, not ${gv % t.sites}`;
        return null;
      }
      if (r.name !== OUT.prePrepare && r.name !== OUT.prepare) return null;
      const site = siteOf(t, r.node);
      const id = serverIdOf(t, r.node);
      const what = r.name === OUT.prePrepare ? 'Pre-Prepare' : 'Prepare';
      if (site !== gv % t.sites) return `I16: server ${r.node} of site ${site} sent a ${what} for seq ${d.seq} in gv ${gv}, whose leader site is ${gv % t.sites}`;
      if ((r.name === OUT.prePrepare) !== (id === lv % n)) return `I16: server ${id} of site ${site} sent a ${what} for seq ${d.seq} in lv ${lv}, whose rep is server ${lv % n}`;
      return null;
    },
  };
}
