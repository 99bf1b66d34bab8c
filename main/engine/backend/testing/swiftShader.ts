import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The software WebGPU adapter tests use where no GPU exists: Dawn (the optional `webgpu` package)
 * on the SwiftShader Vulkan driver that Debian's chromium package ships. Tests that need it skip
 * visibly (a printed reason) when either is missing.
 */
const CHROMIUM_DIR = '/usr/lib/chromium';
const ICD = `${CHROMIUM_DIR}/vk_swiftshader_icd.json`;

/** Environment for a child process that should see only SwiftShader. */
export const SWIFTSHADER_ENV: NodeJS.ProcessEnv = { VK_ICD_FILENAMES: ICD, LD_LIBRARY_PATH: CHROMIUM_DIR };

/** Environment whose Vulkan driver list names a file that does not exist: Dawn finds no adapter. */
export const NO_ADAPTER_ENV: NodeJS.ProcessEnv = { VK_ICD_FILENAMES: '/nonexistent/med3d-no-such-icd.json', LD_LIBRARY_PATH: CHROMIUM_DIR };

function dawnInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('webgpu');
    return true;
  } catch {
    return false;
  }
}

const warned = new Set<string>();
/** True when Dawn and SwiftShader are both here; prints why not once per `what` otherwise. */
export function swiftShaderAvailable(what = 'WebGPU on SwiftShader'): boolean {
  const why = !dawnInstalled() ? "the optional package 'webgpu' is not installed" : !existsSync(ICD) ? `${ICD} not found (apt install chromium)` : '';
  if (!why) return true;
  if (!warned.has(what)) {
    warned.add(what);
    console.warn(`[skip] ${what}: ${why}`);
  }
  return false;
}
