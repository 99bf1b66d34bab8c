import path from 'node:path';
import type { SegmentationDataset, SegmentationLayout } from '../Dataset';

/** A dataset.json layout's dataset (MSD / nnU-Net v1, nnU-Net v2): named by dataset.json's `name`, else by its folder. */
export function datasetJsonDataset(root: string, layout: SegmentationLayout, json: Record<string, unknown>, found: Pick<SegmentationDataset, 'labels' | 'cases' | 'bad' | 'warnings'>): SegmentationDataset {
  return { kind: 'segmentation', root, layout, name: typeof json.name === 'string' && json.name ? json.name : path.basename(root), ...found };
}
