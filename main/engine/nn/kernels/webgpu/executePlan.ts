/// <reference types="@webgpu/types" />
import type { RunMessage } from './gpuProtocol';

/**
 * Runs one GpuPlan on `device`: uploads inputs from the shared buffer, encodes every dispatch in
 * one command buffer, reads the outputs back with mapAsync into the shared buffer. Pipelines
 * are cached per WGSL text (shapes are baked into the code, so a network compiles each layer's
 * kernels once). Validation and shader errors surface as one-line exceptions.
 */
interface CachedPipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

// Promises, not results: the dispatches of one plan often share a shader (stride phases) and are
// prepared concurrently; each WGSL text must compile once.
const pipelines = new WeakMap<GPUDevice, Map<string, Promise<CachedPipeline>>>();

const BINDING = /@binding\((\d+)\)\s*var<(storage|uniform)(?:,\s*(read|read_write))?>/g;

/** Explicit layout from the declarations, so bindings a variant leaves unused still validate. */
function layoutOf(device: GPUDevice, code: string): GPUBindGroupLayout {
  const entries: GPUBindGroupLayoutEntry[] = [];
  for (const m of code.matchAll(BINDING)) {
    const type: GPUBufferBindingType = m[2] === 'uniform' ? 'uniform' : m[3] === 'read_write' ? 'storage' : 'read-only-storage';
    entries.push({ binding: Number(m[1]), visibility: GPUShaderStage.COMPUTE, buffer: { type } });
  }
  return device.createBindGroupLayout({ entries });
}

function pipelineFor(device: GPUDevice, code: string, label: string): Promise<CachedPipeline> {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  let hit = cache.get(code);
  if (!hit) {
    hit = compile(device, code, label);
    cache.set(code, hit);
    // A failed compile is not cached: the error is reported, the next call tries again.
    hit.catch(() => cache.delete(code));
  }
  return hit;
}

async function compile(device: GPUDevice, code: string, label: string): Promise<CachedPipeline> {
  const t0 = performance.now();
  const module = device.createShaderModule({ code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length) throw new Error(`webgpu ${label}: WGSL error at line ${errors[0].lineNum}: ${errors[0].message}`);
  const layout = layoutOf(device, code);
  const pipeline = await device.createComputePipelineAsync({ layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' } });
  if (process.env.MED3D_WEBGPU_TRACE) (await import('node:fs')).writeSync(2, `compile ${label} ${(performance.now() - t0).toFixed(0)} ms ${code.length}\n`);
  return { pipeline, layout };
}

export async function executePlan(device: GPUDevice, msg: RunMessage): Promise<void> {
  const { plan } = msg;
  const floats = new Float32Array(msg.data);
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let scopes = 2;
  const buffers = plan.buffers.map((b) =>
    device.createBuffer({ size: b.bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }),
  );
  const extra: GPUBuffer[] = [];
  try {
    plan.buffers.forEach((b, k) => {
      if (b.input === undefined) return;
      const [off, len] = msg.inputs[b.input];
      // Dawn copies from the view; a private copy avoids handing it shared memory.
      if (len > 0) device.queue.writeBuffer(buffers[k], 0, floats.slice(off, off + len));
    });
    const compiled = await Promise.all(plan.dispatches.map((d) => pipelineFor(device, d.code, plan.label)));
    const enc = device.createCommandEncoder();
    plan.dispatches.forEach((d, k) => {
      const entries: GPUBindGroupEntry[] = d.bindings.map((b, slot) => ({ binding: slot, resource: { buffer: buffers[b] } }));
      if (d.uniform) {
        const padded = Math.ceil(d.uniform.length / 4) * 4;
        const values = d.uniformType === 'u32' ? new Uint32Array(padded) : new Float32Array(padded);
        values.set(d.uniform);
        const ub = device.createBuffer({ size: values.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
        device.queue.writeBuffer(ub, 0, values);
        extra.push(ub);
        entries.push({ binding: d.bindings.length, resource: { buffer: ub } });
      }
      const pass = enc.beginComputePass();
      pass.setPipeline(compiled[k].pipeline);
      pass.setBindGroup(0, device.createBindGroup({ layout: compiled[k].layout, entries }));
      pass.dispatchWorkgroups(...d.groups);
      pass.end();
    });
    const staging = plan.outputs.map((b) => {
      const s = device.createBuffer({ size: plan.buffers[b].bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      enc.copyBufferToBuffer(buffers[b], 0, s, 0, plan.buffers[b].bytes);
      extra.push(s);
      return s;
    });
    device.queue.submit([enc.finish()]);
    scopes = 0;
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    if (validation) throw new Error(`webgpu ${plan.label}: ${validation.message.split('\n')[0]}`);
    if (oom) throw new Error(`webgpu ${plan.label}: out of GPU memory (${oom.message.split('\n')[0]})`);
    await Promise.all(staging.map((s) => s.mapAsync(GPUMapMode.READ)));
    staging.forEach((s, k) => {
      const [off, len] = msg.outputs[k];
      floats.set(new Float32Array(s.getMappedRange(), 0, len), off);
      s.unmap();
    });
  } finally {
    // Balance the scopes when an exception left them open.
    for (; scopes > 0; scopes--) await device.popErrorScope();
    for (const b of [...buffers, ...extra]) b.destroy();
  }
}
