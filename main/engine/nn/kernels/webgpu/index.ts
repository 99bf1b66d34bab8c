/**
 * The WebGPU KernelProvider's public surface, used by the backend ladder (engine/backend):
 * `probeWebGpu()` for `med3d doctor` and rung selection, `createWebGpuKernels()` for the
 * provider itself. See README.md beside this file.
 */
export { probeWebGpu, type WebGpuAdapterInfo, type WebGpuProbe } from './openGpuDevice';
export { prepareVulkan, type VulkanSource } from './prepareVulkan';
export { createWebGpuKernels, type WebGpuKernelOptions, type WebGpuKernelProvider } from './webgpuKernels';
