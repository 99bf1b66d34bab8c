import type { LabelMap, Volume } from '../../volume/Volume';
import { writeNifti } from '../../volume/io/nifti/writeNifti';
import { writeDicomSeg } from '../../volume/io/seg/writeDicomSeg';

/** Where task outputs go to disk: the writers of main/volume/io (both atomic, errors name the file). */
export async function writeNiftiFile(file: string, vol: Volume | LabelMap): Promise<void> {
  await writeNifti(file, vol);
}

/** Write a label map as DICOM SEG referencing the source scan (its DICOM UIDs when it has them). */
export async function writeDicomSegFile(file: string, mask: LabelMap, source: Volume, algorithmName = 'Med3D Workstation'): Promise<void> {
  await writeDicomSeg(file, mask, { source, algorithmType: 'AUTOMATIC', algorithmName });
}
