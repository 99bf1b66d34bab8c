/** Datasets for training, evaluation and pretraining (issue 14): see README.md in this folder. */
export type {
  BadCase,
  ClassificationDataset,
  ClassificationItem,
  CoordFrame,
  Dataset,
  LabelEntry,
  OpenDatasetOptions,
  SegmentationCaseRef,
  SegmentationDataset,
  SegmentationLayout,
} from './Dataset';
export { DatasetError } from './DatasetError';
export { openDataset } from './openDataset';
export { checkDataset, type CheckDatasetOptions, type CheckedDataset } from './checkDataset';
export { loadSegmentationCase, loadDatasetImage, type LoadedSegmentationCase } from './loadSegmentationCase';
export { itemCenterVoxel } from './itemCenterVoxel';
export { readLabelFile } from './readLabelFile';
export { canonicalSpacing } from './canonicalSpacing';
export { inspectDataset, type DatasetInspection } from './inspectDataset';
