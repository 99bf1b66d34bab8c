/**
 * The Node-side implementation of Med3dApi, shared by Electron (IPC), web mode (WebSocket) and
 * `med3d call`: the composition root of the domain services in ./services (one slice of the API
 * each, see services/serviceSlices.ts). Every API method is an own, bound property of this
 * object, so the dispatcher (common/api/dispatcher.ts) calls it by name as before, and throws
 * ApiError only (WorkspaceError and JobError are mapped here). Every client
 * path goes through PathGuard; every write through the workspace's atomic writes.
 */
import path from 'node:path';
import { METHOD_NAMES, type Med3dApiMethods } from '../../common/api/Med3dApi';
import { ApiError } from '../../common/api/errors';
import type { ApiEventHub } from '../../common/api/ApiEventHub';
import type { JobManager } from '../jobs/JobManager';
import { jobRegistry } from '../jobs/jobRegistry';
import { loadJobKinds } from '../jobs/loadJobKinds';
import { CodedError } from '../util/CodedError';
import { Workspace } from '../workspace/Workspace';
import { PathGuard } from './PathGuard';
import { AppService } from './services/AppService';
import { CaseService } from './services/CaseService';
import { FileService } from './services/FileService';
import { JobService } from './services/JobService';
import { LabelExportService } from './services/LabelExportService';
import { ModelService } from './services/ModelService';
import { NoduleService } from './services/NoduleService';
import { ServiceContext, type Med3dServiceOptions } from './services/ServiceContext';
import { METHOD_SLICES, type SliceName, type SliceOf } from './services/serviceSlices';
import { TaskService } from './services/TaskService';
import { VolumeService } from './services/VolumeService';

export type { NativeDialogs } from './services/ServiceContext';

// The API methods are assigned in the constructor from the slices (declaration merging gives
// the class their types; serviceSlices.ts proves every method has exactly one owner).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Med3dService extends Med3dApiMethods {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Med3dService {
  readonly events: ApiEventHub;
  readonly jobs: JobManager;
  readonly guard: PathGuard;
  private readonly ctx: ServiceContext;

  private constructor(ctx: ServiceContext) {
    this.ctx = ctx;
    this.events = ctx.events;
    this.jobs = ctx.jobs;
    this.guard = ctx.guard;
    const tasks = new TaskService(ctx);
    const slices: { readonly [S in SliceName]: SliceOf<S> } = {
      app: new AppService(ctx),
      volumes: new VolumeService(ctx),
      cases: new CaseService(ctx, (info) => tasks.autoFineTune(info)),
      exports: new LabelExportService(ctx),
      jobs: new JobService(ctx),
      models: new ModelService(ctx),
      tasks,
      nodules: new NoduleService(ctx),
      files: new FileService(ctx),
    };
    const self = this as unknown as Record<string, unknown>;
    for (const m of METHOD_NAMES) {
      const slice = slices[METHOD_SLICES[m]] as unknown as Record<string, (req?: unknown) => Promise<unknown>>;
      const call = slice[m].bind(slice);
      // The API boundary: the workspace's and the job manager's own errors become API errors here, once.
      self[m] = (req?: unknown) =>
        call(req).catch((err: unknown) => {
          throw err instanceof CodedError ? new ApiError(err.code, err.message, err.file) : err;
        });
    }
  }

  static async create(opts: Med3dServiceOptions): Promise<Med3dService> {
    const svc = await Med3dService.open(opts);
    if (opts.discoverJobKinds ?? true) {
      await loadJobKinds({ registry: opts.registry ?? jobRegistry, tasksDir: opts.tasksDir, onError: (f, e) => opts.log?.(`job module ${f} not loaded: ${(e as Error).message}`) });
    }
    return svc;
  }

  private static async open(opts: Med3dServiceOptions): Promise<Med3dService> {
    const root = path.resolve(opts.workspace);
    const guard = new PathGuard({ roots: [root, ...(opts.roots ?? [])], ...(opts.pathBase ? { base: path.resolve(opts.pathBase) } : {}) });
    // Placeholder events sink until the context exists (Workspace.onChange is fixed at open).
    let ctx: ServiceContext | null = null;
    const ws = await Workspace.open(root, { create: true, onChange: (e) => ctx?.events.emit('workspaceChanged', e) });
    await guard.addRoot(root);
    ctx = new ServiceContext(opts, ws, guard);
    return new Med3dService(ctx);
  }

  workspace(): Workspace {
    return this.ctx.workspace();
  }

  async dispose(): Promise<void> {
    await this.jobs.dispose();
  }
}
