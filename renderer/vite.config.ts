import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Stand-alone build of the renderer for web mode: `npm run build:web`
 * (= vite build -c renderer/vite.config.ts). Output: out/renderer, the folder the local web
 * server serves (electron-vite's renderer build writes the same folder).
 * MED3D_DEV_MOCK=1 compiles in the in-page mock API (renderer/dev/, opened with ?mock).
 */
const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [svelte()],
  define: { __MED3D_DEV_MOCK__: JSON.stringify(process.env.MED3D_DEV_MOCK === '1') },
  build: {
    outDir: path.resolve(here, '..', 'out', 'renderer'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 8000,
    target: 'es2022',
  },
  worker: { format: 'es' },
});
