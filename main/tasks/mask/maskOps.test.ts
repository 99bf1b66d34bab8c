import { describe, it, expect } from 'vitest';
import type { Vec3 } from '../../volume/Volume';
import { borderConnected2d, fillHoles2d } from './sliceOps';
import { dilateMm, erodeMm } from './morphology';
import { dice, labelVolumesMl } from './maskMetrics';
import { voxelAxisAlong } from './gridAxes';

const dims: Vec3 = [10, 8, 6];
const idx = (i: number, j: number, k: number): number => i + dims[0] * (j + dims[1] * k);
function box(lo: Vec3, hi: Vec3, m: Uint8Array = new Uint8Array(dims[0] * dims[1] * dims[2])): Uint8Array {
  for (let k = lo[2]; k <= hi[2]; k++) for (let j = lo[1]; j <= hi[1]; j++) for (let i = lo[0]; i <= hi[0]; i++) m[idx(i, j, k)] = 1;
  return m;
}
const count = (m: ArrayLike<number>): number => Array.from(m).filter(Boolean).length;

describe('slice operations', () => {
  it('fills an enclosed hole per slice, leaves border-open gaps and large holes', () => {
    const ring = box([1, 1, 0], [7, 6, 5]);
    for (let k = 0; k < 6; k++) for (let j = 2; j <= 5; j++) for (let i = 2; i <= 6; i++) ring[idx(i, j, k)] = 0; // 5x4 hole
    expect(count(fillHoles2d(ring, dims, 2))).toBe(7 * 6 * 6);
    expect(count(fillHoles2d(ring, dims, 2, 19))).toBe(count(ring)); // hole of 20 px kept
    const open = new Uint8Array(ring);
    for (let k = 0; k < 6; k++) open[idx(1, 3, k)] = 0; // gap to the outside
    expect(count(fillHoles2d(open, dims, 2))).toBe(count(open));
  });
  it('marks border-connected voxels', () => {
    const inner = box([3, 3, 0], [5, 5, 5]);
    const m = new Uint8Array(inner.length).fill(1);
    for (let p = 0; p < m.length; p++) if (inner[p]) m[p] = 0;
    m[idx(4, 4, 2)] = 1; // isolated inside the wall
    const b = borderConnected2d(m, dims, 2);
    expect(b[idx(0, 0, 0)]).toBe(1);
    expect(b[idx(4, 4, 2)]).toBe(0);
  });
});

describe('morphology in millimetres', () => {
  it('erodes and dilates with anisotropic spacing', () => {
    const m = box([2, 2, 1], [7, 5, 4]);
    const e = erodeMm(m, dims, [1, 1, 3], 1);
    expect(count(e)).toBe(4 * 2 * 4); // in-plane only: 3 mm slices are beyond a 1 mm radius
    const d = dilateMm(box([4, 4, 3], [4, 4, 3]), dims, [1, 1, 1], 1);
    expect(count(d)).toBe(7);
  });
});

describe('mask metrics', () => {
  it('computes Dice per label and volumes in mL', () => {
    const a = new Uint8Array([0, 1, 1, 2, 2, 0]);
    const b = new Uint8Array([0, 1, 0, 2, 2, 2]);
    expect(dice(a, b, 1, 1)).toBeCloseTo(2 / 3);
    expect(dice(a, b, 2, 2)).toBeCloseTo(0.8);
    expect(dice(new Uint8Array(3), new Uint8Array(3))).toBe(1);
    expect(() => dice(a, new Uint8Array(2))).toThrow(/differ/);
    const v = labelVolumesMl({ data: a, spacing: [10, 10, 10] });
    expect(v.get(1)).toBeCloseTo(2);
    expect(v.get(2)).toBeCloseTo(2);
  });
  it('finds the voxel axis along a world axis', () => {
    const aff = new Float64Array([0, 0, 2, 0, -1, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 1]);
    expect(voxelAxisAlong(aff, 2)).toEqual({ axis: 1, sign: 1 });
    expect(voxelAxisAlong(aff, 1)).toEqual({ axis: 0, sign: -1 });
  });
});
