import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readDicomFile } from './readDicomFile';
const DATA = path.resolve('../shared/data');
const m = JSON.parse(readFileSync(path.join(DATA, 'manifest.json'), 'utf8'));
const only = process.argv[2];
for (const f of m.files) {
  if (!f.path.startsWith('dicom/') || f.path.endsWith('.nii')) continue;
  if (only && !f.path.includes(only)) continue;
  const t = Date.now();
  try {
    const r = await readDicomFile(path.join(DATA, f.path));
    let min = Infinity, max = -Infinity, sum = 0, n = 0;
    for (const fr of r.frames) for (let i = 0; i < fr.length; i++) { const v = fr[i]; if (v < min) min = v; if (v > max) max = v; sum += v; n++; }
    const s = f.facts.stored_value_stats;
    const ok = s && Math.abs(s.min - min) < 1e-6 && Math.abs(s.max - max) < 1e-6 && Math.abs(s.mean - sum / n) < 1e-6 * Math.max(1, Math.abs(s.mean));
    console.log(ok ? 'OK  ' : 'DIFF', f.expect, f.path, `${min} ${max} ${(sum / n).toFixed(4)}`, s ? `ref ${s.min} ${s.max} ${s.mean.toFixed(4)}` : 'noref', Date.now() - t, 'ms');
  } catch (e) {
    console.log('ERR ', f.expect, f.path, (e as Error).message.slice(0, 200), Date.now() - t, 'ms');
  }
}
