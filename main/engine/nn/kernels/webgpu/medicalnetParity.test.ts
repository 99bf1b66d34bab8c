import { afterAll } from 'vitest';
import { getKernels, setKernels } from '../registry';
import { probeWebGpu } from './openGpuDevice';
import { createWebGpuKernels } from './webgpuKernels';

/**
 * MedicalNet parity on the webgpu provider: the very same fixture tests the CPU paths run
 * (eval forward of every checkpoint; one training step with loss, logits, every gradient and
 * BN running statistics), at the same tolerances, with every network kernel on the GPU.
 * They skip visibly when ../shared or a WebGPU adapter is missing.
 */
const probe = await probeWebGpu();
if (probe.available) {
  const previous = getKernels();
  const provider = await createWebGpuKernels();
  setKernels(provider);
  afterAll(() => {
    setKernels(previous);
    provider.dispose();
  });
  await import('../../../models/medicalnetFixtures.test');
  await import('../../../train/trainFixture.test');
} else {
  console.warn(`[skip] MedicalNet parity on webgpu: ${probe.reason}`);
}
