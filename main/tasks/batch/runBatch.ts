import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { LabelMap, Volume } from '../../volume/Volume';
import { loadVolume } from '../../volume/io/loadVolume';
import { gridOf, sameGrid } from '../../volume/geometry/grid';
import { resampleToGrid } from '../../volume/geometry/resample';
import { atomicWriteFile, atomicWriteJson } from '../../util/atomicWrite';
import { dice, labelVolumesMl } from '../mask/maskMetrics';
import { writeDicomSegFile, writeNiftiFile } from '../io/writeMask';
import { prepareTask, type PreparedTask, type TaskName } from '../taskRegistry';
import { discoverCases, inShard, type BatchCase } from './discoverCases';
import { prepareTrainedTask } from './prepareTrainedTask';
import type { TaskRegistry } from '../TaskDefinition';
import { createTaskRegistry } from '../taskDefinitions';

/**
 * Offline batch segmentation (`med3d batch`): every case below `inDir` through one prepared task
 * (model loaded once), outputs on each source grid, a record per case written atomically as soon
 * as the case ends (so `resume` and concurrent shards see finished work), and report.json +
 * report.csv aggregated from all records in the output folder.
 *
 * Exit codes (the CLI contract): 0 every case succeeded (or was already done), 2 some failed,
 * 1 nothing could run (no cases, task could not be prepared, or every case failed).
 */
export interface BatchOptions {
  /** Per-task pipeline; optional with a model trained by `med3d train` (its task is stored in it). */
  task?: TaskName;
  /** Task definitions that claim trained models (`batch --model`); default: the built-in ones. */
  tasks?: TaskRegistry;
  inDir: string;
  outDir: string;
  model?: string;
  workspace?: string;
  format?: 'nifti' | 'dicom-seg';
  resume?: boolean;
  shard?: { index: number; count: number };
  refDir?: string;
  log?: (line: string) => void;
  warn?: (line: string) => void;
  signal?: AbortSignal;
  /** Called before the task is prepared (e.g. to initialise the engine backend for --device). */
  beforePrepare?: () => Promise<string | void>;
}

export type CaseStatus = 'ok' | 'failed' | 'skipped';

export interface CaseRecord {
  id: string;
  input: string;
  task: string;
  method: string;
  status: CaseStatus;
  timeS: number;
  output?: string;
  /** Volume in mL per label name. */
  volumesMl?: Record<string, number>;
  /** Dice per label name plus 'all' (any non-zero label), when a reference mask was given. */
  dice?: Record<string, number>;
  reference?: string;
  notes?: string[];
  findings?: Array<Record<string, string | number | boolean | number[]>>;
  error?: string;
  finishedAt: string;
}

export interface BatchSummary {
  exitCode: 0 | 1 | 2;
  cases: CaseRecord[];
  ok: number;
  failed: number;
  skipped: number;
  reportJson: string;
  reportCsv: string;
}

const RECORDS = '.med3d-batch';

function recordPath(outDir: string, id: string): string {
  return path.join(outDir, RECORDS, `${id.replace(/[\\/]/g, '__')}.json`);
}

function outputPath(outDir: string, c: BatchCase, task: string, format: 'nifti' | 'dicom-seg'): string {
  return path.join(outDir, `${c.id}.${task}${format === 'nifti' ? '.nii.gz' : '.seg.dcm'}`);
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ').trim();
}

export async function runBatch(opts: BatchOptions): Promise<BatchSummary> {
  const log = opts.log ?? ((): void => undefined);
  const warn = opts.warn ?? log;
  const format = opts.format ?? 'nifti';
  const outDir = path.resolve(opts.outDir);
  const reportJson = path.join(outDir, 'report.json');
  const reportCsv = path.join(outDir, 'report.csv');
  const nothing = (why: string): BatchSummary => {
    warn(why);
    return { exitCode: 1, cases: [], ok: 0, failed: 0, skipped: 0, reportJson, reportCsv };
  };

  let cases: BatchCase[];
  try {
    cases = await discoverCases(opts.inDir, { refDir: opts.refDir });
  } catch (err) {
    return nothing(oneLine(err));
  }
  if (opts.shard) cases = cases.filter((c) => inShard(c, opts.shard!));
  if (cases.length === 0) return nothing(`no NIfTI files or DICOM series found in ${opts.inDir}${opts.shard ? ` for shard ${opts.shard.index}/${opts.shard.count}` : ''}`);
  log(`${cases.length} case(s)${opts.shard ? ` in shard ${opts.shard.index}/${opts.shard.count}` : ''}${opts.task ? `, task ${opts.task}` : ''}`);

  let task: PreparedTask;
  try {
    const backend = await opts.beforePrepare?.();
    if (backend) log(`engine backend: ${backend}`);
    const trained = opts.model ? await prepareTrainedTask(opts.model, opts.tasks ?? createTaskRegistry(), { workspace: opts.workspace, task: opts.task }) : null;
    if (!trained && !opts.task) throw new Error(opts.model ? `model ${opts.model} does not say which task it was trained for: pass --task` : 'pass --task or --model');
    task = trained ?? (await prepareTask(opts.task!, { model: opts.model, workspace: opts.workspace }));
  } catch (err) {
    return nothing(oneLine(err));
  }
  log(`method: ${task.method}`);
  await fs.mkdir(path.join(outDir, RECORDS), { recursive: true });

  const records: CaseRecord[] = [];
  for (const [n, c] of cases.entries()) {
    if (opts.signal?.aborted) break;
    const out = outputPath(outDir, c, task.task, format);
    if (opts.resume) {
      const prev = await readRecord(outDir, c.id);
      if (prev && prev.status === 'ok' && prev.task === task.task && prev.output && (await exists(prev.output))) {
        records.push({ ...prev, status: 'skipped' });
        log(`[${n + 1}/${cases.length}] ${c.id}: done before, skipped (--resume)`);
        continue;
      }
    }
    const t0 = performance.now();
    let rec: CaseRecord;
    try {
      rec = await runCase(task, c, out, format, opts.signal);
      rec.timeS = (performance.now() - t0) / 1000;
      const vols = Object.entries(rec.volumesMl ?? {})
        .map(([k, v]) => `${k} ${v.toFixed(1)} mL`)
        .join(', ');
      log(`[${n + 1}/${cases.length}] ${c.id}: ok in ${rec.timeS.toFixed(1)} s${vols ? ` (${vols})` : ''}${rec.dice ? `, Dice ${rec.dice.all.toFixed(4)}` : ''}`);
    } catch (err) {
      rec = { id: c.id, input: c.input, task: task.task, method: task.method, status: 'failed', timeS: (performance.now() - t0) / 1000, error: oneLine(err), finishedAt: new Date().toISOString() };
      warn(`[${n + 1}/${cases.length}] ${c.id}: FAILED: ${rec.error}`);
    }
    await atomicWriteJson(recordPath(outDir, c.id), rec);
    records.push(rec);
  }

  await writeReports(outDir, reportJson, reportCsv);
  const ok = records.filter((r) => r.status === 'ok').length;
  const failed = records.filter((r) => r.status === 'failed').length;
  const skipped = records.filter((r) => r.status === 'skipped').length;
  log(`${ok} ok, ${skipped} skipped, ${failed} failed; reports: ${reportJson}, ${reportCsv}`);
  const exitCode: 0 | 1 | 2 = failed === 0 ? 0 : ok + skipped === 0 ? 1 : 2;
  return { exitCode, cases: records, ok, failed, skipped, reportJson, reportCsv };
}

async function runCase(task: PreparedTask, c: BatchCase, out: string, format: 'nifti' | 'dicom-seg', signal?: AbortSignal): Promise<CaseRecord> {
  const ct = await loadVolume(c.input);
  const result = await task.run(ct, signal);
  const mask = sameGrid(gridOf(result.mask), gridOf(ct)) ? result.mask : resampleToGrid(result.mask, gridOf(ct), { interpolation: 'nearest' });
  await fs.mkdir(path.dirname(out), { recursive: true });
  if (format === 'nifti') await writeNiftiFile(out, mask);
  else await writeDicomSegFile(out, mask, ct, `Med3D ${task.task} (${task.method})`);
  const names = new Map(mask.labels.map((l) => [l.value, l.name]));
  const volumesMl: Record<string, number> = {};
  for (const [v, ml] of labelVolumesMl(mask)) volumesMl[names.get(v) ?? `label ${v}`] = ml;
  const rec: CaseRecord = {
    id: c.id,
    input: c.input,
    task: task.task,
    method: task.method,
    status: 'ok',
    timeS: 0,
    output: out,
    volumesMl,
    notes: result.notes,
    finishedAt: new Date().toISOString(),
  };
  if (result.findings) rec.findings = result.findings;
  if (c.reference) {
    rec.reference = c.reference;
    rec.dice = await diceAgainst(mask, c.reference);
  }
  return rec;
}

/**
 * Dice against a reference mask (resampled to the output grid when needed). A binary reference
 * is compared with the union of our labels; a multi-label one label by label.
 */
async function diceAgainst(mask: LabelMap, refFile: string): Promise<Record<string, number>> {
  let ref: Volume = await loadVolume(refFile);
  if (!sameGrid(gridOf(ref), gridOf(mask), 1e-3)) ref = resampleToGrid(ref, gridOf(mask), { interpolation: 'nearest' });
  const refValues = new Set<number>();
  for (const v of ref.data) if (v) refValues.add(v);
  const out: Record<string, number> = { all: dice(mask.data, ref.data) };
  if (refValues.size > 1) for (const l of mask.labels) out[l.name] = dice(mask.data, ref.data, l.value, l.value);
  return out;
}

async function exists(f: string): Promise<boolean> {
  return fs
    .stat(f)
    .then(() => true)
    .catch(() => false);
}

async function readRecord(outDir: string, id: string): Promise<CaseRecord | null> {
  try {
    return JSON.parse(await fs.readFile(recordPath(outDir, id), 'utf8')) as CaseRecord;
  } catch {
    return null;
  }
}

/** Aggregate every case record in the output folder (all shards, all runs) into the two reports. */
async function writeReports(outDir: string, jsonFile: string, csvFile: string): Promise<void> {
  const dir = path.join(outDir, RECORDS);
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const all: CaseRecord[] = [];
  for (const f of files) {
    try {
      all.push(JSON.parse(await fs.readFile(path.join(dir, f), 'utf8')) as CaseRecord);
    } catch {
      /* a record being replaced by another shard right now: the next report picks it up */
    }
  }
  all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ok = all.filter((r) => r.status === 'ok').length;
  await atomicWriteJson(jsonFile, { tool: 'med3d batch', createdAt: new Date().toISOString(), total: all.length, ok, failed: all.length - ok, cases: all });
  const volKeys = [...new Set(all.flatMap((r) => Object.keys(r.volumesMl ?? {})))].sort();
  const diceKeys = [...new Set(all.flatMap((r) => Object.keys(r.dice ?? {})))].sort();
  const header = ['case', 'input', 'task', 'method', 'status', 'time_s', 'output', ...volKeys.map((k) => `volume_ml_${k.replace(/\s+/g, '_')}`), ...diceKeys.map((k) => `dice_${k.replace(/\s+/g, '_')}`), 'error'];
  const csv = [header.join(',')];
  for (const r of all) {
    const row = [
      r.id,
      r.input,
      r.task,
      r.method,
      r.status,
      r.timeS.toFixed(3),
      r.output ?? '',
      ...volKeys.map((k) => (r.volumesMl?.[k] !== undefined ? r.volumesMl[k].toFixed(3) : '')),
      ...diceKeys.map((k) => (r.dice?.[k] !== undefined ? r.dice[k].toFixed(5) : '')),
      r.error ?? '',
    ];
    csv.push(row.map(csvCell).join(','));
  }
  await atomicWriteFile(csvFile, `${csv.join('\n')}\n`);
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
