import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_DIR, sharedAvailable } from '../../../../test/sharedDir';
import { loadDicom } from './loadDicom';
import { applyRescale, expandSegmentedLut } from './pixelValues';
import { stats } from './testing/manifest';
import { valueRange } from '../../valueRange';

describe('applyRescale', () => {
  it('integer CT rescale stays int16, in place, when the HU range fits', () => {
    const stored = Int16Array.from([-2000, 0, 2405, 100]);
    const out = applyRescale(stored, 2, [{ slope: 1, intercept: -1024 }, { slope: 1, intercept: -1024 }]);
    expect(out).toBe(stored);
    expect(Array.from(out)).toEqual([-3024, -1024, 1381, -924]);
  });

  it('uint16 + negative intercept moves to int16; out-of-range moves to int32', () => {
    expect(applyRescale(Uint16Array.from([0, 4095]), 2, [{ slope: 1, intercept: -1024 }])).toBeInstanceOf(Int16Array);
    const big = applyRescale(Uint16Array.from([0, 65535]), 2, [{ slope: 2, intercept: 0 }]);
    expect(big).toBeInstanceOf(Int32Array);
    expect(Array.from(big)).toEqual([0, 131070]);
  });

  it('integer results carry their exact min/max (valueRange needs no second pass)', () => {
    const stored = Uint16Array.from([7, 3, 900, 4, 0, 12]);
    const out = applyRescale(stored, 2, [{ slope: 2, intercept: 5 }, { slope: -1, intercept: 0 }, { slope: 1, intercept: -1024 }]);
    expect(Array.from(out)).toEqual([19, 11, -900, -4, -1024, -1012]);
    expect(valueRange(out)).toEqual({ min: -1024, max: 19 });
    expect(valueRange(out)).toEqual(valueRange(out.slice())); // the copy has no note: a real pass
  });

  it('with BitsStored bounds that fit after rescaling: one pass, in place, exact range noted', () => {
    const stored = Int16Array.from([0, 4095, 17, 2000]);
    const out = applyRescale(stored, 2, [{ slope: 1, intercept: -1024 }, { slope: 1, intercept: -1000 }], { min: 0, max: 4095 });
    expect(out).toBe(stored);
    expect(Array.from(out)).toEqual([-1024, 3071, -983, 1000]);
    expect(valueRange(out)).toEqual({ min: -1024, max: 3071 });
    // Bounds that would not fit the stored type: the scan decides, as without them.
    const wide = applyRescale(Uint16Array.from([0, 10]), 2, [{ slope: 1, intercept: -1024 }], { min: 0, max: 65535 });
    expect(wide).toBeInstanceOf(Int16Array);
    expect(Array.from(wide)).toEqual([-1024, -1014]);
  });

  it('per-slice non-integral slopes give float32', () => {
    const out = applyRescale(Uint16Array.from([10, 10, 10, 10]), 2, [{ slope: 0.5, intercept: 0 }, { slope: 0.25, intercept: -1 }]);
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual([5, 5, 1.5, 1.5]);
  });
});

describe('expandSegmentedLut (PS3.3 C.7.9.2)', () => {
  it('discrete, linear and indirect segments', () => {
    // discrete [0, 3: 10 20 30], linear to 60 over 3 entries, indirect replay of the first segment
    const words = Uint16Array.from([0, 3, 10, 20, 30, 1, 3, 60, 2, 1, 0, 0]);
    const out = new Uint16Array(9);
    expandSegmentedLut(words, out);
    expect(Array.from(out)).toEqual([10, 20, 30, 40, 50, 60, 10, 20, 30]);
  });
});

const has = sharedAvailable('palette colour files (../shared/data)');
describe.skipIf(!has)('palette colour images → luminance', () => {
  // Golden values: pydicom 2.3 apply_color_lut + Rec. 601 weights, computed with /usr/bin/python3.
  it.each([
    ['dicom/pixel-formats/examples_palette.dcm', { min: 0, max: 65280, mean: 4984.312975542857 }],
    ['dicom/pixel-formats/gdcm-US-ALOKA-16.dcm', { min: 0, max: 64507, mean: 7559.377495214843 }], // segmented LUT
  ])('%s', async (p, ref) => {
    const v = await loadDicom(path.join(DATA_DIR, p));
    const s = stats([v.data]);
    expect(s.min).toBeCloseTo(ref.min, 3);
    expect(s.max).toBeCloseTo(ref.max, 3);
    expect(s.mean).toBeCloseTo(ref.mean, 2);
    expect(v.meta.warnings.join(' ')).toMatch(/PALETTE COLOR image converted to luminance/);
  });
});
