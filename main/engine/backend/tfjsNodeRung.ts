import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createTfjsKernels } from '../nn/kernels/tfjsKernels';
import { firstLine, type BackendRung } from './BackendRung';

type TfjsNodePackage = '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node';

/**
 * What tfjs-node's backend tells about its device. NodeJSKernelBackend has no getGPUs(); it sets
 * `isUsingGpuDevice` from libtensorflow's device list when it starts (the binding's
 * isUsingGpuDevice(): a TF_GPU device exists in the eager context).
 */
interface TfjsNodeBackend {
  isUsingGpuDevice?: boolean;
  binding?: { isUsingGpuDevice?: () => boolean };
}

/** True when libtensorflow has a CUDA device in its eager context. */
export function tfjsNodeHasCudaDevice(backend: unknown): boolean {
  const b = backend as TfjsNodeBackend;
  if (typeof b.isUsingGpuDevice === 'boolean') return b.isUsingGpuDevice;
  return typeof b.binding?.isUsingGpuDevice === 'function' ? Boolean(b.binding.isUsingGpuDevice()) : false;
}

/**
 * The package's native binding (lib/napi-v*\/tfjs_binding.node, fetched with libtensorflow at
 * install). Checked before importing: a package whose download failed registers hundreds of tfjs
 * kernels and then throws, and a second such package would print a warning for each of them.
 */
function checkBinding(pkg: TfjsNodePackage): void {
  let dir: string;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`${pkg} is not installed (optional dependency; its install downloads libtensorflow, which failed or was skipped)`);
  }
  const lib = path.join(dir, 'lib');
  const napi = existsSync(lib) ? readdirSync(lib).filter((d) => d.startsWith('napi-v')) : [];
  if (!napi.some((d) => existsSync(path.join(lib, d, 'tfjs_binding.node')))) {
    throw new Error(`${pkg} is installed without its libtensorflow binding (${path.join(lib, 'napi-v*', 'tfjs_binding.node')} missing: the download at npm install failed; rerun npm rebuild ${pkg} with internet access)`);
  }
}

/** Loads an optional tfjs-node package and switches tfjs to its 'tensorflow' backend. */
async function startTfjsNode(pkg: TfjsNodePackage): Promise<void> {
  checkBinding(pkg);
  const spec: string = pkg; // a variable specifier: the package is optional and may be absent at type-check time
  try {
    await import(spec);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(`${pkg} is not installed (optional dependency; its install downloads libtensorflow, which failed or was skipped)`);
    }
    throw new Error(`${pkg} is installed but failed to load: ${firstLine(err)}`);
  }
  if (!tf.findBackend('tensorflow')) throw new Error(`${pkg} loaded but registered no 'tensorflow' backend`);
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg}: the 'tensorflow' backend failed to initialise`);
}

/**
 * tfjs-node-gpu: libtensorflow 2.x built for CUDA 11.2 + cuDNN 8.1 exactly (downloaded at npm
 * install, Linux x64 only). Without a matching CUDA it loads and silently runs on the CPU, so the
 * rung is only claimed when libtensorflow reports a GPU device. Newer GPUs (Hopper and later)
 * are not supported by that CUDA; the webgpu rung covers them.
 */
export const tfjsNodeGpuRung: BackendRung = {
  name: 'tfjs-node-gpu',
  kind: 'gpu',
  async start(ctx) {
    await startTfjsNode('@tensorflow/tfjs-node-gpu');
    if (!tfjsNodeHasCudaDevice(tf.backend())) {
      throw new Error('@tensorflow/tfjs-node-gpu loaded but libtensorflow found no CUDA GPU (it needs CUDA 11.2 and cuDNN 8.1 on the library path)');
    }
    return { tfjsBackend: 'tensorflow', provider: { ...createTfjsKernels(), name: 'tfjs-node-gpu' }, threads: ctx.threads, simd: 'CUDA (libtensorflow)' };
  },
};

/** tfjs-node: libtensorflow on the CPU (its own SIMD dispatch and threads). */
export const tfjsNodeRung: BackendRung = {
  name: 'tfjs-node',
  kind: 'cpu',
  async start(ctx) {
    await startTfjsNode('@tensorflow/tfjs-node');
    return { tfjsBackend: 'tensorflow', provider: { ...createTfjsKernels(), name: 'tfjs-node' }, threads: ctx.threads, simd: 'libtensorflow (its own dispatch)' };
  },
};
