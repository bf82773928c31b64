// The unicast baseline of `castellan bench rmp`: the same bytes sent as one TCP stream per
// receiver over the same namespace LAN (what a non-multicast protocol must do, seed §2).
//   node rmp-tcp-peer.js sink PORT            prints {"ready":…}; on "report" a line {"bytes","tUs"}
//   node rmp-tcp-peer.js source SECONDS HOST:PORT…   writes to every target until SECONDS pass
import net from 'node:net';
import { createInterface } from 'node:readline';

/** Write size: large enough that syscalls do not limit a 100 Mbit/s stream. */
const CHUNK_BYTES = 64 * 1024;

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const [mode, ...rest] = process.argv.slice(2);

if (mode === 'sink') {
  let bytes = 0;
  const server = net.createServer((s) => s.on('data', (d) => (bytes += d.length)));
  server.listen(Number(rest[0]), '0.0.0.0', () => process.stdout.write(JSON.stringify({ ready: true }) + '\n'));
  createInterface({ input: process.stdin }).on('line', (l) => {
    if (l.trim() === 'report') process.stdout.write(JSON.stringify({ bytes, tUs: nowUs() }) + '\n');
    else if (l.trim() === 'exit') process.exit(0);
  });
} else if (mode === 'source') {
  const until = Date.now() + Number(rest[0]) * 1000;
  const chunk = Buffer.alloc(CHUNK_BYTES, 7);
  let open = 0;
  for (const target of rest.slice(1)) {
    const [host, port] = target.split(':');
    const s = net.connect(Number(port), host!, () => {
      open++;
      const pump = () => {
        while (Date.now() < until) if (!s.write(chunk)) return void s.once('drain', pump);
        s.end();
      };
      pump();
    });
    s.on('close', () => {
      if (--open === 0) process.exit(0);
    });
  }
} else {
  process.stderr.write('usage: rmp-tcp-peer sink PORT | source SECONDS HOST:PORT...\n');
  process.exit(2);
}
