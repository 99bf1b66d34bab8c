import type { Med3dApi } from '../../common/api';
import { DIALOG_TITLES, type DialogId } from './dialogs';
import { EditingController } from './EditingController.svelte';
import { NoduleController } from './NoduleController.svelte';
import { Notices } from './Notices.svelte';
import { SessionController } from './SessionController.svelte';
import { TasksController } from './TasksController.svelte';
import { ViewController } from './ViewController.svelte';

/** Everything the UI's panels work with: the API, the controllers, and the open dialog. */
export class Workbench {
  readonly notices = new Notices();
  readonly view = new ViewController();
  readonly editing: EditingController;
  readonly session: SessionController;
  readonly tasks: TasksController;
  readonly nodules: NoduleController;
  dialog: { id: DialogId; path?: string } | null = $state(null);

  constructor(
    readonly api: Med3dApi,
    readonly mode: 'electron' | 'web',
    /** Whether the UI has a component for a dialog (components/dialogs.ts). */
    private readonly hasDialog: (id: DialogId) => boolean,
  ) {
    this.editing = new EditingController(this.view, this.notices);
    this.session = new SessionController(api, this.view, this.editing, this.notices);
    this.tasks = new TasksController(api, this.session, this.view, this.notices);
    this.nodules = new NoduleController(api, this.session, this.view, this.tasks, this.notices);
  }

  openDialog(id: DialogId, path?: string): void {
    if (this.hasDialog(id)) this.dialog = { id, ...(path ? { path } : {}) };
    else this.notices.notify('info', `${DIALOG_TITLES[id]} is not available in the app yet; use the med3d CLI.`);
  }
}
