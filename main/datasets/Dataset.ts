/**
 * The dataset types every training, evaluation and pretraining command consumes (issue 14).
 * A dataset is a list of case references (paths, no voxels): opening one is cheap; voxels are
 * read case by case with loadSegmentationCase / loadVolume, after checkDataset has vetted them all.
 *
 * Paths are absolute and symbolic links are followed. World coordinates are millimetres.
 */

/** One label value and its name, as the dataset's label table gives it (0 = background). */
export interface LabelEntry {
  value: number;
  name: string;
}

/** A case found in a segmentation dataset folder. */
export interface SegmentationCaseRef {
  /** Case name, unique in the dataset (e.g. 'liver_003'). */
  id: string;
  /** Absolute path of a NIfTI file or a DICOM series folder. */
  image: string;
  /** Absolute path of a NIfTI label map or a DICOM SEG file; absent for unlabelled (test) cases. */
  label?: string;
  /** 'train' for imagesTr / images; 'test' for imagesTs (labelled only when labelsTs is present). */
  split: 'train' | 'test';
}

/** A case (or CSV row) that cannot be used, and why: what checkDataset reports or throws. */
export interface BadCase {
  /** Case id, or `line N` (line of the CSV file, header = line 1) for a CSV row. */
  id: string;
  /** The file at fault (image, label, or the CSV itself). */
  file: string;
  /** The problem in words, one line. */
  reason: string;
}

export type SegmentationLayout = 'msd' | 'nnunet-v2' | 'images-labels';

export interface SegmentationDataset {
  kind: 'segmentation';
  /** Absolute dataset folder. */
  root: string;
  /** 'msd' covers the Medical Segmentation Decathlon and nnU-Net v1 (same dataset.json). */
  layout: SegmentationLayout;
  /** dataset.json `name`, else the folder name. */
  name: string;
  /** Label table sorted by value; always includes 0 = background. */
  labels: LabelEntry[];
  /** Cases in a stable order (training list order, then test cases by name). */
  cases: SegmentationCaseRef[];
  /** Cases found broken while opening (listed file missing, image without label...). checkDataset reports them. */
  bad: BadCase[];
  /** Things noticed and worked around (multi-channel images, unlisted files...). */
  warnings: string[];
}

/** Coordinate frame of the CSV's x, y, z: world LPS mm (LUNA16), world RAS mm, or voxel indices i, j, k. */
export type CoordFrame = 'lps' | 'ras' | 'voxel';

export interface ClassificationItem {
  /** 0-based data row of the CSV (header excluded), input order. */
  row: number;
  /** Line of the CSV file where the row ends (header = line 1), for messages. */
  line: number;
  /** Absolute image path (NIfTI file or DICOM series folder); relative paths in the CSV are relative to the CSV. */
  image: string;
  /** x, y, z as written in the CSV, in `coords`. */
  center: [number, number, number];
  coords: CoordFrame;
  diameterMm?: number;
  /** 1 = malignant (malignancy 4–5, or label 1), 0 = benign (malignancy 1–3, or label 0). */
  label: 0 | 1;
  /** LIDC malignancy 1–5 when the CSV has that column. */
  malignancy?: number;
  /** The original CSV columns of this row (header → value), written back into predictions.csv. */
  columns: Record<string, string>;
}

export interface ClassificationDataset {
  kind: 'classification';
  /** Absolute folder of the CSV. */
  root: string;
  /** Absolute CSV path. */
  csv: string;
  /** CSV header, in order. */
  columns: string[];
  /** Every data row (header → value), input order, usable or not: predictions.csv writes one line per row. */
  rows: Record<string, string>[];
  /** Usable rows, input order. */
  items: ClassificationItem[];
  /** Rows left out on purpose (--drop-indeterminate), with the reason. */
  dropped: { row: number; reason: string }[];
  /** Rows that cannot be used (bad numbers, missing image...). checkDataset reports them. */
  bad: BadCase[];
  warnings: string[];
}

export type Dataset = SegmentationDataset | ClassificationDataset;

export interface OpenDatasetOptions {
  /** Frame of a CSV's x, y, z (default 'lps', as LUNA16 writes them). */
  coords?: CoordFrame;
  /** Drop malignancy-3 (indeterminate) rows instead of counting them benign (default false). */
  dropIndeterminate?: boolean;
}
