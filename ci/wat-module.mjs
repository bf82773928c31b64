// What ci/compile-wat.mjs writes, shared with the test that checks generated files are fresh.
import wabtInit from 'wabt';

/** The binary module of a .wat text (threads enabled: the gates use atomics). */
export async function wasmBytesOf(wat, name) {
  const wabt = await wabtInit();
  const module = wabt.parseWat(name, wat, { threads: true });
  try {
    module.validate();
    return Uint8Array.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** The TypeScript module holding `bytes`, 24 per line. */
export function generatedModuleOf(sourceName, bytes) {
  const lines = [];
  for (let i = 0; i < bytes.length; i += 24) lines.push('  ' + Array.from(bytes.subarray(i, i + 24)).join(', ') + ',');
  return `// Generated from ${sourceName} by ci/compile-wat.mjs (npm run wasm): do not edit.\nexport const WASM_BYTES = new Uint8Array([\n${lines.join('\n')}\n]);\n`;
}
