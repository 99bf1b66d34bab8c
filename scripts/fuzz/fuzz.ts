// `npm run fuzz -- [--seed N] [--count N] [--jobs N] [--timeout S] [--memory MiB] [--failures DIR]
//   [--only I,J] [--corpus DIR ...] [--json FILE] [--mode process|batch]`: mutate the public scans and checkpoints, run each
// through `med3d info --json` / `med3d weights inspect` in its own process under time and memory
// limits, print outcomes by class and by mutation, keep failing inputs. Exit 1 when any input
// ends in a raw JS error, a crash, a hang or over the memory limit. See docs/fuzzing.md.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DATA_DIR, FIXTURES_DIR, REPO_ROOT } from '../../test/sharedDir';
import { fuzzCorpus } from './fuzzCorpus';
import { formatReport, runFuzz } from './fuzzRun';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    count: { type: 'string', default: '200' },
    jobs: { type: 'string' },
    timeout: { type: 'string', default: '20' },
    memory: { type: 'string', default: '1536' },
    failures: { type: 'string', default: path.join(REPO_ROOT, 'test-results', 'fuzz-failures') },
    only: { type: 'string' },
    corpus: { type: 'string', multiple: true },
    json: { type: 'string' },
    mode: { type: 'string', default: 'process' },
  },
});

function int(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    console.error(`fuzz: --${name} ${v} is not an integer >= ${min}`);
    process.exit(2);
  }
  return n;
}

if (values.mode !== 'process' && values.mode !== 'batch') {
  console.error(`fuzz: --mode ${values.mode}: expected process or batch`);
  process.exit(2);
}
const dirs = values.corpus ?? [DATA_DIR, FIXTURES_DIR];
const corpus = await fuzzCorpus(dirs);
if (!corpus.length) {
  console.warn(`[skip] fuzz: no DICOM, NIfTI or .pth files under ${dirs.join(', ')} (is ../shared present?)`);
  process.exit(0);
}
const only = values.only?.split(',').map((s) => int('only', s, 0) as number);
const count = only ? only.length : (int('count', values.count, 1) as number);
const seed = int('seed', values.seed, 0) as number;
const kinds = corpus.reduce<Record<string, number>>((m, c) => ({ ...m, [c.kind]: (m[c.kind] ?? 0) + 1 }), {});
console.log(`fuzz: seed ${seed}, ${count} inputs from ${corpus.length} files (${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ')}); limits ${values.timeout} s, ${values.memory} MiB; ${values.mode === 'batch' ? 'batch workers, failures rerun in their own process' : 'one process per input'}`);

const t0 = Date.now();
let done = 0;
const report = await runFuzz(corpus, {
  seed,
  count,
  only,
  jobs: int('jobs', values.jobs, 1),
  timeoutMs: (int('timeout', values.timeout, 1) as number) * 1000,
  memoryMb: int('memory', values.memory, 64) as number,
  failuresDir: values.failures,
  mode: values.mode,
  onResult: (c, o) => {
    done++;
    if (o.cls !== 'success' && o.cls !== 'clean-error') console.log(`  #${c.index} ${o.cls} (${o.why}): ${c.mutation} ${c.detail} on ${path.basename(c.source.file)}: ${o.stderr.split('\n')[0].slice(0, 200)}`);
    if (done % 50 === 0) console.log(`  ${done}/${count} done, ${Math.round((Date.now() - t0) / 1000)} s`);
  },
});
console.log(`\n${formatReport(report)}\n`);
console.log(`${report.results.length} inputs in ${Math.round((Date.now() - t0) / 1000)} s; ${report.failures.length} failing${report.failures.length && values.failures ? `, kept in ${values.failures}` : ''}`);
if (values.json) await writeFile(values.json, `${JSON.stringify({ seed, count, byClass: report.byClass, byMutation: report.byMutation, results: report.results }, null, 2)}\n`);
process.exitCode = report.failures.length ? 1 : 0;
