/**
 * Field checks shared by the head kinds' `validate` (a spec may come from a checkpoint's JSON, so
 * nothing is assumed about its types). Errors read `head '<kind>': <field> must be …`.
 */
const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

export function requirePositiveInt(h: Readonly<Record<string, unknown>>, field: string): void {
  if (!isPosInt(h[field])) throw new Error(`head '${String(h.kind)}': ${field} must be a positive integer, got ${String(h[field])}`);
}

/** A non-empty list of positive integers; `length` when the head needs exactly that many. */
export function requirePositiveInts(h: Readonly<Record<string, unknown>>, field: string, what: string, length?: number): void {
  const v = h[field];
  if (!Array.isArray(v) || v.length === 0 || (length !== undefined && v.length !== length)) throw new Error(`head '${String(h.kind)}': ${field} must list ${what}`);
  v.forEach((x, i) => {
    if (!isPosInt(x)) throw new Error(`head '${String(h.kind)}': ${field}[${i}] must be a positive integer, got ${String(x)}`);
  });
}
