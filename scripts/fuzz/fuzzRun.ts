import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../../main/util/seededRandom';
import { FAILURE_CLASSES, OUTCOME_CLASSES, type OutcomeClass } from './classifyOutcome';
import type { CorpusFile } from './fuzzCorpus';
import { MUTATIONS, mutationsFor } from './mutations/mutationRegistry';
import { runInput, type InputOutcome, type Limits } from './runInput';
import { BatchRunner } from './batchRunner';

export interface FuzzCase {
  index: number;
  source: CorpusFile;
  mutation: string;
  detail: string;
  bytes: Uint8Array;
}

/**
 * Input number `index` of run `seed`: its own generator, so any single input can be rebuilt
 * (`--seed S --only INDEX`) without replaying the ones before it.
 */
export async function makeCase(corpus: readonly CorpusFile[], seed: number, index: number, read: (file: string) => Promise<Uint8Array>): Promise<FuzzCase> {
  const rng = seededRandom((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  // Kind first, so the many slices of a DICOM series do not crowd out NIfTI and .pth.
  const kinds = [...new Set(corpus.map((c) => c.kind))].sort();
  const kind = kinds[rng.int(0, kinds.length - 1)];
  const files = corpus.filter((c) => c.kind === kind);
  const source = files[rng.int(0, files.length - 1)];
  const original = await read(source.file);
  const names = mutationsFor(kind);
  for (let attempt = 0; attempt < 12; attempt++) {
    const mutation = names[rng.int(0, names.length - 1)];
    let detail = '';
    const bytes = MUTATIONS[mutation].apply(original, rng, (d) => (detail = d));
    if (bytes) return { index, source, mutation, detail, bytes };
  }
  let detail = '';
  const bytes = MUTATIONS.truncate.apply(original, rng, (d) => (detail = d)) ?? original;
  return { index, source, mutation: 'truncate', detail, bytes };
}

export interface FuzzOptions extends Limits {
  seed: number;
  count: number;
  /** Run only these input numbers (reproduce a failure). */
  only?: number[];
  /** Children run at once (default: CPU count). */
  jobs?: number;
  /**
   * 'process' (default): every input in a `med3d` process of its own. 'batch': inputs run through
   * long-lived CLI workers (many times faster), and every input that fails there is rerun in a
   * process of its own, whose outcome is the one that counts.
   */
  mode?: 'process' | 'batch';
  /** Where failing inputs are kept (null: nowhere). */
  failuresDir: string | null;
  onResult?: (c: FuzzCase, o: InputOutcome) => void;
}

export interface FuzzResult {
  index: number;
  source: string;
  kind: string;
  mutation: string;
  detail: string;
  cls: OutcomeClass;
  why: string;
  stderr: string;
  durationMs: number;
  peakRssMb: number;
  /** Batch mode: the outcome in the shared worker, when a rerun in its own process replaced it. */
  batchCls?: OutcomeClass;
  kept?: string;
}

export interface FuzzReport {
  results: FuzzResult[];
  byClass: Record<OutcomeClass, number>;
  byMutation: Record<string, Record<OutcomeClass, number>>;
  failures: FuzzResult[];
}

const emptyCounts = (): Record<OutcomeClass, number> => Object.fromEntries(OUTCOME_CLASSES.map((c) => [c, 0])) as Record<OutcomeClass, number>;

export async function runFuzz(corpus: readonly CorpusFile[], opts: FuzzOptions): Promise<FuzzReport> {
  if (!corpus.length) throw new Error('fuzz: the corpus is empty');
  const cache = new Map<string, Promise<Uint8Array>>();
  const read = (f: string): Promise<Uint8Array> => {
    if (!cache.has(f)) cache.set(f, fs.readFile(f).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    return cache.get(f) as Promise<Uint8Array>;
  };
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'med3d-fuzz-'));
  const indices = opts.only ?? Array.from({ length: opts.count }, (_, i) => i);
  const results: FuzzResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    const batch = opts.mode === 'batch' ? new BatchRunner(opts) : null;
    try {
      await drain(batch);
    } finally {
      batch?.close();
    }
  };
  const drain = async (batch: BatchRunner | null): Promise<void> => {
    while (next < indices.length) {
      const index = indices[next++];
      const c = await makeCase(corpus, opts.seed, index, read);
      // Keep the original name (extension): readers pick the format by it.
      const dir = path.join(work, String(index));
      await fs.mkdir(dir);
      const file = path.join(dir, path.basename(c.source.file));
      await fs.writeFile(file, c.bytes);
      const first = batch ? await batch.run(c.source.kind, file) : await runInput(c.source.kind, file, opts);
      const o = batch && FAILURE_CLASSES.includes(first.cls) ? await runInput(c.source.kind, file, opts) : first;
      const r: FuzzResult = { index, source: c.source.file, kind: c.source.kind, mutation: c.mutation, detail: c.detail, cls: o.cls, why: o.why, stderr: o.stderr.slice(0, 2000), durationMs: o.durationMs, peakRssMb: o.peakRssMb };
      if (o !== first) r.batchCls = first.cls;
      if (FAILURE_CLASSES.includes(o.cls) && opts.failuresDir) {
        const base = path.join(opts.failuresDir, `${opts.seed}-${String(index).padStart(6, '0')}-${o.cls}-${c.mutation}-${path.basename(c.source.file)}`);
        await fs.mkdir(opts.failuresDir, { recursive: true });
        await fs.writeFile(base, c.bytes);
        await fs.writeFile(`${base}.json`, `${JSON.stringify({ ...r, seed: opts.seed, reproduce: `npm run fuzz -- --seed ${opts.seed} --only ${index}` }, null, 2)}\n`);
        r.kept = base;
      }
      await fs.rm(dir, { recursive: true, force: true });
      results.push(r);
      opts.onResult?.(c, o);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.jobs ?? os.availableParallelism()) }, worker));
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
  results.sort((a, b) => a.index - b.index);
  const byClass = emptyCounts();
  const byMutation: Record<string, Record<OutcomeClass, number>> = {};
  for (const r of results) {
    byClass[r.cls]++;
    (byMutation[r.mutation] ??= emptyCounts())[r.cls]++;
  }
  return { results, byClass, byMutation, failures: results.filter((r) => FAILURE_CLASSES.includes(r.cls)) };
}

/** The outcome table: one row per mutation, one column per class, and a total row. */
export function formatReport(report: FuzzReport): string {
  const cols = OUTCOME_CLASSES;
  const rows = Object.keys(report.byMutation).sort();
  const w = Math.max(8, ...rows.map((r) => r.length));
  const line = (name: string, counts: Record<OutcomeClass, number>): string => `${name.padEnd(w)} ${cols.map((c) => String(counts[c]).padStart(Math.max(c.length, 5))).join(' ')} ${String(cols.reduce((n, c) => n + counts[c], 0)).padStart(6)}`;
  return [`${'mutation'.padEnd(w)} ${cols.map((c) => c.padStart(Math.max(c.length, 5))).join(' ')} ${'total'.padStart(6)}`, ...rows.map((r) => line(r, report.byMutation[r])), line('all', report.byClass)].join('\n');
}
