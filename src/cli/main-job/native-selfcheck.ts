// Main-job part: the native addon loads, says which RMA backends it was built with, and its
// CRC-32C agrees with the standard check value and with a TypeScript reference.
import { addon } from '../../native/addon.js';
import { crc32cReference } from '../../wire/crc32c.js';
import type { MainJobPart } from './part.js';

export const nativeSelfCheck: MainJobPart = {
  name: 'native',
  description: 'load the native addon and check its CRC-32C against the reference',
  async run() {
    const binding = addon();
    const check = binding.checksum.crc32c(new TextEncoder().encode('123456789'));
    const sample = new Uint8Array(4096).map((_, i) => (i * 131) & 0xff);
    const started = process.hrtime.bigint();
    const rounds = 2000;
    for (let i = 0; i < rounds; i++) binding.checksum.crc32c(sample);
    const ns = Number(process.hrtime.bigint() - started);
    const backends = Object.entries(binding.build.backends).filter(([, on]) => on).map(([b]) => b);
    return {
      measured: {
        'crc32c throughput': `${((sample.length * rounds) / ns).toFixed(2)} GB/s (4 KiB blocks, JS-driven)`,
        'rma backends built': backends.join(', '),
      },
      checked: {
        'crc32c("123456789") = 0xe3069283': check === 0xe3069283,
        'native crc32c = TypeScript reference': binding.checksum.crc32c(sample) === crc32cReference(sample),
      },
      detail: { backends, compiler: binding.build.compiler },
    };
  },
};
