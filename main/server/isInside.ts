import path from 'node:path';

/** True when `child` is `parent` or below it (both absolute and already resolved; no filesystem access). */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
