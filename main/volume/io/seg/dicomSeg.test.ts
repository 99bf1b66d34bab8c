import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as dicomParserNs from 'dicom-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_DIR, sharedAvailable } from '../../../../test/sharedDir';
import type { LabelMap, Volume } from '../../Volume';
import { affineFromGeometry, lpsToRas, spacingFromAffine } from '../../geometry/affine';
import { VolumeReadError } from '../errors';
import { loadVolume } from '../loadVolume';
import { decodeDicomSeg, readDicomSeg } from './readDicomSeg';
import { encodeDicomSeg, writeDicomSeg } from './writeDicomSeg';
import { dcmjs } from './dcmjsApi';
import { encodeDicom } from '../dicom/testing/encodeDicom';

/** One RLE Lossless frame (PS3.5 Annex G) of 8-bit samples: one segment, PackBits literal runs only. */
function rleFrame(bytes: Uint8Array): Uint8Array {
  const seg: number[] = [];
  for (let i = 0; i < bytes.length; i += 128) {
    const run = bytes.subarray(i, i + 128);
    seg.push(run.length - 1, ...run);
  }
  const out = new Uint8Array(64 + seg.length);
  new DataView(out.buffer).setUint32(0, 1, true);
  new DataView(out.buffer).setUint32(4, 64, true);
  out.set(seg, 64);
  return out;
}

const dicomParser = (dicomParserNs as unknown as { default?: typeof dicomParserNs }).default ?? dicomParserNs;
const dir = mkdtempSync(path.join(os.tmpdir(), 'med3d-seg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 7x5x4 label map, oblique axial-ish LPS geometry, labels 1 and 2 plus an empty label 3. */
function synthetic(): LabelMap {
  const c = Math.cos(0.2);
  const s = Math.sin(0.2);
  const lps = affineFromGeometry([0.7, 0.9, 2.5], [-100, -80, 40], [c, 0, s, 0, 1, 0, -s, 0, c]);
  const affine = lpsToRas(lps);
  const data = new Uint8Array(7 * 5 * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 11 === 0 ? 2 : i % 3 === 0 ? 1 : 0;
  return {
    data,
    dims: [7, 5, 4],
    affine,
    spacing: spacingFromAffine(affine),
    meta: { warnings: [] },
    labels: [
      { value: 1, name: 'Liver' },
      { value: 2, name: 'Tumor', color: [255, 0, 0] },
      { value: 3, name: 'Empty' },
    ],
  };
}

describe('DICOM SEG write → read (synthetic)', () => {
  it('round-trips labels, names and geometry on its own grid and on a reference grid', async () => {
    const lm = synthetic();
    const bytes = encodeDicomSeg(lm);
    const back = await decodeDicomSeg(bytes, 'mem');
    expect(back.dims).toEqual(lm.dims);
    for (let i = 0; i < 16; i++) expect(back.affine[i]).toBeCloseTo(lm.affine[i], 4);
    expect(Array.from(back.data)).toEqual(Array.from(lm.data));
    expect(back.labels.map((l) => l.name)).toEqual(['Liver', 'Tumor', 'Empty']);
    expect(back.labels[1].color).toEqual([255, 0, 0]);
    const onRef = await decodeDicomSeg(bytes, 'mem', { reference: lm });
    expect(Array.from(onRef.data)).toEqual(Array.from(lm.data));
  });

  it('is a valid BINARY SEG: bit-packed, per-frame positions, one segment per label', () => {
    const ds = dicomParser.parseDicom(encodeDicomSeg(synthetic()));
    expect(ds.string('x00080016')).toBe('1.2.840.10008.5.1.4.1.1.66.4');
    expect(ds.string('x00620001')).toBe('BINARY');
    expect(ds.uint16('x00280100')).toBe(1);
    expect(ds.elements.x00620002.items).toHaveLength(3);
    const frames = Number(ds.string('x00280008'));
    expect(ds.elements.x52009230.items).toHaveLength(frames);
    expect(ds.elements.x7fe00010.length).toBe(Math.ceil((frames * 35) / 8) + (Math.ceil((frames * 35) / 8) % 2));
  });

  it('reads a BINARY SEG in RLE Lossless transfer syntax (one byte per pixel per frame)', async () => {
    const lm = synthetic();
    const native = dcmjs.data.DicomMessage.readFile(encodeDicomSeg(lm).slice().buffer);
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(native.dict);
    const packed = new Uint8Array((ds.PixelData as ArrayBuffer[])[0]!);
    const frameSize = (ds.Rows as number) * (ds.Columns as number);
    ds.PixelData = Array.from({ length: Number(ds.NumberOfFrames) }, (_, f) => {
      const pixels = Uint8Array.from({ length: frameSize }, (_, p) => (packed[(f * frameSize + p) >> 3]! >> ((f * frameSize + p) & 7)) & 1);
      return rleFrame(pixels).buffer;
    });
    ds._vrMap = { PixelData: 'OB' };
    const back = await decodeDicomSeg(encodeDicom(ds, '1.2.840.10008.1.2.5'), 'rle.dcm');
    expect(back.dims).toEqual(lm.dims);
    expect(Array.from(back.data)).toEqual(Array.from(lm.data));
  });

  it('refuses a label map that is not on the source grid, naming the file', async () => {
    const lm = synthetic();
    const src: Volume = { ...lm, dims: [7, 5, 5], data: new Int16Array(175) };
    await expect(writeDicomSeg(path.join(dir, 'x.dcm'), lm, { source: src })).rejects.toThrow(/x\.dcm: label map 7x5x4 is not on the source grid 7x5x5/);
  });

  it('readDicomSeg on a non-SEG file is a VolumeReadError', async () => {
    const file = path.join(dir, 'seg.dcm');
    await writeDicomSeg(file, synthetic());
    await expect(readDicomSeg(path.join(dir, 'missing.dcm'))).rejects.toBeInstanceOf(VolumeReadError);
  });
});

const hasData = sharedAvailable('DICOM SEG files in ../shared/data');
describe.skipIf(!hasData)('DICOM SEG files of ../shared/data', () => {
  const seg = (f: string): string => path.join(DATA_DIR, 'dicom/seg', f);

  it('dcmqi liver SEG lands on its source series (107098 voxels, manifest), in every encoding', async () => {
    const ref = await loadVolume(path.join(DATA_DIR, 'series/dcmqi_ct-3slice'));
    const liver = await readDicomSeg(seg('liver.dcm'), { reference: ref });
    expect(liver.dims).toEqual(ref.dims);
    expect(liver.labels).toEqual([{ value: 1, name: 'Liver', color: expect.any(Array) }]);
    const count = (d: ArrayLike<number>): number => Array.from(d).filter((v) => v !== 0).length;
    expect(count(liver.data)).toBe(107098);
    expect(liver.meta.warnings).toEqual([]);
    // Liver voxels are soft tissue in HU.
    let sum = 0;
    for (let i = 0; i < liver.data.length; i++) if (liver.data[i]) sum += ref.data[i];
    expect(sum / 107098).toBeGreaterThan(0);
    expect(sum / 107098).toBeLessThan(200);
    for (const f of ['liver_deflate.dcm', 'liver_nonbyte_aligned.dcm']) {
      const other = await readDicomSeg(seg(f), { reference: ref });
      expect(count(other.data)).toBe(107098);
    }
  });

  it('BINARY, FRACTIONAL and overlapping highdicom SEGs', async () => {
    const bin = await readDicomSeg(seg('seg_image_ct_binary.dcm'));
    const frac = await readDicomSeg(seg('seg_image_ct_binary_fractional.dcm'));
    expect(Array.from(bin.data).filter(Boolean)).toHaveLength(638);
    expect(Array.from(frac.data)).toEqual(Array.from(bin.data));
    const overlap = await readDicomSeg(seg('seg_image_ct_binary_overlap.dcm'));
    expect(overlap.labels.map((l) => l.value)).toEqual([1, 2]);
    expect(overlap.meta.warnings.join(' ')).toMatch(/16 voxel\(s\) belong to more than one segment/);
  });

  it('a slide-microscopy label-map SEG is refused clearly', async () => {
    await expect(readDicomSeg(seg('seg_image_sm_control_labelmap.dcm'))).rejects.toThrow(/slide-microscopy/);
  });

  it('a mask written as SEG over a real series references it and reads back voxel-exact', async () => {
    const ref = await loadVolume(path.join(DATA_DIR, 'series/dcmqi_ct-3slice'));
    const data = Uint8Array.from(ref.data, (v) => (v > 100 ? 1 : v > 0 ? 2 : 0));
    const file = path.join(dir, 'real.dcm');
    await writeDicomSeg(file, { ...ref, data, labels: [{ value: 1, name: 'Liver' }, { value: 2, name: 'Soft tissue' }] } as LabelMap, { source: ref });
    const back = await readDicomSeg(file, { reference: ref });
    expect(Array.from(back.data)).toEqual(Array.from(data));
    expect(back.meta.dicom?.studyInstanceUID).toBe(ref.meta.dicom?.studyInstanceUID);
    expect(back.meta.dicom?.frameOfReferenceUID).toBe(ref.meta.dicom?.frameOfReferenceUID);
  });
});
