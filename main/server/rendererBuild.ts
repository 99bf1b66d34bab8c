/**
 * Where the built renderer lives (shared by web mode and electron-vite: out/renderer) and how to
 * build it on demand when `med3d serve` finds it missing.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest folder above this module holding package.json: the repo root alike from the sources
 * (main/server), electron-vite's bundle (out/main) and the compiled CLI (out/cli/main/server).
 */
function packageRoot(from: string): string {
  for (let d = from; path.dirname(d) !== d; d = path.dirname(d)) if (existsSync(path.join(d, 'package.json'))) return d;
  return path.resolve(from, '..', '..');
}

export const REPO_ROOT = packageRoot(path.dirname(fileURLToPath(import.meta.url)));
export const RENDERER_OUT = path.join(REPO_ROOT, 'out', 'renderer');

export function rendererBuilt(dir = RENDERER_OUT): boolean {
  return existsSync(path.join(dir, 'index.html'));
}

/** Build renderer/ with vite into out/renderer (renderer/vite.config.ts). Throws with vite's message. */
export async function buildRenderer(log: (msg: string) => void = () => undefined): Promise<void> {
  const configFile = path.join(REPO_ROOT, 'renderer', 'vite.config.ts');
  if (!existsSync(configFile)) throw new Error(`cannot build the renderer: ${configFile} is missing`);
  log(`building the renderer (${path.relative(process.cwd(), configFile)}) → ${RENDERER_OUT} …`);
  const vite = await import('vite');
  await vite.build({ configFile, logLevel: 'warn' });
}
