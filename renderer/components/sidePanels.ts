import type { Component } from 'svelte';
import type { Workbench } from '../app/Workbench.svelte';
import FineTunePanel from './FineTunePanel.svelte';
import JobsPanel from './JobsPanel.svelte';
import LabelIoPanel from './LabelIoPanel.svelte';
import ModelsPanel from './ModelsPanel.svelte';
import NodulePanel from './NodulePanel.svelte';
import TaskPanel from './TaskPanel.svelte';

/** The side column beside the views, top to bottom; a panel is a component taking the workbench. Add one with one line. */
export const SIDE_PANELS: ReadonlyArray<Component<{ wb: Workbench }>> = [TaskPanel, NodulePanel, LabelIoPanel, FineTunePanel, JobsPanel, ModelsPanel];
