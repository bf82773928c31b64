// Every `castellan` subcommand, in the order `castellan --help` lists them.
import type { Command } from '../command.js';
import { upCommand } from './up.js';
import { simCommand } from './sim.js';
import { keygenCommand } from './keygen.js';
import { signCommand } from './sign.js';
import { benchCommand } from './bench.js';
import { serveCommand } from './serve.js';

export const commands: Command[] = [upCommand, simCommand, benchCommand, serveCommand, keygenCommand, signCommand];
