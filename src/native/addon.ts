// Loads the one native addon (build/Release/castellan.node, built by `npm ci`). Each
// subsystem's TypeScript wrapper types its own part of the binding; this file only finds it.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
// dist/src/native → repository root
const repoRoot = path.resolve(here, '..', '..', '..');

export interface BuildInfo {
  backends: { shm: boolean; verbs: boolean; fabric: boolean };
  compiler: string;
  napiVersion: number;
}

export interface CoreBinding {
  build: BuildInfo;
  checksum: { crc32c(bytes: Uint8Array, seed?: number): number };
  [subsystem: string]: unknown;
}

let cached: CoreBinding | undefined;

export function addon(): CoreBinding {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const file = path.join(repoRoot, 'build', 'Release', 'castellan.node');
  try {
    cached = require(file) as CoreBinding;
  } catch (cause) {
    const err = new Error(`castellan's native addon is not built (${file}); run \`npm run build\``, { cause });
    (err as Error & { code: string }).code = 'ERR_CASTELLAN_ADDON_MISSING';
    throw err;
  }
  return cached;
}

/** A subsystem's exports, typed by the caller's interface. */
export function subsystem<T>(name: string): T {
  const part = addon()[name];
  if (part === undefined) throw new Error(`native subsystem "${name}" is not compiled into this addon`);
  return part as T;
}

export const repositoryRoot = repoRoot;
