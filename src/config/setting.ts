// One configuration setting: its default, what it accepts (said in words for error
// messages), and how it parses from JSON (config file) and from text (env, --set).

export interface Setting<T> {
  readonly default: T;
  /** What a valid value looks like, for error messages: "one of shm, verbs, fabric". */
  readonly expected: string;
  /** The value, or undefined if `v` is not valid. */
  fromJson(v: unknown): T | undefined;
  fromText(s: string): T | undefined;
}

export type ValueOf<S> = S extends Setting<infer T> ? T : never;

export function oneOf<const V extends string>(values: readonly V[], dflt: NoInfer<V>): Setting<V> {
  const accept = (v: unknown) => (values.includes(v as V) ? (v as V) : undefined);
  return { default: dflt, expected: `one of ${values.join(', ')}`, fromJson: accept, fromText: accept };
}

/** An integer in [min, max] (inclusive); the unit belongs in the key's name. */
export function integer(dflt: number, min: number, max: number): Setting<number> {
  const accept = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : undefined);
  return {
    default: dflt,
    expected: `an integer in [${min}, ${max}]`,
    fromJson: accept,
    fromText: (s) => (/^-?\d+$/.test(s.trim()) ? accept(Number(s)) : undefined),
  };
}

/** A non-empty string (paths, names). */
export function text(dflt: string): Setting<string> {
  const accept = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  return { default: dflt, expected: 'a non-empty string', fromJson: accept, fromText: accept };
}
