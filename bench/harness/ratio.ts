// A ratio against a baseline measured in the same run (DESIGN principle 6): never a
// hard-coded reference number.
import type { BenchResult, ParamValue } from './bench.js';

/** `numerator.value / denominator.value` as a result with unit 'ratio'; both must share a unit. */
export function ratio(name: string, numerator: BenchResult, denominator: BenchResult, params: Record<string, ParamValue> = {}): BenchResult {
  if (numerator.unit !== denominator.unit)
    throw new RangeError(`ratio ${name}: ${numerator.name} is in ${numerator.unit}, ${denominator.name} in ${denominator.unit}`);
  if (denominator.value === 0) throw new RangeError(`ratio ${name}: ${denominator.name} is zero`);
  return { name, params, unit: 'ratio', value: numerator.value / denominator.value };
}
