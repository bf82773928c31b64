// Entry point of a RamCast cluster process, forked by launcher.ts.
import { runProcess } from './process-runner.js';
import { ramcastStack } from './ramcast-stack.js';

runProcess(ramcastStack());
