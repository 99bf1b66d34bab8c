import { afterAll } from 'vitest';
import { runKernelProviderSuite } from '../kernelProviderSuite';
import { getKernels, setKernels } from '../registry';
import { probeWebGpu } from './openGpuDevice';
import { createWebGpuKernels } from './webgpuKernels';

/**
 * The webgpu provider on whatever adapter this machine has (SwiftShader on CI: found through
 * Debian chromium without any environment set-up, see prepareVulkan):
 *  1. the shared KernelProvider conformance suite;
 *  2. MedicalNet parity — the very same fixture tests the CPU paths run (eval forward of every
 *     checkpoint; one training step with loss, logits, every gradient and BN running statistics),
 *     at the same tolerances, with every network kernel on the GPU.
 * One file, one process, so the pipelines compile once (compiling dominates on software adapters).
 * Everything skips visibly when no adapter exists (and the fixtures when ../shared is absent).
 */
const probe = await probeWebGpu();
if (!probe.available) console.warn(`[skip] webgpu kernels: ${probe.reason}`);
const provider = probe.available ? await createWebGpuKernels() : null;

runKernelProviderSuite(() => provider!, { label: `webgpu (${probe.adapter?.description ?? 'no adapter'})`, skip: !provider });

if (provider) {
  const previous = getKernels();
  setKernels(provider);
  afterAll(() => {
    setKernels(previous);
    provider.dispose();
  });
  // Registers their describe blocks here, run with the webgpu provider installed.
  await import('../../../models/medicalnetFixtures.test');
  await import('../../../train/trainFixture.test');
}
