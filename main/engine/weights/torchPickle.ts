import { checkLimit } from '../../util/readLimits';
import type { StateTensor, TensorDType } from '../nn/StateDict';
import { PickleError, type UnpickleHooks } from './pickle/unpickle';
import { PyDict, PyGlobal, PyObject, PyTuple, pyTypeName, type PyValue } from './pickle/pyTypes';

/**
 * The torch-specific half of the pickle reader: the GLOBAL allowlist, what the allowed callables
 * build (plain descriptions, never code), and turning (storage, offset, size, stride) into
 * contiguous StateTensors.
 */

/** Storage classes as pickled by torch.save (legacy classes and the typed-storage form alike). */
const STORAGE_CLASSES: Readonly<Record<string, { dtype: TensorDType | 'bfloat16'; bytes: number }>> = {
  FloatStorage: { dtype: 'float32', bytes: 4 },
  DoubleStorage: { dtype: 'float64', bytes: 8 },
  HalfStorage: { dtype: 'float16', bytes: 2 },
  BFloat16Storage: { dtype: 'bfloat16', bytes: 2 },
  LongStorage: { dtype: 'int64', bytes: 8 },
  IntStorage: { dtype: 'int32', bytes: 4 },
  ShortStorage: { dtype: 'int16', bytes: 2 },
  CharStorage: { dtype: 'int8', bytes: 1 },
  ByteStorage: { dtype: 'uint8', bytes: 1 },
  BoolStorage: { dtype: 'bool', bytes: 1 },
};

const ALLOWED_CALLABLES = new Set(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter']);

function isAllowedGlobal(module: string, name: string): boolean {
  if (ALLOWED_CALLABLES.has(`${module}.${name}`)) return true;
  return module === 'torch' && Object.hasOwn(STORAGE_CLASSES, name);
}

/** One storage record referenced by a persistent id; `data` is filled in by the container reader. */
export interface StorageRef {
  key: string;
  className: string;
  dtype: TensorDType | 'bfloat16';
  elementBytes: number;
  numel: number;
  location: string;
  data?: Uint8Array;
}

/** A storage as a tensor sees it: legacy view_metadata may select a slice of the root storage. */
export interface StorageView {
  root: StorageRef;
  /** Element offset of the view within the root storage. */
  offset: number;
  numel: number;
}

export interface TensorRef {
  storage: StorageView;
  storageOffset: number;
  size: number[];
  stride: number[];
}

export type TensorObject = PyObject<TensorRef>;
export const isTensor = (v: PyValue | undefined): v is TensorObject => v instanceof PyObject && v.tag === 'tensor';

function intOf(v: PyValue | undefined, what: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'bigint' || typeof v === 'number') throw new PickleError(`corrupt checkpoint: ${what} ${String(v)} is out of range`);
  throw new PickleError(`corrupt checkpoint: ${what} is a ${pyTypeName(v)}, expected an int`);
}
function intTuple(v: PyValue | undefined, what: string): number[] {
  if (v instanceof PyTuple) return v.items.map((x, i) => intOf(x, `${what}[${i}]`));
  // Very old files pickle sizes as torch.Size, which REDUCEs to a tuple too; lists are accepted.
  if (Array.isArray(v)) return v.map((x, i) => intOf(x, `${what}[${i}]`));
  throw new PickleError(`corrupt checkpoint: ${what} is a ${pyTypeName(v)}, expected a tuple`);
}

/**
 * Hooks for the tensor-bearing pickle. Storages are shared by key (two tensors may view one storage)
 * and collected into `storages` so the container reader can attach their bytes.
 */
export function torchHooks(storages: Map<string, StorageRef>, locations: Set<string>): UnpickleHooks {
  return {
    isAllowed: isAllowedGlobal,
    call(fn: PyGlobal, args: PyValue[]): PyValue {
      switch (fn.qualified) {
        case 'collections.OrderedDict': {
          const d = new PyDict(true);
          const init = args[0];
          if (Array.isArray(init)) {
            for (const pair of init) {
              if (!(pair instanceof PyTuple) || pair.items.length !== 2) throw new PickleError('corrupt checkpoint: OrderedDict initialiser is not a list of pairs');
              const k = pair.items[0]!;
              if (typeof k !== 'string' && typeof k !== 'number') throw new PickleError('unsupported OrderedDict key type');
              d.map.set(k, pair.items[1]!);
            }
          } else if (init !== undefined && !(init instanceof PyTuple && init.items.length === 0)) {
            throw new PickleError(`corrupt checkpoint: OrderedDict called with a ${pyTypeName(init)}`);
          }
          return d;
        }
        case 'torch._utils._rebuild_tensor_v2': {
          const st = args[0];
          if (!(st instanceof PyObject) || st.tag !== 'storage') throw new PickleError(`corrupt checkpoint: tensor storage is a ${pyTypeName(st)}`);
          const ref: TensorRef = {
            storage: st.value as StorageView,
            storageOffset: intOf(args[1], 'storage offset'),
            size: intTuple(args[2], 'tensor size'),
            stride: intTuple(args[3], 'tensor stride'),
          };
          if (ref.size.length !== ref.stride.length) throw new PickleError('corrupt checkpoint: tensor size and stride differ in length');
          return new PyObject<TensorRef>('tensor', ref);
        }
        case 'torch._utils._rebuild_parameter': {
          const data = args[0];
          if (!isTensor(data)) throw new PickleError(`corrupt checkpoint: parameter data is a ${pyTypeName(data)}`);
          return data;
        }
        default:
          throw new PickleError(`refusing to call ${fn.qualified}`);
      }
    },
    persistentLoad(pid: PyValue): PyValue {
      if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage' || pid.items.length < 5) {
        throw new PickleError(`corrupt checkpoint: unsupported persistent id ${pyTypeName(pid)}`);
      }
      const [, cls, key, location, numelV, viewMeta] = pid.items;
      if (!(cls instanceof PyGlobal) || !Object.hasOwn(STORAGE_CLASSES, cls.name)) {
        throw new PickleError(`corrupt checkpoint: storage class is a ${pyTypeName(cls)}`);
      }
      if (typeof key !== 'string') throw new PickleError('corrupt checkpoint: storage key is not a string');
      if (typeof location !== 'string') throw new PickleError('corrupt checkpoint: storage location is not a string');
      const numel = intOf(numelV, 'storage size');
      if (numel < 0) throw new PickleError(`corrupt checkpoint: storage '${String(key)}' has negative size ${numel}`);
      const info = STORAGE_CLASSES[cls.name]!;
      let root = storages.get(key);
      if (!root) {
        root = { key, className: cls.qualified, dtype: info.dtype, elementBytes: info.bytes, numel, location };
        storages.set(key, root);
        locations.add(location);
      } else if (root.className !== cls.qualified) {
        throw new PickleError(`corrupt checkpoint: storage '${key}' used as ${root.className} and ${cls.qualified}`);
      } else if (numel > root.numel) root.numel = numel;
      let view: StorageView = { root, offset: 0, numel: root.numel };
      // Legacy files may pickle a view of a larger storage: (view_key, offset, view_size).
      if (viewMeta instanceof PyTuple && viewMeta.items.length === 3) {
        view = { root, offset: intOf(viewMeta.items[1], 'storage view offset'), numel: intOf(viewMeta.items[2], 'storage view size') };
        if (view.offset < 0 || view.numel < 0) throw new PickleError(`corrupt checkpoint: storage view of '${key}' has a negative offset or size`);
      } else if (viewMeta !== undefined && viewMeta !== null) {
        throw new PickleError('corrupt checkpoint: unsupported storage view metadata');
      }
      return new PyObject<StorageView>('storage', view);
    },
  };
}

type TypedArrayCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): StateTensor['data'] };
const CTORS: Record<TensorDType, TypedArrayCtor> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int64: BigInt64Array,
  int32: Int32Array,
  int16: Int16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

/** A typed array over `bytes`: zero-copy when aligned, one memcpy otherwise. */
export function typedArrayOf(dtype: TensorDType, bytes: Uint8Array): StateTensor['data'] {
  const Ctor = CTORS[dtype];
  const eb = elementBytes(dtype);
  if (bytes.byteOffset % eb === 0) return new Ctor(bytes.buffer, bytes.byteOffset, bytes.byteLength / eb);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Ctor(copy.buffer, 0, bytes.byteLength / eb);
}

export function elementBytes(dtype: TensorDType): number {
  return { float32: 4, float64: 8, float16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 }[dtype];
}

function contiguousStrides(size: number[]): number[] {
  const s = new Array<number>(size.length);
  let acc = 1;
  for (let i = size.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= size[i]!;
  }
  return s;
}

/** bfloat16 is the top half of a float32, so widening is exact. */
function bf16ToF32(src: Uint8Array): Float32Array {
  const n = src.length / 2;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = (src[2 * i]! | (src[2 * i + 1]! << 8)) << 16;
  return new Float32Array(out.buffer);
}

/** Bytes the gathers of strided tensors have allocated so far for one checkpoint. */
export interface GatherBudget {
  bytes: number;
}

/**
 * Materialise a tensor as a contiguous StateTensor. Contiguous tensors (the normal case) become
 * a view of the storage bytes; strided ones are gathered run by run along their innermost axis.
 * Every size comes from the file, so all of them are checked before anything is allocated: no
 * negative offsets, no view reaching past its storage, and no tensor with more elements than its
 * storage holds (a stride-0 or overlapping view, which would expand a few bytes into gigabytes).
 * `budget` bounds what the gathers of one checkpoint allocate in total.
 */
export function materializeTensor(t: TensorRef, name: string, budget: GatherBudget): StateTensor {
  const { root } = t.storage;
  if (!root.data) throw new PickleError(`storage '${root.key}' of tensor '${name}' has no data`);
  const eb = root.elementBytes;
  if (t.size.some((d) => d < 0) || t.stride.some((d) => d < 0)) throw new PickleError(`corrupt checkpoint: tensor '${name}' has a negative size or stride`);
  if (t.storageOffset < 0) throw new PickleError(`corrupt checkpoint: tensor '${name}' has a negative storage offset ${t.storageOffset}`);
  const numel = t.size.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(numel)) throw new PickleError(`corrupt checkpoint: tensor '${name}' has size [${t.size.join(', ')}], too many elements`);
  const base = t.storage.offset + t.storageOffset;
  let maxIndex = base;
  for (let i = 0; i < t.size.length; i++) maxIndex += (t.size[i]! - 1) * t.stride[i]!;
  const availableElements = Math.min(t.storage.offset + t.storage.numel, Math.floor(root.data.byteLength / eb));
  if (numel > 0 && !(maxIndex < availableElements)) {
    throw new PickleError(
      `truncated or corrupt: tensor '${name}' needs element ${maxIndex} of storage '${root.key}', which holds ${Math.floor(root.data.byteLength / eb)}`,
    );
  }
  const viewElements = availableElements - t.storage.offset;
  if (numel > viewElements) {
    throw new PickleError(
      `corrupt checkpoint: tensor '${name}' has ${numel} elements but its storage '${root.key}' holds ${viewElements} (a stride-0 or overlapping view; refusing to expand it)`,
    );
  }
  const expected = contiguousStrides(t.size);
  const contiguous = t.size.every((d, i) => d === 1 || t.stride[i] === expected[i]);
  let bytes: Uint8Array;
  if (contiguous || numel === 0) {
    bytes = root.data.subarray(base * eb, (base + numel) * eb);
  } else {
    checkLimit('maxCheckpointBytes', budget.bytes + numel * eb, `strided tensors gathered from the checkpoint (up to tensor '${name}')`);
    budget.bytes += numel * eb;
    bytes = new Uint8Array(numel * eb);
    const nd = t.size.length;
    const inner = t.size[nd - 1]!;
    const innerStride = t.stride[nd - 1]!;
    const idx = new Array<number>(Math.max(nd - 1, 0)).fill(0);
    let out = 0;
    for (let run = 0; run < numel / inner; run++) {
      let src = base;
      for (let d = 0; d < nd - 1; d++) src += idx[d]! * t.stride[d]!;
      if (innerStride === 1) {
        bytes.set(root.data.subarray(src * eb, (src + inner) * eb), out);
        out += inner * eb;
      } else {
        for (let k = 0; k < inner; k++) {
          bytes.set(root.data.subarray((src + k * innerStride) * eb, (src + k * innerStride + 1) * eb), out);
          out += eb;
        }
      }
      for (let d = nd - 2; d >= 0; d--) {
        if (++idx[d]! < t.size[d]!) break;
        idx[d] = 0;
      }
    }
  }
  if (root.dtype === 'bfloat16') return { dtype: 'float32', shape: [...t.size], data: bf16ToF32(bytes) };
  return { dtype: root.dtype, shape: [...t.size], data: typedArrayOf(root.dtype, bytes) };
}
