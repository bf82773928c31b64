// Child process for the ordering test: writes records then a counter, one write each, so a
// reader that sees counter c must also see record c (spec/ramcast.md §3: a slot's payload is
// written before its length word is read as non-zero).
import { connect, type ConnectOptions } from '../../../src/rma/native-rma.js';

export const ORDER_RING = 64; // record slots, 8 bytes each, after the 8-byte counter
const handle = Buffer.from(process.argv[2]!, 'base64');
const writes = Number(process.argv[3]);
const conn = connect(handle, JSON.parse(process.argv[4] ?? '{}') as ConnectOptions);
const rec = new Uint8Array(8);
const recView = new DataView(rec.buffer);
const counter = new Uint8Array(4);
const counterView = new DataView(counter.buffer);
for (let i = 1; i <= writes; i++) {
  recView.setUint32(0, i, true);
  conn.write(8 + (i % ORDER_RING) * 8, rec);
  counterView.setUint32(0, i, true);
  conn.write(0, counter);
}
conn.close();
