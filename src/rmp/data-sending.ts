// Our own DATA (spec §5.1, §10, D16): the application's messages leave as flow control
// allows (send-queue.ts), unreliable ones bypass it; each reliable packet is kept like any
// other and re-multicast until an ACK orders it.
import type { RmpConfig } from './config.js';
import type { DataReceipt } from './data-receipt.js';
import type { Delivery } from './delivery.js';
import { MULTICAST_NODE, type MemberIo } from './member-io.js';
import type { MemberState } from './member-state.js';
import { OUT, packetId, unreliableId } from './outputs.js';
import { DataControl, type DataPacket } from './packets.js';
import { Qos } from './qos.js';
import type { Queued } from './send-queue.js';

export class DataSending {
  private nextSeq = 0;
  /** Unreliable packets have their own sequence space, so they never open gaps in the reliable one (D7). */
  private nextUnreliableSeq = 0;

  constructor(
    private readonly s: MemberState,
    private readonly io: MemberIo,
    private readonly config: RmpConfig,
    private readonly receipt: DataReceipt,
    private readonly delivery: Delivery,
  ) {}

  /** A new incarnation starts both sequence spaces and the window afresh; the queue is kept. */
  resetIncarnation(): void {
    this.nextSeq = 0;
    this.nextUnreliableSeq = 0;
    this.s.sendQueue.restart(this.config.flow());
  }

  queue(m: Omit<Queued, 'control'>): void {
    this.s.sendQueue.push({ ...m, control: DataControl.none });
  }

  /** Handler-lock operations ride totally ordered DATA, so they are ordered like data (D4, spec §9). */
  queueLockOperation(handler: number, acquire: boolean): void {
    this.s.sendQueue.push({ qos: Qos.totallyOrdered, k: 0, handler, control: acquire ? DataControl.lockAcquire : DataControl.lockRelease, payload: new Uint8Array(0) });
  }

  pump(): void {
    for (let take = this.s.sendQueue.next(); take !== null; take = this.s.sendQueue.next()) {
      if (take[0]!.qos === Qos.unreliable) this.sendUnreliable(take[0]!);
      else this.sendData(take);
    }
  }

  private sendData(take: readonly Queued[]): void {
    const h = take[0]!;
    const seq = ++this.nextSeq;
    const p: DataPacket = { type: 'data', ...this.io.header(), seq, qos: h.qos, k: h.k, handler: h.handler, control: h.control, messages: take.map((m) => m.payload) };
    const bytes = this.io.mcast(p);
    const size = take.reduce((n, m) => n + m.payload.length, 0);
    this.s.sendQueue.sent(size);
    this.io.out(OUT.sent, { pid: this.s.pid, id: packetId(this.s.pid, seq), qos: h.qos, k: h.k, handler: h.handler, bytes: size });
    this.receipt.store(this.s.stream(this.s.pid), p, bytes);
  }

  private sendUnreliable(m: Queued): void {
    const seq = ++this.nextUnreliableSeq;
    const p: DataPacket = { type: 'data', ...this.io.header(), seq, qos: Qos.unreliable, k: 0, handler: m.handler, control: DataControl.none, messages: [m.payload] };
    this.io.mcast(p);
    this.io.out(OUT.sent, { pid: this.s.pid, id: unreliableId(this.s.pid, seq), qos: Qos.unreliable, k: 0, handler: m.handler, bytes: m.payload.length });
    this.delivery.deliver(p, -1, null, unreliableId(this.s.pid, seq));
  }

  armRetryIfUnordered(): void {
    const own = this.s.sources.get(this.s.pid);
    if (own !== undefined && own.orderedTo < this.nextSeq && this.s.participating()) this.io.armOnce('data-retry', this.config.timers.dataRetryUs);
  }

  /** Own packets no ACK ordered within dataRetryUs go out again, counted as a loss by flow control (spec §5.1). */
  onRetryTimer(): void {
    const own = this.s.sources.get(this.s.pid);
    if (own === undefined || !this.s.participating()) return;
    let resent = false;
    for (const [seq, d] of own.data) {
      if (own.tsOf.has(seq) || this.io.now - d.sentAtUs < this.config.timers.dataRetryUs) continue;
      d.sentAtUs = this.io.now;
      resent = true;
      this.io.send(MULTICAST_NODE, d.bytes);
    }
    if (resent) this.s.sendQueue.lost();
    if (own.orderedTo < this.nextSeq) this.io.arm('data-retry', this.config.timers.dataRetryUs);
  }
}
