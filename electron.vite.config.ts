import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * electron-vite builds three bundles into out/:
 *   out/main      Electron main (main/app/index.ts) + the engine worker entry + every task job
 *                 module (main/tasks/**\/*.job.ts → out/main/tasks/…, found by loadJobKinds)
 *   out/preload   the sandboxed preload, CommonJS (sandboxed preloads cannot be ES modules)
 *   out/renderer  the Svelte renderer (the same folder web mode serves)
 */
const root = path.dirname(fileURLToPath(import.meta.url));

function jobEntries(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const n of readdirSync(dir).sort()) {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) Object.assign(out, jobEntries(p, `${rel}${n}/`));
    else if (/\.job\.ts$/.test(n)) out[`tasks/${rel}${n.replace(/\.ts$/, '')}`] = p;
  }
  return out;
}

const workerEntry = path.join(root, 'main/engine/worker/engineWorkerMain.ts');
/** Modules the engine worker imports by their own URL (taskWorkerJobsModule()): they must stay entries. */
const workerJobModules = ['main/tasks/jobs/taskWorkerJobs.ts'].filter((f) => existsSync(path.join(root, f)));

/**
 * electron-vite's ESM shim adds `const require = createRequire(import.meta.url)` to every chunk that
 * calls require(); a module that declares its own `require` (the DICOM codec loader does) then fails
 * with "Identifier 'require' has already been declared". Drop the shim's copy in such chunks: the
 * module's own declaration is the same createRequire.
 */
function dedupeRequireShim(): Plugin {
  const shim = 'const require = __shims_module__.createRequire(import.meta.url);';
  return {
    name: 'med3d:dedupe-require-shim',
    apply: 'build',
    enforce: 'post',
    renderChunk(code) {
      if (!code.includes(shim)) return null;
      if (!/(^|\n)\s*(var|let|const)\s+require\s*=/.test(code.split(shim).join(''))) return null;
      return { code: code.replace(shim, ''), map: null };
    },
  };
}

export default defineConfig({
  main: {
    plugins: [dedupeRequireShim()],
    build: {
      outDir: path.join(root, 'out/main'),
      rollupOptions: {
        input: {
          index: path.join(root, 'main/app/index.ts'),
          // Med3dService runs in this worker thread, off Electron's main loop.
          serviceHost: path.join(root, 'main/server/serviceHostMain.ts'),
          ...(existsSync(workerEntry) ? { engineWorkerMain: workerEntry } : {}),
          // The webgpu provider's GPU thread (SyncGpuClient starts ./gpuWorkerMain.js beside its chunk).
          gpuWorkerMain: path.join(root, 'main/engine/nn/kernels/webgpu/gpuWorkerMain.ts'),
          ...jobEntries(path.join(root, 'main/tasks')),
          ...Object.fromEntries(workerJobModules.map((f) => [f.replace(/^main\//, '').replace(/\.ts$/, ''), path.join(root, f)])),
        },
        // Flat chunks beside engineWorkerMain.js: EngineWorker finds its entry as ./engineWorkerMain.js
        // relative to the chunk it lands in; entry signatures are kept so worker job modules export `jobs`.
        preserveEntrySignatures: 'strict',
        output: { chunkFileNames: '[name]-[hash].js', minifyInternalExports: false },
      },
    },
  },
  preload: {
    build: {
      outDir: path.join(root, 'out/preload'),
      externalizeDeps: false,
      rollupOptions: {
        input: { index: path.join(root, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: path.join(root, 'renderer'),
    base: './',
    plugins: [svelte()],
    define: { __MED3D_DEV_MOCK__: JSON.stringify(process.env.MED3D_DEV_MOCK === '1') },
    worker: { format: 'es' },
    build: {
      outDir: path.join(root, 'out/renderer'),
      emptyOutDir: true,
      chunkSizeWarningLimit: 8000,
      target: 'es2022',
      rollupOptions: { input: { index: path.join(root, 'renderer/index.html') } },
    },
  },
});
