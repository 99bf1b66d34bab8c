/**
 * The request line's target, taken apart without throwing: hostile clients send absolute-form
 * targets with impossible ports (`GET http://a:99999/`) or malformed percent-escapes, and
 * `new URL` / `decodeURIComponent` throw on those. Only origin-form targets (`/path?query`) are
 * meaningful to the web mode; anything else is `null` and the caller answers 400.
 */
export interface RequestTarget {
  /** Path as sent, still percent-encoded. */
  rawPath: string;
  /** Query parameters (URLSearchParams never throws; malformed escapes stay as typed). */
  query: URLSearchParams;
}

export function parseRequestTarget(raw: string | undefined): RequestTarget | null {
  if (!raw || raw[0] !== '/' || raw.startsWith('//')) return null;
  const hash = raw.indexOf('#');
  const target = hash < 0 ? raw : raw.slice(0, hash);
  const q = target.indexOf('?');
  return { rawPath: q < 0 ? target : target.slice(0, q), query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
}

/** Percent-decoded path, or null for a malformed escape or a NUL byte. */
export function decodePath(rawPath: string): string | null {
  let p: string;
  try {
    p = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  return p.includes('\0') ? null : p;
}
