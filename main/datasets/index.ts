/** Datasets for training, evaluation and pretraining (issue 14): see README.md in this folder. */
export type { ClassificationDataset, ClassificationItem, CoordFrame, Dataset, LabelEntry, SegmentationDataset } from './Dataset';
export { DatasetError } from './DatasetError';
export { openDataset } from './openDataset';
export { checkDataset } from './checkDataset';
export { loadSegmentationCase, loadDatasetImage } from './loadSegmentationCase';
export { itemCenterVoxel } from './itemCenterVoxel';
