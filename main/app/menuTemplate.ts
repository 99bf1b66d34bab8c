/**
 * The native menu as plain data (Electron's MenuItemConstructorOptions shape), built from
 * callbacks so it is testable without Electron. Accelerators follow 3D Slicer where it has one
 * (Ctrl+O open, Ctrl+S save, Ctrl+Z / Ctrl+Y undo/redo).
 */
import type { MenuCommand } from '../../common/api/types';

export interface MenuItemSpec {
  label?: string;
  role?: string;
  type?: 'separator' | 'submenu';
  accelerator?: string;
  click?: () => void;
  submenu?: MenuItemSpec[];
}

export interface MenuActions {
  /** Open a native dialog for the purpose, then tell the renderer (command + chosen path). */
  choose(command: Extract<MenuCommand, 'open-dicom' | 'open-nifti' | 'open-workspace' | 'import-weights'>): void;
  /** Forward to the renderer without a dialog. */
  send(command: MenuCommand): void;
  recent: Array<{ label: string; open: () => void }>;
}

export function menuTemplate(a: MenuActions, platform: string = process.platform): MenuItemSpec[] {
  const mac = platform === 'darwin';
  const file: MenuItemSpec = {
    label: 'File',
    submenu: [
      { label: 'Open DICOM Folder…', accelerator: 'CmdOrCtrl+Shift+O', click: () => a.choose('open-dicom') },
      { label: 'Open NIfTI…', accelerator: 'CmdOrCtrl+O', click: () => a.choose('open-nifti') },
      { label: 'Open Workspace…', accelerator: 'CmdOrCtrl+Alt+O', click: () => a.choose('open-workspace') },
      {
        label: 'Open Recent',
        submenu: a.recent.length ? a.recent.map((r) => ({ label: r.label, click: r.open })) : [{ label: '(none)' }],
      },
      { type: 'separator' },
      { label: 'Save Label', accelerator: 'CmdOrCtrl+S', click: () => a.send('save') },
      { label: 'Export Mask…', accelerator: 'CmdOrCtrl+E', click: () => a.send('export-mask') },
      { type: 'separator' },
      { label: 'Import Weights…', click: () => a.choose('import-weights') },
      { label: 'Batch Segmentation…', click: () => a.send('batch') },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  // Undo/Redo go to the label editor (its own ≥ 50-step history), not to text fields' undo.
  const edit: MenuItemSpec = {
    label: 'Edit',
    submenu: [
      { label: 'Undo', accelerator: 'CmdOrCtrl+Z', click: () => a.send('undo') },
      { label: 'Redo', accelerator: mac ? 'Cmd+Shift+Z' : 'Ctrl+Y', click: () => a.send('redo') },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };
  const cases: MenuItemSpec = {
    label: 'Case',
    submenu: [
      { label: 'Next Case', accelerator: 'CmdOrCtrl+Right', click: () => a.send('next-case') },
      { label: 'Previous Case', accelerator: 'CmdOrCtrl+Left', click: () => a.send('previous-case') },
    ],
  };
  const view: MenuItemSpec = { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] };
  const appMenu: MenuItemSpec[] = mac ? [{ role: 'appMenu' }] : [];
  return [...appMenu, file, edit, cases, view, { role: 'windowMenu' }];
}
