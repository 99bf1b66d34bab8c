/**
 * Layering rules (`npm run lint:deps`, part of `npm test`). The tree reads like the architecture
 * only while these hold:
 *   common/            pure code and the API contract: imports only common/ (and npm packages)
 *   renderer/, preload/  the UI side: only themselves and common/
 *   main/engine/, main/volume/  the engine and scan I/O: nothing from the app layers
 *   no folder imports another that (through others) imports it back
 *
 * Tests and benchmarks are left out. KNOWN (files, per module rule) and KNOWN_FOLDER_EDGES (folder
 * imports inside today's cycles) hold the offenders that still stand, each with why; any new
 * violation fails. To allow one, add an entry with its reason (better: fix the import). Paths are
 * relative to the repo root; KNOWN entries are regexes.
 */
const APP_LAYERS = '^(main/(server|app|jobs|tasks|workspace|cli)|renderer)/';

/** Files allowed to break a module rule for now, by rule name. */
const KNOWN = {
  'engine-volume-not-app': [],
};

/**
 * Folder imports inside today's folder cycles: [from folder, to folder, the files in `from` that import `to`],
 * grouped by cycle with the reason and the way out. A cycle that takes any other folder import fails.
 */
const KNOWN_FOLDER_EDGES = [
  // engine/nn ↔ engine/backend (issue 13): rungs build KernelProviders, onednnKernels takes the addon's type from
  // backend/nativeAddon; kernels/tfjs and kernels/webgpu(/wgsl) share kernels/ types and tfjs/geometry.
  // Fix: move KernelProvider + geometry to a leaf folder and the addon type beside onednnKernels.
  // cycle: main/engine/backend, main/engine/nn/kernels, main/engine/nn/kernels/tfjs, main/engine/nn/kernels/webgpu, main/engine/nn/kernels/webgpu/wgsl
  ['main/engine/backend', 'main/engine/nn/kernels', 'BackendRung.ts, nativeRung.ts, selectBackend.ts, tfjsNodeRung.ts, tfjsRung.ts'],
  ['main/engine/backend', 'main/engine/nn/kernels/webgpu', 'BackendRung.ts, selectBackend.ts, webgpuRung.ts'],
  ['main/engine/nn/kernels', 'main/engine/backend', 'onednnKernels.ts'],
  ['main/engine/nn/kernels', 'main/engine/nn/kernels/tfjs', 'tfjsKernels.ts'],
  ['main/engine/nn/kernels/tfjs', 'main/engine/nn/kernels', 'adam.ts, batchNorm.ts, conv3d.ts, geometry.ts, maxPool3d.ts, zeroInsert.ts'],
  ['main/engine/nn/kernels/webgpu', 'main/engine/nn/kernels', 'webgpuKernels.ts'],
  ['main/engine/nn/kernels/webgpu', 'main/engine/nn/kernels/tfjs', 'webgpuKernels.ts'],
  ['main/engine/nn/kernels/webgpu', 'main/engine/nn/kernels/webgpu/wgsl', 'webgpuKernels.ts'],
  ['main/engine/nn/kernels/webgpu/wgsl', 'main/engine/nn/kernels', 'adam.ts, batchNorm.ts, conv3d.ts, maxPool3d.ts'],
  ['main/engine/nn/kernels/webgpu/wgsl', 'main/engine/nn/kernels/tfjs', 'conv3d.ts, maxPool3d.ts'],
  ['main/engine/nn/kernels/webgpu/wgsl', 'main/engine/nn/kernels/webgpu', 'adam.ts, batchNorm.ts, conv3d.ts, maxPool3d.ts'],
  // volume/io facade ↔ its format folders: loadVolume dispatches to dicom/nifti/seg, which take VolumeReadError
  // from io/errors.ts; seg reuses dicom's parser. Fix: errors.ts to a leaf (e.g. volume/io/errors/).
  // cycle: main/volume/io, main/volume/io/dicom, main/volume/io/dicom/pixel, main/volume/io/nifti, main/volume/io/seg
  ['main/volume/io', 'main/volume/io/dicom', 'loadVolume.ts'],
  ['main/volume/io', 'main/volume/io/nifti', 'loadVolume.ts'],
  ['main/volume/io', 'main/volume/io/seg', 'loadVolume.ts'],
  ['main/volume/io/dicom', 'main/volume/io', 'loadDicom.ts, readDicomFile.ts, scanDicomFolder.ts'],
  ['main/volume/io/dicom', 'main/volume/io/dicom/pixel', 'index.ts, loadDicom.ts, pixelValues.ts, readDicomFile.ts'],
  ['main/volume/io/dicom', 'main/volume/io/seg', 'testing/encodeDicom.ts (dependency-cruiser counts a folder with its subfolders)'],
  ['main/volume/io/dicom/pixel', 'main/volume/io/dicom', 'decodeFrame.ts, encapsulatedFrames.ts'],
  ['main/volume/io/nifti', 'main/volume/io', 'readNifti.ts'],
  ['main/volume/io/seg', 'main/volume/io', 'readDicomSeg.ts'],
  ['main/volume/io/seg', 'main/volume/io/dicom', 'readDicomSeg.ts'],
  ['main/volume/io/seg', 'main/volume/io/dicom/pixel', 'readDicomSeg.ts'],
  // datasets facade ↔ layouts/: openDataset picks a layout, layouts use Dataset types and helpers from datasets/.
  // cycle: main/datasets, main/datasets/layouts
  ['main/datasets', 'main/datasets/layouts', 'openDataset.ts'],
  ['main/datasets/layouts', 'main/datasets', 'imagesLabelsLayout.ts, msdLayout.ts, nnunetV2Layout.ts'],
  // tasks/* folders in one cycle: the task folders use the TaskDefinitions, defaultSpecs and the task registry
  // (tasks/), which name every task folder; recipes and fine-tunes cross between train/ and liver/, nodule/;
  // nodule takes labels from the phantom. (tasks/engine and tasks/jobs are outside it: the engine worker's job
  // table lives in tasks/jobs, and defaultSpecs, which reads the TaskDefinitions, in tasks/ beside them.)
  // Fix: TaskDefinition + registries to a leaf, recipes and task-specific fine-tunes into their task folders.
  // cycle: main/tasks, main/tasks/batch, main/tasks/finetune, main/tasks/liver, main/tasks/lung, main/tasks/nodule, main/tasks/phantom, main/tasks/train
  ['main/tasks', 'main/tasks/liver', 'taskDefinitions.ts, taskRegistry.ts'],
  ['main/tasks', 'main/tasks/lung', 'taskDefinitions.ts, taskRegistry.ts'],
  ['main/tasks', 'main/tasks/nodule', 'taskRegistry.ts'],
  ['main/tasks/batch', 'main/tasks', 'prepareTrainedTask.ts, runBatch.ts'],
  // fine-tuning from corrections: the per-task entries (lung/liver defaults) and the baseline is what runTask runs (taskRegistry).
  ['main/tasks/finetune', 'main/tasks', 'fineTuneTasks.ts, fineTuneWorkerJob.ts'],
  ['main/tasks/finetune', 'main/tasks/liver', 'fineTuneTasks.ts'],
  ['main/tasks/finetune', 'main/tasks/lung', 'fineTuneTasks.ts'],
  ['main/tasks/finetune', 'main/tasks/train', 'fineTune.ts, fineTuneWorkerJob.ts'],
  ['main/tasks/liver', 'main/tasks', 'fineTuneLiver.ts, liverTask.ts, liverTaskDefinition.ts'],
  // liver fine-tuning from workspace masks: the segmentation fine-tune's option/result types, so the job runs both alike.
  ['main/tasks/liver', 'main/tasks/finetune', 'fineTuneLiver.ts'],
  ['main/tasks/liver', 'main/tasks/train', 'liverRecipe.ts, fineTuneLiver.ts'],
  ['main/tasks/nodule', 'main/tasks', 'fineTuneNodule.ts, noduleTask.ts'],
  ['main/tasks/nodule', 'main/tasks/lung', 'noduleTask.ts'],
  ['main/tasks/nodule', 'main/tasks/phantom', 'noduleTask.ts'],
  // the nodule classifier trained from the workspace's marks with the nodule recipe's pieces (noduleTraining, trainParts).
  ['main/tasks/nodule', 'main/tasks/train', 'fineTuneNodule.ts'],
  ['main/tasks/phantom', 'main/tasks/lung', 'ctPhantom.ts'],
  ['main/tasks/train', 'main/tasks', 'TrainingRecipe.ts, fineTuneStartModel.ts, trainTask.ts'],
  ['main/tasks/train', 'main/tasks/liver', 'recipes.ts'],
  ['main/tasks/train', 'main/tasks/nodule', 'noduleRecipe.ts'],
];

const not = (list) => (list.length ? { pathNot: list } : {});
const exactly = (folders) => `^(${folders.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`;

/** no-folder-cycles: one rule for folders without known edges, one per folder that has some (minus those edges). */
function folderCycleRules() {
  const rule = { name: 'no-folder-cycles', comment: 'A folder must not import a folder that (directly or through others) imports it back.', severity: 'error', scope: 'folder' };
  const froms = [...new Set(KNOWN_FOLDER_EDGES.map(([from]) => from))];
  return [
    { ...rule, from: froms.length ? { pathNot: exactly(froms) } : {}, to: { circular: true } },
    ...froms.map((f) => ({ ...rule, from: { path: exactly([f]) }, to: { circular: true, pathNot: exactly(KNOWN_FOLDER_EDGES.filter(([from]) => from === f).map(([, to]) => to)) } })),
  ];
}

module.exports = {
  forbidden: [
    ...[
      ['common-only-common', 'common', 'common/ is shared by main and renderer: it may import only common/ and npm packages.'],
      ['renderer-only-common', 'renderer', 'The renderer talks to the engine only through the typed API (common/api): no main/ or preload/ imports.'],
      ['preload-only-common', 'preload', 'The sandboxed preload bridges IPC to common/api only.'],
    ].map(([name, folder, comment]) => ({
      name,
      comment,
      severity: 'error',
      from: { path: `^${folder}/` },
      to: { path: '^(main|renderer|preload|test|scripts|bench|bin)/', pathNot: `^${folder}/` },
    })),
    {
      name: 'engine-volume-not-app',
      comment: 'main/engine and main/volume are the library under the app: they must not know the server, app, jobs, tasks, workspace, CLI or renderer.',
      severity: 'error',
      from: { path: '^main/(engine|volume)/', ...not(KNOWN['engine-volume-not-app']) },
      to: { path: APP_LAYERS },
    },
    ...folderCycleRules(),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Tests and benchmarks may reach across folders for fixtures; the rules are about shipped code.
    exclude: { path: ['(^|/)(node_modules|out|dist)/', '\\.(test|bench)\\.ts$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.svelte', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
