import type { Vec3, Volume } from '../../volume/Volume';
import { gridOf } from '../../volume/geometry/grid';
import { resampleData } from '../../volume/geometry/resample';
import { prepareInput, type TaskPreprocessing } from '../engine/taskModel';
import { randomExpandedCrop } from './liverTraining';

/**
 * What each liver stage trains on, built exactly as inference will see it (liverTask.ts):
 * the coarse stage sees the whole scan through the coarse preprocessing (resized to its input
 * dims); the fine stage sees the liver ROI cropped with a random expansion through the fine
 * preprocessing (resampled to its spacing, windowed and normalised per crop, as inference
 * normalises each ROI). Labels (0 = background, 1 = liver) follow onto the same grid by label vote.
 */
export interface StageView {
  /** Preprocessed image, i-fastest. */
  input: Float32Array;
  /** 1 = liver, 0 = background, on the same grid. */
  labels: Uint8Array;
  dims: Vec3;
}

function onInputGrid(ct: Volume, liver: Uint8Array, input: Volume): StageView {
  const labels = resampleData(liver, gridOf(ct), gridOf(input), { interpolation: 'label' }) as Uint8Array;
  return { input: input.data as Float32Array, labels, dims: [...input.dims] as Vec3 };
}

export function coarseView(ct: Volume, liver: Uint8Array, prep: TaskPreprocessing): StageView {
  return onInputGrid(ct, liver, prepareInput(ct, prep));
}

/** Fine-stage view of one random expanded ROI (deterministic in `seed`); null when the case has no liver. */
export function fineView(ct: Volume, liver: Uint8Array, prep: TaskPreprocessing, seed: number, maxExpandMm?: number): StageView | null {
  const crop = randomExpandedCrop(ct, liver, seed, maxExpandMm);
  if (!crop) return null;
  return onInputGrid(crop.ct, crop.labels, prepareInput(crop.ct, prep));
}
