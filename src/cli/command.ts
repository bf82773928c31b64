// A `castellan` subcommand. Commands print what they are doing to stderr and results to
// stdout (`--json` for machines), and return the process exit code.
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
