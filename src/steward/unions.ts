// The union procedures of Steward Fig. 3.22 (spec §7.3), pure functions over verified
// constraining entries (Def. 3.6.7: a PC, a Proposal or a GOU for one seq). They decide
// which binding a new view must respect; CONSTRUCT-LOCAL-CONSTRAINT, CONSTRUCT-ARU and
// CONSTRUCT-GLOBAL-CONSTRAINT feed them the entries of 2f+1 servers or a majority of sites.
export type EntryKind = 'pc' | 'proposal' | 'gou';

export interface ConstrainingEntry {
  kind: EntryKind;
  seq: number;
  /** The view the binding was made in (a GOU: its Proposal's view). */
  gv: number;
  lv: number;
  /** The client's signed Update envelope. */
  update: Uint8Array;
  digest: Uint8Array;
  /** Wire parts: a PC's Pre-Prepare + Prepares, a Proposal's envelope, a GOU's bytes. */
  parts: Uint8Array[];
}

const newer = (a: ConstrainingEntry, b: ConstrainingEntry) => a.gv > b.gv || (a.gv === b.gv && a.lv > b.lv);

function bySeq(entries: ConstrainingEntry[]): Map<number, ConstrainingEntry[]> {
  const m = new Map<number, ConstrainingEntry[]>();
  for (const e of entries) {
    let l = m.get(e.seq);
    if (!l) m.set(e.seq, (l = []));
    l.push(e);
  }
  return m;
}

function best(list: ConstrainingEntry[], kind: EntryKind): ConstrainingEntry | undefined {
  let out: ConstrainingEntry | undefined;
  for (const e of list) if (e.kind === kind && (!out || newer(e, out))) out = e;
  return out;
}

const sorted = (m: Map<number, ConstrainingEntry>) => [...m.values()].sort((a, b) => a.seq - b.seq);

/** Compute-Local-Union: all entries are from the current gv; a Proposal beats a PC, newest lv wins. */
export function computeLocalUnion(entries: ConstrainingEntry[]): ConstrainingEntry[] {
  const out = new Map<number, ConstrainingEntry>();
  for (const [seq, list] of bySeq(entries)) {
    const e = best(list, 'proposal') ?? best(list, 'pc');
    if (e) out.set(seq, e);
  }
  return sorted(out);
}

/** Compute-Global-Union: a GOU wins; otherwise the newest gv's Proposal, else its PC. */
export function computeGlobalUnion(entries: ConstrainingEntry[], kinds: EntryKind[] = ['gou', 'proposal', 'pc']): ConstrainingEntry[] {
  const out = new Map<number, ConstrainingEntry>();
  for (const [seq, all] of bySeq(entries)) {
    const list = all.filter((e) => kinds.includes(e.kind));
    const gou = best(list, 'gou');
    if (gou) {
      out.set(seq, gou);
      continue;
    }
    const maxGv = Math.max(...list.map((e) => e.gv));
    const top = list.filter((e) => e.gv === maxGv);
    const e = best(top, 'proposal') ?? best(top, 'pc');
    if (e) out.set(seq, e);
  }
  return sorted(out);
}

/** Compute-Constraint-Union: as the global union over GOUs and Proposals only (PCs are converted by then). */
export const computeConstraintUnion = (entries: ConstrainingEntry[]): ConstrainingEntry[] => computeGlobalUnion(entries, ['gou', 'proposal']);

/** Extract-Aru (undefined in the text; spec §15.9): the invocation aru extended through consecutive GOUs. */
export function extractAru(invocationAru: number, union: ConstrainingEntry[]): number {
  const gous = new Set(union.filter((e) => e.kind === 'gou').map((e) => e.seq));
  let aru = invocationAru;
  while (gous.has(aru + 1)) aru++;
  return aru;
}
