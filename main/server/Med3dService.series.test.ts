import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../common/api/createApiClient';
import { createApiDispatcher } from '../../common/api/dispatcher';
import { createLocalTransport } from '../../common/api/localTransport';
import type { Med3dApi } from '../../common/api/Med3dApi';
import { JobRegistry } from '../jobs/jobRegistry';
import { writeSyntheticSeries } from '../volume/io/dicom/testing/writeSyntheticSeries';
import { Med3dService } from './Med3dService';

let dir: string;
let svc: Med3dService;
let api: Med3dApi;
const UID_A = '1.2.826.0.1.3680043.8.498.201';
const UID_B = '1.2.826.0.1.3680043.8.498.202';

beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'med3d-series-')));
  await writeSyntheticSeries(path.join(dir, 'study', 'a'), { rows: 6, columns: 8, slices: 5, seriesInstanceUID: UID_A, value: () => 10 });
  await writeSyntheticSeries(path.join(dir, 'study', 'b'), { rows: 4, columns: 4, slices: 3, seriesInstanceUID: UID_B, value: () => -500 });
  svc = await Med3dService.create({ mode: 'web', version: 'test', workspace: path.join(dir, 'ws'), roots: [dir], configDir: null, registry: new JobRegistry(), discoverJobKinds: false });
  api = createApiClient(createLocalTransport(createApiDispatcher(svc), svc.events));
});
afterAll(async () => {
  await svc.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('series of a multi-series DICOM folder through the API', () => {
  it('listSeries lists them largest first; a file lists none; a path outside the roots is refused', async () => {
    const l = await api.listSeries({ path: path.join(dir, 'study') });
    expect(l.series.map((s) => [s.index, s.seriesInstanceUID, s.dims, s.modality])).toEqual([
      [1, UID_A, [8, 6, 5], 'CT'],
      [2, UID_B, [4, 4, 3], 'CT'],
    ]);
    expect(l.series[1].warnings).toEqual([]);
    expect((await api.listSeries({ path: path.join(dir, 'study', 'a', 'IM0000') })).series).toEqual([]);
    await expect(api.listSeries({ path: '/etc' })).rejects.toMatchObject({ code: 'forbidden-path' });
  });

  it('openVolume / addCase with a series open that series, each as its own case that reopens as the same series', async () => {
    const study = path.join(dir, 'study');
    const key = (await api.listSeries({ path: study })).series[1].key;
    const h = await api.openVolume({ kind: 'path', path: study, series: key });
    expect(h.dims).toEqual([4, 4, 3]);
    expect([h.min, h.max]).toEqual([-500, -500]);
    const largest = await api.openVolume({ kind: 'path', path: study });
    expect(largest.dims).toEqual([8, 6, 5]);
    expect(largest.caseId).not.toBe(h.caseId);
    const c = await api.addCase({ path: study, series: key, name: 'study · series 2' });
    expect(c.caseId).toBe(h.caseId);
    await api.closeVolume({ volumeId: h.volumeId });
    const reopened = await api.openCase({ caseId: c.caseId });
    expect(reopened.volume.dims).toEqual([4, 4, 3]);
    await expect(api.openVolume({ kind: 'path', path: study, series: '9.9.9' })).rejects.toMatchObject({ code: 'bad-file', message: expect.stringContaining('no series with SeriesInstanceUID 9.9.9') });
  });
});
