import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { BadCase, ClassificationDataset, ClassificationItem, CoordFrame, OpenDatasetOptions } from './Dataset';
import { DatasetError } from './DatasetError';
import { pathKind } from './datasetFiles';

/** Accepted header names per field (case-insensitive); the first group is the documented one, then LUNA16's. */
const FIELDS = {
  image: ['image'],
  x: ['x', 'coordx'],
  y: ['y', 'coordy'],
  z: ['z', 'coordz'],
  diameter: ['diameter_mm'],
  malignancy: ['malignancy'],
  label: ['label'],
} as const;

type Field = keyof typeof FIELDS;

/**
 * A nodule classification CSV in the LUNA16 / LIDC style: `image` (path relative to the CSV: NIfTI file or
 * DICOM series folder), `x`, `y`, `z` (world LPS mm as LUNA16 writes them; `coords` for RAS or voxel i, j, k),
 * optional `diameter_mm`, and `malignancy` 1–5 (1–3 benign, 4–5 malignant, as the paper; `dropIndeterminate`
 * drops 3) or `label` 0/1. Structural problems throw; a bad row goes to `bad` with its line number.
 */
export async function readClassificationCsv(csvPath: string, opts: OpenDatasetOptions = {}): Promise<ClassificationDataset> {
  const csv = path.resolve(csvPath);
  const root = path.dirname(csv);
  const coords: CoordFrame = opts.coords ?? 'lps';
  let text: string;
  try {
    text = await fs.readFile(csv, 'utf8');
  } catch (err) {
    throw new DatasetError(csv, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message);
  }
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true }) as unknown as typeof records;
  } catch (err) {
    throw new DatasetError(csv, `not a valid CSV (${(err as Error).message})`);
  }
  if (records.length === 0) throw new DatasetError(csv, 'empty CSV: expected a header with image, x, y, z and malignancy or label');
  const columns = records[0].record;
  const lower = columns.map((c) => c.toLowerCase());
  const col = {} as Record<Field, number>;
  for (const f of Object.keys(FIELDS) as Field[]) col[f] = lower.findIndex((c) => (FIELDS[f] as readonly string[]).includes(c));
  const missing = (['image', 'x', 'y', 'z'] as const).filter((f) => col[f] < 0);
  if (missing.length) throw new DatasetError(csv, `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${columns.join(', ')})`);
  if (col.malignancy < 0 && col.label < 0) throw new DatasetError(csv, `needs a malignancy (1–5) or label (0/1) column (header: ${columns.join(', ')})`);
  const warnings: string[] = [];
  if (col.malignancy >= 0 && col.label >= 0) warnings.push('both label and malignancy columns: label is the class, malignancy is kept for reference');

  const rows: Record<string, string>[] = [];
  const items: ClassificationItem[] = [];
  const dropped: ClassificationDataset['dropped'] = [];
  const bad: BadCase[] = [];
  const imageKinds = new Map<string, 'file' | 'dir' | null>();
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r];
    const row = r - 1;
    const line = `line ${info.lines}`;
    const columnsOf: Record<string, string> = {};
    columns.forEach((c, i) => (columnsOf[c] = record[i] ?? ''));
    rows.push(columnsOf);
    const fail = (reason: string, file = csv): void => void bad.push({ id: line, file, reason });
    if (record.length < columns.length) {
      fail(`${record.length} value(s) for ${columns.length} columns`);
      continue;
    }
    const num = (f: Field): number | null => {
      const s = record[col[f]];
      const v = s === '' ? Number.NaN : Number(s);
      return Number.isFinite(v) ? v : null;
    };
    const xyz = [num('x'), num('y'), num('z')];
    const bx = xyz.findIndex((v) => v === null);
    if (bx >= 0) {
      fail(`${columns[col[(['x', 'y', 'z'] as const)[bx]]]} '${record[col[(['x', 'y', 'z'] as const)[bx]]]}' is not a number`);
      continue;
    }
    let diameterMm: number | undefined;
    if (col.diameter >= 0 && record[col.diameter] !== '') {
      const d = num('diameter');
      if (d === null || d <= 0) {
        fail(`diameter_mm '${record[col.diameter]}' is not a positive number`);
        continue;
      }
      diameterMm = d;
    }
    let malignancy: number | undefined;
    if (col.malignancy >= 0) {
      const m = num('malignancy');
      if (m === null || m < 1 || m > 5) {
        if (col.label < 0) {
          fail(`malignancy '${record[col.malignancy]}' is not a number 1–5`);
          continue;
        }
      } else malignancy = m;
    }
    let label: 0 | 1;
    if (col.label >= 0) {
      const v = record[col.label];
      if (v !== '0' && v !== '1') {
        fail(`label '${v}' is not 0 or 1`);
        continue;
      }
      label = v === '1' ? 1 : 0;
    } else {
      const m = malignancy!;
      if (m === 3 && opts.dropIndeterminate) {
        dropped.push({ row, reason: `${line}: malignancy 3 (indeterminate) dropped by --drop-indeterminate` });
        continue;
      }
      if (m > 3 && m < 4) {
        fail(`malignancy ${m} lies between benign (1–3) and malignant (4–5)`);
        continue;
      }
      label = m >= 4 ? 1 : 0;
    }
    const rel = record[col.image];
    if (!rel) {
      fail('no image path');
      continue;
    }
    const image = path.resolve(root, rel);
    if (!imageKinds.has(image)) imageKinds.set(image, await pathKind(image));
    if (!imageKinds.get(image)) {
      fail(`image ${rel} not found`, image);
      continue;
    }
    items.push({
      row,
      line: info.lines,
      image,
      center: xyz as [number, number, number],
      coords,
      ...(diameterMm !== undefined ? { diameterMm } : {}),
      label,
      ...(malignancy !== undefined ? { malignancy } : {}),
      columns: columnsOf,
    });
  }
  if (rows.length === 0) throw new DatasetError(csv, 'no data rows below the header');
  return { kind: 'classification', root, csv, columns, rows, items, dropped, bad, warnings };
}
