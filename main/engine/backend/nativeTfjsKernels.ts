import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './nativeAddon';

/**
 * Multi-threaded native versions of the memory-bound tfjs 'cpu' kernels a Med3D step spends
 * its non-conv time in (Add / Sub / Multiply with same-shape, scalar or per-channel operands,
 * Relu, Step, Sum over all-but-the-channel axes). tfjs runs these single-threaded in JS; once
 * the convolutions are native they were ~10–30% of a training step. Registered over the cpu
 * backend's own kernels while the native rung is active; every case the addon does not cover
 * (other dtypes, general broadcasting, tiny tensors) goes to the original tfjs kernel, so
 * results are those of tfjs up to float32 summation order.
 */

interface CpuBackendLike {
  data: { get(id: tf.DataId): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

const BINARY: Record<string, number> = { Add: 0, Sub: 1, Multiply: 2 };
const MIN_SIZE = 4096;
const originals = new Map<string, tf.KernelConfig>();

function values(b: CpuBackendLike, t: tf.TensorInfo): Float32Array | null {
  const v = b.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : null;
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Broadcast mode of the addon's `binary` (see native/src/elementwise.cc), or -1 when not covered. */
function broadcastMode(a: readonly number[], b: readonly number[]): { mode: number; channels: number; shape: number[] } | null {
  const na = size(a);
  const nb = size(b);
  if (a.length === b.length && a.every((d, i) => d === b[i])) return { mode: 0, channels: 1, shape: [...a] };
  const rank = Math.max(a.length, b.length);
  const pad = (s: readonly number[]): number[] => [...Array(rank - s.length).fill(1), ...s];
  const pa = pad(a);
  const pb = pad(b);
  if (nb === 1) return { mode: 1, channels: 1, shape: pa };
  if (na === 1) return { mode: 2, channels: 1, shape: pb };
  const c = pa[rank - 1];
  const perChannel = (big: number[], small: number[]): boolean => small[rank - 1] === big[rank - 1] && small.slice(0, -1).every((d) => d === 1);
  if (pb[rank - 1] === c && perChannel(pa, pb)) return { mode: 3, channels: c, shape: pa };
  if (pa[rank - 1] === pb[rank - 1] && perChannel(pb, pa)) return { mode: 4, channels: pb[rank - 1], shape: pb };
  return null;
}

function makeBinary(addon: NativeAddon, name: string, original: tf.KernelConfig): tf.KernelConfig {
  const op = BINARY[name];
  return {
    kernelName: name,
    backendName: 'cpu',
    kernelFunc: (args: KernelArgs) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const be = args.backend as unknown as CpuBackendLike;
      if (a.dtype === 'float32' && b.dtype === 'float32') {
        const m = broadcastMode(a.shape, b.shape);
        const av = values(be, a);
        const bv = values(be, b);
        if (m && av && bv && size(m.shape) >= MIN_SIZE) {
          const out = new Float32Array(size(m.shape));
          addon.binary(op, av, bv, out, m.mode, m.channels);
          return be.makeTensorInfo(m.shape, 'float32', out);
        }
      }
      return original.kernelFunc(args);
    },
  };
}

function makeUnary(addon: NativeAddon, name: 'Relu' | 'Step', original: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: name,
    backendName: 'cpu',
    kernelFunc: (args: KernelArgs) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const be = args.backend as unknown as CpuBackendLike;
      const xv = x.dtype === 'float32' ? values(be, x) : null;
      if (xv && xv.length >= MIN_SIZE) {
        const out = new Float32Array(xv.length);
        const alpha = name === 'Step' ? Number((args.attrs as { alpha?: number }).alpha ?? 0) : 0;
        addon.unary(name === 'Relu' ? 0 : 1, xv, out, alpha);
        return be.makeTensorInfo([...x.shape], 'float32', out);
      }
      return original.kernelFunc(args);
    },
  };
}

function makeSum(addon: NativeAddon, original: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: 'Sum',
    backendName: 'cpu',
    kernelFunc: (args: KernelArgs) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
      const be = args.backend as unknown as CpuBackendLike;
      const xv = x.dtype === 'float32' ? values(be, x) : null;
      const r = x.shape.length;
      if (xv && xv.length >= MIN_SIZE && r >= 1) {
        const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((p, q) => p - q);
        const leading = axes.length === r - 1 && axes.every((v, i) => v === i);
        const all = axes.length === r && axes.every((v, i) => v === i);
        if (leading || all) {
          const c = all ? 1 : x.shape[r - 1];
          const out = new Float32Array(c);
          addon.channelSum(xv, c, out);
          const shape = keepDims ? x.shape.map((d, i) => (all || i < r - 1 ? 1 : d)) : all ? [] : [c];
          return be.makeTensorInfo(shape, 'float32', out);
        }
      }
      return original.kernelFunc(args);
    },
  };
}

function replace(config: tf.KernelConfig): void {
  tf.unregisterKernel(config.kernelName, 'cpu');
  tf.registerKernel(config);
}

/** Installs the native elementwise kernels over tfjs's cpu kernels (idempotent). */
export function installNativeTfjsKernels(addon: NativeAddon): string[] {
  if (typeof addon.binary !== 'function') return [];
  uninstallNativeTfjsKernels();
  const installed: string[] = [];
  for (const name of ['Add', 'Sub', 'Multiply', 'Relu', 'Step', 'Sum']) {
    const original = tf.getKernel(name, 'cpu');
    if (!original) continue;
    originals.set(name, original);
    const mine = name in BINARY ? makeBinary(addon, name, original) : name === 'Sum' ? makeSum(addon, original) : makeUnary(addon, name as 'Relu' | 'Step', original);
    replace(mine);
    installed.push(name);
  }
  return installed;
}

/** Puts tfjs's own cpu kernels back (used when another backend rung is chosen). */
export function uninstallNativeTfjsKernels(): void {
  for (const [, original] of originals) replace(original);
  originals.clear();
}
