import { describe, expect, it } from 'vitest';
import { resampleStack } from './resampleStack';
import { valueRange } from '../../valueRange';
import { planStack, type StackSlice, type V3 } from './stackGeometry';

const AXIAL = [1, 0, 0, 0, 1, 0] as [number, number, number, number, number, number];
const C = 5;
const R = 6;

/** Slices at z = zs with their origin moved `dy(z)` mm along the column direction (pixel spacing 1 mm). */
function stack(zs: number[], dy: (z: number) => number): StackSlice<number>[] {
  return zs.map((z, n) => ({ position: [0, dy(z), z] as V3, orientation: AXIAL, pixelSpacing: [1, 1], order: n, ref: n }));
}

/** Slice n holds f(i, j, n): linear functions survive bilinear/linear interpolation exactly. */
function volume(n: number, f: (i: number, j: number, k: number) => number): Float32Array {
  const a = new Float32Array(C * R * n);
  for (let k = 0; k < n; k++) for (let j = 0; j < R; j++) for (let i = 0; i < C; i++) a[i + C * (j + R * k)] = f(i, j, k);
  return a;
}

describe('resampleStack', () => {
  it('half-pixel shear: bilinear sample of the shifted slice, fill outside', () => {
    const plan = planStack(stack([0, 2, 4], (z) => z * 0.25)); // 0.5 px per slice
    const f = (i: number, j: number): number => 10 * j + i;
    const res = resampleStack(volume(3, f), C, R, plan, 2, -99);
    expect(res.nk).toBe(3);
    // Output (i, j, k) is world row j → source row j - 0.5·k of slice k.
    expect(res.data[2 + C * (3 + R * 1)]).toBeCloseTo(f(2, 2.5), 5);
    expect(res.data[2 + C * (3 + R * 2)]).toBeCloseTo(f(2, 2), 5);
    expect(res.data[2 + C * (0 + R * 2)]).toBe(-99); // row 0 of slice 2 is outside (source row −1)
    expect(res.filledVoxels).toBe(C * 1 + C * 1); // one row in slice 1 (needs row −0.5), one in slice 2
  });

  it('irregular spacing: linear along the normal between the two nearest slices', () => {
    const plan = planStack(stack([0, 1, 4], () => 0));
    const res = resampleStack(volume(3, (_i, _j, k) => [0, 1, 4][k] * 3), C, R, plan, 1, 0);
    expect(res.nk).toBe(5);
    for (let k = 0; k < 5; k++) expect(res.data[C * R * k + 7]).toBeCloseTo(3 * k, 5);
    expect(res.gapSlices).toBe(2);
  });

  it('integer input keeps its type: interpolated values rounded, fill where there is no data', () => {
    const plan = planStack(stack([0, 2, 4], (z) => z * 0.25)); // 0.5 px per slice along j
    const f = (i: number, j: number): number => 3 * j + i - 30;
    const src = Int16Array.from(volume(3, f));
    const res = resampleStack(src, C, R, plan, 2, -1024);
    expect(res.data).toBeInstanceOf(Int16Array);
    expect(res.data[2 + C * (3 + R * 1)]).toBe(-20); // between -22 and -19: -20.5 rounds to -20
    expect(res.data[2 + C * (3 + R * 2)]).toBe(f(2, 2));
    expect(res.data[2 + C * (0 + R * 2)]).toBe(-1024);
    expect(res.filledVoxels).toBe(2 * C);
    expect(valueRange(res.data)).toEqual(valueRange(res.data.slice())); // noted while writing, fill included
    expect(valueRange(res.data).min).toBe(-1024);
    const u16 = resampleStack(Uint16Array.from(src, (v) => v + 100), C, R, plan, 2, 0);
    expect(u16.data).toBeInstanceOf(Uint16Array);
    expect(resampleStack(Float64Array.from(src), C, R, plan, 2, 0).data).toBeInstanceOf(Float32Array);
  });

  it('shift along both axes: four-neighbour bilinear sample, the uncovered border filled', () => {
    const plan = planStack(stack([0, 1], () => 0).map((s, n) => ({ ...s, position: [0.5 * n, 0.25 * n, n] as V3 })));
    const f = (i: number, j: number): number => 3 * i + 7 * j;
    const res = resampleStack(volume(2, f), C, R, plan, 1, -5);
    // Slice 1 output (i, j) samples source (i - 0.5, j - 0.25): column 0 and row 0 have no data.
    expect(res.data[2 + C * (3 + R)]).toBeCloseTo(f(1.5, 2.75), 5);
    expect(res.data[0 + C * (3 + R)]).toBe(-5);
    expect(res.data[2 + C * (0 + R)]).toBe(-5);
    expect(res.filledVoxels).toBe(C + R - 1);
  });
});
