// `castellan bench`: runs benchmarks from bench/registry.ts and reports them per the
// benchmark convention (bench/harness/bench.ts): a table for people, JSON for machines,
// and DIR/<bench>.json + DIR/<bench>.svg on disk.
import type { Bench } from '../../../bench/harness/bench.js';
import { progress } from '../../../bench/harness/progress.js';
import { runBench, writeReport, type BenchReport } from '../../../bench/harness/report.js';
import { benches } from '../../../bench/registry.js';
import { configArgsHelp, loadConfig } from '../../config/load-config.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';

const usage = `usage: castellan bench <name>|all [--json] [--out DIR] [--quick] [bench options]
       castellan bench --list

Runs a benchmark and prints its results: one row per result (name, params, value unit).
A baseline is just another result of the same run; ratios are computed from results.

  --list             list the benchmarks and their options
  --json             print the report as JSON on stdout instead of a table:
                     { bench, machine, startedAt, durationS, results: [{ name, params, unit, value }] };
                     with \`all\`, one such object per line (JSON Lines), in --list order
  --out DIR          write DIR/<bench>.json and DIR/<bench>.svg (default: config bench.outDir, out/bench)
  --quick            a short run (CI smoke test); figures are indicative only
${configArgsHelp}

Any other --key VALUE or --flag is passed to the bench (see --list). Progress goes to stderr.
`;

interface BenchArgs {
  names: string[];
  json: boolean;
  quick: boolean;
  list: boolean;
  out: string | undefined;
  config: string | undefined;
  sets: string[];
  options: Record<string, string | boolean>;
}

/** Own flags are parsed here; the rest become the bench's options (parseArgs cannot pass unknown options through with their values). */
function parse(argv: string[]): BenchArgs {
  const a: BenchArgs = { names: [], json: false, quick: false, list: false, out: undefined, config: undefined, sets: [], options: {} };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith('--')) {
      a.names.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const key = token.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : token.slice(eq + 1);
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${key} needs a value`);
      i++;
      return next;
    };
    if (key === 'json') a.json = true;
    else if (key === 'quick') a.quick = true;
    else if (key === 'list') a.list = true;
    else if (key === 'out') a.out = value();
    else if (key === 'config') a.config = value();
    else if (key === 'set') a.sets.push(value());
    else if (inline !== undefined) a.options[key] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) a.options[key] = argv[++i]!;
    else a.options[key] = true;
  }
  return a;
}

function listing(): string {
  return benches.map((b) => `${b.name}  ${b.summary}${b.optionsHelp ? `\n${b.optionsHelp}` : ''}`).join('\n') + '\n';
}

function formatValue(v: number): string {
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-2)) return v.toExponential(3);
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 100 ? 1 : 3);
}

function table(report: BenchReport): string {
  const m = report.machine;
  const rows = report.results.map((r) => [
    r.name,
    Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' '),
    `${formatValue(r.value)} ${r.unit}`,
  ]);
  const head = ['name', 'params', 'value'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((s, c) => (c === 2 ? s : s.padEnd(widths[c]!))).join('  ');
  return [
    `bench ${report.bench}: ${m.cpu}, ${m.cores} cores, node ${m.node}, ${report.durationS.toFixed(1)} s`,
    line(head),
    ...rows.map(line),
    '',
  ].join('\n');
}

export const benchCommand = {
  name: 'bench',
  summary: 'run benchmarks (a table, --json, JSON + SVG files); --list shows them',
  usage,
  async run(argv: string[]): Promise<number> {
    const args = parse(argv);
    if (args.list) {
      process.stdout.write(listing());
      return 0;
    }
    if (args.names.length !== 1) throw new UsageError(args.names.length ? `one bench name expected, got ${args.names.join(' ')}` : 'which bench? (name or all; --list shows them)');
    const name = args.names[0]!;
    const selected: Bench[] = name === 'all' ? benches : benches.filter((b) => b.name === name);
    if (selected.length === 0) throw new UsageError(`unknown bench "${name}"; known: ${benches.map((b) => b.name).join(', ') || '(none)'}`);
    for (const bench of selected) {
      const unknown = bench.optionNames && Object.keys(args.options).filter((o) => !bench.optionNames!.includes(o));
      if (unknown?.length) throw new UsageError(`bench ${bench.name} has no option ${unknown.map((o) => `--${o}`).join(', ')}; it takes: ${bench.optionNames!.map((o) => `--${o}`).join(', ')}`);
    }
    const config = loadConfig({ file: args.config, sets: args.sets });
    const outDir = args.out ?? config.bench.outDir;
    for (const bench of selected) {
      const p = progress(`[bench ${bench.name}] `);
      p.line(`${bench.summary}${args.quick ? ' (quick)' : ''}`);
      const report = await runBench(bench, { options: args.options, quick: args.quick, progress: (l) => p.status(l) });
      p.done();
      const files = writeReport(bench, report, outDir);
      p.line(`${report.results.length} results in ${report.durationS.toFixed(1)} s; wrote ${files.join(', ')}`);
      process.stdout.write(args.json ? JSON.stringify(report) + '\n' : table(report));
    }
    return 0;
  },
} satisfies Command;
