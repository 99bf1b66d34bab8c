/**
 * Split verified cases into training and held-out validation deterministically (by id order),
 * keeping at least one of each when there are two or more cases.
 */
export function splitValidation<T extends { id: string }>(cases: T[], fraction = 0.2): { train: T[]; validation: T[] } {
  const sorted = [...cases].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (sorted.length < 2) return { train: sorted, validation: [] };
  const nVal = Math.min(sorted.length - 1, Math.max(1, Math.round(sorted.length * fraction)));
  // Every k-th case goes to validation so it spans the cohort.
  const step = sorted.length / nVal;
  const valIdx = new Set(Array.from({ length: nVal }, (_, i) => Math.floor(i * step + step / 2)));
  return { train: sorted.filter((_, i) => !valIdx.has(i)), validation: sorted.filter((_, i) => valIdx.has(i)) };
}
