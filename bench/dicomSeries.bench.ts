/**
 * DICOM series load time: a synthetic 300-slice 512×512 CT series (uncompressed, written with dcmjs
 * into /tmp) loaded with loadDicom. Target: under 2 s. Run: node bin/run-ts.mjs bench/dicomSeries.bench.ts
 * [--slices N]. With /usr/bin/python3 + pydicom present, pydicom's load of the same files (read all,
 * sort by position, stack, rescale) is timed in the same run and the ratio printed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDicom } from '../main/volume/io/dicom/loadDicom';
import { writeSyntheticSeries } from '../main/volume/io/dicom/testing/writeSyntheticSeries';

const arg = process.argv.indexOf('--slices');
const slices = arg > 0 ? Number(process.argv[arg + 1]) : 300;
const dir = path.join(os.tmpdir(), `med3d-dicom-bench-${slices}`);
if (!existsSync(path.join(dir, 'IM0000'))) {
  rmSync(dir, { recursive: true, force: true });
  const t = performance.now();
  await writeSyntheticSeries(dir, { rows: 512, columns: 512, slices, spacing: 1.25, rescaleIntercept: -1024, shuffle: true });
  console.log(`wrote ${slices} slices to ${dir} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const runs: number[] = [];
const cpu: number[] = [];
let dims: number[] = [];
for (let r = 0; r < 3; r++) {
  const t = performance.now();
  const c = process.cpuUsage();
  const v = await loadDicom(dir);
  const dc = process.cpuUsage(c);
  runs.push((performance.now() - t) / 1000);
  cpu.push((dc.user + dc.system) / 1e6);
  dims = v.dims;
}
const best = Math.min(...runs);
// CPU time is printed too: on a shared, overloaded machine wall time overstates the cost.
console.log(
  `loadDicom ${dims.join('×')}: best ${best.toFixed(2)} s wall (runs ${runs.map((x) => x.toFixed(2)).join(', ')}), ` +
    `${Math.min(...cpu).toFixed(2)} s CPU (target < 2 s: ${best < 2 ? 'met' : 'MISSED'})`,
);
const py = '/usr/bin/python3';
if (existsSync(py)) {
  const script = `
import glob, time, numpy as np, pydicom
t=time.perf_counter()
ds=[pydicom.dcmread(f) for f in glob.glob('${dir}/*')]
n=np.cross(np.array(ds[0].ImageOrientationPatient[:3],float),np.array(ds[0].ImageOrientationPatient[3:],float))
ds.sort(key=lambda d: float(np.dot(n,np.array(d.ImagePositionPatient,float))))
v=np.stack([d.pixel_array*float(d.RescaleSlope)+float(d.RescaleIntercept) for d in ds])
print(time.perf_counter()-t)`;
  try {
    const pyT = Number(execFileSync(py, ['-c', script], { encoding: 'utf8' }).trim());
    console.log(`pydicom same files: ${pyT.toFixed(2)} s; ratio ours/pydicom = ${(best / pyT).toFixed(2)}`);
  } catch (e) {
    console.log(`pydicom reference skipped: ${(e as Error).message.split('\n')[0]}`);
  }
}
