/**
 * Which domain service implements each API method. The table must name every method of
 * Med3dApiMethods exactly once (a missing method, an unknown one or one listed twice fails to
 * compile), and each service declares `implements SliceOf<'its slice'>`, so the slices together
 * cover the whole contract with one implementation per method. To add an API method: declare it
 * in common/api/Med3dApi.ts, add a row here, implement it in that slice's service.
 */
import type { Med3dApiMethods, MethodName } from '../../../common/api/Med3dApi';

export type SliceName = 'app' | 'volumes' | 'cases' | 'exports' | 'jobs' | 'models' | 'tasks' | 'nodules' | 'files';

export const METHOD_SLICES = {
  getAppInfo: 'app',

  openVolume: 'volumes',
  getVoxels: 'volumes',
  listSeries: 'volumes',
  closeVolume: 'volumes',

  openWorkspace: 'cases',
  getWorkspace: 'cases',
  listCases: 'cases',
  addCase: 'cases',
  openCase: 'cases',
  adjacentCase: 'cases',
  setCaseStatus: 'cases',
  listLabelVersions: 'cases',
  saveLabel: 'cases',
  loadLabel: 'cases',
  saveRecovery: 'cases',
  loadRecovery: 'cases',
  discardRecovery: 'cases',
  getSettings: 'cases',
  updateSettings: 'cases',

  exportLabel: 'exports',
  readExport: 'exports',
  importLabel: 'exports',
  importDataset: 'exports',

  startJob: 'jobs',
  cancelJob: 'jobs',
  getJob: 'jobs',
  listJobs: 'jobs',
  resumeJob: 'jobs',
  listJobKinds: 'jobs',

  listModels: 'models',
  importWeights: 'models',
  activateModel: 'models',
  deleteModel: 'models',
  exportModel: 'models',

  runTask: 'tasks',
  fineTune: 'tasks',
  classifyNodule: 'tasks',

  findNoduleCandidate: 'nodules',
  addNoduleMark: 'nodules',
  updateNoduleMark: 'nodules',
  listNoduleMarks: 'nodules',
  removeNoduleMark: 'nodules',

  listRecent: 'files',
  listDirectory: 'files',
  chooseFile: 'files',
} as const satisfies { readonly [M in MethodName]: SliceName };

/** The API methods slice S implements. */
export type SliceOf<S extends SliceName> = Pick<Med3dApiMethods, { [M in MethodName]: (typeof METHOD_SLICES)[M] extends S ? M : never }[MethodName]>;
