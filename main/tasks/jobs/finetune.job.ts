import type { JsonValue } from '../../../common/api/schema';
import type { JobContext, JobRegistry } from '../../jobs/jobRegistry';
import type { Workspace } from '../../workspace/Workspace';
import type { LabelledCase } from '../finetune/fineTune';
import { splitValidation } from '../train/splitValidation';
import { FINETUNE_DEFAULT_PREPROCESSING, type FineTuneJobResult, type FineTunePayload } from '../engine/taskWorkerJobs';
import { taskEngine } from './taskEngine';
import { toTaskClasses } from './taskLabels';

/**
 * 'finetune' job kind: incremental fine-tuning from the workspace's corrected / verified cases.
 * New cases (not in the parent's training set) are trained on, the parent's cases are replayed,
 * a held-out validation set (workspace setting validationFraction) decides promotion: the new
 * version is registered either way, but activated only if validation Dice did not fall. Rollback
 * is activating an earlier version (A's activateModel). After a promotion the open case is
 * re-predicted. Params: {task: 'lung'|'liver', caseIds?, steps?, trigger?}.
 */
interface FineTuneParams {
  task: 'lung' | 'liver';
  caseIds?: string[];
  steps?: number;
  /** Advanced: training patch (voxels), model-grid voxel size (mm) and width of a model from scratch. */
  patch?: [number, number, number];
  spacingMm?: [number, number, number];
  width?: number;
}

function triple(v: JsonValue | undefined, what: string): [number, number, number] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && x > 0)) throw new Error(`finetune: ${what} must be three positive numbers`);
  return v as [number, number, number];
}

function parse(params: JsonValue): FineTuneParams {
  const p = (params ?? {}) as Record<string, JsonValue>;
  if (p.task !== 'lung' && p.task !== 'liver') throw new Error(`finetune: task must be 'lung' or 'liver' (nodule models are trained from patches, not masks), got ${JSON.stringify(p.task)}`);
  const steps = p.steps === undefined ? undefined : Number(p.steps);
  if (steps !== undefined && !(Number.isInteger(steps) && steps > 0 && steps <= 100000)) throw new Error('finetune: steps must be a positive integer');
  const caseIds = Array.isArray(p.caseIds) ? p.caseIds.map(String) : undefined;
  const patch = triple(p.patch, 'patch');
  if (patch && !patch.every((x) => Number.isInteger(x) && x % 8 === 0)) throw new Error('finetune: patch sizes must be multiples of 8');
  const width = p.width === undefined ? undefined : Number(p.width);
  if (width !== undefined && !(Number.isInteger(width) && width >= 1 && width <= 64)) throw new Error('finetune: width must be an integer 1..64');
  return { task: p.task, steps, caseIds, patch, spacingMm: triple(p.spacingMm, 'spacingMm'), width };
}

async function labelledCases(ctx: JobContext, ws: Workspace, task: 'lung' | 'liver', ids?: string[]): Promise<LabelledCase[]> {
  const all = await ws.listCases();
  const chosen = all.filter((c) => (ids ? ids.includes(c.caseId) : c.status === 'verified' || c.status === 'corrected') && c.latestVersion !== null);
  const out: LabelledCase[] = [];
  for (const c of chosen) {
    const label = await ws.loadLabel(c.caseId);
    if (!label) continue;
    const ct = await ctx.services.loadCaseVolume(c.caseId);
    const labels = toTaskClasses(task, label.labels);
    if (!labels.some((v) => v !== 0)) continue; // nothing of this task labelled in this case
    out.push({ id: c.caseId, ct, labels });
  }
  return out;
}

export function register(r: JobRegistry): void {
  r.register('finetune', {
    validate: (params) => void parse(params),
    title: (params) => `Fine-tune ${String((params as Record<string, JsonValue>)?.task ?? '')} model from corrections`,
    async run(ctx) {
      const { task, steps, caseIds, patch, spacingMm, width } = parse(ctx.params);
      const ws = ctx.services.workspace();
      if (!ws) throw new Error('finetune: no workspace is open');
      ctx.progress(0.01, 'collecting verified cases');
      const cases = await labelledCases(ctx, ws, task, caseIds);
      if (cases.length === 0) throw new Error(`finetune: no corrected or verified ${task} labels in the workspace yet`);
      const parent = ws.activeModel(task);
      const seen = new Set(parent ? ws.getModel(parent.versionId).trainingCases : []);
      const { train: trainAll, validation: heldOut } = splitValidation(cases, ws.settings().validationFraction);
      // With a single verified case there is nothing to hold out: validate on it (said in the note).
      const validation = heldOut.length ? heldOut : trainAll;
      const fresh = trainAll.filter((c) => !seen.has(c.id));
      const train = fresh.length ? fresh : trainAll;
      const replay = fresh.length ? trainAll.filter((c) => seen.has(c.id)) : [];
      const slot = await ws.reserveModelVersion(task, 'm3d');
      const payload: FineTunePayload = { task, parentFile: parent?.path, parentId: parent?.versionId, train, validation, replay, steps: steps ?? 30, outFile: slot.path, patch, width };
      if (spacingMm) payload.preprocessing = { ...FINETUNE_DEFAULT_PREPROCESSING[task], spacing: spacingMm };
      ctx.progress(0.05, `training on ${train.length} case(s), replaying ${replay.length}, validating on ${validation.length}`);
      let res: FineTuneJobResult;
      try {
        res = await taskEngine().run<FineTuneJobResult>('tasks.finetune', payload, {
          signal: ctx.signal,
          onProgress: (p) => {
            const v = p.values ?? {};
            if (v.loss !== undefined && v.step !== undefined) ctx.curve('loss', v.step, v.loss);
            if (v.valDice !== undefined && v.step !== undefined) ctx.curve('valDice', v.step, v.valDice);
            ctx.progress(0.05 + 0.9 * (p.fraction ?? 0), p.message);
          },
        });
      } catch (err) {
        const { rm } = await import('node:fs/promises');
        await rm(slot.path, { force: true });
        throw err;
      }
      const note = `${res.pretrained ? 'from pretrained weights' : 'from scratch'}; validation Dice ${res.baselineDice.toFixed(4)} → ${res.bestDice.toFixed(4)}${heldOut.length ? '' : ' (no held-out case yet: validated on the training case)'}${res.promoted ? '' : '; not promoted (Dice did not improve)'}`;
      const info = await ws.addModelVersion(
        slot.versionId,
        slot.file,
        {
          task,
          backbone: res.backbone,
          parent: parent?.versionId ?? null,
          origin: parent ? 'finetune' : 'scratch',
          trainingCases: [...new Set([...seen, ...trainAll.map((c) => c.id)])],
          metrics: { valDice: res.bestDice, baselineDice: res.baselineDice, bestStep: res.bestStep },
          note,
        },
        { activate: res.promoted || !parent },
      );
      if ((res.promoted || !parent) && ctx.caseId) ctx.services.startJob('predict', { task }, { caseId: ctx.caseId });
      return { modelVersion: info.versionId, promoted: res.promoted || !parent, baselineDice: res.baselineDice, valDice: res.bestDice, stoppedEarly: res.stoppedEarly, note };
    },
  });
}
