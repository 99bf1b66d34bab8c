/** Native open/save dialogs per purpose (Electron only; the shapes are plain data). */
import type { ChooseFileRequest } from '../../common/api/requests';

export interface DialogSpec {
  kind: 'open' | 'save';
  title: string;
  properties?: Array<'openFile' | 'openDirectory' | 'createDirectory'>;
  filters?: Array<{ name: string; extensions: string[] }>;
  defaultPath?: string;
}

export function dialogSpec(purpose: ChooseFileRequest['purpose']): DialogSpec {
  switch (purpose) {
    case 'dicom-folder':
      return { kind: 'open', title: 'Open DICOM folder', properties: ['openDirectory'] };
    case 'nifti':
      return { kind: 'open', title: 'Open NIfTI', properties: ['openFile'], filters: [{ name: 'NIfTI', extensions: ['nii', 'gz', 'hdr', 'img'] }, { name: 'All files', extensions: ['*'] }] };
    case 'workspace':
      return { kind: 'open', title: 'Open or create a workspace folder', properties: ['openDirectory', 'createDirectory'] };
    case 'weights':
      return { kind: 'open', title: 'Import model weights', properties: ['openFile'], filters: [{ name: 'MedicalNet / Med3D weights', extensions: ['pth', 'pt', 'tar', 'm3d'] }, { name: 'All files', extensions: ['*'] }] };
    case 'export-mask':
      return { kind: 'save', title: 'Export mask', defaultPath: 'mask.nii.gz', filters: [{ name: 'NIfTI', extensions: ['nii.gz', 'nii'] }] };
  }
}
