import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Loader of the optional oneDNN N-API addon (native/). Node-only. Loading never throws: the
 * result says whether the addon was built, whether it loaded, and why not, so the backend
 * ladder can fall back to plain tfjs and tell the user how to enable the fast path.
 */

type Dims5 = readonly [number, number, number, number, number];
type Dims3 = readonly [number, number, number];

/** The addon's exports (native/src/addon.cc). All kernels are synchronous and write into `out` buffers. */
export interface NativeAddon {
  convForward(
    x: Float32Array,
    xShape: Dims5,
    filter: Float32Array,
    filterShape: Dims5,
    bias: Float32Array | null,
    residual: Float32Array | null,
    relu: boolean,
    strides: Dims3,
    pads: Dims3,
    dilations: Dims3,
    out: Float32Array,
    outShape: Dims5,
  ): void;
  convBackwardData(
    dy: Float32Array,
    dyShape: Dims5,
    filter: Float32Array,
    filterShape: Dims5,
    out: Float32Array,
    xShape: Dims5,
    strides: Dims3,
    pads: Dims3,
    dilations: Dims3,
  ): void;
  convBackwardWeights(
    x: Float32Array,
    xShape: Dims5,
    dy: Float32Array,
    dyShape: Dims5,
    out: Float32Array,
    filterShape: Dims5,
    strides: Dims3,
    pads: Dims3,
    dilations: Dims3,
  ): void;
  batchNormForward(
    x: Float32Array,
    shape: Dims5,
    gamma: Float32Array,
    beta: Float32Array,
    mean: Float32Array | null,
    variance: Float32Array | null,
    eps: number,
    relu: boolean,
    training: boolean,
    out: Float32Array,
    outMean: Float32Array | null,
    outVariance: Float32Array | null,
  ): void;
  batchNormBackward(
    dy: Float32Array,
    x: Float32Array,
    shape: Dims5,
    gamma: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    eps: number,
    y: Float32Array | null,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
  ): void;
  maxPoolForward(x: Float32Array, xShape: Dims5, out: Float32Array, outShape: Dims5, kernel: Dims3, strides: Dims3, pads: Dims3): void;
  maxPoolBackward(
    dy: Float32Array,
    dyShape: Dims5,
    x: Float32Array,
    xShape: Dims5,
    kernel: Dims3,
    strides: Dims3,
    pads: Dims3,
    out: Float32Array,
  ): void;
  adamUpdate(
    param: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    step: number,
    weightDecay: number,
    outParam: Float32Array,
    outM: Float32Array,
    outV: Float32Array,
  ): void;
  /** out = a (op) b; op 0 add, 1 sub, 2 mul; mode 0 same shape, 1 b scalar, 2 a scalar, 3 b per-channel, 4 a per-channel. */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, mode: number, channels: number): void;
  /** op 0 relu, 1 step (x > 0 ? 1 : alpha). */
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  /** out[c] = sum of x over rows of `channels` elements (channels 1 = total sum). */
  channelSum(x: Float32Array, channels: number, out: Float32Array): void;
  /** Sets the OpenMP thread count used by every kernel (0 = OpenMP default); returns the effective count. */
  setThreads(n: number): number;
  info(): NativeInfo;
}

export interface NativeInfo {
  dnnlVersion: string;
  dnnlHash: string;
  threads: number;
  ompMaxThreads: number;
  ompProcs: number;
  /** Instruction set oneDNN dispatches to on this CPU, e.g. 'avx512_core'. */
  isa: string;
}

export interface NativeLoadResult {
  /** The .node file exists. */
  built: boolean;
  loaded: boolean;
  addon: NativeAddon | null;
  /** Path tried (first existing candidate, else the default build location). */
  file: string;
  error?: string;
  howToEnable: string;
}

export const HOW_TO_ENABLE_NATIVE =
  'install a C++ compiler and oneDNN (Debian/Ubuntu: `sudo apt-get install g++ make libdnnl-dev`), then run `npm run build:native`';

const ADDON_NAME = 'med3d_onednn.node';

/** Where the addon may live: MED3D_NATIVE_ADDON (only that, when set), the source tree's native/build, an Electron app's resources. */
function addonCandidates(): string[] {
  if (process.env.MED3D_NATIVE_ADDON) return [path.resolve(process.env.MED3D_NATIVE_ADDON)];
  const out: string[] = [];
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Source layout: main/engine/backend -> repo root. Bundled layout (out/main/*.js): two levels up.
  // Compiled CLI (out/cli/main/engine/backend, bin/buildCli.mjs): five.
  for (const up of ['../../..', '../..', '..', '../../../../..']) out.push(path.resolve(here, up, 'native', 'build', 'Release', ADDON_NAME));
  const resources = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (resources) out.push(path.join(resources, 'native', ADDON_NAME), path.join(resources, 'app.asar.unpacked', 'native', 'build', 'Release', ADDON_NAME));
  return [...new Set(out)];
}

/** Tries to load the addon from `file` (uncached). Never throws. */
export function loadAddonFrom(file: string): NativeLoadResult {
  if (!existsSync(file)) {
    return { built: false, loaded: false, addon: null, file, error: `native addon not built (${file} missing)`, howToEnable: HOW_TO_ENABLE_NATIVE };
  }
  try {
    const req = createRequire(import.meta.url);
    const addon = req(file) as NativeAddon;
    if (typeof addon.convForward !== 'function' || typeof addon.info !== 'function') throw new Error('exports are missing (stale build?)');
    addon.info();
    return { built: true, loaded: true, addon, file, howToEnable: HOW_TO_ENABLE_NATIVE };
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return {
      built: true,
      loaded: false,
      addon: null,
      file,
      error: `cannot load ${file}: ${msg}`,
      howToEnable: 'rebuild it with `npm run build:native` (needs libdnnl at run time: `sudo apt-get install libdnnl-dev`)',
    };
  }
}

let cached: NativeLoadResult | null = null;

/** Loads the addon once (per thread); later calls return the same result. */
export function loadNativeAddon(): NativeLoadResult {
  if (cached) return cached;
  const candidates = addonCandidates();
  const file = candidates.find((f) => existsSync(f)) ?? candidates[0];
  if (process.env.MED3D_DISABLE_NATIVE === '1') {
    cached = { built: existsSync(file), loaded: false, addon: null, file, error: 'disabled by MED3D_DISABLE_NATIVE=1', howToEnable: 'unset MED3D_DISABLE_NATIVE' };
    return cached;
  }
  cached = loadAddonFrom(file);
  return cached;
}
