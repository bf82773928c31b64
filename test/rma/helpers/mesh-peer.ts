// Child process for the multi-process test. Protocol over IPC with the parent:
//   child → {grants: [base64 handle per other peer]}   (its region, one stripe per writer)
//   parent → {peers: [{index, handle}]}                 then the child writes its stripe in
//            every peer's region concurrently with the others and reports {wrote}
//   parent → {check: index}   child → {alive: boolean}  (peer-crash detection)
//   parent → {verify: true}   child → {stripes}         (last sequence seen per writer)
//   parent → {exit: true}     child closes everything and exits
import { connect, createPoller, createRegion, type Connection } from '../../../src/rma/native-rma.js';

export const STRIPE_BYTES = 4096;
const index = Number(process.argv[2]);
const peers = Number(process.argv[3]);
const writes = Number(process.argv[4]);
const region = createRegion('shm', STRIPE_BYTES * peers);
const view = new DataView(region.buffer());
const conns = new Map<number, Connection>();
const grants = Array.from({ length: peers }, () => Buffer.from(region.grant().handle).toString('base64'));
const poller = createPoller({ spinUs: 20 });
poller.watch(region);

process.on('message', (msg: { peers?: { index: number; handle: string }[]; check?: number; verify?: boolean; exit?: boolean }) => {
  if (msg.peers) {
    for (const p of msg.peers) conns.set(p.index, connect(Buffer.from(p.handle, 'base64')));
    // Each write: a 256-byte record tagged with its sequence, then the stripe's sequence word.
    const record = new Uint8Array(256);
    const rv = new DataView(record.buffer);
    const seq = new Uint8Array(4);
    const sv = new DataView(seq.buffer);
    for (let i = 1; i <= writes; i++) {
      rv.setUint32(0, i, true);
      sv.setUint32(0, i, true);
      for (const conn of conns.values()) {
        conn.write(index * STRIPE_BYTES + 8 + (i % 8) * 256, record);
        conn.write(index * STRIPE_BYTES, seq);
      }
    }
    process.send!({ wrote: writes });
  } else if (msg.check !== undefined) {
    process.send!({ alive: conns.get(msg.check)!.peerAlive() });
  } else if (msg.verify) {
    poller.wait(0);
    const stripes = Array.from({ length: peers }, (_, w) => {
      const seqSeen = view.getUint32(w * STRIPE_BYTES, true);
      const rec = seqSeen === 0 ? 0 : view.getUint32(w * STRIPE_BYTES + 8 + (seqSeen % 8) * 256, true);
      return { seq: seqSeen, rec };
    });
    process.send!({ stripes });
  } else if (msg.exit) {
    for (const c of conns.values()) c.close();
    region.close();
    process.exit(0);
  }
});
process.send!({ grants });
