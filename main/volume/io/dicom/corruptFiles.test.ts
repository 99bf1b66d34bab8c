import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_DIR, sharedAvailable } from '../../../../test/sharedDir';
import { VolumeReadError } from '../errors';
import { loadDicom } from './loadDicom';

/**
 * Seeded corruption (truncation and byte flips) of real files in several transfer syntaxes: the reader
 * must either load or throw a one-line VolumeReadError, never crash with another error or hang.
 */
const has = sharedAvailable('corrupt-file robustness (../shared/data)');
const SOURCES = [
  'dicom/encoding/MR_small.dcm',
  'dicom/encoding/MR_small_bigendian.dcm',
  'dicom/compressed/MR_small_RLE.dcm',
  'dicom/compressed/MR_small_jp2klossless.dcm',
  'dicom/compressed/MR_small_jpeg_ls_lossless.dcm',
  'dicom/multiframe/emri_small.dcm',
];
const root = mkdtempSync(path.join(os.tmpdir(), 'med3d-corrupt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!has)('corrupted DICOM files', () => {
  it.each(SOURCES)('%s: 12 truncated / byte-flipped variants', async (src) => {
    const original = readFileSync(path.join(DATA_DIR, src));
    let seed = original.length;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let t = 0; t < 12; t++) {
      let b = Buffer.from(original);
      if (t % 3 === 0) b = b.subarray(0, Math.floor(rnd() * b.length));
      else for (let f = 0; f < 1 + rnd() * 16; f++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const file = path.join(root, `v${t}.dcm`);
      writeFileSync(file, b);
      const t0 = performance.now();
      const err = await loadDicom(file).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(performance.now() - t0).toBeLessThan(5000);
      if (err !== undefined) {
        expect(err, `variant ${t}: ${String(err)}`).toBeInstanceOf(VolumeReadError);
        expect((err as Error).message.startsWith(`cannot read ${file}: `)).toBe(true);
        expect((err as Error).message).not.toMatch(/\n|\[object Object\]/);
      }
    }
  });
});
