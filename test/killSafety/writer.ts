// Child process of the kill -9 rounds (killRound.ts): writes to a workspace in loops until it is
// killed. `node bin/run-ts.mjs test/killSafety/writer.ts <root> <writer,writer,...>`; the writers
// (label saves, manifest updates, checkpoint writes) run concurrently, so one kill interrupts each
// of them somewhere: inside a temp-file write, between a file and the manifest entry listing it,
// or while the workspace lock is held.
import { Workspace } from '../../main/workspace/Workspace';
import { saveCheckpoint } from '../../main/engine/weights/checkpoint';
import { KILL_WRITERS, checkpointSample, type KillWriter } from './killRound';

const [root, list] = process.argv.slice(2);
const names = (list ?? '').split(',').filter(Boolean) as KillWriter[];
const ws = await Workspace.open(root, { log: () => undefined });
const caseId = ws.snapshot().cases[0]?.caseId;
const grid = caseId ? ws.caseGrid(caseId) : null;

const loops: Record<KillWriter, (k: number) => Promise<void>> = {
  async label(k) {
    if (!caseId || !grid) throw new Error('label writer: the workspace needs a case with a grid');
    const n = grid.dims[0] * grid.dims[1] * grid.dims[2];
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) labels[i] = (i * 7 + k) % 5 === 0 ? 2 : 0;
    await ws.saveRecovery(caseId, labels, grid.dims, null);
    await ws.saveLabel(caseId, labels, { status: 'corrected', note: `loop ${k}` });
  },
  async manifest(k) {
    const c = await ws.addCase(`${root}/../scan-${process.pid}-${k}.nii.gz`, { name: `added ${k}` });
    await ws.setCaseStatus(c.caseId, 'verified');
    await ws.updateSettings({ autosaveSeconds: 10 + (k % 50) });
  },
  async checkpoint(k) {
    const r = await ws.reserveModelVersion('lung', 'm3d');
    await saveCheckpoint(r.path, checkpointSample(k));
    await ws.addModelVersion(r.versionId, r.file, { task: 'lung', backbone: 'resnet10', parent: null, origin: 'finetune', trainingCases: [], metrics: { step: k }, note: '' });
  },
};

for (const name of names) if (!KILL_WRITERS.includes(name)) throw new Error(`unknown writer ${name} (known: ${KILL_WRITERS.join(', ')})`);
process.stdout.write('ready\n');
await Promise.all(
  names.map(async (name) => {
    for (let k = 0; ; k++) {
      await loops[name](k);
      process.stdout.write(`${name} ${k}\n`);
    }
  }),
);
