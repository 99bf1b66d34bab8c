import type { Workbench } from './Workbench.svelte';

/** The modal dialogs the menu opens: 'models' (File ▸ Import Weights…) and 'batch' (File ▸ Batch Segmentation…). */
export type DialogId = 'models' | 'batch';

export const DIALOG_TITLES: Record<DialogId, string> = { models: 'Model versions and weight import', batch: 'Batch segmentation' };

export interface DialogProps {
  wb: Workbench;
  /** A path the user already chose in a native dialog (File ▸ Import Weights…). */
  path?: string;
  onClose: () => void;
}
