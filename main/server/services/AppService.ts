import type { AppInfo } from '../../../common/api/types';
import type { ServiceContext } from './ServiceContext';
import type { SliceOf } from './serviceSlices';

/** What the app is and runs on (name, version, mode, engine backend, workspace). */
export class AppService implements SliceOf<'app'> {
  constructor(private readonly ctx: ServiceContext) {}

  async getAppInfo(): Promise<AppInfo> {
    const { opts } = this.ctx;
    return {
      name: 'Med3D Workstation',
      version: opts.version,
      mode: opts.mode,
      backend: opts.backendInfo?.() ?? null,
      platform: `${process.platform}-${process.arch}`,
      nativeDialogs: !!opts.dialogs,
      workspace: this.ctx.workspace().root,
      demoAvailable: true,
      initialOpen: opts.initialOpen ?? null,
    };
  }
}
