// Width of a length (or count) prefix, chosen by the field's declared maximum: the smallest
// unsigned integer that can hold it. Writer and Reader derive it from the same constant, so
// the layout is fixed by the schema; raising a maximum across a width boundary changes the
// layout and therefore needs a new family version.
import { EncodeError } from './decode-error.js';

/** Largest length any prefix can declare: a u32. */
export const LENGTH_MAX = 0xffff_ffff;

export type PrefixWidth = 1 | 2 | 4;

export function prefixWidth(max: number): PrefixWidth {
  if (!Number.isInteger(max) || max < 0 || max > LENGTH_MAX)
    throw new EncodeError(`a declared maximum must be an integer in [0, ${LENGTH_MAX}], got ${max}`);
  return max <= 0xff ? 1 : max <= 0xffff ? 2 : 4;
}
