import type { HistoryEntry } from '../../../engine/weights/checkpoint';
import { atomicWriteFile } from '../../../util/atomicWrite';
import { curvesPng, curvesSvg } from './learningCurves';

/**
 * The files every training command leaves beside its model (`med3d train`, `med3d pretrain`):
 * metrics.json (the run's summary plus its history: loss per step, validation metrics) and the
 * learning curves as SVG and PNG. Written atomically.
 */
export async function writeTrainingReport(
  files: { metrics: string; svg: string; png: string },
  summary: Record<string, unknown>,
  history: readonly HistoryEntry[],
  metric: { key: string; name: string },
  title: string,
): Promise<void> {
  const metricsJson = {
    ...summary,
    history: history.map((h) => (h.loss !== undefined ? { step: h.step, loss: h.loss, lr: h.metrics?.lr } : { step: h.step, validation: h.metrics })),
  };
  await atomicWriteFile(files.metrics, `${JSON.stringify(metricsJson, null, 1)}\n`);
  const curves = {
    loss: history.filter((h) => h.loss !== undefined).map((h) => ({ step: h.step ?? 0, value: h.loss as number })),
    metric: history.filter((h) => h.loss === undefined && h.metrics?.[metric.key] !== undefined).map((h) => ({ step: h.step ?? 0, value: h.metrics![metric.key] })),
    metricName: metric.name,
    title,
  };
  await atomicWriteFile(files.svg, curvesSvg(curves));
  await atomicWriteFile(files.png, curvesPng(curves));
}
