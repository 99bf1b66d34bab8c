/** Native open/save dialogs per purpose (Electron only; the shapes are plain data). */
import type { ChooseFileRequest } from '../../common/api/requests';

export interface DialogSpec {
  kind: 'open' | 'save';
  title: string;
  properties?: Array<'openFile' | 'openDirectory' | 'createDirectory'>;
  filters?: Array<{ name: string; extensions: string[] }>;
  defaultPath?: string;
}

type Purpose = ChooseFileRequest['purpose'];

/** One entry per purpose: the compiler refuses a purpose without its dialog. */
const DIALOGS: { readonly [P in Purpose]: DialogSpec } = {
  'dicom-folder': { kind: 'open', title: 'Open DICOM folder', properties: ['openDirectory'] },
  nifti: { kind: 'open', title: 'Open NIfTI', properties: ['openFile'], filters: [{ name: 'NIfTI', extensions: ['nii', 'gz', 'hdr', 'img'] }, { name: 'All files', extensions: ['*'] }] },
  workspace: { kind: 'open', title: 'Open or create a workspace folder', properties: ['openDirectory', 'createDirectory'] },
  weights: { kind: 'open', title: 'Import model weights', properties: ['openFile'], filters: [{ name: 'MedicalNet / Med3D weights', extensions: ['pth', 'pt', 'tar', 'm3d'] }, { name: 'All files', extensions: ['*'] }] },
  'export-mask': { kind: 'save', title: 'Export mask', defaultPath: 'mask.nii.gz', filters: [{ name: 'NIfTI', extensions: ['nii.gz', 'nii'] }] },
  'export-model': {
    kind: 'save',
    title: 'Export model',
    defaultPath: 'model.m3d',
    filters: [{ name: 'Med3D checkpoint', extensions: ['m3d'] }, { name: 'PyTorch (MedicalNet keys)', extensions: ['pth'] }],
  },
  // Labels in and out: a mask to import onto the open case (NIfTI or DICOM SEG), a DICOM SEG export.
  'label-file': { kind: 'open', title: 'Import a label map (NIfTI or DICOM SEG)', properties: ['openFile'], filters: [{ name: 'NIfTI or DICOM SEG', extensions: ['nii', 'gz', 'dcm'] }, { name: 'All files', extensions: ['*'] }] },
  'export-seg': { kind: 'save', title: 'Export labels as DICOM SEG', defaultPath: 'labels.seg.dcm', filters: [{ name: 'DICOM SEG', extensions: ['dcm'] }] },
  // Batch segmentation: the input folder of scans and the output folder (created on demand).
  folder: { kind: 'open', title: 'Choose a folder', properties: ['openDirectory', 'createDirectory'] },
};

export function dialogSpec(purpose: Purpose): DialogSpec {
  return DIALOGS[purpose];
}
