import type { StateDict } from '../../nn/StateDict';

/** Key helpers the head kinds' recognisers share. */
export const keysWithPrefix = (sd: StateDict, prefix: string): string[] => [...sd.keys()].filter((k) => k.startsWith(prefix));

export const shapeOf = (sd: StateDict, key: string): number[] | undefined => sd.get(key)?.shape;

/**
 * How many `<prefix><i>.` groups exist, 0 unless the indices are exactly 0..n-1 (a gap means a
 * damaged or hand-edited file, which no head recognises).
 */
export function indexedGroups(sd: StateDict, prefix: string): number {
  const seen = new Set<number>();
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}(\\d+)\\.`);
  for (const k of sd.keys()) {
    const m = re.exec(k);
    if (m) seen.add(Number(m[1]));
  }
  for (let i = 0; i < seen.size; i++) if (!seen.has(i)) return 0;
  return seen.size;
}
