import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { scanDicomFolder } from './scanDicomFolder';
import { writeSyntheticSeries } from './testing/writeSyntheticSeries';
import * as reader from './readDicomFile';

vi.mock('./readDicomFile', async (original) => {
  const m = await original<typeof import('./readDicomFile')>();
  return { ...m, readDicomFile: vi.fn(m.readDicomFile) };
});

describe('scanDicomFolder', () => {
  it('reads each header once while the files stay the same (listing, then loading, a folder)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'med3d-scan-'));
    const files = await writeSyntheticSeries(dir, { rows: 4, columns: 5, slices: 3 });
    writeFileSync(path.join(dir, 'notes.txt'), 'not a DICOM file');
    const reads = vi.mocked(reader.readDicomFile);
    reads.mockClear();
    const first = await scanDicomFolder(dir);
    expect(reads).toHaveBeenCalledTimes(4);
    expect(first.series[0].imageCount).toBe(3);
    expect(first.skipped).toHaveLength(1);

    reads.mockClear();
    const again = await scanDicomFolder(dir);
    expect(reads).not.toHaveBeenCalled();
    expect(again.series[0].entries.map((e) => e.file)).toEqual(first.series[0].entries.map((e) => e.file));
    expect(again.skipped).toEqual(first.skipped);

    // A file rewritten (another series now) is read again, and only that one.
    const other = path.join(dir, 'other');
    await writeSyntheticSeries(other, { rows: 4, columns: 5, slices: 1, seriesInstanceUID: '1.2.3.4' });
    writeFileSync(files[0], readFileSync(path.join(other, readdirSync(other)[0])));
    reads.mockClear();
    const changed = await scanDicomFolder(dir);
    expect(reads).toHaveBeenCalledTimes(2); // the rewritten file and the one in other/
    expect(changed.series.map((s) => s.seriesInstanceUID)).toContain('1.2.3.4');
    expect(changed.series.find((s) => s.seriesInstanceUID !== '1.2.3.4')!.imageCount).toBe(2);
  });
});
