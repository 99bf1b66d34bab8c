/**
 * The Python values our allowlist unpickler can produce. Plain JS values are used where they are
 * unambiguous (None → null, bool, str → string, float → number, list → array); ints are numbers
 * when they fit a double exactly and bigint otherwise.
 */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | PyDict
  | PySet
  | PyGlobal
  | PyObject;

/** An immutable Python tuple (kept apart from lists so that persistent ids and args are typed). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** Dict keys we accept: hashable primitives (and tuples of them, stringified). */
export type PyKey = string | number | bigint | boolean | null;

/** dict or collections.OrderedDict; insertion order is kept either way. */
export class PyDict {
  readonly map = new Map<PyKey, PyValue>();
  /** Attributes set with BUILD (e.g. a state dict's `_metadata`); ignored by the loaders. */
  attrs: PyValue = null;
  constructor(readonly ordered = false) {}
  get(key: PyKey): PyValue | undefined {
    return this.map.get(key);
  }
}

export class PySet {
  readonly items: PyValue[] = [];
  constructor(readonly frozen = false) {}
}

/** A reference to an allowlisted module-level callable or class (never resolved to code). */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * A value built by an allowlisted callable; `tag` says which (e.g. 'tensor', 'storage'),
 * `value` holds whatever the handler returned.
 */
export class PyObject<T = unknown> {
  attrs: PyValue = null;
  constructor(
    readonly tag: string,
    readonly value: T,
  ) {}
}

export function isPyKey(v: PyValue): v is PyKey {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';
}

/** Human-readable type name for error messages. */
export function pyTypeName(v: PyValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'str';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return v.ordered ? 'OrderedDict' : 'dict';
  if (v instanceof PySet) return v.frozen ? 'frozenset' : 'set';
  if (v instanceof PyGlobal) return v.qualified;
  return v.tag;
}
