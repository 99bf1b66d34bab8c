import path from 'node:path';
import { loadDicom } from './loadDicom';
for (const p of process.argv.slice(2)) {
  const t = Date.now();
  try {
    const v = await loadDicom(p);
    let mn = Infinity, mx = -Infinity, s = 0;
    for (let i = 0; i < v.data.length; i++) { const x = v.data[i]; if (x < mn) mn = x; if (x > mx) mx = x; s += x; }
    const a = Array.from(v.affine).map((x) => +x.toFixed(4));
    console.log(path.basename(p), v.dims, v.spacing.map((x) => +x.toFixed(4)), v.data.constructor.name, mn, mx, (s / v.data.length).toFixed(4), Date.now() - t, 'ms');
    console.log('   affine', JSON.stringify([a.slice(0, 4), a.slice(4, 8), a.slice(8, 12)]));
    for (const w of v.meta.warnings) console.log('   W:', w.slice(0, 300));
  } catch (e) { console.log(path.basename(p), 'ERR', (e as Error).message, Date.now() - t, 'ms'); }
}
