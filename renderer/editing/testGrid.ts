import type { Dims3, LabelGrid } from './LabelGrid';

/** A blank label grid for tests. */
export function makeGrid(dims: Dims3, spacing: Dims3 = [1, 1, 1]): LabelGrid {
  return { data: new Uint8Array(dims[0] * dims[1] * dims[2]), dims, spacing };
}

export function countValue(data: Uint8Array, value: number): number {
  let c = 0;
  for (let n = 0; n < data.length; n++) if (data[n] === value) c++;
  return c;
}
