import { describe, expect, it } from 'vitest';
import type { Vec3, Volume } from '../../volume/Volume';
import { generateCtPhantom } from '../phantom/ctPhantom';
import { findNoduleCandidate } from './findNoduleCandidate';

/** Lung-like background (-850 HU) with spheres (and optionally a vessel along i) painted at 40 HU. */
function scan(dims: Vec3, spacing: Vec3, spheres: { c: Vec3; r: number }[], vessel?: { j: number; k: number; r: number }): Volume {
  const [nx, ny, nz] = dims;
  const data = new Int16Array(nx * ny * nz).fill(-850);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const x = i * spacing[0];
        const y = j * spacing[1];
        const z = k * spacing[2];
        const inSphere = spheres.some((s) => Math.hypot(x - s.c[0], y - s.c[1], z - s.c[2]) <= s.r);
        const inVessel = vessel && Math.hypot(y - vessel.j, z - vessel.k) <= vessel.r;
        if (inSphere || inVessel) data[i + nx * (j + ny * k)] = 40;
      }
  const affine = new Float64Array([spacing[0], 0, 0, 10, 0, spacing[1], 0, 20, 0, 0, spacing[2], 30, 0, 0, 0, 1]);
  return { data, dims, spacing, affine, meta: { warnings: [] } };
}

describe('findNoduleCandidate', () => {
  const spacing: Vec3 = [1, 1, 2];
  it('a solitary sphere clicked off-centre (in the air beside it): centre and radius of the sphere', () => {
    const ct = scan([48, 48, 24], spacing, [{ c: [24, 24, 24], r: 6 }]);
    // Click 8 mm from the centre along i: 2 mm outside the sphere.
    const r = findNoduleCandidate(ct, [32, 24, 12])!;
    expect(r).not.toBeNull();
    expect(r.attached).toBe(false);
    expect(r.centerVoxel[0]).toBeCloseTo(24, 0);
    expect(r.centerVoxel[1]).toBeCloseTo(24, 0);
    expect(r.centerVoxel[2]).toBeCloseTo(12, 0);
    expect(r.radiusMm).toBeGreaterThan(5.4);
    expect(r.radiusMm).toBeLessThan(6.6);
    expect(r.meanHu).toBe(40);
    expect(r.centerWorld).toEqual([r.centerVoxel[0] + 10, r.centerVoxel[1] + 20, r.centerVoxel[2] * 2 + 30]);
  });

  it('a sphere on a vessel: the vessel does not inflate the radius or drag the centre', () => {
    const ct = scan([64, 48, 24], spacing, [{ c: [32, 24, 24], r: 7 }], { j: 24, k: 24, r: 1.5 });
    const r = findNoduleCandidate(ct, [30, 25, 12])!;
    expect(r.attached).toBe(true);
    expect(Math.abs(r.centerVoxel[0] - 32)).toBeLessThan(1.5);
    expect(Math.abs(r.centerVoxel[1] - 24)).toBeLessThan(1);
    expect(r.radiusMm).toBeGreaterThan(6);
    expect(r.radiusMm).toBeLessThan(8.5);
  });

  it('nothing dense near the click: null', () => {
    const ct = scan([48, 48, 24], spacing, [{ c: [24, 24, 24], r: 4 }]);
    expect(findNoduleCandidate(ct, [5, 5, 3])).toBeNull();
  });

  it('finds the demo phantom nodules from a click 2 mm off their centres', () => {
    const p = generateCtPhantom({ seed: 1, dims: [128, 128, 80] });
    expect(p.nodules.length).toBeGreaterThan(1);
    for (const n of p.nodules) {
      const click: Vec3 = [n.centerVoxel[0] + 2 / p.ct.spacing[0], n.centerVoxel[1], n.centerVoxel[2]];
      const r = findNoduleCandidate(p.ct, click)!;
      expect(r, `nodule ${n.id}`).not.toBeNull();
      const off = Math.hypot(...([0, 1, 2].map((a) => (r.centerVoxel[a] - n.centerVoxel[a]) * p.ct.spacing[a]) as Vec3));
      expect(off, `nodule ${n.id} centre error (mm)`).toBeLessThan(3);
      expect(Math.abs(2 * r.radiusMm - n.diameterMm) / n.diameterMm, `nodule ${n.id} diameter ${n.diameterMm} vs ${2 * r.radiusMm}`).toBeLessThan(0.35);
    }
  });
});
