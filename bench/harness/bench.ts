// The benchmark convention (issue 2): `castellan bench <name> --json` prints one object
// { bench, machine, results: [{ name, params, unit, value }] }. A baseline is just another
// result measured in the same run; ratios are computed from results, never hard-coded.

export type ParamValue = string | number | boolean;

export interface BenchResult {
  /** Dotted metric name, e.g. `tsig.combine`, `rma.rtt`, `ramcast.latency_p50`. */
  name: string;
  params: Record<string, ParamValue>;
  /** Unit of `value`: `us`, `ms`, `ops/s`, `messages/s`, `MB/s`, `ratio`, … */
  unit: string;
  value: number;
}

/** One SVG plot: results named `metric`, x from `x`, one line per distinct value of `series`. */
export interface PlotSpec {
  title: string;
  metric: string | string[];
  x: string;
  series?: string;
  logX?: boolean;
  logY?: boolean;
  /** Keep only results whose params match these values. */
  where?: Record<string, ParamValue>;
}

export interface BenchContext {
  /** Options after the bench name, parsed as --key value / --flag. */
  options: Record<string, string | boolean>;
  /** --quick: a short run for smoke tests (CI); full runs otherwise. */
  quick: boolean;
  /** A line of progress on stderr. */
  progress(line: string): void;
}

export interface Bench {
  name: string;
  summary: string;
  /** Help text for this bench's own options. */
  optionsHelp?: string;
  /** This bench's option names (without --); when given, `castellan bench` refuses any other. */
  optionNames?: string[];
  plots?: PlotSpec[];
  run(ctx: BenchContext): Promise<BenchResult[]>;
}
