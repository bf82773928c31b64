// Entry point of a Skeen-over-TCP cluster process, forked by src/ramcast/runtime/launcher.ts.
import { runProcess } from '../../../src/ramcast/runtime/process-runner.js';
import { skeenStack } from './skeen-stack.js';

runProcess(skeenStack());
