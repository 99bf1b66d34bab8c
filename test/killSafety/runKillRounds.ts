// `npm run kill-safety -- [--rounds N] [--writers label,manifest,checkpoint] [--train-rounds N]`:
// many kill -9 rounds on one workspace, then during `med3d train` (the tests run 3 of each).
// Prints one line per round and a summary; exit 1 on failure.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeSyntheticSegmentationDataset } from '../../main/datasets/testing/writeSyntheticSegmentationDataset';
import { KILL_WRITERS, killRound, setupWorkspace, trainKillRound, type KillWriter } from './killRound';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' }, writers: { type: 'string', default: KILL_WRITERS.join(',') }, keep: { type: 'boolean', default: false }, 'train-rounds': { type: 'string', default: '0' } } });
const rounds = Number(values.rounds);
const writers = values.writers.split(',') as KillWriter[];
const trainRounds = Number(values['train-rounds']);
if (!Number.isInteger(rounds) || rounds < 0) throw new Error(`--rounds: ${values.rounds} is not a non-negative integer`);
if (!Number.isInteger(trainRounds) || trainRounds < 0) throw new Error(`--train-rounds: ${values['train-rounds']} is not a non-negative integer`);
for (const w of writers) if (!KILL_WRITERS.includes(w)) throw new Error(`--writers: unknown writer ${w} (known: ${KILL_WRITERS.join(', ')})`);

const dir = await mkdtemp(path.join(tmpdir(), 'med3d-kill-'));
const root = path.join(dir, 'ws');
await setupWorkspace(root);
let survived = 0;
let swept = 0;
let trainSurvived = 0;
try {
  for (let i = 0; i < rounds; i++) {
    const t = Date.now();
    // Kill at varied points: after 1-3 completed loops plus 0-250 ms.
    const r = await killRound(root, writers, { minLoops: 1 + (i % 3), extraMs: (i * 53) % 250 });
    survived++;
    swept += r.sweptOrTakenOver.length;
    console.log(`round ${i + 1}: ok in ${Date.now() - t} ms; loops ${JSON.stringify(r.completed)}; ${r.listedFiles} listed files load; ${r.sweptOrTakenOver.length} swept/taken over`);
  }
  if (trainRounds) {
    const data = await writeSyntheticSegmentationDataset(path.join(dir, 'msd'), { layout: 'msd', trainCases: 3, testCases: 0, size: 'tiny', seed: 9 });
    for (let i = 0; i < trainRounds; i++) {
      const t = Date.now();
      const left = await trainKillRound(data.root, path.join(dir, `train${i}`), (i * 137) % 2000, i);
      trainSurvived++;
      console.log(`train round ${i + 1}: ok in ${Date.now() - t} ms; files left, all load: ${left.join(', ') || '(none)'}`);
    }
  }
} finally {
  console.log(`kill -9 rounds survived: ${survived}/${rounds} (writers ${writers.join(', ')}); clean-up actions on reopen: ${swept}; med3d train rounds survived: ${trainSurvived}/${trainRounds}; workspace ${values.keep ? root : '(deleted)'}`);
  if (!values.keep) await rm(dir, { recursive: true, force: true });
}
