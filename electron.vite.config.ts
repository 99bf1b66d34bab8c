import { defineConfig } from 'electron-vite';
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

export default defineConfig({
  main: {
    build: {
      outDir: path.join(root, 'out/main'),
      rollupOptions: {
        input: {
          index: path.join(root, 'main/app/index.ts'),
          ...(existsSync(workerEntry) ? { engineWorkerMain: workerEntry } : {}),
          ...jobEntries(path.join(root, 'main/tasks')),
        },
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
