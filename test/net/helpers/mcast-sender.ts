// Runs inside a test namespace: sends `count` sequence-numbered datagrams to the group in
// paced batches (so receivers' socket queues never overflow: loss must come only from the
// configured iptables rule), then a few end markers.
import { McastSocket } from '../../../src/mcast/mcast-socket.js';

const [group, port, iface, count, size] = [process.argv[2]!, Number(process.argv[3]), process.argv[4]!, Number(process.argv[5]), Number(process.argv[6] ?? 200)];
const BATCH = 50;
const PAUSE_MS = 2;
const END_MARKERS = 5;
const sock = new McastSocket({ port: 0, interfaceAddress: iface, ttl: 1, loopback: false }, () => {});
const datagram = (seq: number) => {
  const d = new Uint8Array(size);
  new DataView(d.buffer).setUint32(0, seq, true);
  return d;
};
for (let at = 0; at < count; at += BATCH) {
  const batch = [];
  for (let s = at; s < Math.min(count, at + BATCH); s++) batch.push(datagram(s));
  sock.send(group, port, batch);
  await new Promise((r) => setTimeout(r, PAUSE_MS));
}
await new Promise((r) => setTimeout(r, 200));
for (let i = 0; i < END_MARKERS; i++) {
  sock.send(group, port, [datagram(0xffffffff)]);
  await new Promise((r) => setTimeout(r, 20));
}
process.stdout.write(JSON.stringify(sock.stats()) + '\n');
sock.close();
