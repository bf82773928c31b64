// Every `castellan` subcommand, in the order `castellan --help` lists them.
import type { Command } from '../command.js';
import { upCommand } from './up.js';

export const commands: Command[] = [upCommand];
