import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Vec3 } from '../../volume/Volume';
import type { ModelSpec } from '../../engine/models/ModelSpec';
import { buildModel } from '../../engine/models/buildModel';
import { isEncoderKey, type Med3dModel } from '../../engine/models/Med3dModel';
import { loadWeights } from '../../engine/weights/loadWeights';
import { saveCheckpoint, type JsonValue } from '../../engine/weights/checkpoint';
import { trainLoop, type StopReason, type TrainProgress } from '../../engine/train/trainLoop';
import type { FreezeSpec } from '../../engine/train/freeze';
import { checkDataset, openDataset, type ClassificationDataset, type CoordFrame, type Dataset, type LabelEntry, type SegmentationDataset } from '../../datasets';
import { preprocessingToJson, type TaskPreprocessing } from '../engine/taskModel';
import type { TaskDefinition, TaskRegistry } from '../TaskDefinition';
import type { TrainingRecipe } from './TrainingRecipe';
import { stratifiedSplit } from './noduleRecipe';
import { splitValidation } from './splitValidation';
import { writeTrainingReport } from './report/writeTrainingReport';
import { backboneFrom, trainingRunLoop, type TrainingRunOptions } from './trainingRunLoop';
import { createHeadRegistry } from '../../engine/models/heads/headRegistry';

/**
 * `med3d train` as a function: dataset(s) in, a trained model out. Opens and checks the data
 * (main/datasets), splits validation, builds the model (scratch or --weights), runs the one
 * training loop with the task's recipe, and writes the model (best validated weights + task,
 * preprocessing, label table, metrics, provenance), metrics.json and the learning curves beside it.
 */
export interface TrainTaskOptions extends TrainingRunOptions {
  task: string;
  data: string;
  /** Separate validation dataset; default: `valFraction` of `data`. */
  val?: string;
  out: string;
  /** MedicalNet .pth (encoder-only allowed) or our .m3d to start from; default: scratch. */
  weights?: string;
  /** Target spacing (mm, i j k after reorientation); default: median of the training data. */
  spacing?: Vec3;
  huWindow?: [number, number];
  headLrMult?: number;
  freeze?: FreezeSpec;
  coords?: CoordFrame;
  dropIndeterminate?: boolean;
  // patience: validations without improvement before stopping (default 6).
}

export type TrainEvent =
  | { event: 'log'; message: string }
  | { event: 'start'; task: string; trainCases: number; valCases: number; model: string; steps: number | null; minutes: number | null }
  | ({ event: 'step' } & TrainProgress)
  | { event: 'validation'; step: number; metrics: Record<string, number> }
  | { event: 'done'; out: string; metricsFile: string; curves: string[]; steps: number; stopReason: StopReason; best: Record<string, number> | null; bestStep: number | null; elapsedSeconds: number };

export interface TrainTaskResult {
  out: string;
  metricsFile: string;
  steps: number;
  stopReason: StopReason;
  best?: { step: number; value: number; metrics: Record<string, number> };
}

/** Files beside the model: resume checkpoint, metrics.json, curves. */
export function trainOutputs(out: string): { checkpoint: string; metrics: string; svg: string; png: string } {
  const dir = path.dirname(out);
  const stem = path.basename(out).replace(/\.m3d$/i, '');
  return { checkpoint: path.join(dir, `${stem}.checkpoint.m3d`), metrics: path.join(dir, 'metrics.json'), svg: path.join(dir, 'learning-curves.svg'), png: path.join(dir, 'learning-curves.png') };
}

function classTable(def: TaskDefinition, ds: Dataset): LabelEntry[] {
  if (ds.kind === 'classification') return [...(def.labels === 'from-dataset' ? [{ value: 0, name: 'negative' }, { value: 1, name: 'positive' }] : def.labels)];
  if (def.labels === 'from-dataset') return [...ds.labels].sort((a, b) => a.value - b.value);
  const known = new Set(def.labels.map((l) => l.value));
  const extra = ds.labels.filter((l) => !known.has(l.value));
  if (extra.length) throw new Error(`${ds.root}: task '${def.id}' expects labels ${def.labels.map((l) => `${l.value}=${l.name}`).join(', ')}; the dataset also has ${extra.map((l) => `${l.value}=${l.name}`).join(', ')} (use --task segment)`);
  return [...def.labels];
}

async function openChecked(file: string, o: TrainTaskOptions, log: (m: string) => void): Promise<Dataset> {
  const ds = await openDataset(file, { coords: o.coords, dropIndeterminate: o.dropIndeterminate });
  const r = await checkDataset(ds, { skipBad: !!o.skipBad });
  for (const w of [...ds.warnings, ...r.warnings]) log(`warning: ${w}`);
  for (const s of r.skipped) log(`skipped ${s.id} (${s.file}): ${s.reason}`);
  return r.usable;
}

function split(ds: Dataset, fraction: number): { train: Dataset; val: Dataset } {
  if (ds.kind === 'segmentation') {
    const s = splitValidation(ds.cases, fraction);
    return { train: { ...ds, cases: s.train }, val: { ...ds, cases: s.validation } as SegmentationDataset };
  }
  const s = stratifiedSplit(ds.items, fraction);
  return { train: { ...ds, items: s.train }, val: { ...ds, items: s.val } as ClassificationDataset };
}

/** Build the model: scratch, or from --weights (same head kept when it fits, else the encoder under a new head). */
async function initialModel(def: TaskDefinition, classes: number, o: TrainTaskOptions, log: (m: string) => void): Promise<{ model: Med3dModel; pretrained: boolean }> {
  if (!o.weights) {
    const backbone = backboneFrom(def.backbone, o);
    return { model: buildModel(createHeadRegistry(), { backbone, head: def.head(backbone, classes) }, { seed: o.seed ?? 0 }), pretrained: false };
  }
  const w = await loadWeights(o.weights);
  const spec: ModelSpec = { backbone: w.spec.backbone, head: def.head(w.spec.backbone, classes) };
  const model = buildModel(createHeadRegistry(), spec, { seed: o.seed ?? 0 });
  if (JSON.stringify(w.spec.head) === JSON.stringify(spec.head)) {
    model.loadStateDict(w.stateDict);
    log(`starting from ${o.weights} (all weights)`);
  } else {
    const encoder = new Map([...w.stateDict].filter(([k]) => isEncoderKey(k)));
    if (encoder.size === 0) throw new Error(`${o.weights}: no encoder weights (conv1, bn1, layer1..4) in this file`);
    const r = model.loadStateDict(encoder, { strict: false });
    log(`starting from the encoder of ${o.weights}; new ${spec.head.kind} head (${r.missing.length} tensors initialised)`);
  }
  return { model, pretrained: true };
}

export async function trainTask(tasks: TaskRegistry, recipes: ReadonlyMap<string, TrainingRecipe>, o: TrainTaskOptions, onEvent: (e: TrainEvent) => void = () => {}): Promise<TrainTaskResult> {
  const def = tasks.get(o.task);
  const recipe = recipes.get(def.recipe);
  if (!recipe) throw new Error(`task '${def.id}': no training recipe '${def.recipe}'`);
  if (o.steps === undefined && o.minutes === undefined) throw new Error('give a budget: --steps N or --minutes M');
  const log = (message: string): void => onEvent({ event: 'log', message });
  const files = trainOutputs(o.out);
  await mkdir(path.dirname(path.resolve(o.out)), { recursive: true });

  const ds = await openChecked(o.data, o, log);
  if ((ds.kind === 'segmentation') !== (def.kind === 'segmentation')) throw new Error(`${o.data}: task '${def.id}' needs a ${def.kind === 'segmentation' ? 'segmentation dataset folder' : 'classification CSV'}, this is a ${ds.kind} dataset`);
  const labels = classTable(def, ds);
  // Training never sees a layout's test cases (imagesTs + labelsTs): they are for evaluate.
  const trainable: Dataset = ds.kind === 'segmentation' ? { ...ds, cases: ds.cases.filter((c) => c.label && c.split === 'train') } : ds;
  const parts = o.val ? { train: trainable, val: await openChecked(o.val, o, log) } : split(trainable, o.valFraction ?? 0.2);
  const patch = o.patch ?? def.patch;
  const preprocessing: TaskPreprocessing = { ...def.preprocessing, ...(o.spacing ? { spacing: o.spacing } : {}), ...(o.huWindow ? { huWindow: o.huWindow } : {}) };
  const prepared = await recipe.prepare({ def, train: parts.train, val: parts.val, labels, preprocessing, patch, batchSize: o.batchSize ?? def.batchSize, augment: o.augment ?? true, log });
  const { model, pretrained } = await initialModel(def, labels.length, o, log);
  const lr = o.lr ?? (pretrained ? 1e-3 : 1e-2);
  const loop = trainingRunLoop(o, { lr, minutes: o.minutes, checkpointFile: files.checkpoint, log });
  const valEvery = o.steps !== undefined ? Math.max(1, Math.round(o.steps / 10)) : Number.MAX_SAFE_INTEGER;
  const valSeconds = o.minutes !== undefined ? Math.max(10, (o.minutes * 60) / 12) : undefined;
  const trainIds = parts.train.kind === 'segmentation' ? parts.train.cases.map((c) => c.id) : parts.train.items.map((i) => `row ${i.row + 1}`);
  const valIds = parts.val.kind === 'segmentation' ? parts.val.cases.map((c) => c.id) : parts.val.items.map((i) => `row ${i.row + 1}`);
  const config: Record<string, JsonValue> = { task: def.id, data: path.resolve(o.data), ...(o.val ? { val: path.resolve(o.val) } : { valFraction: o.valFraction ?? 0.2 }), lr, headLrMult: o.headLrMult ?? 1, freeze: (o.freeze ?? 'none') as JsonValue, schedule: loop.schedule as unknown as JsonValue, patch: [...patch], batchSize: o.batchSize ?? def.batchSize, augment: o.augment ?? true, seed: o.seed ?? 0, steps: o.steps ?? null, minutes: o.minutes ?? null, weights: o.weights ? path.resolve(o.weights) : null };
  const meta = {
    task: def.checkpointTask,
    preprocessing: preprocessingToJson(prepared.preprocessing),
    labels: labels.map((l) => ({ value: l.value, name: l.name })),
    createdBy: 'med3d train',
    dataset: path.resolve(o.data),
    trainingCases: trainIds,
    validationCases: valIds,
    trainConfig: config,
    ...(o.weights ? { source: path.resolve(o.weights) } : {}),
  };
  onEvent({ event: 'start', task: def.id, trainCases: prepared.trainCount, valCases: prepared.valCount, model: `ResNet-${model.spec.backbone.depth} width ${model.spec.backbone.baseWidth} ${model.spec.head.kind}`, steps: o.steps ?? null, minutes: o.minutes ?? null });

  const r = await trainLoop({
    ...loop,
    model,
    batch: prepared.batch,
    loss: prepared.loss,
    headLrScale: o.headLrMult ?? 1,
    freeze: o.freeze ?? 'none',
    meta,
    validation: {
      every: valEvery,
      everySeconds: valSeconds,
      metric: def.metric,
      patience: o.patience ?? 6,
      bestFile: o.out,
      bestMeta: (b) => ({ metrics: b.metrics, bestStep: b.step }),
      run: (step) => {
        const metrics = prepared.validate(model);
        onEvent({ event: 'validation', step, metrics });
        return metrics;
      },
    },
    onProgress: (p) => {
      onEvent({ event: 'step', ...p });
    },
  });
  const history = r.history;
  if (r.cancelled) {
    log(`interrupted at step ${r.steps}: checkpoint ${files.checkpoint} (rerun with --resume to continue)`);
    return { out: o.out, metricsFile: files.metrics, steps: r.steps, stopReason: r.stopReason, best: r.best };
  }
  // The final model: best validated weights (the model holds them now) with the whole story in meta.
  await saveCheckpoint(o.out, { spec: model.spec, stateDict: model.stateDict(), meta: { ...meta, createdAt: new Date().toISOString(), history, metrics: r.best?.metrics ?? {}, bestStep: r.best?.step ?? null, steps: r.steps, stopReason: r.stopReason } });
  await writeTrainingReport(
    files,
    {
      task: def.id,
      model: path.resolve(o.out),
      steps: r.steps,
      stopReason: r.stopReason,
      elapsedSeconds: +r.elapsedSeconds.toFixed(1),
      metric: def.metric,
      best: r.best ?? null,
      final: r.best?.metrics ?? null,
      trainingCases: trainIds,
      validationCases: valIds,
      labels: meta.labels,
      preprocessing: meta.preprocessing,
      config,
    },
    history,
    { key: def.metric, name: def.metric },
    `med3d train --task ${def.id}: ${path.basename(o.out)}`,
  );
  onEvent({ event: 'done', out: o.out, metricsFile: files.metrics, curves: [files.svg, files.png], steps: r.steps, stopReason: r.stopReason, best: r.best?.metrics ?? null, bestStep: r.best?.step ?? null, elapsedSeconds: r.elapsedSeconds });
  return { out: o.out, metricsFile: files.metrics, steps: r.steps, stopReason: r.stopReason, best: r.best };
}
