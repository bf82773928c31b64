#!/usr/bin/env node
// The `castellan` command: a thin launcher for the compiled CLI (npm ci compiles it).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
