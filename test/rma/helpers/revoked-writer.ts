// Child process for the concurrent-revoke test: writes an increasing counter at offset 0 until
// a write is refused, then reports the refusal's code and the last counter a write returned
// for. The parent revokes the grant while this runs (spec/ramcast.md §6 fencing).
import { connect, type ConnectOptions } from '../../../src/rma/native-rma.js';

const handle = Buffer.from(process.argv[2]!, 'base64');
const conn = connect(handle, JSON.parse(process.argv[3] ?? '{}') as ConnectOptions);
const counter = new Uint8Array(4);
const view = new DataView(counter.buffer);
let lastLanded = 0;
for (let i = 1; ; i++) {
  view.setUint32(0, i, true);
  try {
    conn.write(0, counter);
  } catch (e) {
    process.send!({ code: (e as { code?: string }).code, lastLanded });
    break;
  }
  lastLanded = i;
}
conn.close();
