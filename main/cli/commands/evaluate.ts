import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { checkDataset } from '../../datasets/checkDataset';
import type { ClassificationDataset, Dataset, SegmentationDataset } from '../../datasets/Dataset';
import { openDataset } from '../../datasets/openDataset';
import { WeightsError } from '../../engine/weights/WeightsError';
import { csvText } from '../../evaluation/csvText';
import { labelTableMismatch } from '../../evaluation/labelTableMismatch';
import { evaluateClassification, type ClassificationEvaluation } from '../../evaluation/evaluateClassification';
import { evaluateSegmentation, type EvaluationSplit, type SegmentationEvaluation } from '../../evaluation/evaluateSegmentation';
import type { Summary } from '../../evaluation/summarize';
import { prepareTrainedTask } from '../../tasks/batch/prepareTrainedTask';
import { loadTaskModel, type TaskModel } from '../../tasks/engine/taskModel';
import { createTaskRegistry } from '../../tasks/taskDefinitions';
import { prepareTask, TASK_NAMES, type PreparedTask, type TaskName } from '../../tasks/taskRegistry';
import { predictNodules } from '../../tasks/train/noduleRecipe';
import { atomicWriteFile } from '../../util/atomicWrite';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import { CliError } from '../CliError';
import { addDeviceOption, initDeviceFromOptions } from '../deviceOption';
import { addDatasetReadOptions, datasetGuard, datasetReadOptions } from './dataset';

/**
 * `med3d evaluate --model <m> --data <dataset> --out <dir> [--json]`: score a trained model on a labelled
 * dataset. Segmentation: Dice, HD95 (mm) and volumes (mL) per case and label → evaluation.json + evaluation.csv.
 * Classification CSV: predictions.csv (every input row + probability + predicted) + evaluation.json
 * (accuracy, AUC, sensitivity, specificity, confusion matrix).
 */
interface EvaluateCliOptions {
  model: string;
  data: string;
  out: string;
  json?: boolean;
  split: EvaluationSplit;
  threshold: string;
  task?: string;
  skipBad?: boolean;
  saveMasks?: boolean;
  coords?: string;
  dropIndeterminate?: boolean;
  device?: string;
}

const f = (x: number, d = 4): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const stat = (s: Summary, d = 4): string => (s.n ? `${f(s.mean, d)} ± ${f(s.std, d)} (median ${f(s.median, d)}, n ${s.n})` : 'n/a');

/** A segmentation model as a case predictor: a model written by `med3d train`, else the per-task pipeline of --task. */
async function segmentationPredictor(o: EvaluateCliOptions): Promise<PreparedTask> {
  const trained = await prepareTrainedTask(o.model, createTaskRegistry(), o.task ? { task: o.task } : {});
  if (trained) return trained;
  if (!o.task) throw new CliError(`model ${o.model} does not say which task it was trained for: pass --task ${TASK_NAMES.join('|')}`, 2);
  if (!TASK_NAMES.includes(o.task as TaskName)) throw new CliError(`--task: expected ${TASK_NAMES.join('|')} for a model not written by med3d train, got '${o.task}'`, 2);
  return prepareTask(o.task as TaskName, { model: o.model });
}

async function runSegmentation(ds: SegmentationDataset, tm: TaskModel, o: EvaluateCliOptions): Promise<SegmentationEvaluation & { method: string }> {
  const task = await segmentationPredictor(o);
  process.stderr.write(`med3d evaluate: ${task.method}\n`);
  const mismatch = tm.labels ? labelTableMismatch(tm.labels, ds.labels) : null;
  if (mismatch) process.stderr.write(`med3d evaluate: warning: ${mismatch}\n`);
  const masks = path.join(o.out, 'masks');
  if (o.saveMasks) await mkdir(masks, { recursive: true });
  const ev = await evaluateSegmentation(
    ds,
    o.split,
    async (image, id) => {
      const mask = (await task.run(image)).mask;
      if (o.saveMasks) await writeNifti(path.join(masks, `${id}.nii.gz`), mask);
      return mask;
    },
    (c, done, total) => process.stderr.write(`[${done}/${total}] ${c.id}: mean Dice ${f(c.meanDice)}; ${c.labels.map((l) => `${l.name} ${f(l.dice)}`).join(', ')} (${c.seconds.toFixed(1)} s)\n`),
  );
  const rows = ev.cases.flatMap((c) => c.labels.map((l) => [c.id, c.split, l.value, l.name, l.dice, l.hd95Mm, l.predictedMl, l.trueMl]));
  await atomicWriteFile(path.join(o.out, 'evaluation.csv'), csvText(['case', 'split', 'label_value', 'label_name', 'dice', 'hd95_mm', 'predicted_ml', 'true_ml'], rows));
  return { ...ev, method: task.method, warnings: [...(mismatch ? [mismatch] : []), ...ev.warnings] };
}

async function runClassification(ds: ClassificationDataset, tm: TaskModel, o: EvaluateCliOptions, threshold: number): Promise<ClassificationEvaluation> {
  const def = createTaskRegistry().forCheckpointTask(tm.task);
  const size = tm.preprocessing.window ?? def?.patch;
  if (!size) throw new CliError(`model ${o.model} does not store its patch size (preprocessing.window): train it with med3d train --task nodule`, 1);
  process.stderr.write(`med3d evaluate: ${path.basename(o.model)} (ResNet-${tm.spec.backbone.depth} w${tm.spec.backbone.baseWidth} classifier, patch ${size.join('x')}) on ${ds.items.length} row(s)\n`);
  const probabilities = await predictNodules(tm.model, ds.items, tm.preprocessing, size);
  const r = evaluateClassification(ds, ds.items, probabilities, threshold);
  await atomicWriteFile(path.join(o.out, 'predictions.csv'), r.predictionsCsv);
  return r.evaluation;
}

type Evaluation = (SegmentationEvaluation & { method: string }) | ClassificationEvaluation;

function printSummary(ev: Evaluation): string {
  if (ev.kind === 'classification') {
    const c = ev;
    const m = c.confusion;
    return [
      `rows ${c.rows}, predicted ${c.predicted} (threshold ${c.threshold})`,
      `accuracy ${f(c.accuracy)}  AUC ${f(c.auc)}  sensitivity ${f(c.sensitivity)}  specificity ${f(c.specificity)}`,
      `confusion (rows truth, columns predicted): benign [${m.tn} ${m.fp}]  malignant [${m.fn} ${m.tp}]`,
    ].join('\n');
  }
  const s = ev;
  return [
    `${s.cases.length} ${s.split} case(s); mean Dice ${stat(s.summary.meanDice)}`,
    ...s.summary.perLabel.map((l) => `  ${l.value} ${l.name}: Dice ${stat(l.dice)}; HD95 ${stat(l.hd95Mm, 2)} mm; volume predicted ${f(l.predictedMl.mean, 1)} mL, true ${f(l.trueMl.mean, 1)} mL`),
  ].join('\n');
}

export function register(program: Command): void {
  addDatasetReadOptions(
    addDeviceOption(program.command('evaluate'))
      .description('Score a trained model on a labelled dataset: segmentation → evaluation.json/.csv (Dice, HD95 mm, volumes mL); nodule CSV → predictions.csv + evaluation.json (accuracy, AUC, sensitivity, specificity, confusion)')
      .requiredOption('--model <file>', 'trained model (.m3d from med3d train; other models need --task)')
      .requiredOption('--data <dataset>', 'dataset folder (MSD / nnU-Net v1 / v2 / images+labels) or classification .csv')
      .requiredOption('--out <dir>', 'output folder')
      .option('--json', 'print evaluation.json to stdout')
      .addOption(new Option('--split <split>', 'segmentation cases to score: auto (labelled test cases if any, else all labelled), test, train, all').choices(['auto', 'test', 'train', 'all']).default('auto'))
      .option('--threshold <p>', 'classification: probability of class 1 at or above which a row is predicted 1', '0.5')
      .option('--task <task>', `for models not written by med3d train: ${TASK_NAMES.join('|')}`)
      .option('--skip-bad', 'leave out cases / rows that fail the dataset checks (listed on stderr and in evaluation.json) instead of stopping')
      .option('--save-masks', 'segmentation: also write each predicted mask to <out>/masks/<case>.nii.gz'),
  ).action(async (o: EvaluateCliOptions) => {
    const threshold = Number(o.threshold);
    if (!(threshold >= 0 && threshold <= 1)) throw new CliError(`--threshold: expected a probability 0–1, got '${o.threshold}'`, 2);
    const t0 = performance.now();
    const { ds, skipped, warnings } = await datasetGuard(async () => {
      const opened: Dataset = await openDataset(o.data, datasetReadOptions(o));
      const checked = await checkDataset(opened, { skipBad: !!o.skipBad });
      return { ds: checked.usable, skipped: checked.skipped, warnings: [...opened.warnings, ...checked.warnings] };
    });
    for (const s of skipped) process.stderr.write(`med3d evaluate: skipped ${s.id}: ${s.file}: ${s.reason}\n`);
    const backend = await initDeviceFromOptions(o);
    await mkdir(o.out, { recursive: true });
    let ev: Evaluation;
    try {
      // A classifier scores CSV rows, a segmentation model scans: say so before any work.
      const tm = await loadTaskModel(o.model);
      const classifier = tm.spec.head.kind === 'classifier';
      if (classifier !== (ds.kind === 'classification'))
        throw new CliError(`model ${o.model} is a ${classifier ? 'classification' : 'segmentation'} model (${tm.task ?? tm.spec.head.kind}) but ${o.data} is a ${ds.kind} dataset`, 1);
      ev = ds.kind === 'segmentation' ? await runSegmentation(ds, tm, o) : await runClassification(ds, tm, o, threshold);
    } catch (err) {
      if (err instanceof WeightsError) throw new CliError(err.message, 1);
      throw err;
    }
    const report = {
      ...ev,
      model: path.resolve(o.model),
      data: path.resolve(o.data),
      backend: backend.backend,
      seconds: +((performance.now() - t0) / 1000).toFixed(1),
      skipped,
      ...(ds.kind === 'classification' ? { dropped: ds.dropped } : {}),
      warnings: [...warnings, ...(ev.kind === 'segmentation' ? ev.warnings : [])],
    };
    // JSON has no NaN: undefined metrics (a label absent from a case, one class only) are written as null.
    const json = `${JSON.stringify(report, null, 1)}\n`;
    await atomicWriteFile(path.join(o.out, 'evaluation.json'), json);
    const files = ds.kind === 'segmentation' ? ['evaluation.json', 'evaluation.csv'] : ['predictions.csv', 'evaluation.json'];
    process.stderr.write(`med3d evaluate: wrote ${files.map((x) => path.join(o.out, x)).join(', ')}\n`);
    process.stdout.write(o.json ? json : `${printSummary(ev)}\n`);
  });
}
