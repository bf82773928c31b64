// Canonical JSON: object keys sorted, no whitespace, so equal data always serialises to equal
// bytes (trace lines are compared and hashed). Written as loops, not map/join: it runs on
// every output a core makes.
import type { Json } from './core.js';

export function canonicalJson(value: Json): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`non-finite number ${value} in JSON output`);
    return String(value);
  }
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value !== 'object') throw new TypeError(`${typeof value} is not JSON (in a core's output data)`);
  let s: string;
  if (Array.isArray(value)) {
    s = '[';
    for (let i = 0; i < value.length; i++) s += (i ? ',' : '') + canonicalJson(value[i]!);
    return s + ']';
  }
  const keys = Object.keys(value);
  keys.sort();
  s = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = value[k];
    if (v === undefined) continue; // as JSON.stringify does
    s += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(v);
    first = false;
  }
  return s + '}';
}
