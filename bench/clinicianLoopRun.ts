import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CaseSummary, ImportDatasetResult, ModelVersionInfo } from '../common/api/types';
import { segmentationMetrics } from '../main/evaluation/segmentationMetrics';
import { LUNG_LABEL_TABLE } from '../main/tasks/lung/lungLabels';
import { loadVolume } from '../main/volume/io/loadVolume';
import { writeLoopCases, type LoopCasesOptions } from './clinicianLoopData';
import { med3d } from './learningRun';

/**
 * The clinician's loop, driven only through the headless contract a user has (`med3d call <method>
 * '<json>' -w <workspace>`, one child process per call, as a script would): import a labelled
 * folder, add held-out scans, score the active lung method on them (cold start first), then for each
 * K fine-tune on the first K imported cases with a time budget and score whatever is active after
 * the never-worse promotion. Scoring is what the app does: runTask on each held-out case, export of
 * the predicted label version, Dice (main/evaluation) against the true masks on the source grid.
 */
export interface LoopOptions extends LoopCasesOptions {
  /** Folder for the data, the workspace and the exported predictions (made when missing). */
  work: string;
  /** Corrected-case counts to fine-tune at, increasing (K = 0, cold start, is always scored first). */
  ks: number[];
  /** Time budget of each fine-tune, minutes. */
  minutes: number;
}

export interface CaseScore {
  id: string;
  caseId: string;
  labelVersion: number;
  /** Dice per lung label (workspace values 1 right, 2 left) and their mean. */
  dice: Record<string, number>;
  meanDice: number;
}

export interface LoopStep {
  /** Corrected cases the active model has learnt from (0: cold start). */
  k: number;
  fineTune: null | {
    seconds: number;
    /** The version this fine-tune wrote, as listModels reports it (metrics, comparison, active). */
    version: ModelVersionInfo | null;
    promoted: boolean;
    /** The new version scored on the held-out cases too when it was not promoted (what it would have given). */
    candidate: LoopStep['evaluation'] | null;
  };
  /** The lung method active when scoring: a model version id, or 'cold-start'. */
  active: string;
  evaluation: { seconds: number; meanDice: number; cases: CaseScore[] };
}

export interface LoopReport {
  startedAt: string;
  machine: { cpus: number; loadAverage1mStart: number; loadAverage1mEnd: number };
  options: Omit<LoopOptions, 'work'>;
  workspace: string;
  data: { seconds: number };
  importDataset: { seconds: number; cases: number; skipped: number; labels: string[] };
  addHeldOut: { seconds: number };
  steps: LoopStep[];
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const round = (x: number, d = 4): number => Number(x.toFixed(d));

/** Seconds taken by `f`, with its result. */
async function timed<T>(f: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { seconds: round((performance.now() - t0) / 1000, 2), value };
}

export async function runClinicianLoop(o: LoopOptions): Promise<LoopReport> {
  const startedAt = new Date().toISOString();
  const loadStart = os.loadavg()[0];
  const ws = path.join(o.work, 'workspace');
  const predDir = path.join(o.work, 'predictions');
  await mkdir(predDir, { recursive: true });
  const call = async <T>(method: string, req?: unknown): Promise<T> => {
    const run = await med3d(['call', method, ...(req === undefined ? [] : [JSON.stringify(req)]), '-w', ws, '--root', o.work]);
    return JSON.parse(run.stdout) as T;
  };

  const data = await timed(() => writeLoopCases(path.join(o.work, 'data'), o));
  const cases = data.value;
  const imported = await timed(() => call<ImportDatasetResult>('importDataset', { path: cases.dataset }));
  const byStem = new Map(imported.value.cases.map((c) => [path.basename(c.source).replace(/\.nii(\.gz)?$/, ''), c.caseId]));
  const poolIds = cases.pool.map((stem) => {
    const id = byStem.get(stem);
    if (!id) throw new Error(`importDataset did not import ${stem} (skipped: ${JSON.stringify(imported.value.skipped)})`);
    return id;
  });
  const added = await timed(async () => {
    const out: Array<{ id: string; caseId: string; truth: string }> = [];
    for (const h of cases.heldOut) out.push({ id: h.id, truth: h.truth, caseId: (await call<CaseSummary>('addCase', { path: h.image, name: `held-out ${h.id}` })).caseId });
    return out;
  });

  /** runTask on every held-out case (the active method, or `modelVersion`), export, Dice against the truth. */
  const score = async (tag: string, modelVersion?: string): Promise<LoopStep['evaluation']> => {
    const run = await timed(async () => {
      const scores: CaseScore[] = [];
      for (const h of added.value) {
        const { labelVersion } = await call<{ labelVersion: number }>('runTask', { task: 'lung', caseId: h.caseId, ...(modelVersion ? { modelVersion } : {}) });
        const file = path.join(predDir, `${tag}-${h.id}.nii.gz`);
        await call('exportLabel', { caseId: h.caseId, version: labelVersion, format: 'nifti', path: file, overwrite: true });
        const [pred, truth] = await Promise.all([loadVolume(file), loadVolume(h.truth)]);
        const per = segmentationMetrics(pred, truth, LUNG_LABEL_TABLE);
        const dice = Object.fromEntries(per.map((m) => [m.name, round(m.dice)]));
        scores.push({ id: h.id, caseId: h.caseId, labelVersion, dice, meanDice: round(mean(per.map((m) => m.dice))) });
      }
      return scores;
    });
    return { seconds: run.seconds, meanDice: round(mean(run.value.map((c) => c.meanDice))), cases: run.value };
  };
  const activeLung = async (): Promise<{ id: string; all: ModelVersionInfo[] }> => {
    const all = await call<ModelVersionInfo[]>('listModels', { task: 'lung' });
    return { id: all.find((m) => m.active)?.versionId ?? 'cold-start', all };
  };

  const steps: LoopStep[] = [{ k: 0, fineTune: null, active: (await activeLung()).id, evaluation: await score('k0') }];
  for (const k of o.ks) {
    const before = new Set((await activeLung()).all.map((m) => m.versionId));
    const ft = await timed(() => call('fineTune', { task: 'lung', minutes: o.minutes, caseIds: poolIds.slice(0, k) }));
    const after = await activeLung();
    const version = after.all.find((m) => !before.has(m.versionId)) ?? null;
    const promoted = !!version?.active;
    const candidate = version && !promoted ? await score(`k${k}-${version.versionId}`, version.versionId) : null;
    steps.push({ k, fineTune: { seconds: ft.seconds, version, promoted, candidate }, active: after.id, evaluation: await score(`k${k}`) });
  }
  const { work: _work, ...options } = o;
  return {
    startedAt,
    machine: { cpus: os.cpus().length, loadAverage1mStart: round(loadStart, 2), loadAverage1mEnd: round(os.loadavg()[0], 2) },
    options,
    workspace: ws,
    data: { seconds: data.seconds },
    importDataset: { seconds: imported.seconds, cases: imported.value.cases.length, skipped: imported.value.skipped.length, labels: imported.value.labels },
    addHeldOut: { seconds: added.seconds },
    steps,
  };
}
