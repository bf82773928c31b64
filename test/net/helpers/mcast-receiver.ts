// Runs inside a test namespace: joins a group, prints "ready", counts distinct sequence
// numbers until the sender's end marker (sequence 0xffffffff) or a quiet period, then prints
// one JSON line {unique, received, kernelDrops}.
import { McastSocket } from '../../../src/mcast/mcast-socket.js';

const [group, port, iface] = [process.argv[2]!, Number(process.argv[3]), process.argv[4]!];
const QUIET_MS = 1500; // end-marker datagrams can be lost too: stop after this much silence
const END = 0xffffffff;
const seen = new Set<number>();
let received = 0;
let last = Date.now();
let ended = false;
const sock = new McastSocket({ port, bindAddress: '0.0.0.0', loopback: false }, (batch) => {
  last = Date.now();
  for (const d of batch) {
    const seq = new DataView(d.data.buffer, d.data.byteOffset, 4).getUint32(0, true);
    if (seq === END) ended = true;
    else {
      received++;
      seen.add(seq);
    }
  }
});
sock.join(group, iface);
process.stdout.write('ready\n');
const timer = setInterval(() => {
  if (ended || (received > 0 && Date.now() - last > QUIET_MS)) {
    clearInterval(timer);
    const { kernelDrops } = sock.stats();
    sock.close();
    process.stdout.write(JSON.stringify({ unique: seen.size, received, kernelDrops }) + '\n');
  }
}, 50);
