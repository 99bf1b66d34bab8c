/**
 * A framework-neutral state dict: what a PyTorch checkpoint holds, read without Python.
 * Keys keep PyTorch's names (e.g. 'layer1.0.conv1.weight') with any 'module.' prefix already
 * removed by the loader; shapes and data keep PyTorch's layout (Conv3d weight: out, in, kD, kH, kW;
 * ConvTranspose3d weight: in, out, kD, kH, kW). Conversion to tfjs layouts (DHWIO) happens in
 * the model code, never here, so that export back to .pth is lossless.
 */
export type TensorDType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export interface StateTensor {
  dtype: TensorDType;
  /** PyTorch size, C order; [] for 0-dim tensors. */
  shape: number[];
  /** Contiguous C-order elements. int64 is BigInt64Array. */
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;
}

/** Insertion order is preserved (PyTorch's OrderedDict order). */
export type StateDict = Map<string, StateTensor>;
