import type { LabelMap, Volume } from '../../volume/Volume';
import { writeNifti } from '../../volume/io/nifti/writeNifti';

/**
 * Where task outputs go to disk. NIfTI through engineer V's writer; DICOM SEG resolved lazily
 * because it needs the source series' identifiers and lands separately.
 * TODO(T): static import once main/volume/io/seg/writeDicomSeg.ts exists.
 */
export async function writeNiftiFile(file: string, vol: Volume | LabelMap): Promise<void> {
  await writeNifti(file, vol);
}

type WriteDicomSeg = (file: string, mask: LabelMap, source: Volume) => Promise<void>;

/** Write a label map as DICOM SEG referencing the source series (V's writer). */
export async function writeDicomSegFile(file: string, mask: LabelMap, source: Volume): Promise<void> {
  const spec: string = '../../volume/io/seg/writeDicomSeg';
  let mod: Record<string, unknown>;
  try {
    mod = (await import(/* @vite-ignore */ spec)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`DICOM SEG writing is not available (${(err as Error).message})`);
  }
  const fn = mod.writeDicomSeg;
  if (typeof fn !== 'function') throw new Error('DICOM SEG writing is not available (writeDicomSeg missing)');
  await (fn as WriteDicomSeg)(file, mask, source);
}
