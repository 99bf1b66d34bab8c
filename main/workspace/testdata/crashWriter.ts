// Child process for Workspace.test.ts: saves label versions and recovery files in a loop until killed.
import { Workspace } from '../Workspace';

const root = process.argv[2];
const ws = await Workspace.open(root);
const caseId = ws.snapshot().cases[0].caseId;
const g = ws.caseGrid(caseId);
if (!g) throw new Error('no grid');
const n = g.dims[0] * g.dims[1] * g.dims[2];
let k = 0;
process.stdout.write('ready\n');
for (;;) {
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) labels[i] = (i * 7 + k) % 5 === 0 ? 2 : 0;
  await ws.saveRecovery(caseId, labels, g.dims, null);
  await ws.saveLabel(caseId, labels, { status: 'corrected', note: `loop ${k}` });
  k++;
}
