import { promises as fs } from 'node:fs';
import { v, type JsonValue } from '../../../common/api/schema';
import type { ModelComparison, NoduleMark, PromotionMode } from '../../../common/api/types';
import { JobCancelledError } from '../../engine/worker/EngineJobContext';
import type { JobRegistry } from '../../jobs/jobRegistry';
import { listNoduleMarks } from '../../workspace/noduleMarks';
import { addFineTunedVersion } from './addFineTunedVersion';
import { FINE_TUNE_PARAMS, checkFineTuneParams } from './fineTuneParams';
import { followTraining } from './followTraining';
import { taskEngine } from './taskEngine';
import { stratifiedSplit } from '../train/noduleRecipe';
import type { NoduleFineTunePayload, NoduleFineTuneResult, NoduleItem } from '../nodule/fineTuneNodule';

/**
 * 'nodule:finetune' job kind (api.fineTune {task: 'nodule'}): the nodule classifier learns from
 * the workspace's nodule marks (benign / malignant, LIDC 1–3 / 4–5). A stratified share of the
 * marks (workspace setting validationFraction) is held out and never trains; the new version is
 * registered either way (origin 'finetune') and activated only when promotion is automatic and it
 * classifies the held-out marks more accurately than the active nodule model (none yet: any
 * right answer wins).
 */
const NODULE_FINETUNE_PARAMS = v.object({
  /** api.fineTune names the task; this kind trains only nodules (patch default: the start model's, else 32³). */
  task: v.optional(v.literal('nodule')),
  ...FINE_TUNE_PARAMS,
});

const item = (m: NoduleMark): NoduleItem => ({ id: `${m.caseId}/${m.markId}`, caseId: m.caseId, centerVoxel: m.centerVoxel, label: m.label === 'malignant' ? 1 : 0 });

const fmt = (x: number | null): string => (x === null ? '–' : x.toFixed(3));

export function register(r: JobRegistry): void {
  r.register('nodule:finetune', {
    params: NODULE_FINETUNE_PARAMS,
    validate: (p) => checkFineTuneParams('nodule:finetune', p),
    title: () => 'Train nodule classifier from marked nodules',
    async run(ctx) {
      const p = ctx.params;
      const ws = ctx.services.workspace();
      if (!ws) throw new Error('nodule:finetune: no workspace is open');
      const marks = (await listNoduleMarks(ws)).filter((m) => !p.caseIds || p.caseIds.includes(m.caseId));
      if (marks.length === 0) throw new Error('nodule:finetune: no nodule marks in the workspace yet: mark nodules (benign / malignant or LIDC 1–5) first');
      const { train, val } = stratifiedSplit(marks.map(item), ws.settings().validationFraction);
      const active = ws.activeModel('nodule');
      const start = p.from === 'scratch' || p.from === 'cold-start' ? null : p.from ? ws.getModel(p.from) : active;
      if (start && start.task !== 'nodule') throw new Error(`nodule:finetune: model version ${start.versionId} is a ${start.task} model, not nodule`);
      const promotion = p.promotion ?? ws.settings().promotion ?? 'automatic';
      // The worker reads each scan itself, one at a time (a workspace of large scans never sits in memory at once).
      const scans = [...new Set(marks.map((m) => m.caseId))].map((caseId) => {
        const series = ws.caseSeries(caseId);
        return { caseId, file: ws.caseSource(caseId), ...(series !== undefined ? { series } : {}) };
      });
      const slot = await ws.reserveModelVersion('nodule', 'm3d');
      const payload: NoduleFineTunePayload = {
        scans,
        train,
        validation: val,
        ...(start ? { startFile: start.path, parentId: start.versionId } : {}),
        ...(active ? { baselineFile: active.path, baselineId: active.versionId } : {}),
        ...(p.steps !== undefined || p.minutes === undefined ? { steps: p.steps ?? 30 } : {}),
        ...(p.minutes !== undefined ? { minutes: p.minutes } : {}),
        ...(p.patch ? { patch: p.patch } : {}),
        ...(p.width ? { width: p.width } : {}),
        outFile: slot.path,
        promotion,
      };
      ctx.progress(0.05, `training on ${train.length} mark(s), holding out ${val.length}`);
      let res: NoduleFineTuneResult;
      const { onProgress, last } = followTraining(ctx, ['valAccuracy']);
      try {
        res = await taskEngine().run('nodule:finetune', payload, { signal: ctx.signal, onProgress });
      } catch (err) {
        const cancelled = err instanceof JobCancelledError || (err as Error).name === 'JobCancelledError';
        const kept = cancelled && !ctx.shuttingDown?.() && last.cancelledAtStep !== undefined && (await fs.stat(slot.path).catch(() => null));
        if (!kept) {
          await fs.rm(slot.path, { force: true });
          throw err;
        }
        // A user's cancel keeps the best weights so far as an inactive candidate (activate it by hand).
        const note = `cancelled at step ${last.cancelledAtStep}: best weights so far kept as a candidate (not active; activate it by hand)`;
        const comparison: ModelComparison = { baseline: active?.versionId ?? 'none', metric: 'accuracy', cases: [], candidateMean: null, baselineMean: null, decision: 'cancelled' };
        const info = await addFineTunedVersion(ws, slot, { task: 'nodule', backbone: `resnet${last.depth ?? '?'}-w${last.baseWidth ?? '?'}`, parent: start?.versionId ?? null, trainingCases: train.map((t) => t.id), metrics: { trainingMarks: train.length, validationMarks: val.length, steps: last.cancelledAtStep, bestStep: last.bestStep ?? last.cancelledAtStep }, note, comparison, seconds: last.seconds ?? 0 });
        return { modelVersion: info.versionId, promoted: false, cancelled: true, comparison: comparison as unknown as JsonValue, note };
      } finally {
        await fs.rm(`${slot.path}.best`, { force: true });
      }
      const c = res.comparison;
      const vs = `held-out accuracy ${fmt(c.candidateMean)} (AUC ${fmt(res.auc)}) vs ${c.baseline} ${fmt(c.baselineMean)} (AUC ${fmt(res.baselineAuc)}) on ${val.length} mark(s)`;
      const note = {
        promoted: `promoted: ${vs}`,
        'kept-baseline': `not promoted, ${c.baseline} stays active: ${vs}`,
        manual: `not activated (manual promotion): ${vs}`,
        'no-validation': 'not promoted: too few marks to hold any out (mark at least two nodules of a class), activate it by hand',
        cancelled: 'not promoted: cancelled',
      }[c.decision];
      const metrics: Record<string, number> = { trainingMarks: train.length, validationMarks: val.length, steps: res.steps, bestStep: res.bestStep };
      if (res.accuracy !== null) metrics.valAccuracy = res.accuracy;
      if (res.auc !== null) metrics.valAuc = res.auc;
      if (res.baselineAccuracy !== null) metrics.baselineAccuracy = res.baselineAccuracy;
      if (res.baselineAuc !== null) metrics.baselineAuc = res.baselineAuc;
      const info = await addFineTunedVersion(ws, slot, { task: 'nodule', backbone: res.backbone, parent: start?.versionId ?? null, trainingCases: train.map((t) => t.id), metrics, note, comparison: c, backend: res.backend, seconds: res.seconds });
      return { modelVersion: info.versionId, promoted: c.decision === 'promoted', cancelled: false, comparison: c as unknown as JsonValue, note };
    },
  });
}
