import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_DIR, sharedAvailable } from '../../../../test/sharedDir';
import { VolumeReadError } from '../errors';
import { readNifti, readNiftiImage } from './readNifti';
import { storedScalars } from './niftiToVolume';
import { percentiles } from '../../preprocess/percentile';

interface Stats {
  'p0.5': number | string;
  'p99.5': number | string;
  min: number | string;
  max: number | string;
  mean: number | string;
  std: number | string;
}
interface Entry {
  path: string;
  category: string;
  expect: 'ok' | 'error';
  facts: {
    shape?: number[];
    affine?: number[][];
    datatype?: string;
    endianness?: string;
    magic?: string;
    scl_slope_effective?: number;
    scl_inter_effective?: number;
    scaled_data_stats?: Stats;
  };
}

const hasData = sharedAvailable('NIfTI files of ../shared/data');
const entries: Entry[] = hasData
  ? (JSON.parse(readFileSync(path.join(DATA_DIR, 'manifest.json'), 'utf8')) as { files: Entry[] }).files.filter((f) =>
      f.category.startsWith('nifti'),
    )
  : [];
const ok = entries.filter((e) => e.expect === 'ok');
const bad = entries.filter((e) => e.expect === 'error');

function num(v: number | string): number {
  return typeof v === 'number' ? v : v === 'NaN' ? NaN : v === '-Inf' ? -Infinity : Infinity;
}

describe.skipIf(!hasData)('NIfTI files of ../shared/data match manifest.json (nibabel facts, numpy percentiles)', () => {
  it('manifest lists NIfTI files', () => {
    expect(ok.length).toBeGreaterThan(20);
    expect(bad.length).toBeGreaterThan(0);
  });

  it.each(ok.map((e) => [e.path, e] as const))('%s', async (_p, e) => {
    const file = path.join(DATA_DIR, e.path);
    const img = await readNiftiImage(file);
    const f = e.facts;
    expect(img.shape).toEqual(f.shape);
    expect(img.datatype.name).toBe(f.datatype);
    expect(img.littleEndian).toBe(f.endianness === 'little');
    expect(img.magic).toBe(f.magic);
    const aff = f.affine!;
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expect(img.affine[r * 4 + c]).toBeCloseTo(aff[r][c], 4);
    const slope = img.scaling?.slope ?? 1;
    const inter = img.scaling?.inter ?? 0;
    expect(slope).toBeCloseTo(f.scl_slope_effective!, 10);
    expect(inter).toBeCloseTo(f.scl_inter_effective!, 8);

    // Stats over every stored scalar (all volumes; RGB: channel bytes), scaled in float64 like get_fdata.
    const raw = storedScalars(img);
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i] * slope + inter;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    const mean = sum / raw.length;
    let ss = 0;
    for (let i = 0; i < raw.length; i++) ss += (raw[i] * slope + inter - mean) ** 2;
    const std = Math.sqrt(ss / raw.length);
    const s = f.scaled_data_stats!;
    const tol = (ref: number): number => 1e-6 * Math.max(1, Math.abs(ref));
    expect(Math.abs(min - num(s.min))).toBeLessThanOrEqual(tol(num(s.min)));
    expect(Math.abs(max - num(s.max))).toBeLessThanOrEqual(tol(num(s.max)));
    expect(Math.abs(mean - num(s.mean))).toBeLessThanOrEqual(tol(num(s.mean)));
    expect(Math.abs(std - num(s.std))).toBeLessThanOrEqual(tol(num(s.std)));
    // Percentiles with numpy's 'linear' semantics (the Med3D clip) on the same values.
    const scaled = slope === 1 && inter === 0 ? raw : Float64Array.from(raw, (v) => v * slope + inter);
    const [p05, p995] = percentiles(scaled, [0.5, 99.5]);
    expect(Math.abs(p05 - num(s['p0.5']))).toBeLessThanOrEqual(tol(num(s['p0.5'])));
    expect(Math.abs(p995 - num(s['p99.5']))).toBeLessThanOrEqual(tol(num(s['p99.5'])));

    // The Volume view: first volume, 3D dims, same affine; scaled values within float32 precision.
    const vol = await readNifti(file);
    expect(vol.dims).toEqual([f.shape![0], f.shape![1] ?? 1, f.shape![2] ?? 1]);
    expect(vol.meta.datatype).toBe(f.datatype);
    expect(Array.from(vol.affine)).toEqual(Array.from(img.affine));
    if (f.shape!.slice(3).reduce((a, b) => a * b, 1) > 1) expect(vol.meta.warnings.join(' ')).toMatch(/loaded volume 0/);
    if (!f.datatype!.startsWith('rgb')) {
      const n = vol.data.length;
      for (const i of [0, n >> 1, n - 1]) expect(vol.data[i]).toBeCloseTo(raw[i] * slope + inter, 3);
    }
  });

  it.each(bad.map((e) => [e.path] as const))('%s is refused with a clear error', async (p) => {
    const file = path.join(DATA_DIR, p);
    const t0 = Date.now();
    const err = await readNifti(file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(VolumeReadError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/not a NIfTI|magic|truncated/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('4D files: another volume can be chosen, out-of-range index is refused', async () => {
    const file = path.join(DATA_DIR, 'nifti/functional.nii');
    const v0 = await readNifti(file);
    const v5 = await readNifti(file, { volumeIndex: 5 });
    expect(v5.dims).toEqual(v0.dims);
    expect(Array.from(v5.data)).not.toEqual(Array.from(v0.data));
    await expect(readNifti(file, { volumeIndex: 20 })).rejects.toThrow(/volume index 20 out of range: the file has 20/);
  });

  it('identity scaling keeps integer arrays; real scaling gives float32', async () => {
    const ct = await readNifti(path.join(DATA_DIR, 'nifti/ct/example_ct_sm.nii.gz'));
    expect(ct.data).toBeInstanceOf(Int16Array);
    const scaled = await readNifti(path.join(DATA_DIR, 'nifti/scaled/fmri_pitch.nii.gz'));
    expect(scaled.data).toBeInstanceOf(Float32Array);
  });
});
