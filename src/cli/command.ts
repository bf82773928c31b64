// A `castellan` subcommand. Commands print what they are doing to stderr and results to
// stdout (`--json` for machines), and return the process exit code.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Command {
  name: string;
  /** One line for `castellan --help`. */
  summary: string;
  /** Full text for `castellan <name> --help`. */
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** node:util parseArgs over a command's argv, its complaints turned into UsageErrors. */
export function parseFlags<T extends Omit<ParseArgsConfig, 'args'>>(argv: string[], config: T): ReturnType<typeof parseArgs<T & { args: string[] }>> {
  try {
    return parseArgs({ ...config, args: argv });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
