// Entry point of the `castellan` command (bin/castellan.js).
import { commands } from './commands/index.js';
import { UsageError, type Command } from '../cli/command.js';

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'castellan: ordered, survivable group communication (RamCast, RMP, Steward)',
    '',
    'usage: castellan <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'Run `castellan <command> --help` for a command\'s options.',
    'Logs go to stderr (level from CASTELLAN_LOG, default warn); results go to stdout.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topHelp() + '\n');
    return name === undefined ? 2 : 0;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`castellan: unknown command "${name}"\n\n${topHelp()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage.trimEnd() + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`castellan ${name}: ${err.message}\n\n${command.usage.trimEnd()}\n`);
      return 2;
    }
    const e = err as Error & { code?: string };
    process.stderr.write(`castellan ${name}: ${e.code ? `[${e.code}] ` : ''}${e.message}\n`);
    if (process.env.CASTELLAN_DEBUG) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
