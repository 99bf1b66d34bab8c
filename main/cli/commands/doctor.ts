import type { Command } from 'commander';
import { describeBackend } from '../../engine/backend/selectBackend';
import { adapterSummary, probeWebgpu } from '../../engine/backend/webgpuRung';
import type { WebGpuProbe } from '../../engine/nn/kernels/webgpu/index';
import { addDeviceOption, initDeviceFromOptions } from '../deviceOption';

/** Human lines for the WebGPU probe: the adapter Dawn offers (even one `auto` refuses) and its limits. */
function describeWebgpu(p: WebGpuProbe): string {
  if (!p.adapter) return `WebGPU adapter: none (${p.reason || 'no adapter'}; Vulkan: ${p.vulkan})`;
  const mib = (k: string): string => (p.limits[k] === undefined ? '?' : `${(p.limits[k] / 2 ** 20).toFixed(0)} MiB`);
  return [
    `WebGPU adapter: ${adapterSummary(p.adapter)}${p.available ? '' : ` — unusable: ${p.reason}`}`,
    `  device '${p.adapter.device}', Vulkan: ${p.vulkan}; max buffer ${mib('maxBufferSize')}, max storage binding ${mib('maxStorageBufferBindingSize')}, workgroup storage ${p.limits.maxComputeWorkgroupStorageSize ?? '?'} B, ${p.limits.maxComputeInvocationsPerWorkgroup ?? '?'} invocations/workgroup${p.features.includes('shader-f16') ? ', shader-f16' : ''}`,
    ...(p.adapter.isFallback ? ['  (a software adapter: --device auto and gpu never use it; --device webgpu does)'] : []),
  ].join('\n');
}

/** `med3d doctor [--json] [--device <d>]`: which engine backend runs here, the GPU adapter, and why not a faster rung. */
export function register(program: Command): void {
  addDeviceOption(program.command('doctor'))
    .description('Report the engine backend ladder (webgpu, tfjs-node-gpu, tfjs-node, native oneDNN, plain tfjs): what runs, the WebGPU adapter and its limits, and why each rung was or was not taken')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean; device?: string }) => {
      const report = await initDeviceFromOptions(opts);
      const webgpu = await probeWebgpu();
      const n = process.versions;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ...report, webgpu, node: n.node, electron: n.electron ?? null, platform: `${process.platform}-${process.arch}` }, null, 2)}\n`);
      } else {
        const rungs = report.rungs.map((r) => `  ${r.used ? '*' : ' '} ${r.name.padEnd(13)} ${r.runsOn}  ${r.reason}`);
        process.stdout.write(`${describeBackend(report)}\n${describeWebgpu(webgpu)}\nLadder (best first):\n${rungs.join('\n')}\nNode ${n.node}${n.electron ? `, Electron ${n.electron}` : ''}, ${process.platform}-${process.arch}\n`);
      }
    });
}
