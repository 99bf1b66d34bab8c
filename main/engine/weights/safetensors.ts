import type { StateDict, StateTensor, TensorDType } from '../nn/StateDict';
import { describeCause } from '../../util/readerErrorMessage';
import { typedArrayOf } from './torchPickle';

/**
 * safetensors container (https://huggingface.co/docs/safetensors): 8-byte little-endian header
 * length, a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__: {str: str}}`
 * padded with spaces, then the raw little-endian tensor bytes with no holes. Our checkpoint format
 * (checkpoint.ts / FORMAT.md) is a safetensors file, so Python users can open it with
 * `safetensors.torch.load_file`.
 *
 * Tensors are written in insertion order and read back in data-offset order, so a StateDict
 * round-trips with its order intact. Reads are zero-copy where the element alignment allows.
 */
const TO_ST: Record<TensorDType, string> = {
  float32: 'F32',
  float64: 'F64',
  float16: 'F16',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};
const FROM_ST: Record<string, TensorDType> = Object.fromEntries(Object.entries(TO_ST).map(([k, v]) => [v, k as TensorDType]));
const ELEMENT_BYTES: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Header padding: the data section starts on this boundary so 8-byte elements can be viewed in place. */
const HEADER_ALIGN = 8;
const MAX_HEADER = 100 * 1024 * 1024;

export function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return n > 1n && n < BigInt(MAX_HEADER) && bytes[8] === 0x7b /* '{' */;
}

/** Serialise to a list of chunks (header, then each tensor's bytes as a view): no big concatenation. */
export function encodeSafetensors(tensors: StateDict, metadata: Record<string, string>): Uint8Array[] {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new Error("tensor name '__metadata__' is reserved");
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== numel) throw new Error(`tensor '${name}' has ${t.data.length} elements but shape [${t.shape.join(',')}]`);
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = { dtype: TO_ST[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let hb = enc.encode(json);
  const pad = (HEADER_ALIGN - ((8 + hb.length) % HEADER_ALIGN)) % HEADER_ALIGN;
  if (pad) {
    json += ' '.repeat(pad);
    hb = enc.encode(json);
  }
  const head = new Uint8Array(8 + hb.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(hb.length), true);
  head.set(hb, 8);
  return [head, ...chunks];
}

export interface DecodedSafetensors {
  tensors: StateDict;
  metadata: Record<string, string>;
  /** The data section (for checksums). */
  data: Uint8Array;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function isEntry(v: unknown): v is HeaderEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e.dtype === 'string' &&
    Array.isArray(e.shape) &&
    e.shape.every((d) => Number.isInteger(d) && (d as number) >= 0) &&
    Array.isArray(e.data_offsets) &&
    e.data_offsets.length === 2 &&
    e.data_offsets.every((d) => Number.isInteger(d) && (d as number) >= 0)
  );
}

export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  if (bytes.length < 8) throw new Error('truncated: shorter than the 8-byte header length');
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) throw new Error(`corrupt: header length ${n} is implausible`);
  const hlen = Number(n);
  if (8 + hlen > bytes.length) throw new Error(`truncated: header needs ${hlen} bytes, file has ${bytes.length - 8} after the length`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + hlen))) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`corrupt: header is not valid JSON${err instanceof SyntaxError ? '' : ` (${describeCause(err)})`}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error('corrupt: header is not a JSON object');
  const data = bytes.subarray(8 + hlen);
  const rawMeta = header.__metadata__ ?? {};
  if (typeof rawMeta !== 'object' || rawMeta === null || Object.values(rawMeta).some((v) => typeof v !== 'string')) {
    throw new Error('corrupt: __metadata__ must map strings to strings');
  }
  const metadata = rawMeta as Record<string, string>;
  const entries: [string, HeaderEntry][] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (!isEntry(v)) throw new Error(`corrupt: header entry '${name}' is malformed`);
    entries.push([name, v]);
  }
  entries.sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0] || a[1].data_offsets[1] - b[1].data_offsets[1]);
  let expectedBegin = 0;
  const tensors: StateDict = new Map();
  for (const [name, e] of entries) {
    const [begin, end] = e.data_offsets;
    const eb = ELEMENT_BYTES[e.dtype];
    if (eb === undefined) throw new Error(`unsupported dtype ${e.dtype} for tensor '${name}'`);
    const numel = e.shape.reduce((a, b) => a * b, 1);
    if (begin !== expectedBegin || end - begin !== numel * eb) throw new Error(`corrupt: tensor '${name}' has data offsets [${begin}, ${end}] inconsistent with its shape or its neighbours`);
    if (end > data.length) throw new Error(`truncated: tensor '${name}' ends at data byte ${end}, data section has ${data.length}`);
    const slice = data.subarray(begin, end);
    let t: StateTensor;
    if (e.dtype === 'BF16') {
      const u32 = new Uint32Array(numel);
      for (let i = 0; i < numel; i++) u32[i] = (slice[2 * i]! | (slice[2 * i + 1]! << 8)) << 16;
      t = { dtype: 'float32', shape: e.shape, data: new Float32Array(u32.buffer) };
    } else {
      const dtype = FROM_ST[e.dtype]!;
      t = { dtype, shape: e.shape, data: typedArrayOf(dtype, slice) };
    }
    tensors.set(name, t);
    expectedBegin = end;
  }
  if (expectedBegin !== data.length) {
    if (expectedBegin > data.length) throw new Error(`truncated: data section has ${data.length} bytes, header describes ${expectedBegin}`);
    throw new Error(`corrupt: ${data.length - expectedBegin} unexplained bytes after the last tensor`);
  }
  return { tensors, metadata, data };
}
