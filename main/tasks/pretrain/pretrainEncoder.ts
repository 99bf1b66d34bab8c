import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { buildModel } from '../../engine/models/buildModel';
import { diceCrossEntropy } from '../../engine/train/losses';
import { trainLoop, type StopReason } from '../../engine/train/trainLoop';
import type { JsonValue } from '../../engine/weights/checkpoint';
import { checkDataset, openDataset, type SegmentationDataset } from '../../datasets';
import { preprocessingToJson } from '../engine/taskModel';
import { DEFAULT_BACKBONE, SEGMENT_TASK } from '../taskDefinitions';
import { segmentationRecipe } from '../train/segmentationRecipe';
import { splitValidation } from '../train/splitValidation';
import { trainOutputs, type TrainEvent } from '../train/trainTask';
import { backboneFrom, trainingRunLoop, type TrainingRunOptions } from '../train/trainingRunLoop';
import { writeTrainingReport } from '../train/report/writeTrainingReport';
import { exportEncoder } from './exportEncoder';
import { multiDomainBatch, validateDomains, type PretrainDomain } from './multiDomainTraining';
import { createHeadRegistry } from '../../engine/models/heads/headRegistry';

/**
 * `med3d pretrain` as a function: Med3D multi-domain pretraining (Chen, Ma & Zheng 2019, §3.2)
 * of one shared encoder on several labelled segmentation datasets, one light branch per dataset.
 * Each dataset keeps its own preprocessing (its per-axis median spacing, percentile clip,
 * z-score) and label table; batches take turns over the datasets and train the encoder plus that
 * dataset's branch. Budget, validation (mean branch Dice on held-out cases), best weights,
 * checkpoints, resume and progress events are the training loop's, as in `med3d train`.
 * Writes the encoder (.m3d, and MedicalNet-layout .pth with `pth`), the whole multi-domain model
 * with its branches, metrics.json and learning curves.
 */
export interface PretrainOptions extends TrainingRunOptions {
  /** Segmentation dataset folders (MSD / nnU-Net / images+labels), one branch each. */
  data: string[];
  /** Encoder checkpoint to write (.m3d). */
  out: string;
  /** Also write the encoder as a MedicalNet-layout PyTorch file. */
  pth?: string;
  // lr: default 1e-2 (pretraining starts from scratch, the paper's rule); minutes: default 5 when
  // neither budget is given; patience: choose the weights by mean branch Dice and stop after this
  // many validations without improvement (default: train the whole budget, keep the last weights).
}

export interface PretrainResult {
  out: string;
  pth?: string;
  /** The multi-domain model (encoder + every branch) with the best validated weights. */
  branches: string;
  metricsFile: string;
  steps: number;
  stopReason: StopReason;
  best?: { step: number; value: number; metrics: Record<string, number> };
}

export const DEFAULT_PRETRAIN_MINUTES = 5;

/** Files of a pretraining run: the trainer's (checkpoint, metrics.json, curves) plus the multi-domain model. */
function pretrainOutputs(out: string): ReturnType<typeof trainOutputs> & { branches: string } {
  const files = trainOutputs(out);
  return { ...files, branches: files.checkpoint.replace(/\.checkpoint\.m3d$/, '.branches.m3d') };
}

async function openSegmentation(file: string, o: PretrainOptions, log: (m: string) => void): Promise<SegmentationDataset> {
  const ds = await openDataset(file);
  if (ds.kind !== 'segmentation') throw new Error(`${file}: pretraining needs segmentation datasets (images + labels), this is a classification CSV`);
  const r = await checkDataset(ds, { skipBad: !!o.skipBad });
  for (const w of [...ds.warnings, ...r.warnings]) log(`warning: ${ds.name}: ${w}`);
  for (const s of r.skipped) log(`skipped ${ds.name}/${s.id} (${s.file}): ${s.reason}`);
  return r.usable;
}

export async function pretrainEncoder(o: PretrainOptions, onEvent: (e: TrainEvent) => void = () => {}): Promise<PretrainResult> {
  if (o.data.length === 0) throw new Error('give at least one dataset (--data)');
  const log = (message: string): void => onEvent({ event: 'log', message });
  const minutes = o.steps === undefined && o.minutes === undefined ? DEFAULT_PRETRAIN_MINUTES : o.minutes;
  if (o.steps === undefined && o.minutes === undefined) log(`no budget given: pretraining for ${minutes} minutes (--steps / --minutes to change)`);
  if (o.data.length === 1) log('one dataset only: Med3D pretraining learns a more general encoder from several (repeat --data)');
  const files = pretrainOutputs(o.out);
  await mkdir(path.dirname(path.resolve(o.out)), { recursive: true });
  const patch = o.patch ?? SEGMENT_TASK.patch;
  const batchSize = o.batchSize ?? SEGMENT_TASK.batchSize;
  const valFraction = o.valFraction ?? 0.2;

  const domains: PretrainDomain[] = [];
  const described: Record<string, JsonValue>[] = [];
  for (const file of o.data) {
    const ds = await openSegmentation(file, o, log);
    const labelled = ds.cases.filter((c) => c.label && c.split === 'train');
    if (labelled.length === 0) throw new Error(`${file}: no labelled training cases`);
    const parts = splitValidation(labelled, valFraction);
    const labels = [...ds.labels].sort((a, b) => a.value - b.value);
    const name = domains.some((d) => d.name === ds.name) ? `${ds.name}_${domains.length}` : ds.name;
    const prepared = await segmentationRecipe.prepare({
      def: SEGMENT_TASK,
      train: { ...ds, cases: parts.train },
      val: { ...ds, cases: parts.validation },
      labels,
      preprocessing: { ...SEGMENT_TASK.preprocessing },
      patch,
      batchSize,
      augment: o.augment ?? true,
      log: (m) => log(`${name}: ${m}`),
    });
    domains.push({ name, classes: labels.length, prepared });
    described.push({
      name,
      data: path.resolve(file),
      labels: labels.map((l) => ({ value: l.value, name: l.name })),
      preprocessing: preprocessingToJson(prepared.preprocessing),
      trainingCases: parts.train.map((c) => c.id),
      validationCases: parts.validation.map((c) => c.id),
    });
  }

  const backbone = backboneFrom(DEFAULT_BACKBONE, o);
  const model = buildModel(createHeadRegistry(), { backbone, head: { kind: 'multi-domain', classesPerDomain: domains.map((d) => d.classes) } }, { seed: o.seed ?? 0 });
  const lr = o.lr ?? 1e-2;
  const loop = trainingRunLoop(o, { lr, minutes, checkpointFile: files.checkpoint, log });
  const config: Record<string, JsonValue> = { data: o.data.map((d) => path.resolve(d)), lr, schedule: loop.schedule as unknown as JsonValue, patch: [...patch], batchSize, augment: o.augment ?? true, valFraction, seed: o.seed ?? 0, steps: o.steps ?? null, minutes: minutes ?? null };
  const meta = { task: 'pretrained-encoder', createdBy: 'med3d pretrain', domains: described, trainConfig: config };
  onEvent({ event: 'start', task: 'pretrain', trainCases: described.reduce((a, d) => a + (d.trainingCases as string[]).length, 0), valCases: described.reduce((a, d) => a + (d.validationCases as string[]).length, 0), model: `ResNet-${backbone.depth} width ${backbone.baseWidth}, ${domains.length} branches (${domains.map((d) => d.name).join(', ')})`, steps: o.steps ?? null, minutes: minutes ?? null });

  const choose = o.patience !== undefined;
  const r = await trainLoop({
    ...loop,
    model,
    batch: multiDomainBatch(domains, loop.stepsPerEpoch),
    loss: (out, b) => {
      if (!out.logits) throw new Error('multi-domain model without branches');
      return diceCrossEntropy(out.logits, b.labels);
    },
    meta,
    // Pretraining runs its whole budget and keeps its last weights, as the paper's fixed schedule:
    // the branches predict at 1/8 resolution, so their held-out Dice is reported but too coarse to
    // pick an encoder by. The loop keeps the weights of the best `metric`; 'step' always improves.
    // An explicit --patience opts into choosing (and stopping early) by mean branch Dice instead.
    // Reported only (unless --patience), so validate less often than train does: more steps fit the budget.
    validation: {
      every: o.steps !== undefined ? Math.max(1, Math.round(o.steps / (choose ? 10 : 5))) : Number.MAX_SAFE_INTEGER,
      everySeconds: minutes !== undefined ? Math.max(10, (minutes * 60) / (choose ? 12 : 5)) : undefined,
      metric: choose ? 'dice' : 'step',
      patience: o.patience,
      bestFile: files.branches,
      bestMeta: (b) => ({ metrics: b.metrics, bestStep: b.step }),
      run: (step) => {
        const metrics = validateDomains(model, domains);
        onEvent({ event: 'validation', step, metrics });
        return { ...metrics, step };
      },
    },
    // Without --patience the loop's "best" is just the latest step: not worth showing.
    onProgress: ({ best, ...p }) => onEvent({ event: 'step', ...p, ...(choose && best ? { best } : {}) }),
  });
  const result: PretrainResult = { out: o.out, branches: files.branches, metricsFile: files.metrics, steps: r.steps, stopReason: r.stopReason, best: r.best, ...(o.pth ? { pth: o.pth } : {}) };
  if (r.cancelled) {
    log(`interrupted at step ${r.steps}: checkpoint ${files.checkpoint} (rerun with --resume to continue)`);
    return result;
  }
  const history = r.history;
  // The model holds the best validated weights now: its encoder is what transfers.
  await exportEncoder(model, { out: o.out, pth: o.pth }, { ...meta, history, metrics: r.best?.metrics ?? {}, bestStep: r.best?.step ?? null, steps: r.steps, stopReason: r.stopReason });
  await writeTrainingReport(
    files,
    {
      task: 'pretrain',
      encoder: path.resolve(o.out),
      ...(o.pth ? { pth: path.resolve(o.pth) } : {}),
      branches: path.resolve(files.branches),
      steps: r.steps,
      stopReason: r.stopReason,
      elapsedSeconds: +r.elapsedSeconds.toFixed(1),
      metric: 'dice',
      best: r.best ?? null,
      final: r.best?.metrics ?? null,
      domains: described,
      config,
    },
    history,
    { key: 'dice', name: 'mean branch dice' },
    `med3d pretrain: ${path.basename(o.out)}`,
  );
  onEvent({ event: 'done', out: o.out, metricsFile: files.metrics, curves: [files.svg, files.png], steps: r.steps, stopReason: r.stopReason, best: r.best?.metrics ?? null, bestStep: r.best?.step ?? null, elapsedSeconds: r.elapsedSeconds });
  return result;
}
