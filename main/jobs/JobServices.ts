/**
 * What a job handler can use from its host (the Med3D service). Kept as an interface so task
 * code depends on a contract, not on the server. Fields are optional where a host may lack them
 * (the CLI runs jobs without an open workspace).
 */
import type { Workspace } from '../workspace/Workspace';
import type { Volume } from '../volume/Volume';
import type { VolumeHeader } from '../../common/api/types';

export interface JobServices {
  /** Open workspace, or null. */
  workspace(): Workspace | null;
  /** Load (and cache) the scan of a workspace case. */
  loadCaseVolume(caseId: string): Promise<Volume>;
  /** Register an in-memory volume (e.g. a nodule patch) so the UI can fetch it with getVoxels. */
  registerVolume(vol: Volume, opts?: { caseId?: string }): VolumeHeader;
  /**
   * Worker entry for engine work (`new EngineWorker({ entry, modules })` from main/engine/worker):
   * set in bundled Electron builds (out/main/engineWorkerMain.js); undefined when running from
   * sources, where EngineWorker finds its own entry.
   */
  readonly engineWorkerEntry?: string;
  /**
   * Start another job (e.g. 'finetune' after 'predict', or re-predict after promotion). Path
   * parameters are refused here: only the API's startJob checks them against the allowed folders.
   */
  startJob(kind: string, params?: import('../../common/api/schema').JsonValue, opts?: { caseId?: string; title?: string }): string;
}
