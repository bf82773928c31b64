// The report every bench run produces, and where it is written: DIR/<bench>.json and, when
// the bench declares plots, DIR/<bench>.svg.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Bench, BenchContext, BenchResult } from './bench.js';
import { machineFacts, type MachineFacts } from './machine.js';
import { renderPlots } from './svg-plot.js';

export interface BenchReport {
  bench: string;
  machine: MachineFacts;
  /** ISO 8601, UTC. */
  startedAt: string;
  durationS: number;
  results: BenchResult[];
}

function checkResult(bench: string, r: BenchResult): void {
  const ok =
    typeof r.name === 'string' && r.name.length > 0 && typeof r.unit === 'string' && r.unit.length > 0 &&
    typeof r.value === 'number' && Number.isFinite(r.value) && r.params !== null && typeof r.params === 'object';
  if (!ok) throw new TypeError(`bench ${bench} produced a malformed result: ${JSON.stringify(r)}`);
}

export async function runBench(bench: Bench, ctx: BenchContext): Promise<BenchReport> {
  const started = Date.now();
  const results = await bench.run(ctx);
  for (const r of results) checkResult(bench.name, r);
  return {
    bench: bench.name,
    machine: machineFacts(),
    startedAt: new Date(started).toISOString(),
    durationS: (Date.now() - started) / 1000,
    results,
  };
}

/** Writes the report's files; returns their paths. */
export function writeReport(bench: Bench, report: BenchReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, `${bench.name}.json`);
  writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
  if (!bench.plots?.length) return [json];
  const svg = path.join(dir, `${bench.name}.svg`);
  writeFileSync(svg, renderPlots(bench.plots, report.results));
  return [json, svg];
}
