import { existsSync } from 'node:fs';
import os from 'node:os';

/**
 * Makes a Vulkan driver reachable for Dawn before its instance is created, and says how.
 * Dawn loads `libvulkan.so.1` at run time. When the system has none (as on our Debian
 * machines) but Debian's chromium package is installed, its bundled loader and SwiftShader ICD
 * are used: the loader is pre-loaded globally (so Dawn's later dlopen of the same soname finds
 * it — LD_LIBRARY_PATH is read only at process start) and VK_ICD_FILENAMES points at the ICD.
 * An explicit VK_ICD_FILENAMES, or a system loader, is left alone. Linux only; elsewhere the
 * platform's own driver stack is used ('system').
 *
 * Setting VK_ICD_FILENAMES reaches the C environment only from the main thread or a worker
 * started with `env: SHARE_ENV`.
 */
const CHROMIUM_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = `${CHROMIUM_DIR}/vk_swiftshader_icd.json`;
/** glibc's RTLD_NODELETE: keep the loader mapped after Node's addon check rejects it. */
const RTLD_NODELETE = 0x1000;

export type VulkanSource = 'system' | 'env' | 'chromium-swiftshader' | 'none';

let decided: VulkanSource | null = null;

export function prepareVulkan(): VulkanSource {
  if (decided) return decided;
  decided = decide();
  return decided;
}

function decide(): VulkanSource {
  if (process.platform !== 'linux') return 'system';
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) {
    // The user chose the driver; still make a chromium loader reachable if the system has none.
    if (!tryLoad('libvulkan.so.1')) tryLoad(`${CHROMIUM_DIR}/libvulkan.so.1`);
    return 'env';
  }
  if (tryLoad('libvulkan.so.1')) return 'system';
  if (existsSync(SWIFTSHADER_ICD) && tryLoad(`${CHROMIUM_DIR}/libvulkan.so.1`)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    return 'chromium-swiftshader';
  }
  return 'none';
}

/** dlopen with RTLD_GLOBAL | RTLD_NODELETE; true when the library got loaded. */
function tryLoad(file: string): boolean {
  const flags = os.constants.dlopen.RTLD_NOW | os.constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE;
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, file, flags);
    return true;
  } catch (e) {
    // A plain shared library loads fine and then fails Node's addon registration check.
    return /did not self-register/.test((e as Error).message);
  }
}
