import type { Component } from 'svelte';
import type { DialogId, DialogProps } from '../app/dialogs';
import BatchDialog from './BatchDialog.svelte';
import ImportWeightsDialog from './ImportWeightsDialog.svelte';

/**
 * The component of each menu dialog (see DialogId). A null entry is a dialog not built yet: its
 * menu command says so in a notice. Wire a dialog by putting its component here.
 */
export const DIALOGS: Record<DialogId, Component<DialogProps> | null> = {
  models: ImportWeightsDialog,
  batch: BatchDialog,
};
