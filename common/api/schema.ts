/**
 * A tiny runtime schema helper for API payloads: each schema checks an `unknown` value and
 * returns it typed, or throws an ApiValidationError naming the offending field. Request types
 * are derived from their schemas (`Infer<typeof S>`) so the validator and the type never drift.
 * Runs anywhere (renderer, preload, Node): no Node or DOM APIs.
 */
import { ApiError } from './errors';

export interface Schema<T> {
  /** Returns `value` typed as T, or throws ApiValidationError naming `at`. */
  parse(value: unknown, at?: string): T;
  /** Short description used in error messages, e.g. 'string' or 'object'. */
  readonly describe: string;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

export class ApiValidationError extends ApiError {
  constructor(at: string, expected: string, got: unknown) {
    super('invalid-request', `${at || 'payload'}: expected ${expected}, got ${describeValue(got)}`);
    this.name = 'ApiValidationError';
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof ArrayBuffer) return 'ArrayBuffer';
  if (typeof v === 'string') return v.length > 40 ? 'string' : JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  return typeof v;
}

function make<T>(describe: string, parse: (value: unknown, at: string) => T): Schema<T> {
  return { describe, parse: (value, at = '') => parse(value, at) };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof ArrayBuffer) && !ArrayBuffer.isView(v);

export interface StringOpts {
  min?: number;
  max?: number;
  pattern?: RegExp;
}

export const v = {
  string(opts: StringOpts = {}): Schema<string> {
    const max = opts.max ?? 4096;
    return make('string', (x, at) => {
      if (typeof x !== 'string') throw new ApiValidationError(at, 'string', x);
      if (x.length < (opts.min ?? 0) || x.length > max) throw new ApiValidationError(at, `string of length ${opts.min ?? 0}..${max}`, x);
      if (x.includes('\0')) throw new ApiValidationError(at, 'string without NUL characters', x);
      if (opts.pattern && !opts.pattern.test(x)) throw new ApiValidationError(at, `string matching ${opts.pattern}`, x);
      return x;
    });
  },
  number(opts: { min?: number; max?: number; integer?: boolean } = {}): Schema<number> {
    const what = `${opts.integer ? 'integer' : 'number'}${opts.min !== undefined || opts.max !== undefined ? ` in [${opts.min ?? '-inf'}, ${opts.max ?? 'inf'}]` : ''}`;
    return make(what, (x, at) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new ApiValidationError(at, what, x);
      if (opts.integer && !Number.isInteger(x)) throw new ApiValidationError(at, what, x);
      if ((opts.min !== undefined && x < opts.min) || (opts.max !== undefined && x > opts.max)) throw new ApiValidationError(at, what, x);
      return x;
    });
  },
  boolean(): Schema<boolean> {
    return make('boolean', (x, at) => {
      if (typeof x !== 'boolean') throw new ApiValidationError(at, 'boolean', x);
      return x;
    });
  },
  literal<const L extends string | number | boolean>(...values: L[]): Schema<L> {
    const what = values.map((s) => JSON.stringify(s)).join(' | ');
    return make(what, (x, at) => {
      if (!values.includes(x as L)) throw new ApiValidationError(at, what, x);
      return x as L;
    });
  },
  arrayBuffer(opts: { maxBytes?: number } = {}): Schema<ArrayBuffer> {
    return make('ArrayBuffer', (x, at) => {
      if (!(x instanceof ArrayBuffer)) throw new ApiValidationError(at, 'ArrayBuffer', x);
      if (opts.maxBytes !== undefined && x.byteLength > opts.maxBytes) throw new ApiValidationError(at, `ArrayBuffer of at most ${opts.maxBytes} bytes`, x);
      return x;
    });
  },
  array<T>(item: Schema<T>, opts: { min?: number; max?: number } = {}): Schema<T[]> {
    const what = `array of ${item.describe}`;
    return make(what, (x, at) => {
      if (!Array.isArray(x)) throw new ApiValidationError(at, what, x);
      if (x.length < (opts.min ?? 0) || x.length > (opts.max ?? 100_000)) throw new ApiValidationError(at, `${what} with ${opts.min ?? 0}..${opts.max ?? 100_000} items`, x);
      return x.map((e, i) => item.parse(e, `${at}[${i}]`));
    });
  },
  tuple3<T>(item: Schema<T>): Schema<[T, T, T]> {
    return make(`[${item.describe} x3]`, (x, at) => {
      if (!Array.isArray(x) || x.length !== 3) throw new ApiValidationError(at, `array of 3 ${item.describe}`, x);
      return [item.parse(x[0], `${at}[0]`), item.parse(x[1], `${at}[1]`), item.parse(x[2], `${at}[2]`)];
    });
  },
  optional<T>(inner: Schema<T>): Schema<T | undefined> & { optional: true } {
    return {
      optional: true,
      describe: `${inner.describe} | undefined`,
      parse: (x, at = '') => (x === undefined ? undefined : inner.parse(x, at)),
    };
  },
  nullable<T>(inner: Schema<T>): Schema<T | null> {
    return make(`${inner.describe} | null`, (x, at) => (x === null ? null : inner.parse(x, at)));
  },
  /** An object with exactly these keys (unknown keys are rejected: they usually mean a typo). */
  object<P extends Record<string, Schema<unknown>>>(props: P): Schema<ObjectOf<P>> {
    return make('object', (x, at) => {
      if (!isPlainObject(x)) throw new ApiValidationError(at, 'object', x);
      // Own keys only: `in` would also find inherited names (`constructor`, `toString`, `__proto__`).
      for (const k of Object.keys(x)) {
        if (!Object.hasOwn(props, k) && x[k] !== undefined) throw new ApiValidationError(at ? `${at}.${k}` : k, 'no such field', x[k]);
      }
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(props)) {
        const val = s.parse(Object.hasOwn(x, k) ? x[k] : undefined, at ? `${at}.${k}` : k);
        if (val !== undefined) out[k] = val;
      }
      return out as ObjectOf<P>;
    });
  },
  /** Discriminated union on `key`. */
  union<K extends string, const M extends Record<string, Schema<Record<string, unknown>>>>(key: K, members: M): Schema<Infer<M[keyof M]>> {
    const tags = Object.keys(members);
    return make(`object with ${key} in ${tags.join('|')}`, (x, at) => {
      if (!isPlainObject(x)) throw new ApiValidationError(at, 'object', x);
      const tag = x[key];
      if (typeof tag !== 'string' || !Object.hasOwn(members, tag)) {
        throw new ApiValidationError(at ? `${at}.${key}` : key, tags.map((t) => JSON.stringify(t)).join(' | '), tag);
      }
      return members[tag].parse(x, at) as Infer<M[keyof M]>;
    });
  },
  /** Any JSON value (job parameters): no functions, no cycles, bounded depth. */
  json(maxDepth = 16): Schema<JsonValue> {
    const check = (x: unknown, at: string, depth: number): JsonValue => {
      if (depth > maxDepth) throw new ApiValidationError(at, `JSON nested at most ${maxDepth} deep`, x);
      if (x === null || typeof x === 'string' || typeof x === 'boolean') return x;
      if (typeof x === 'number') {
        if (!Number.isFinite(x)) throw new ApiValidationError(at, 'finite number', x);
        return x;
      }
      if (Array.isArray(x)) return x.map((e, i) => check(e, `${at}[${i}]`, depth + 1));
      if (isPlainObject(x)) {
        const out: { [k: string]: JsonValue } = {};
        // defineProperty: a key named "__proto__" (JSON.parse makes it an own key) stays a plain
        // key instead of replacing the result's prototype.
        for (const [k, e] of Object.entries(x)) {
          if (e !== undefined) Object.defineProperty(out, k, { value: check(e, at ? `${at}.${k}` : k, depth + 1), enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
      throw new ApiValidationError(at, 'JSON value', x);
    };
    return make('JSON value', (x, at) => check(x, at, 0));
  },
  /** No payload at all (methods without arguments). */
  none(): Schema<void> {
    return make('no payload', (x, at) => {
      if (x !== undefined && x !== null && !(isPlainObject(x) && Object.keys(x).length === 0)) throw new ApiValidationError(at, 'no payload', x);
      return undefined;
    });
  },
};

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

type OptionalKeys<P> = { [K in keyof P]: P[K] extends { optional: true } ? K : never }[keyof P];
type RequiredKeys<P> = Exclude<keyof P, OptionalKeys<P>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<P extends Record<string, Schema<unknown>>> = Simplify<
  { [K in RequiredKeys<P>]: Infer<P[K]> } & { [K in OptionalKeys<P>]?: Infer<P[K]> }
>;
