import { readDicomFile } from './readDicomFile';
import { stats } from './testing/manifest';
function rough(frame: ArrayLike<number>, columns: number): number { let d=0,n=0; for (let p=0;p+1<frame.length;p++){ if ((p+1)%columns===0) continue; d+=Math.abs(frame[p+1]-frame[p]); n++;} return d/n/stats([frame]).std; }
const r = await readDicomFile('../shared/data/dicom/encoding/GH340.dcm');
console.log('gh340', rough(r.frames[0], 256));
// wrong layout: alternative nibble order
const el = r.parsed.dataSet.elements.x7fe00010; const b = r.parsed.bytes; const w = new Uint16Array(65536);
for (let i=0,p=el.dataOffset;i<65536;i+=2,p+=3){ w[i]=(b[p]<<4)|(b[p+1]>>4); w[i+1]=((b[p+1]&15)<<8)|b[p+2]; }
console.log('gh340 alt', rough(w, 256));
const h = await readDicomFile('../shared/data/dicom/compressed/HTJ2KLossless_08_RGB.dcm');
console.log('htj2k', rough(h.frames[0].filter((_, i) => i % 3 === 0), 640));
const rnd = new Float32Array(65536).map(()=>Math.random()); console.log('noise', rough(rnd, 256));
