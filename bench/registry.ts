// Every benchmark `castellan bench` knows, in the order `--list` and `all` use. A later issue
// adds its bench with one line here.
import type { Bench } from './harness/bench.js';
import { wireBench } from './wire/wire-bench.js';
import { cryptoBench } from './crypto.js';
import { transportBench } from './transport.js';
import { ramcastBench } from './ramcast.js';
import { rmpBench } from './rmp.js';
import { stewardBench } from './steward.js';
import { composableBench } from './composable.js';
import { gatewayBench } from './gateway.js';

export const benches: Bench[] = [wireBench, cryptoBench, transportBench, ramcastBench, rmpBench, stewardBench, composableBench, gatewayBench];
