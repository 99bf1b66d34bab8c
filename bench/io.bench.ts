/**
 * Scan I/O benchmark (`npm run bench:io`): our readers against nibabel / pydicom (Debian python3,
 * /usr/bin/python3) measured in the same run on the same files, ratio = ours / reference (< 1 = faster).
 *   1. the largest DICOM series in ../shared/data (loadVolume → loadDicom vs pydicom read+sort+stack+rescale)
 *   2. a ≥ 100 MB .nii.gz (generated once into the temp folder with nibabel when none exists) and its .nii
 *      (readNifti + the voxels' min/max vs nibabel np.array(img.dataobj) + min/max), plus writing it
 *      (writeNifti vs nibabel to_filename)
 *   3. a synthetic 300-slice 512×512 CT series (loadVolume vs pydicom). Target: < 2 s.
 * Options: --runs N (default 3), --slices N (default 300), --skip-series, --skip-nifti.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadVolume } from '../main/volume/io/loadVolume';
import { readNifti } from '../main/volume/io/nifti/readNifti';
import { writeNifti } from '../main/volume/io/nifti/writeNifti';
import { valueRange } from '../main/volume/valueRange';
import { writeSyntheticSeries } from '../main/volume/io/dicom/testing/writeSyntheticSeries';
import { DATA_DIR } from '../test/sharedDir';

const PY = '/usr/bin/python3';
const argv = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const RUNS = opt('--runs', 3);
const SLICES = opt('--slices', 300);
const WORK = path.join(os.tmpdir(), 'med3d-io-bench');
mkdirSync(WORK, { recursive: true });

const havePy = spawnSync(PY, ['-c', 'import nibabel, pydicom, numpy'], { encoding: 'utf8' }).status === 0;
if (!havePy) console.log(`note: ${PY} with nibabel + pydicom not found: reference timings skipped`);

interface Row {
  what: string;
  ours: number;
  ref?: number;
  refName?: string;
  note?: string;
}
const rows: Row[] = [];

/**
 * Ours and the reference alternate run by run (best of each), so a change in machine load during the
 * run biases neither side. `refScript` times one run and prints seconds.
 */
async function versus(ours: () => Promise<unknown>, refScript: string | null): Promise<{ ours: number; ref?: number }> {
  let o = Infinity;
  let r: number | undefined;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await ours();
    o = Math.min(o, (performance.now() - t) / 1000);
    if (refScript) {
      const x = py(refScript);
      if (x !== undefined) r = Math.min(r ?? Infinity, x);
    }
  }
  return { ours: o, ref: r };
}

function py(script: string): number | undefined {
  if (!havePy) return undefined;
  try {
    return Number(execFileSync(PY, ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop());
  } catch (e) {
    console.log(`reference failed: ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

const PY_SERIES = (dir: string): string => `
import glob, os, time, numpy as np, pydicom
files=[f for f in glob.glob(os.path.join(${JSON.stringify(dir)}, '**', '*'), recursive=True) if os.path.isfile(f)]
t=time.perf_counter()
ds=[pydicom.dcmread(f) for f in files]
n=np.cross(np.array(ds[0].ImageOrientationPatient[:3],float),np.array(ds[0].ImageOrientationPatient[3:],float))
ds.sort(key=lambda d: float(np.dot(n,np.array(d.ImagePositionPatient,float))))
v=np.stack([d.pixel_array*float(getattr(d,'RescaleSlope',1))+float(getattr(d,'RescaleIntercept',0)) for d in ds])
print(time.perf_counter()-t)`;

function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? folderBytes(p) : statSync(p).size;
  }
  return n;
}

// 1. Largest real series
if (!argv.includes('--skip-series') && existsSync(path.join(DATA_DIR, 'series'))) {
  const seriesDir = path.join(DATA_DIR, 'series');
  const largest = readdirSync(seriesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({ dir: path.join(seriesDir, e.name), bytes: folderBytes(path.join(seriesDir, e.name)) }))
    .sort((a, b) => b.bytes - a.bytes)[0];
  if (largest) {
    let dims = '';
    const r = await versus(async () => {
      const v = await loadVolume(largest.dir);
      dims = v.dims.join('×');
    }, havePy ? PY_SERIES(largest.dir) : null);
    rows.push({ what: `series ${path.basename(largest.dir)} (${(largest.bytes / 1e6).toFixed(0)} MB, ${dims})`, ...r, refName: 'pydicom' });
  }
} else if (!argv.includes('--skip-series')) console.log(`note: ${DATA_DIR} not found: largest-series timing skipped`);

// 2. ≥ 100 MB NIfTI
if (!argv.includes('--skip-nifti')) {
  const gz = path.join(WORK, 'ct-large.nii.gz');
  const raw = path.join(WORK, 'ct-large.nii');
  if (!existsSync(gz) || statSync(gz).size < 100e6) {
    if (!havePy) throw new Error('generating the large NIfTI needs /usr/bin/python3 with nibabel');
    console.log(`generating ${gz} (CT-like int16 512×512×480 with noise) ...`);
    execFileSync(PY, ['-c', `
import numpy as np, nibabel as nib
rng=np.random.default_rng(0)
a=np.empty((512,512,480),dtype=np.int16,order='F')
y,x=np.mgrid[0:512,0:512]
body=((x-256)**2/230**2+(y-256)**2/180**2)<1
for k in range(480):
    v=np.where(body, 40+20*np.sin(k/15), -1000)+rng.normal(0,60,body.shape)
    a[:,:,k]=np.clip(v,-1024,3071).astype(np.int16).T
img=nib.Nifti1Image(a, np.diag([-0.7,-0.7,1.0,1.0]))
nib.save(img, ${JSON.stringify(gz)}); nib.save(img, ${JSON.stringify(raw)})
`]);
  }
  if (!existsSync(raw)) execFileSync(PY, ['-c', `import nibabel as nib; nib.save(nib.load(${JSON.stringify(gz)}), ${JSON.stringify(raw)})`]);
  for (const file of [gz, raw]) {
    const mb = (statSync(file).size / 1e6).toFixed(0);
    // np.array, not asanyarray: an uncompressed file would otherwise stay an unread memmap.
    // Both sides also take the min/max that opening a scan needs (its header): readNifti computes it
    // while an uncompressed file is still being read, so timing the read alone would hide that cost.
    const r = await versus(async () => valueRange((await readNifti(file)).data), havePy ? `
import time, numpy as np, nibabel as nib
t=time.perf_counter(); a=np.array(nib.load(${JSON.stringify(file)}).dataobj); a.min(); a.max(); print(time.perf_counter()-t)` : null);
    rows.push({ what: `read ${path.basename(file)} (${mb} MB on disk) + min/max`, ...r, refName: 'nibabel' });
  }
  const vol = await readNifti(gz);
  const out = path.join(WORK, 'ours-out.nii.gz');
  const w = await versus(() => writeNifti(out, vol), havePy ? `
import time, nibabel as nib, numpy as np
img=nib.load(${JSON.stringify(raw)}); a=np.array(img.dataobj); out=nib.Nifti1Image(a, img.affine)
t=time.perf_counter(); out.to_filename(${JSON.stringify(path.join(WORK, 'nib-out.nii.gz'))}); print(time.perf_counter()-t)` : null);
  rows.push({ what: `write ${vol.dims.join('×')} int16 .nii.gz (gzip level 1 both)`, ...w, refName: 'nibabel' });
  rmSync(out, { force: true });
}

// 3. Synthetic 300-slice series
if (!argv.includes('--skip-series')) {
  const dir = path.join(WORK, `series-${SLICES}`);
  if (!existsSync(path.join(dir, 'IM0000'))) {
    rmSync(dir, { recursive: true, force: true });
    console.log(`writing a synthetic ${SLICES}×512×512 CT series into ${dir} ...`);
    await writeSyntheticSeries(dir, { rows: 512, columns: 512, slices: SLICES, spacing: 1.25, rescaleIntercept: -1024, shuffle: true });
  }
  const r = await versus(() => loadVolume(dir), havePy ? PY_SERIES(dir) : null);
  rows.push({ what: `synthetic series ${SLICES}×512×512`, ...r, refName: 'pydicom', note: `target < 2 s: ${r.ours < 2 ? 'met' : 'MISSED'}` });
}

console.log(`\nScan I/O, best of ${RUNS} (${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)})`);
for (const r of rows) {
  const ref = r.ref !== undefined ? `${r.refName} ${r.ref.toFixed(2)} s   ratio ours/${r.refName} ${(r.ours / r.ref).toFixed(2)}` : 'no reference';
  console.log(`  ${r.what.padEnd(58)} ours ${r.ours.toFixed(2)} s   ${ref}${r.note ? `   (${r.note})` : ''}`);
}
