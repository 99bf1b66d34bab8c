/**
 * A self-contained description of GPU work, built on the engine thread by pure kernel
 * functions and executed by the GPU thread (gpuWorkerMain), which knows nothing about
 * convolutions: it allocates the buffers, uploads the inputs, runs the dispatches in order
 * and reads the outputs back. Keeping it plain data lets it cross the thread boundary.
 */
export interface PlanBuffer {
  /** Size in bytes (a multiple of 4, at least 4). */
  bytes: number;
  /** Index of the call input this buffer is initialised from; absent for scratch/output buffers. */
  input?: number;
}

export interface PlanDispatch {
  /** Complete WGSL module with one `main` compute entry point; pipelines are cached by this text. */
  code: string;
  /** Plan buffer indices bound to @group(0) @binding(0..n-1), in order. */
  bindings: number[];
  /** Workgroup counts (each at most maxComputeWorkgroupsPerDimension). */
  groups: [number, number, number];
  /** Values of a uniform buffer bound at @binding(bindings.length), padded to 16 bytes. */
  uniform?: number[];
  /** Element type of `uniform` (default 'f32'). Shapes travel as u32 so one pipeline serves every size. */
  uniformType?: 'f32' | 'u32';
}

export interface GpuPlan {
  /** Short name for error messages, e.g. 'conv3d 1x32x32x32x64'. */
  label: string;
  buffers: PlanBuffer[];
  dispatches: PlanDispatch[];
  /** Plan buffer indices read back, in the order the caller receives them. */
  outputs: number[];
}

/** Adapter limits the plan builders respect. */
export interface PlanLimits {
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupsPerDimension: number;
}

/** Growable list of buffers and dispatches; `add*` return the buffer index. */
export class PlanBuilder {
  readonly buffers: PlanBuffer[] = [];
  readonly dispatches: PlanDispatch[] = [];

  constructor(
    readonly label: string,
    readonly limits: PlanLimits,
  ) {}

  input(index: number, elements: number): number {
    return this.push({ bytes: bytesOf(elements, this.label, this.limits), input: index });
  }

  scratch(elements: number): number {
    return this.push({ bytes: bytesOf(elements, this.label, this.limits) });
  }

  dispatch(d: PlanDispatch): void {
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (d.groups.some((g) => g > max)) throw new Error(`webgpu ${this.label}: dispatch of ${d.groups.join('x')} workgroups exceeds the adapter limit ${max}`);
    this.dispatches.push(d);
  }

  build(outputs: number[]): GpuPlan {
    return { label: this.label, buffers: this.buffers, dispatches: this.dispatches, outputs };
  }

  private push(b: PlanBuffer): number {
    this.buffers.push(b);
    return this.buffers.length - 1;
  }
}

function bytesOf(elements: number, label: string, limits: PlanLimits): number {
  const bytes = Math.max(4, elements * 4);
  if (bytes > limits.maxStorageBufferBindingSize) {
    throw new Error(
      `webgpu ${label}: a tensor of ${elements} floats (${(bytes / 2 ** 20).toFixed(0)} MiB) exceeds the adapter's ` +
        `maxStorageBufferBindingSize (${(limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB); use a smaller patch or the cpu device`,
    );
  }
  return bytes;
}
