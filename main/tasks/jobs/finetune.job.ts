import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { v, type Infer, type JsonValue } from '../../../common/api/schema';
import type { ModelVersionInfo, PromotionMode, TaskName } from '../../../common/api/types';
import type { JobContext, JobRegistry } from '../../jobs/jobRegistry';
import type { Workspace } from '../../workspace/Workspace';
import { atomicWriteJson } from '../../util/atomicWrite';
import { JobCancelledError } from '../../engine/worker/EngineJobContext';
import type { LabelledCase } from '../finetune/fineTune';
import { FINETUNE_TASKS, fineTuneTask } from '../finetune/fineTuneTasks';
import type { FineTuneJobResult, FineTunePayload } from '../finetune/fineTuneWorkerJob';
import { describeDecision } from '../finetune/promotionDecision';
import { chooseHeldOut } from '../finetune/chooseHeldOut';
import { addFineTunedVersion } from './addFineTunedVersion';
import { FINE_TUNE_PARAMS, checkFineTuneParams } from './fineTuneParams';
import { followTraining } from './followTraining';
import { taskEngine } from './taskEngine';
import { toTaskClasses } from './taskLabels';

/**
 * 'finetune' job kind: fine-tuning from the workspace's corrected / verified cases, never worse.
 * Held-out verified cases (workspace setting validationFraction, at least one when there are two)
 * never train; the new version is registered either way (origin 'finetune') and activated only
 * when promotion is automatic and it beats the method active when the job started (a model, or
 * lung's cold-start mask) on those cases (promotionDecision). Resumable: the plan (case split,
 * start and baseline) and trainLoop's checkpoints live in the job's workspace folder; a cancel
 * registers the best weights so far as an inactive candidate. After a promotion the job's case is
 * re-predicted.
 */
const FINETUNE_PARAMS = v.object({
  /** lung | liver (checked by `check`, which says why nodule is not: its kind is 'nodule:finetune'). */
  task: v.string({ max: 64 }),
  ...FINE_TUNE_PARAMS,
  /** Advanced: the model grid's voxel size (mm). */
  spacingMm: v.optional(v.tuple3(v.number({ min: 0 }))),
});
type FineTuneParams = Omit<Infer<typeof FINETUNE_PARAMS>, 'task'> & { task: TaskName };

/** What the schema cannot say: the task's mask training exists, sizes are positive, patches are multiples of 8. */
function check(p: Infer<typeof FINETUNE_PARAMS>): void {
  if (!(p.task in FINETUNE_TASKS)) throw new Error(`finetune: task must be one of ${Object.keys(FINETUNE_TASKS).join(', ')} (nodule models are trained from patches, not masks), got ${JSON.stringify(p.task)}`);
  checkFineTuneParams('finetune', p);
  if (p.spacingMm && !p.spacingMm.every((x) => x > 0)) throw new Error('finetune: spacingMm must be three positive numbers');
}

/** What the job decided before training; kept in its folder so a resumed run trains exactly the same. */
interface FineTunePlan {
  train: string[];
  validation: string[];
  /** Why nothing is held out (chooseHeldOut). */
  impossible?: string;
  replay: string[];
  /** Version trained from (null: a new model). */
  start: string | null;
  promotion: PromotionMode;
  steps?: number;
  minutes?: number;
  /** Cases the start version had already trained on (kept in the new version's trainingCases). */
  seen: string[];
}

const NEW_MODEL = new Set(['scratch', 'cold-start']);

/** The task's labelled cases (latest label version with something of the task), with their status. */
async function labelledCaseIds(ws: Workspace, task: TaskName): Promise<Array<{ id: string; verified: boolean }>> {
  const out: Array<{ id: string; verified: boolean }> = [];
  for (const c of await ws.listCases()) {
    if ((c.status !== 'verified' && c.status !== 'corrected') || c.latestVersion === null) continue;
    const label = await ws.loadLabel(c.caseId);
    if (label && toTaskClasses(task, label.labels).some((v) => v !== 0)) out.push({ id: c.caseId, verified: c.status === 'verified' });
  }
  return out;
}

async function loadCases(ctx: JobContext, ws: Workspace, task: TaskName, ids: string[]): Promise<LabelledCase[]> {
  const out: LabelledCase[] = [];
  for (const id of ids) {
    const label = await ws.loadLabel(id);
    if (!label) throw new Error(`finetune: case ${id} has no label any more`);
    out.push({ id, ct: await ctx.services.loadCaseVolume(id), labels: toTaskClasses(task, label.labels) });
  }
  return out;
}

async function makePlan(ws: Workspace, p: FineTuneParams): Promise<FineTunePlan> {
  const all = await labelledCaseIds(ws, p.task);
  if (all.length === 0) throw new Error(`finetune: no corrected or verified ${p.task} labels in the workspace yet`);
  const active = ws.activeModel(p.task);
  let start: string | null = active?.versionId ?? null;
  if (p.from !== undefined) start = NEW_MODEL.has(p.from) ? null : p.from;
  if (start) {
    const m = ws.getModel(start);
    if (m.task !== p.task) throw new Error(`finetune: model version ${start} is a ${m.task} model, not ${p.task}`);
  }
  const seen = new Set(start ? ws.getModel(start).trainingCases : []);
  // Validation only on held-out verified cases that neither the start nor the active model trained on.
  const { validation, impossible } = chooseHeldOut(
    all.filter((c) => c.verified).map((c) => c.id),
    {
      fraction: ws.settings().validationFraction,
      trained: new Set([...seen, ...(active?.trainingCases ?? [])]),
      heldBefore: new Set(ws.listModels(p.task).flatMap((m) => m.comparison?.cases.map((c) => c.caseId) ?? [])),
    },
  );
  const held = new Set(validation);
  const trainable = all.filter((c) => !held.has(c.id) && (!p.caseIds || p.caseIds.includes(c.id))).map((c) => c.id);
  if (trainable.length === 0) throw new Error(`finetune: no ${p.task} case left to train on (the chosen cases are all held out for validation)`);
  // New corrections are trained on; cases the start model already learnt are replayed.
  const fresh = trainable.filter((id) => !seen.has(id));
  return {
    train: fresh.length ? fresh : trainable,
    validation,
    ...(impossible ? { impossible } : {}),
    replay: fresh.length ? trainable.filter((id) => seen.has(id)) : [],
    start,
    promotion: p.promotion ?? ws.settings().promotion ?? 'automatic',
    ...(p.steps !== undefined || p.minutes === undefined ? { steps: p.steps ?? 30 } : {}),
    ...(p.minutes !== undefined ? { minutes: p.minutes } : {}),
    seen: [...seen],
  };
}

/** The plan of a resumed job, or a new one written where a resume will find it. */
async function planFor(ctx: JobContext, ws: Workspace, p: FineTuneParams, workDir: string): Promise<FineTunePlan> {
  const file = path.join(workDir, 'plan.json');
  if (ctx.resumed) {
    try {
      return JSON.parse(await fs.readFile(file, 'utf8')) as FineTunePlan;
    } catch {
      // interrupted before the plan was written: start over
    }
  }
  const plan = await makePlan(ws, p);
  await atomicWriteJson(file, plan);
  return plan;
}

/** Move the candidate into the workspace's models and register it (active only when it won). */
async function registerCandidate(ws: Workspace, task: TaskName, plan: FineTunePlan, candidate: string, res: FineTuneJobResult, note: string, cancelledAt?: number): Promise<ModelVersionInfo> {
  const slot = await ws.reserveModelVersion(task, 'm3d');
  try {
    await fs.rename(candidate, slot.path).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EXDEV') throw err;
      await fs.copyFile(candidate, slot.path);
    });
    const c = res.comparison;
    const metrics: Record<string, number> = { trainingCases: plan.train.length + plan.replay.length, validationCases: plan.validation.length, steps: cancelledAt ?? res.steps, bestStep: res.bestStep };
    if (c.candidateMean !== null) metrics.valDice = c.candidateMean;
    if (c.baselineMean !== null) metrics.baselineDice = c.baselineMean;
    if (res.bestDice !== null) metrics.modelGridValDice = res.bestDice;
    return await addFineTunedVersion(ws, slot, { task, backbone: res.backbone, parent: plan.start, trainingCases: [...new Set([...plan.seen, ...plan.train, ...plan.replay])], metrics, note, comparison: c, backend: res.backend, seconds: res.seconds });
  } catch (err) {
    await fs.rm(slot.path, { force: true });
    throw err;
  }
}

export function register(r: JobRegistry): void {
  r.register('finetune', {
    resumable: true,
    params: FINETUNE_PARAMS,
    validate: check,
    title: (params) => `Fine-tune ${params.task} model from corrections`,
    async run(ctx) {
      const p: FineTuneParams = { ...ctx.params, task: ctx.params.task as TaskName };
      const ws = ctx.services.workspace();
      if (!ws) throw new Error('finetune: no workspace is open');
      // Without a workspace job folder (a host that does not persist jobs) the work is not resumable: a temporary folder.
      const workDir = ctx.workDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'med3d-finetune-')));
      try {
        return await fineTuneIn(ctx, ws, p, workDir);
      } finally {
        if (!ctx.workDir) await fs.rm(workDir, { recursive: true, force: true });
      }
    },
  });
}

/** Plan (or reload the plan of a resumed job), train and compare in the engine worker, register the version. */
async function fineTuneIn(ctx: JobContext, ws: Workspace, p: FineTuneParams, workDir: string): Promise<JsonValue> {
  const def = fineTuneTask(p.task);
  ctx.progress(0.01, ctx.resumed ? 'resuming from the last checkpoint' : 'collecting verified cases');
  const plan = await planFor(ctx, ws, p, workDir);
  const [train, validation, replay] = [await loadCases(ctx, ws, p.task, plan.train), await loadCases(ctx, ws, p.task, plan.validation), await loadCases(ctx, ws, p.task, plan.replay)];
  // The method to beat is what is active now (a resumed job compares with today's active model).
  const baseline = ws.activeModel(p.task);
  const payload: FineTunePayload = {
    task: p.task,
    ...(plan.start ? { startFile: ws.getModel(plan.start).path, parentId: plan.start } : {}),
    ...(baseline ? { baselineFile: baseline.path, baselineId: baseline.versionId } : {}),
    train,
    validation,
    replay,
    ...(plan.steps !== undefined ? { steps: plan.steps } : {}),
    ...(plan.minutes !== undefined ? { minutes: plan.minutes } : {}),
    ...(p.patch ? { patch: p.patch } : {}),
    ...(p.width ? { width: p.width } : {}),
    ...(p.spacingMm ? { preprocessing: { ...def.preprocessing, spacing: p.spacingMm } } : {}),
    workDir,
    resume: !!ctx.resumed,
    outFile: path.join(workDir, 'candidate.m3d'),
    promotion: plan.promotion,
  };
  ctx.progress(0.05, `training on ${train.length} case(s), replaying ${replay.length}, holding out ${validation.length} verified case(s)`);
  const { onProgress, last } = followTraining(ctx, ['valDice']);
  let res: FineTuneJobResult;
  try {
    res = await taskEngine().run('finetune', payload, { signal: ctx.signal, onProgress });
  } catch (err) {
    const cancelled = err instanceof JobCancelledError || (err as Error).name === 'JobCancelledError';
    // Shutting down: the checkpoint stays for resumeJob. A user's cancel keeps the best weights as a candidate.
    // Cancelled before a single step: nothing worth keeping.
    if (!cancelled || ctx.shuttingDown?.() || !last.cancelledAtStep) throw err;
    const step = last.cancelledAtStep;
    const note = `cancelled at step ${step}: best weights so far kept as a candidate (not active; activate it by hand)`;
    const partial: FineTuneJobResult = {
      comparison: { baseline: baseline?.versionId ?? 'none', metric: 'dice', cases: [], candidateMean: null, baselineMean: null, decision: 'cancelled' },
      bestDice: last.bestDice ?? null,
      bestStep: step,
      steps: step,
      stopReason: 'cancelled',
      pretrained: !!plan.start,
      backbone: `resnet${last.depth ?? '?'}-w${last.baseWidth ?? '?'}`,
      backend: 'unknown',
      seconds: last.seconds ?? 0,
      notes: [],
    };
    const info = await registerCandidate(ws, p.task, plan, payload.outFile, partial, note, step);
    const kept: JsonValue = { modelVersion: info.versionId, promoted: false, cancelled: true, step, note };
    return kept;
  }
  // Someone activated another version while this trained: it was not compared with that one.
  const now = ws.activeModel(p.task)?.versionId ?? null;
  const moved = res.comparison.decision === 'promoted' && now !== (baseline?.versionId ?? null);
  if (moved) res.comparison.decision = 'kept-baseline';
  const note = `${res.notes[0] ?? (plan.start ? `from ${plan.start}` : 'from scratch')}, ${res.steps} steps (${res.stopReason}); ${describeDecision(res.comparison, plan.impossible)}${moved ? `; not activated: the active model changed to ${now ?? 'cold start'} while it trained` : ''}${res.notes.slice(1).map((x) => `; ${x}`).join('')}`;
  const info = await registerCandidate(ws, p.task, plan, payload.outFile, res, note);
  const promoted = res.comparison.decision === 'promoted';
  if (promoted && ctx.caseId) ctx.services.startJob('predict', { task: p.task }, { caseId: ctx.caseId });
  const result: JsonValue = {
    modelVersion: info.versionId,
    promoted,
    decision: res.comparison.decision,
    baseline: res.comparison.baseline,
    valDice: res.comparison.candidateMean,
    baselineDice: res.comparison.baselineMean,
    cases: res.comparison.cases.map((c) => ({ ...c })),
    steps: res.steps,
    seconds: info.seconds ?? null,
    backend: res.backend,
    note,
  };
  return result;
}
