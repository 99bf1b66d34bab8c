import type { KernelProvider } from './KernelProvider';
import { createTfjsKernels } from './tfjsKernels';

/**
 * The process-wide kernel provider used by every layer. The backend ladder
 * (engine/backend/selectBackend) installs the fastest working provider at start-up; until then
 * the plain tfjs reference provider is used, so the engine always works.
 */
let current: KernelProvider | null = null;

export function getKernels(): KernelProvider {
  if (!current) current = createTfjsKernels();
  return current;
}

export function setKernels(p: KernelProvider): void {
  current = p;
}
