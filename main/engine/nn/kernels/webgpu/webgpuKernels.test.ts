import { runKernelProviderSuite } from '../kernelProviderSuite';
import { probeWebGpu } from './index';
import { createWebGpuKernels, type WebGpuKernelProvider } from './webgpuKernels';

const probe = await probeWebGpu();
if (!probe.available) console.warn(`[skip] webgpu kernels: ${probe.reason}`);
let provider: WebGpuKernelProvider | null = null;
const ready = probe.available ? await createWebGpuKernels() : null;
provider = ready;

runKernelProviderSuite(() => provider!, { label: `webgpu (${probe.adapter?.description ?? 'no adapter'})`, skip: !probe.available });
