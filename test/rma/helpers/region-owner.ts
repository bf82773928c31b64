// Child process for the conformance suite: owns one region, sends a grant's handle to the
// parent over IPC, answers {doorbell} with its doorbell, and idles until the parent kills it
// (peer-crash test) or stops and continues it (stalled-owner test).
import { createRegion, type RegionOptions, type RmaBackend } from '../../../src/rma/native-rma.js';

const [backend, bytes] = [process.argv[2] as RmaBackend, Number(process.argv[3])];
const options = JSON.parse(process.argv[4] ?? '{}') as RegionOptions;
const region = createRegion(backend, bytes, options);
const grant = region.grant();
process.send!({ handle: Buffer.from(grant.handle).toString('base64') });
process.on('message', () => process.send!({ doorbell: region.doorbell() }));
setInterval(() => region.doorbell(), 1000);
