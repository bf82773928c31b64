// The agreement engine: Paxos (benign, 2f+1) or PBFT (Byzantine, 3f+1) among n members,
// deterministic and synchronous. It is the composable architecture's central trick (Lane 2008
// §4.3): the SAME code orders events inside every logical machine (members = servers, messages
// RSA-signed on the LAN) and runs the wide-area protocol among the LMs (members = sites,
// messages LM-signed and carried by BLink), unmodified. The engine never signs or verifies:
// the host authenticates every message (and every raw message embedded in it) before calling
// `receive`, and `open` re-reads embedded raw messages it has already checked.
//
// Normal case: the leader of view v (v mod n) proposes (seq, value); PBFT backups prepare,
// then everyone commits; a value is decided on 2f+1 matching commits once prepared (a propose
// plus 2f prepares from distinct backups). Paxos members answer `accepted` to all; a value is
// decided once a majority (the proposer included) accepted it. Decisions are delivered in
// seq order, gap-free.
//
// View change (the same shape at both levels, after Steward's CONSTRUCT-LOCAL-CONSTRAINT,
// Fig. 3.18): a member that suspects the leader moves to v+1 and sends viewChange(v+1,
// executed); PBFT members follow on f+1 such votes, Paxos members on one. The new leader, on a
// quorum of votes, takes base = the (f+1)-th highest executed seq among them (1st for Paxos):
// at least one correct member executed everything up to base, so those seqs are decided and
// are only caught up, never re-proposed. It asks for state above base; every member reports
// its best entry (prepared certificate or accepted value) for every seq above base; a quorum
// of reports goes out as newView, which every member re-checks and turns into the same
// union: for each seq, the value of the highest-view entry, a no-op where none exists. The
// leader re-proposes the union in the new view; members accept nothing else there.
// A member's own vote is never carried as a raw message: the signed report that holds an
// entry attests the reporter's own propose or prepare (decisions D5), so the wide-area
// program, which cannot sign synchronously, reports exactly like a server does.
import { hex, sha256 } from '../steward/crypto-port.js';
import type { AgreementEntry, AgreementMsg, Msg, WireMessage } from './messages.js';
import { FETCH_ENTRIES_MAX } from './messages.js';
import { quorum as quorumOf, witnesses as witnessesOf, type Protocol } from './topology.js';

export interface AgreementOptions {
  protocol: Protocol;
  /** Members are 0..n-1. */
  n: number;
  /** Faults tolerated: PBFT needs n ≥ 3f+1, Paxos n ≥ 2f+1. */
  f: number;
  me: number;
  /** Seqs a leader may have in flight above its executed prefix. */
  window: number;
  /** Re-reads an embedded raw message the host has already authenticated: its signer and body. */
  open(raw: Uint8Array): { from: number; msg: WireMessage } | null;
}

export type Destination = number | 'all';
export interface Outgoing {
  to: Destination;
  msg: AgreementMsg;
}

/** The agreed value that fills a seq nobody had an entry for after a view change. */
export const NOOP = new Uint8Array(0);

interface Slot {
  view: number;
  value: Uint8Array | null;
  digest: string | null;
  /** The leader's signed propose (a certificate part), null when it was our own. */
  proposeRaw: Uint8Array | null;
  /** PBFT prepares by member: digest and signed message (null: our own). */
  prepares: Map<number, { digest: string; raw: Uint8Array | null }>;
  /** PBFT commits / Paxos accepted, by member. */
  votes: Map<number, string>;
  prepared: boolean;
}

interface Constraint {
  base: number;
  top: number;
  digests: Map<number, string>;
}

const digestOf = (v: Uint8Array): string => hex(sha256(v));

/** Normal-case messages kept for a view not yet installed: a few windows' worth from every member. */
export const EARLY_MESSAGES_MAX = 4096;

export class Agreement {
  view = 0;
  status: 'normal' | 'changing' = 'normal';
  /** Every seq ≤ this is decided and delivered. */
  executed = 0;
  /** Highest seq anything was heard about (a lagging member's evidence that it must catch up). */
  maxKnown = 0;
  readonly out: Outgoing[] = [];
  /** Decisions, in seq order; the host drains it. */
  readonly decisions: Array<{ seq: number; value: Uint8Array }> = [];
  /** Views installed since the host last looked (it re-arms timers, re-sends pending work). */
  installs = 0;

  private readonly quorum: number;
  private readonly witnesses: number;
  private readonly slots = new Map<number, Slot>();
  /** Best entry per seq, across views: what this member reports in a view change. */
  private readonly entries = new Map<number, AgreementEntry>();
  private readonly decided = new Map<number, Uint8Array>();
  private nextSeq = 1;
  private constraint: Constraint = { base: 0, top: 0, digests: new Map() };
  /** viewChange votes: view → member → executed. */
  private readonly votes = new Map<number, Map<number, number>>();
  private collecting: { view: number; base: number; reports: Map<number, { raw: Uint8Array; entries: AgreementEntry[] }> } | null = null;
  /** What we sent as new leader, re-sent to members that missed it. */
  private lastNewView: Msg<'newView'> | null = null;
  private readonly fetchVotes = new Map<number, Map<string, { value: Uint8Array; from: Set<number> }>>();
  /** Normal-case messages for a view we have not installed yet, replayed once we do (PBFT keeps them too). */
  private readonly early: Array<{ from: number; msg: Msg<'propose' | 'prepare' | 'commit' | 'accepted'>; raw: Uint8Array }> = [];
  private readonly viewHints = new Map<number, number>();

  constructor(private readonly o: AgreementOptions) {
    this.quorum = quorumOf(o.protocol, o.n, o.f);
    this.witnesses = witnessesOf(o.protocol, o.f);
    if (o.protocol === 'bft' && o.n < 3 * o.f + 1) throw new RangeError(`PBFT needs n ≥ 3f+1, got n=${o.n} f=${o.f}`);
    if (o.protocol === 'paxos' && o.n < 2 * o.f + 1) throw new RangeError(`Paxos needs n ≥ 2f+1, got n=${o.n} f=${o.f}`);
  }

  leaderOf(view: number): number {
    return view % this.o.n;
  }

  get leader(): number {
    return this.leaderOf(this.view);
  }

  get isLeader(): boolean {
    return this.leader === this.o.me;
  }

  /** Seqs proposed by this leader and not yet delivered. */
  get inFlight(): number {
    return this.isLeader && this.status === 'normal' ? Math.max(0, this.nextSeq - 1 - this.executed) : 0;
  }

  /** Seqs up to here were decided before the current view (caught up, never re-proposed). */
  get base(): number {
    return this.constraint.base;
  }

  canPropose(): boolean {
    return this.isLeader && this.status === 'normal' && this.nextSeq <= this.executed + this.o.window;
  }

  /** Leader: order `value` at the next seq. Returns the seq, or null when it may not now. */
  propose(value: Uint8Array): number | null {
    if (!this.canPropose()) return null;
    const seq = this.nextSeq++;
    this.sendPropose(seq, value);
    return seq;
  }

  /** The leader is suspected (a timeout the host ordered or observed): move to the next view. */
  suspect(): void {
    this.moveTo(this.view + 1);
  }

  /** Ask everyone for decided values above our executed prefix. */
  catchUp(): void {
    this.out.push({ to: 'all', msg: { type: 'fetch', from: this.executed + 1 } });
  }

  /** True when something above the executed prefix is known but not delivered. */
  get behind(): boolean {
    return this.maxKnown > this.executed;
  }

  /** A message from member `from`, authenticated by the host; `raw` is its signed form. */
  receive(from: number, msg: AgreementMsg, raw: Uint8Array): void {
    if (from === this.o.me || from < 0 || from >= this.o.n) return;
    if ((msg.type === 'propose' || msg.type === 'prepare' || msg.type === 'commit' || msg.type === 'accepted') && (msg.view > this.view || (msg.view === this.view && this.status === 'changing'))) {
      this.maxKnown = Math.max(this.maxKnown, msg.seq);
      if (this.early.length >= EARLY_MESSAGES_MAX) this.early.shift();
      this.early.push({ from, msg, raw });
      return;
    }
    switch (msg.type) {
      case 'propose':
        return this.onPropose(from, msg, raw);
      case 'prepare':
        return this.onPrepare(from, msg, raw);
      case 'commit':
      case 'accepted':
        return this.onVote(from, msg);
      case 'viewChange':
        return this.onViewChange(from, msg);
      case 'requestState':
        return this.onRequestState(from, msg);
      case 'state':
        return this.onState(from, msg, raw);
      case 'newView':
        return this.onNewView(from, msg);
      case 'fetch':
        return this.onFetch(from, msg);
      case 'fetched':
        return this.onFetched(from, msg);
      case 'newViewRequest':
        if (this.lastNewView && this.lastNewView.view === msg.view && this.view === msg.view) this.out.push({ to: from, msg: this.lastNewView });
        return;
    }
  }

  // ---- normal case ----

  private slot(seq: number): Slot {
    let s = this.slots.get(seq);
    if (!s || s.view < this.view) this.slots.set(seq, (s = { view: this.view, value: null, digest: null, proposeRaw: null, prepares: new Map(), votes: new Map(), prepared: false }));
    return s;
  }

  /** May a value with this digest be agreed at seq in the current view? */
  private admissible(seq: number, digest: string): boolean {
    const c = this.constraint;
    if (seq <= c.base) return false; // decided before this view: caught up, never re-proposed
    if (seq <= c.top && c.digests.get(seq) !== digest) return false;
    const d = this.decided.get(seq);
    return !d || digestOf(d) === digest;
  }

  private sendPropose(seq: number, value: Uint8Array): void {
    const s = this.slot(seq);
    s.value = value;
    s.digest = digestOf(value);
    this.out.push({ to: 'all', msg: { type: 'propose', view: this.view, seq, value } });
    if (this.o.protocol === 'paxos') {
      s.votes.set(this.o.me, s.digest);
      this.remember(seq, value, []);
    }
    this.check(seq, s);
  }

  private onPropose(from: number, m: Msg<'propose'>, raw: Uint8Array): void {
    this.maxKnown = Math.max(this.maxKnown, m.seq);
    if (m.view !== this.view || this.status !== 'normal' || from !== this.leader) return;
    if (m.seq > this.executed + this.o.window) return;
    const digest = digestOf(m.value);
    if (!this.admissible(m.seq, digest)) return;
    const s = this.slot(m.seq);
    if (s.value) return; // one propose per (view, seq); a conflicting one is the leader's fault
    s.value = m.value;
    s.digest = digest;
    s.proposeRaw = raw;
    if (this.o.protocol === 'bft') {
      s.prepares.set(this.o.me, { digest, raw: null });
      this.out.push({ to: 'all', msg: { type: 'prepare', view: this.view, seq: m.seq, digest: sha256(m.value) } });
    } else {
      s.votes.set(from, digest);
      s.votes.set(this.o.me, digest);
      this.remember(m.seq, m.value, []);
      this.out.push({ to: 'all', msg: { type: 'accepted', view: this.view, seq: m.seq, digest: sha256(m.value) } });
    }
    this.check(m.seq, s);
  }

  private onPrepare(from: number, m: Msg<'prepare'>, raw: Uint8Array): void {
    this.maxKnown = Math.max(this.maxKnown, m.seq);
    if (this.o.protocol !== 'bft' || m.view !== this.view || this.status !== 'normal' || from === this.leader) return;
    if (m.seq <= this.constraint.base || m.seq > this.executed + this.o.window) return;
    const s = this.slot(m.seq);
    if (s.prepares.has(from)) return;
    s.prepares.set(from, { digest: hex(m.digest), raw });
    this.check(m.seq, s);
  }

  private onVote(from: number, m: Msg<'commit' | 'accepted'>): void {
    this.maxKnown = Math.max(this.maxKnown, m.seq);
    if ((m.type === 'commit') !== (this.o.protocol === 'bft')) return;
    if (m.view !== this.view || this.status !== 'normal') return;
    if (m.seq <= this.constraint.base || m.seq > this.executed + this.o.window) return;
    const s = this.slot(m.seq);
    if (!s.votes.has(from)) s.votes.set(from, hex(m.digest));
    this.check(m.seq, s);
  }

  private matching(map: Map<number, string>, digest: string, exclude = -1): number {
    let n = 0;
    for (const [member, d] of map) if (member !== exclude && d === digest) n++;
    return n;
  }

  /** Votes even for seqs already decided here: members that are behind may need them (a re-proposal). */
  private check(seq: number, s: Slot): void {
    if (!s.value || !s.digest) return;
    if (this.o.protocol === 'bft') {
      const leader = this.leader;
      const agreeing = s.prepared ? [] : [...s.prepares].filter(([m, p]) => m !== leader && p.digest === s.digest);
      if (!s.prepared && agreeing.length >= 2 * this.o.f) {
        s.prepared = true;
        // Certificate parts (D5): the propose unless it is ours, then others' prepares; our own is implied.
        const parts: Uint8Array[] = s.proposeRaw ? [s.proposeRaw] : [];
        const implied = this.o.me !== leader ? 1 : 0;
        for (const [m, p] of agreeing) if (m !== this.o.me && p.raw && parts.length - (s.proposeRaw ? 1 : 0) < 2 * this.o.f - implied) parts.push(p.raw);
        this.remember(seq, s.value, parts);
        s.votes.set(this.o.me, s.digest);
        this.out.push({ to: 'all', msg: { type: 'commit', view: s.view, seq, digest: sha256(s.value) } });
      }
      // 2f+1 matching commits: f+1 correct members prepared it, so it is decided (PBFT committed).
      if (this.matching(s.votes, s.digest) >= this.quorum) this.decide(seq, s.value);
    } else if (this.matching(s.votes, s.digest) >= this.quorum) {
      this.decide(seq, s.value);
    }
  }

  /** Keep the best (highest-view) entry per seq for view-change reports. */
  private remember(seq: number, value: Uint8Array, proofs: Uint8Array[]): void {
    const old = this.entries.get(seq);
    if (!old || old.view <= this.view) this.entries.set(seq, { seq, view: this.view, value, proofs });
  }

  private decide(seq: number, value: Uint8Array): void {
    if (this.decided.has(seq)) return;
    this.decided.set(seq, value);
    this.maxKnown = Math.max(this.maxKnown, seq);
    while (this.decided.has(this.executed + 1)) {
      this.executed++;
      this.slots.delete(this.executed - this.o.window); // nothing can come for it any more
      this.decisions.push({ seq: this.executed, value: this.decided.get(this.executed)! });
    }
  }

  // ---- view change ----

  private moveTo(view: number): void {
    if (view <= this.view) return;
    this.view = view;
    this.status = 'changing';
    this.collecting = null;
    this.vote(view, this.o.me, this.executed);
    this.out.push({ to: 'all', msg: { type: 'viewChange', view, executed: this.executed } });
    this.tryCollect();
  }

  private vote(view: number, member: number, executed: number): void {
    let v = this.votes.get(view);
    if (!v) this.votes.set(view, (v = new Map()));
    if (!v.has(member)) v.set(member, executed);
  }

  private onViewChange(from: number, m: Msg<'viewChange'>): void {
    this.vote(m.view, from, m.executed);
    this.maxKnown = Math.max(this.maxKnown, m.executed);
    if (m.view > this.view) {
      if (this.o.protocol === 'paxos') return this.moveTo(m.view);
      // PBFT: f+1 members want a higher view, so a correct one does: join the smallest such view.
      const ahead = new Map<number, number>();
      for (const [v, members] of this.votes) if (v > this.view) for (const member of members.keys()) ahead.set(member, Math.min(ahead.get(member) ?? Infinity, v));
      if (ahead.size >= this.o.f + 1) this.moveTo(Math.min(...[...ahead.values()].sort((a, b) => b - a).slice(0, this.o.f + 1)));
      return;
    }
    if (m.view === this.view && this.status === 'normal' && this.lastNewView?.view === m.view) this.out.push({ to: from, msg: this.lastNewView });
    this.tryCollect();
  }

  private tryCollect(): void {
    if (!this.isLeader || this.status !== 'changing' || this.collecting?.view === this.view) return;
    const votes = this.votes.get(this.view);
    if (!votes || votes.size < this.quorum) return;
    // base: the witnesses-th highest executed seq of the quorum (one correct member executed it).
    const executed = [...votes.values()].sort((a, b) => b - a);
    const base = executed[this.witnesses - 1]!;
    this.collecting = { view: this.view, base, reports: new Map() };
    this.out.push({ to: 'all', msg: { type: 'requestState', view: this.view, base } });
    if (this.executed < base) this.catchUp();
    this.tryNewView();
  }

  private entriesAbove(base: number): AgreementEntry[] {
    return [...this.entries.values()].filter((e) => e.seq > base).sort((a, b) => a.seq - b.seq);
  }

  private onRequestState(from: number, m: Msg<'requestState'>): void {
    if (m.view !== this.view || this.status !== 'changing' || from !== this.leader) return;
    this.out.push({ to: from, msg: { type: 'state', view: m.view, base: m.base, entries: this.entriesAbove(m.base) } });
    if (this.executed < m.base) this.catchUp();
  }

  private onState(from: number, m: Msg<'state'>, raw: Uint8Array): void {
    const c = this.collecting;
    if (!c || m.view !== c.view || m.base !== c.base || this.status !== 'changing') return;
    if (!m.entries.every((e) => this.validEntry(from, e, m.view, m.base))) return;
    c.reports.set(from, { raw, entries: m.entries });
    this.tryNewView();
  }

  private tryNewView(): void {
    const c = this.collecting;
    if (!c || c.reports.size + 1 < this.quorum) return;
    const chosen = [...c.reports].slice(0, this.quorum - 1);
    const msg: Msg<'newView'> = { type: 'newView', view: c.view, base: c.base, entries: this.entriesAbove(c.base), states: chosen.map(([, r]) => r.raw) };
    this.lastNewView = msg;
    this.out.push({ to: 'all', msg });
    this.install(c.view, c.base, [this.entriesAbove(c.base), ...chosen.map(([, r]) => r.entries)]);
  }

  /** A reported entry is a prepared certificate (PBFT) or an accepted value (Paxos) from an older view. */
  private validEntry(reporter: number, e: AgreementEntry, view: number, base: number): boolean {
    if (e.seq <= base || e.view >= view) return false;
    if (this.o.protocol === 'paxos') return true;
    const leader = this.leaderOf(e.view);
    const digest = digestOf(e.value);
    let proposed = reporter === leader;
    const preparers = new Set<number>(reporter !== leader ? [reporter] : []);
    for (const raw of e.proofs) {
      const o = this.o.open(raw);
      if (!o) return false;
      const p = o.msg;
      if (p.type === 'propose' && o.from === leader && p.view === e.view && p.seq === e.seq && digestOf(p.value) === digest) proposed = true;
      else if (p.type === 'prepare' && o.from !== leader && p.view === e.view && p.seq === e.seq && hex(p.digest) === digest) preparers.add(o.from);
      else return false;
    }
    return proposed && preparers.size >= 2 * this.o.f;
  }

  private onNewView(from: number, m: Msg<'newView'>): void {
    if (from !== this.leaderOf(m.view) || m.view < this.view || (m.view === this.view && this.status === 'normal')) return;
    const reports: AgreementEntry[][] = [];
    const reporters = new Set<number>([from]);
    if (!m.entries.every((e) => this.validEntry(from, e, m.view, m.base))) return;
    reports.push(m.entries);
    for (const raw of m.states) {
      const o = this.o.open(raw);
      if (!o || o.msg.type !== 'state' || o.msg.view !== m.view || o.msg.base !== m.base || reporters.has(o.from)) return;
      const st = o.msg;
      if (!st.entries.every((e) => this.validEntry(o.from, e, m.view, m.base))) return;
      reporters.add(o.from);
      reports.push(st.entries);
    }
    if (reporters.size < this.quorum) return;
    if (m.view > this.view) {
      this.view = m.view;
      this.vote(m.view, this.o.me, this.executed);
    }
    this.install(m.view, m.base, reports);
  }

  /** Adopt the union of a quorum's reports as the constraint of `view` (decided in D5). */
  private install(view: number, base: number, reports: AgreementEntry[][]): void {
    const best = new Map<number, AgreementEntry>();
    for (const list of reports)
      for (const e of list) {
        const b = best.get(e.seq);
        if (!b || e.view > b.view || (e.view === b.view && digestOf(e.value) < digestOf(b.value))) best.set(e.seq, e);
      }
    const top = Math.max(base, ...best.keys());
    const digests = new Map<number, string>();
    for (let s = base + 1; s <= top; s++) digests.set(s, digestOf(best.get(s)?.value ?? NOOP));
    this.view = view;
    this.status = 'normal';
    this.collecting = null;
    this.constraint = { base, top, digests };
    for (const s of [...this.slots.keys()]) if (s > base) this.slots.delete(s);
    this.installs++;
    this.maxKnown = Math.max(this.maxKnown, top);
    if (this.executed < base) this.catchUp();
    if (this.isLeader) {
      this.nextSeq = Math.max(top, this.executed) + 1;
      for (let s = base + 1; s <= top; s++) this.sendPropose(s, best.get(s)?.value ?? NOOP);
    }
    const replay = this.early.splice(0).filter((e) => e.msg.view >= view);
    for (const e of replay) this.receive(e.from, e.msg, e.raw);
  }

  /**
   * Re-send this member's part of every undecided seq of the current view: the leader its
   * proposes, the others their prepares, commits or accepted (for transports that lose
   * messages, and members that dropped them while catching up with the view).
   */
  retransmit(): void {
    if (this.status !== 'normal') return;
    for (const [seq, s] of this.slots) {
      if (s.view !== this.view || !s.value || this.decided.has(seq)) continue;
      const digest = sha256(s.value);
      if (this.isLeader) this.out.push({ to: 'all', msg: { type: 'propose', view: this.view, seq, value: s.value } });
      else if (this.o.protocol === 'bft') this.out.push({ to: 'all', msg: { type: 'prepare', view: this.view, seq, digest } });
      if (this.o.protocol === 'bft' && s.prepared) this.out.push({ to: 'all', msg: { type: 'commit', view: this.view, seq, digest } });
      if (this.o.protocol === 'paxos' && !this.isLeader) this.out.push({ to: 'all', msg: { type: 'accepted', view: this.view, seq, digest } });
    }
  }

  /** Undecided seqs of the current view this member holds a value for. */
  get stalled(): boolean {
    for (const [seq, s] of this.slots) if (s.view === this.view && s.value && !this.decided.has(seq)) return true;
    return false;
  }

  // ---- catch-up ----

  private onFetch(from: number, m: Msg<'fetch'>): void {
    const decided: Array<{ seq: number; value: Uint8Array }> = [];
    for (let s = m.from; s < m.from + FETCH_ENTRIES_MAX && this.decided.has(s); s++) decided.push({ seq: s, value: this.decided.get(s)! });
    if (decided.length > 0 || this.view > 0) this.out.push({ to: from, msg: { type: 'fetched', view: this.view, decided } });
  }

  private onFetched(from: number, m: Msg<'fetched'>): void {
    for (const { seq, value } of m.decided) {
      if (this.decided.has(seq)) continue;
      let bySeq = this.fetchVotes.get(seq);
      if (!bySeq) this.fetchVotes.set(seq, (bySeq = new Map()));
      const d = digestOf(value);
      let v = bySeq.get(d);
      if (!v) bySeq.set(d, (v = { value, from: new Set() }));
      v.from.add(from);
      // f+1 members (one for Paxos) vouch for it: a correct one decided it.
      if (v.from.size >= this.witnesses) {
        this.fetchVotes.delete(seq);
        this.decide(seq, v.value);
      }
    }
    for (const s of this.fetchVotes.keys()) if (s <= this.executed) this.fetchVotes.delete(s);
    // A member that fell behind by whole views (a restart) learns the view the same way.
    this.viewHints.set(from, m.view);
    const ahead = [...this.viewHints.values()].filter((v) => v > this.view).sort((a, b) => a - b);
    if (ahead.length >= this.witnesses) {
      const target = ahead[ahead.length - this.witnesses]!;
      this.view = target;
      this.status = 'changing';
      this.collecting = null;
      this.out.push({ to: this.leaderOf(target), msg: { type: 'newViewRequest', view: target } });
    }
    if (this.maxKnown > this.executed && m.decided.length === FETCH_ENTRIES_MAX) this.catchUp();
  }

  /** Drop everything queued for the host. */
  drain(): { out: Outgoing[]; decisions: Array<{ seq: number; value: Uint8Array }> } {
    const r = { out: this.out.splice(0), decisions: this.decisions.splice(0) };
    return r;
  }
}
