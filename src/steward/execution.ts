// The replicated state machine behind Steward (§3.1): globally ordered updates are applied to
// the server's StateMachine in seq order (a duplicate (client, ts) as a no-op, D4), each server
// of the client's site replies with the machine's result in a signed Reply (D7), and read-only
// queries are answered by the machine from the current state with the Global_aru it reflects (D5).
// Execution records carry a hash chain of the machine's digests, so replicas whose states
// diverge are told apart at the first seq where they do (S1).
import { KvStateMachine } from '../service/kv-state-machine.js';
import type { StateMachine } from '../service/state-machine.js';
import { hex, sha256 } from './crypto-port.js';
import { openSigned, type Opened } from './envelopes.js';
import type { Msg } from './messages.js';
import { OUT, type ExecuteRecord } from './outputs.js';
import type { ServerContext } from './server-context.js';
import { updateKey } from './server-state.js';
import { siteOf } from './topology.js';

export class Execution {
  private readonly machine: StateMachine;

  constructor(private readonly ctx: ServerContext) {
    this.machine = (ctx.o.app ?? (() => new KvStateMachine()))();
  }

  /** Execute the GOU at seq = Global_aru + 1 and advance Global_aru. */
  execute(seq: number): void {
    const { state: s } = this.ctx;
    const g = s.global.get(seq)!;
    const gou = g.gou!;
    const u = openSigned(gou.update) as Opened<Msg<'update'>>;
    const { client, ts, op } = u.body;
    const noop = (s.lastExecutedTs.get(client) ?? 0) >= ts;
    let result: Uint8Array | null = null;
    if (!noop) {
      result = this.machine.apply(op);
      s.stateChain = sha256(Buffer.concat([s.stateChain, this.machine.digest()]));
      s.lastExecutedTs.set(client, ts);
    }
    s.globalAru = seq;
    s.pool.delete(updateKey(client, ts));
    const rec: ExecuteRecord = { seq, gv: gou.gv, lv: s.lv, client, ts, digest: hex(gou.digest), noop, state: hex(s.stateChain).slice(0, 16) };
    this.ctx.emit(OUT.execute, rec as unknown as Record<string, number | string | boolean>);
    // Keep the slot's GOU for reconciliation; everything else about seq is history.
    g.proposal = undefined;
    g.accepts.clear();
    g.early.clear();
    this.ctx.assign.garbageCollect(seq);
    if (result && siteOf(this.ctx.t, client) === this.ctx.site) {
      this.ctx.sign({ type: 'reply', client, ts, seq, result }, (env) => {
        s.lastReply.set(client, { ts, env });
        this.ctx.send(client, env);
      });
    }
  }

  /** Read-only queries (§3.1, D5): answered by the machine from local state, with the aru and state chain it reflects. */
  onQuery(o: Opened<Msg<'query'>>): void {
    const q = o.body;
    this.ctx.port.verify(q.client, o.bodyBytes, o.sig, (ok) => {
      if (!ok) return this.ctx.countDrop('bad-client-signature');
      const { globalAru: aru, stateChain: state } = this.ctx.state;
      this.ctx.sendLocal({ type: 'queryReply', client: q.client, ts: q.ts, aru, state, result: this.machine.query(q.op) }, undefined, q.client);
    });
  }
}
