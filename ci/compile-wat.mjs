#!/usr/bin/env node
// Compiles a .wat source to a TypeScript module exporting its bytes (src/x.wat → src/x-wasm.ts),
// so the runtime needs no WebAssembly toolchain. `npm run wasm` runs it on every .wat under src;
// test/rma/shm-gate-wasm.test.ts fails when a generated file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { wasmBytesOf, generatedModuleOf } from './wat-module.mjs';

for (const source of process.argv.slice(2)) {
  const target = source.replace(/\.wat$/, '-wasm.ts');
  const bytes = await wasmBytesOf(readFileSync(source, 'utf8'), path.basename(source));
  writeFileSync(target, generatedModuleOf(path.basename(source), bytes));
  console.log(`${source} → ${target} (${bytes.length} bytes of wasm)`);
}
