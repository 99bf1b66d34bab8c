import { statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { VolumeReadError } from '../errors';
import type { DicomImageInfo } from './dicomImageInfo';
import { readDicomFile } from './readDicomFile';
import { orientationKey } from './stackGeometry';

export interface DicomSeriesEntry {
  file: string;
  info: DicomImageInfo;
}

export interface DicomSeriesSummary {
  /** Series Instance UID ('' when the files leave it empty). */
  seriesInstanceUID: string;
  /** Unique key of this group (UID, plus '#n' when one series holds several orientations). */
  key: string;
  /** Human-readable one-liner: number, description, modality, size. */
  description: string;
  seriesDescription?: string;
  seriesNumber?: number;
  modality?: string;
  rows: number;
  columns: number;
  fileCount: number;
  /** Images (frames) in the group: what a stack is built from. */
  imageCount: number;
  entries: DicomSeriesEntry[];
}

export interface DicomFolderScan {
  folder: string;
  /** Image series, largest first. */
  series: DicomSeriesSummary[];
  /** Files that are not DICOM images (or unreadable), with the reason. */
  skipped: Array<{ file: string; reason: string }>;
}

/** SOP classes that carry pixel data but are not image slices of a scan. */
const NON_IMAGE_MODALITIES = new Set(['SEG', 'RTSTRUCT', 'RTPLAN', 'SR', 'PR', 'KO', 'REG']);

/**
 * Find the DICOM image series in a folder (recursively), reading only headers. Files are grouped
 * by SeriesInstanceUID and, within a series, by orientation and matrix size (a localizer series with
 * three planes is three stacks).
 */
export async function scanDicomFolder(folder: string): Promise<DicomFolderScan> {
  let files: string[];
  try {
    files = await listFiles(folder);
  } catch (e) {
    throw new VolumeReadError(folder, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (e as Error).message);
  }
  const skipped: DicomFolderScan['skipped'] = [];
  const groups = new Map<string, DicomSeriesEntry[]>();
  for (const file of files) {
    const base = path.basename(file);
    if (base.toUpperCase() === 'DICOMDIR') {
      skipped.push({ file, reason: 'DICOMDIR (index file)' });
      continue;
    }
    const read = await headerOf(file);
    if ('reason' in read) {
      skipped.push({ file, reason: read.reason });
      continue;
    }
    const { info } = read;
    if (!info.pixelElement || !info.rows || !info.columns) {
      skipped.push({ file, reason: `no image pixel data (${info.modality ?? 'unknown modality'})` });
      continue;
    }
    if (info.modality && NON_IMAGE_MODALITIES.has(info.modality)) {
      skipped.push({ file, reason: `${info.modality} object, not an image slice` });
      continue;
    }
    const uid = info.seriesInstanceUID ?? '';
    const key = uid || `(no SeriesInstanceUID) ${path.dirname(file)} #${info.seriesNumber ?? ''} ${info.seriesDescription ?? ''} ${info.rows}x${info.columns}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push({ file, info });
  }
  const series: DicomSeriesSummary[] = [];
  for (const [key, entries] of groups) {
    const byOri = new Map<string, DicomSeriesEntry[]>();
    for (const e of entries) {
      // Same UID but another orientation or matrix size (localizers, reformats): a separate stack.
      const o = e.info.frames[0]?.orientation;
      const k = `${o ? orientationKey(o) : ''} ${e.info.columns}x${e.info.rows}`;
      (byOri.get(k) ?? byOri.set(k, []).get(k)!).push(e);
    }
    const parts = [...byOri.values()].sort((a, b) => b.length - a.length);
    parts.forEach((part, n) => series.push(summarize(parts.length > 1 ? `${key}#${n + 1}` : key, part)));
  }
  series.sort((a, b) => b.imageCount - a.imageCount || a.key.localeCompare(b.key));
  return { folder, series, skipped };
}

function summarize(key: string, entries: DicomSeriesEntry[]): DicomSeriesSummary {
  const i = entries[0].info;
  const imageCount = entries.reduce((n, e) => n + e.info.numberOfFrames, 0);
  const description = [
    i.seriesNumber !== undefined ? `#${i.seriesNumber}` : undefined,
    i.seriesDescription ? `"${i.seriesDescription}"` : undefined,
    i.modality,
    `${imageCount} image${imageCount === 1 ? '' : 's'} ${i.columns}×${i.rows}`,
    i.seriesInstanceUID ? `UID ${i.seriesInstanceUID}` : 'no SeriesInstanceUID',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    seriesInstanceUID: i.seriesInstanceUID ?? '',
    key,
    description,
    seriesDescription: i.seriesDescription,
    seriesNumber: i.seriesNumber,
    modality: i.modality,
    rows: i.rows,
    columns: i.columns,
    fileCount: entries.length,
    imageCount,
    entries,
  };
}

/**
 * Header facts of files already read, by path, while the file stays the same (size, times, inode):
 * opening a folder lists its series (the chooser) and then loads one, and each header is read once.
 * Plain data (no file bytes); the oldest entries go beyond MAX_REMEMBERED.
 */
const HEADERS = new Map<string, { stamp: string; read: { info: DicomImageInfo } | { reason: string } }>();
const MAX_REMEMBERED = 10_000;

async function headerOf(file: string): Promise<{ info: DicomImageInfo } | { reason: string }> {
  const st = statSync(file, { throwIfNoEntry: false });
  const stamp = st ? `${st.size} ${st.mtimeMs} ${st.ctimeMs} ${st.ino}` : 'gone'; // a vanished file: its read says why
  const known = HEADERS.get(file);
  HEADERS.delete(file);
  let read: { info: DicomImageInfo } | { reason: string };
  if (known && known.stamp === stamp) read = known.read;
  else {
    try {
      read = { info: (await readDicomFile(file, { headerOnly: true })).info };
    } catch (e) {
      read = { reason: e instanceof VolumeReadError ? e.reason : String(e) };
    }
  }
  HEADERS.set(file, { stamp, read });
  if (HEADERS.size > MAX_REMEMBERED) HEADERS.delete(HEADERS.keys().next().value as string);
  return read;
}

async function listFiles(dir: string): Promise<string[]> {
  const st = await stat(dir);
  if (!st.isDirectory()) throw new Error('not a folder');
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const items = await readdir(d, { withFileTypes: true });
    items.sort((a, b) => a.name.localeCompare(b.name));
    for (const it of items) {
      if (it.name.startsWith('.')) continue;
      const p = path.join(d, it.name);
      if (it.isDirectory()) await walk(p);
      else if (it.isFile()) out.push(p);
    }
  };
  await walk(dir);
  return out;
}
