// Structured logs (pino) to stderr, so stdout stays free for --json output. Level from
// CASTELLAN_LOG (default "warn": protocol runs are chatty and the CLI prints its own summary).
import { pino, type Logger } from 'pino';

const root: Logger = pino(
  { level: process.env.CASTELLAN_LOG ?? 'warn', base: { pid: process.pid } },
  pino.destination(2),
);

export function logger(component: string): Logger {
  return root.child({ component });
}
