import { describe, it, expect } from 'vitest';
import { VolumeStore, exactBuffer } from './VolumeStore';
import type { Volume, VoxelArray } from '../volume/Volume';

function vol(data: VoxelArray, dims: [number, number, number] = [data.length, 1, 1]): Volume {
  return { data, dims, spacing: [1, 1, 1], affine: Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), meta: { warnings: ['w'], modality: 'CT', source: '/x.nii' } };
}

describe('VolumeStore', () => {
  it('exactBuffer copies only views that do not cover their buffer', () => {
    const whole = new Int16Array([1, 2, 3]);
    expect(exactBuffer(whole)).toBe(whole.buffer);
    const view = new Int16Array(whole.buffer, 2, 2);
    expect([...new Int16Array(exactBuffer(view))]).toEqual([2, 3]);
  });
  it('header: range, geometry, source, warnings', () => {
    const s = new VolumeStore();
    const h = s.add(vol(new Int16Array([-1024, 5, 3000]), [3, 1, 1]));
    expect(h).toMatchObject({ dims: [3, 1, 1], dtype: 'int16', min: -1024, max: 3000, modality: 'CT', source: '/x.nii', warnings: ['w'] });
    expect(h.affine).toHaveLength(16);
  });
  it('evicts least recently used volumes beyond the count and byte limits', () => {
    const s = new VolumeStore({ maxVolumes: 2, maxBytes: 1000 });
    const a = s.add(vol(new Uint8Array(400)));
    const b = s.add(vol(new Uint8Array(400)));
    s.get(a.volumeId);
    const c = s.add(vol(new Uint8Array(400)));
    expect(() => s.get(b.volumeId)).toThrow(/not open/);
    expect(s.get(a.volumeId).header.volumeId).toBe(a.volumeId);
    const big = s.add(vol(new Uint8Array(5000)));
    expect(s.get(big.volumeId)).toBeTruthy();
    expect(() => s.get(c.volumeId)).toThrow(/not open/);
  });
});
