import { describe, expect, it } from 'vitest';
import type { Conv3dGeometry } from '../../KernelProvider';
import { axisPhases, conv3dBackpropInputPlan, conv3dPlan } from './conv3d';

const limits = { maxStorageBufferBindingSize: 1 << 30, maxComputeWorkgroupsPerDimension: 65535 };

/** Brute force: for each input position, the taps whose output position lands on the stride grid. */
function tapsByPosition(size: number, k: number, s: number, p: number, d: number): number[][] {
  return Array.from({ length: size }, (_, i) => [...Array(k).keys()].filter((t) => (i + p - t * d) % s === 0));
}

describe('axisPhases (stride phases of the conv input gradient)', () => {
  it.each([
    { size: 9, k: 3, s: 2, p: 1, d: 1 },
    { size: 10, k: 7, s: 2, p: 3, d: 1 },
    { size: 8, k: 3, s: 2, p: 2, d: 2 },
    { size: 7, k: 3, s: 3, p: 0, d: 1 },
    { size: 6, k: 2, s: 2, p: 0, d: 1 },
    { size: 5, k: 3, s: 1, p: 4, d: 4 },
    { size: 9, k: 5, s: 4, p: 2, d: 3 },
  ])('size $size, kernel $k, stride $s, pad $p, dilation $d: every position gets exactly its taps', ({ size, k, s, p, d }) => {
    const want = tapsByPosition(size, k, s, p, d);
    const got: number[][] = Array.from({ length: size }, () => []);
    for (const ph of axisPhases(size, k, s, p, d)) {
      for (let j = 0; j < ph.count; j++) {
        const i = ph.r + j * s;
        expect(i).toBeLessThan(size);
        for (let t = 0; t < ph.tc; t++) got[i].push(ph.t0 + t * ph.ts);
      }
    }
    expect(got).toEqual(want);
  });

  it('stride 1 is one phase holding every tap', () => {
    expect(axisPhases(6, 3, 1, 1, 2)).toEqual([{ r: 0, count: 6, t0: 0, ts: 1, tc: 3 }]);
  });
});

const geo = (s: number, p: number): Conv3dGeometry => ({ strides: [s, s, s], pads: [p, p, p], dilations: [1, 1, 1] });

describe('conv plans', () => {
  it('a stride-2 input gradient is 8 dense phase GEMMs sharing one shader', () => {
    const plan = conv3dBackpropInputPlan([1, 4, 4, 4, 8], [3, 3, 3, 16, 8], [1, 8, 8, 8, 16], geo(2, 1), limits);
    expect(plan.dispatches).toHaveLength(8);
    expect(new Set(plan.dispatches.map((d) => d.code)).size).toBe(1);
  });

  it('plain and fused forward convs share one shader whatever the shape', () => {
    const a = conv3dPlan([1, 5, 6, 7, 3], [3, 3, 3, 3, 4], geo(1, 1), limits).plan;
    const b = conv3dPlan([2, 9, 8, 7, 16], [3, 3, 3, 16, 64], geo(1, 1), limits, { bias: true, residual: true, relu: true }).plan;
    expect(a.dispatches[0].code).toBe(b.dispatches[0].code);
  });

  it('names the tensor and the limit when a tensor exceeds the adapter binding size', () => {
    expect(() => conv3dPlan([1, 64, 64, 64, 8], [1, 1, 1, 8, 8], geo(1, 0), { ...limits, maxStorageBufferBindingSize: 1 << 20 })).toThrow(/conv3d 1x64x64x64x8.*exceeds the adapter's maxStorageBufferBindingSize \(1 MiB\)/);
  });

  it('rejects a filter whose input channels do not match', () => {
    expect(() => conv3dPlan([1, 4, 4, 4, 3], [3, 3, 3, 5, 2], geo(1, 1), limits)).toThrow(/3 channels.*expects 5/);
  });
});
