import type { CommandTable } from './commands';
import type { Workbench } from './Workbench.svelte';

/** The one handler of every command, for the menu and the keyboard alike (see commands.ts). */
export function commandTable(wb: Workbench): CommandTable {
  const { session, editing, view } = wb;
  const open = ({ path }: { path?: string }): void => void (path ? session.openPath(path) : session.chooseVolume());
  return {
    'open-dicom': open,
    'open-nifti': open,
    'open-workspace': ({ path }) => void (path ? session.openWorkspace(path) : session.chooseWorkspace()),
    'import-weights': ({ path }) => wb.openDialog('models', path),
    batch: () => wb.openDialog('batch'),
    'export-mask': ({ path }) => void session.exportMask(path),
    undo: () => editing.undo(),
    redo: () => editing.redo(),
    save: () => void session.save(),
    'next-case': () => void session.adjacent('next'),
    'previous-case': () => void session.adjacent('previous'),
    tool: ({ tool }) => editing.setTool(tool),
    preset: ({ index }) => view.preset(index),
    slice: ({ delta }) => view.scroll(delta),
    'brush-size': ({ factor }) => editing.scaleBrush(factor),
    'reset-view': () => view.viewer?.resetCameras(),
    'toggle-outline': () => editing.setOverlay({ ...editing.overlay, outline: !editing.overlay.outline }),
    'toggle-labels': () => editing.setOverlay({ ...editing.overlay, opacity: editing.overlay.opacity > 0 ? 0 : 0.5 }),
  };
}
