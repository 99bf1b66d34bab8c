import { describe, expect, it } from 'vitest';
import { connectedComponents, keepLargestComponents } from './connectedComponents';

const dims: [number, number, number] = [10, 8, 6];
const idx = (i: number, j: number, k: number): number => i + dims[0] * (j + dims[1] * k);
function box(lo: [number, number, number], hi: [number, number, number], m: Uint8Array, v = 1): Uint8Array {
  for (let k = lo[2]; k <= hi[2]; k++) for (let j = lo[1]; j <= hi[1]; j++) for (let i = lo[0]; i <= hi[0]; i++) m[idx(i, j, k)] = v;
  return m;
}
const count = (m: ArrayLike<number>): number => Array.from(m).filter(Boolean).length;

describe('connectedComponents', () => {
  const scene = (): Uint8Array => {
    const m = box([0, 0, 0], [2, 2, 2], new Uint8Array(10 * 8 * 6)); // 27
    box([5, 5, 3], [6, 6, 4], m); // 8
    m[idx(3, 3, 3)] = 1; // touches the first box only by a corner
    box([8, 0, 0], [9, 0, 0], m, 2); // 2 voxels of another label
    return m;
  };

  it('non-zero voxels, 6-connectivity: boxes apart, corner contact apart, any label counts', () => {
    const cc = connectedComponents(scene(), dims);
    expect(cc.count).toBe(4);
    expect(cc.sizes.slice(1).sort((a, b) => a - b)).toEqual([1, 2, 8, 27]);
    expect(cc.labels[idx(0, 0, 0)]).toBe(1);
  });

  it('one value, 6 vs 26 connectivity', () => {
    expect(connectedComponents(scene(), dims, 1, 6).sizes.slice(1).sort((a, b) => b - a)).toEqual([27, 8, 1]);
    expect(connectedComponents(scene(), dims, 1, 26).sizes.slice(1).sort((a, b) => b - a)).toEqual([28, 8]);
    expect(connectedComponents(scene(), dims, 2).count).toBe(1);
  });

  it('keepLargestComponents keeps the n largest', () => {
    const m = scene().map((v) => (v === 1 ? 1 : 0));
    expect(count(keepLargestComponents(m, dims, 1))).toBe(27);
    expect(count(keepLargestComponents(m, dims, 2))).toBe(35);
  });
});
