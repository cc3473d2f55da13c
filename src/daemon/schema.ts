/**
 * A small schema language for the daemon's API: one declaration gives the TypeScript type
 * (`Infer<typeof s>`), the check of untrusted JSON (first problem, with its path) and the text
 * README's API table shows. No imports: the dashboard's browser bundle uses the same declarations.
 */

/** A JSON value's shape. `T` exists only for type inference. */
export interface Schema<T> {
  /** What it is, as README shows it (`string`, `number 0–255`, `{ id, state }`…). */
  readonly text: string;
  /** The first problem in `v` (`at` is where it is, e.g. `params.apns[1]`), or undefined. */
  check(v: unknown, at: string): string | undefined;
  /** Never set: carries the type. */
  readonly _type?: T;
}

/** The TypeScript type a schema declares. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

/** A field that may be absent. */
export interface Optional<T> extends Schema<T | undefined> {
  readonly optional: true;
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends Optional<unknown> ? K : never }[keyof S];
type Flat<T> = { [K in keyof T]: T[K] } & {};
/** The object type of a shape: optional fields become `key?:`. */
export type InferShape<S extends Shape> = Flat<{ [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> }>;

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);
const schema = <T>(text: string, check: (v: unknown, at: string) => string | undefined): Schema<T> => ({ text, check });

export const t = {
  string(o: { min?: number; max?: number; pattern?: RegExp; what?: string } = {}): Schema<string> {
    const min = o.min ?? 0;
    const what = o.what ?? (min > 0 ? 'a non-empty string' : 'a string');
    return schema(o.what ?? 'string', (v, at) => {
      if (typeof v !== 'string') return `${at} must be ${what}, not ${kindOf(v)}`;
      if (v.length < min || (o.max !== undefined && v.length > o.max)) return `${at} must be ${what}${o.max !== undefined ? ` of at most ${o.max} characters` : ''}`;
      // The value itself is never repeated: it may be a PIN.
      if (o.pattern && !o.pattern.test(v)) return `${at} must be ${what}`;
      return undefined;
    });
  },
  number(o: { integer?: boolean; min?: number; max?: number } = {}): Schema<number> {
    const from = o.min === undefined ? '' : ` from ${o.min}${o.max === undefined ? '' : ` to ${o.max}`}`;
    const what = `${o.integer ? 'a whole number' : 'a number'}${from}`;
    const range = o.min === undefined ? '' : o.max === undefined ? ` ≥ ${o.min}` : ` ${o.min}–${o.max}`;
    return schema(`${o.integer ? 'integer' : 'number'}${range}`, (v, at) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) return `${at} must be ${what}, not ${kindOf(v)}`;
      if ((o.integer && !Number.isInteger(v)) || (o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max)) return `${at} must be ${what}`;
      return undefined;
    });
  },
  boolean(): Schema<boolean> {
    return schema('boolean', (v, at) => (typeof v === 'boolean' ? undefined : `${at} must be true or false, not ${kindOf(v)}`));
  },
  literal<const L extends string | number | boolean | null>(value: L): Schema<L> {
    return schema(JSON.stringify(value), (v, at) => (v === value ? undefined : `${at} must be ${JSON.stringify(value)}`));
  },
  enum<const E extends readonly (string | number)[]>(values: E): Schema<E[number]> {
    const text = values.map((x) => JSON.stringify(x)).join(' | ');
    return schema(text, (v, at) => ((values as readonly unknown[]).includes(v) ? undefined : `${at} must be one of ${values.join(', ')}`));
  },
  array<T>(items: Schema<T>, o: { max?: number; min?: number } = {}): Schema<T[]> {
    return schema(`${items.text.includes(' ') && !items.text.startsWith('{') ? `(${items.text})` : items.text}[]`, (v, at) => {
      if (!Array.isArray(v)) return `${at} must be an array, not ${kindOf(v)}`;
      if (v.length < (o.min ?? 0) || (o.max !== undefined && v.length > o.max)) return `${at} must have ${o.min ?? 0} to ${o.max ?? 'any number of'} items`;
      for (let i = 0; i < v.length; i++) {
        const p = items.check(v[i], `${at}[${i}]`);
        if (p) return p;
      }
      return undefined;
    });
  },
  /** An object with these fields and no others. */
  object<S extends Shape>(shape: S): Schema<InferShape<S>> & { readonly shape: S } {
    const keys = Object.keys(shape);
    const text = keys.length === 0 ? '{}' : `{ ${keys.map((k) => `${k}${(shape[k] as Partial<Optional<unknown>>).optional ? '?' : ''}`).join(', ')} }`;
    return {
      shape,
      text,
      check(v, at) {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${at} must be an object, not ${kindOf(v)}`;
        const o = v as Record<string, unknown>;
        for (const k of Object.keys(o)) if (!Object.hasOwn(shape, k)) return `${at} has an unknown field ${JSON.stringify(k.slice(0, 64))} (known: ${keys.join(', ') || 'none'})`;
        for (const k of keys) {
          if (o[k] === undefined && !(shape[k] as Partial<Optional<unknown>>).optional) return `${at}.${k} is missing`;
          const p = shape[k]!.check(o[k], `${at}.${k}`);
          if (p) return p;
        }
        return undefined;
      },
    };
  },
  /** An object whose keys are free, with values of one shape. */
  record<T>(values: Schema<T>): Schema<Record<string, T>> {
    return schema(`{ [key]: ${values.text} }`, (v, at) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${at} must be an object, not ${kindOf(v)}`;
      for (const [k, x] of Object.entries(v)) {
        const p = values.check(x, `${at}.${k}`);
        if (p) return p;
      }
      return undefined;
    });
  },
  optional<T>(s: Schema<T>): Optional<T> {
    return { text: s.text, optional: true, check: (v, at) => (v === undefined ? undefined : s.check(v, at)) };
  },
  nullable<T>(s: Schema<T>): Schema<T | null> {
    return schema(`${s.text} | null`, (v, at) => (v === null ? undefined : s.check(v, at)));
  },
  /** Any JSON value (what the daemon passes through from a lower layer as it is). */
  json(text = 'object'): Schema<Record<string, unknown>> {
    return schema(text, (v, at) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : `${at} must be an object, not ${kindOf(v)}`));
  },
};
