// The facts a benchmark figure means nothing without: which CPU, how many cores, which Node,
// kernel and compiler. Recorded in every report (issue 2's `machine` object).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { addon } from '../../src/native/addon.js';

export interface MachineFacts {
  cpu: string;
  cores: number;
  memoryBytes: number;
  node: string;
  kernel: string;
  /** The compiler that built the addon, or why it is unknown. */
  addonCompiler: string;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1]!.trim();
  } catch {
    // Not Linux: os.cpus() below still names the model.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

function addonCompiler(): string {
  try {
    return `g++ ${addon().build.compiler}`;
  } catch (e) {
    return `unknown (${(e as Error).message})`;
  }
}

export function machineFacts(): MachineFacts {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    addonCompiler: addonCompiler(),
  };
}
