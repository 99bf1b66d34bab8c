import { readFileSync } from 'node:fs';
import { parseDicomBytes } from './parseDicomBytes';
import { encapsulatedFrames } from './pixel/encapsulatedFrames';
for (const f of process.argv.slice(2)) {
  const p = parseDicomBytes(readFileSync(f));
  const el = p.dataSet.elements.x7fe00010;
  console.log(f, 'frags', el.fragments?.length, 'bot', el.basicOffsetTable?.length, p.dataSet.warnings);
  const fr = encapsulatedFrames(p.dataSet, el, Number(p.dataSet.string('x00280008') ?? 1));
  for (const x of fr.slice(0,3)) console.log(x.length, Buffer.from(x.subarray(0, 24)).toString('hex'), Buffer.from(x.subarray(x.length-8)).toString('hex'));
}
