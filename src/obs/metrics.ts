// One prom-client registry per process; subsystems register counters here (drops, decode
// errors, deliveries) and the gateway exposes them at /metrics.
import { Registry, Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
let defaultsOn = false;

/** Process metrics (CPU, heap, event-loop lag) are opt-in: long-running nodes want them, tests do not. */
export function enableProcessMetrics(): void {
  if (defaultsOn) return;
  collectDefaultMetrics({ register: registry, prefix: 'castellan_' });
  defaultsOn = true;
}

function existing<T>(name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

export function counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
  return existing<Counter<string>>(name) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

export function gauge(name: string, help: string, labelNames: string[] = []): Gauge<string> {
  return existing<Gauge<string>>(name) ?? new Gauge({ name, help, labelNames, registers: [registry] });
}

export function histogram(name: string, help: string, buckets: number[], labelNames: string[] = []): Histogram<string> {
  return existing<Histogram<string>>(name) ?? new Histogram({ name, help, buckets, labelNames, registers: [registry] });
}
