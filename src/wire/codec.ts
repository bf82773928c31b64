// Codec combinators: a message layout written once as a value, from which both directions
// and the TypeScript type follow. Hot paths may instead hand-write a Codec with Writer and
// Reader directly; the family helper and the fuzz harness accept either.
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

export interface Codec<T> {
  encode(w: Writer, v: T): void;
  decode(r: Reader): T;
}

/** The value type a codec encodes. */
export type Infer<C> = C extends Codec<infer T> ? T : never;

export const u8: Codec<number> = { encode: (w, v) => void w.u8(v), decode: (r) => r.u8() };
export const u16: Codec<number> = { encode: (w, v) => void w.u16(v), decode: (r) => r.u16() };
export const u32: Codec<number> = { encode: (w, v) => void w.u32(v), decode: (r) => r.u32() };
export const u64: Codec<bigint> = { encode: (w, v) => void w.u64(v), decode: (r) => r.u64() };
/** u64 on the wire, a safe integer in JS. */
export const u64n: Codec<number> = { encode: (w, v) => void w.u64n(v), decode: (r) => r.u64n() };
export const i64: Codec<bigint> = { encode: (w, v) => void w.i64(v), decode: (r) => r.i64() };
export const f64: Codec<number> = { encode: (w, v) => void w.f64(v), decode: (r) => r.f64() };
export const bool: Codec<boolean> = { encode: (w, v) => void w.bool(v), decode: (r) => r.bool() };

export function fixed(length: number): Codec<Uint8Array> {
  return { encode: (w, v) => void w.fixed(v, length), decode: (r) => r.fixed(length) };
}

export function bytes(max: number): Codec<Uint8Array> {
  return { encode: (w, v) => void w.bytes(v, max), decode: (r) => r.bytes(max) };
}

export function string(maxBytes: number): Codec<string> {
  return { encode: (w, v) => void w.string(v, maxBytes), decode: (r) => r.string(maxBytes) };
}

export function array<T>(item: Codec<T>, maxCount: number): Codec<T[]> {
  return {
    encode: (w, v) => void w.array(v, maxCount, (ww, x) => item.encode(ww, x)),
    decode: (r) => r.array(maxCount, (rr) => item.decode(rr)),
  };
}

/** A presence byte (0 absent, 1 present) then the value. */
export function optional<T>(inner: Codec<T>): Codec<T | undefined> {
  return {
    encode: (w, v) => {
      w.bool(v !== undefined);
      if (v !== undefined) inner.encode(w, v);
    },
    decode: (r) => (r.bool() ? inner.decode(r) : undefined),
  };
}

export type Fields = Record<string, Codec<any>>;
export type StructOf<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

export interface StructCodec<F extends Fields> extends Codec<StructOf<F>> {
  readonly fields: F;
}

/** Fields in declaration order, no padding, no field names on the wire. */
export function struct<F extends Fields>(fields: F): StructCodec<F> {
  const entries = Object.entries(fields);
  return {
    fields,
    encode(w, v) {
      for (const [k, c] of entries) c.encode(w, (v as Record<string, unknown>)[k]);
    },
    decode(r) {
      const out: Record<string, unknown> = {};
      for (const [k, c] of entries) out[k] = c.decode(r);
      return out as StructOf<F>;
    },
  };
}
