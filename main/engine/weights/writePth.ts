import path from 'node:path';
import { atomicWriteFile } from '../../util/atomicWrite';
import type { StateDict, TensorDType } from '../nn/StateDict';
import { asWeightsError } from './WeightsError';
import { PickleWriter } from './pickle/PickleWriter';
import { buildStoredZip, type ZipRecord } from './zip/writeZip';

/**
 * Export a state dict as a PyTorch-loadable .pth in torch.save's zip format (PyTorch ≥ 1.6):
 * `<root>/data.pkl` (protocol-2 pickle), `<root>/data/<i>` (one stored record per tensor, 64-byte
 * aligned), `<root>/version` ("3"). By default the object is MedicalNet's layout,
 * `{'state_dict': OrderedDict('module.<key>' → tensor)}`, so MedicalNet's own scripts load it.
 */
export interface WritePthOptions {
  /** Prefix added to every key (default 'module.', as nn.DataParallel saves); '' for none. */
  prefix?: string;
  /** Wrap as {'state_dict': …} (default true); false writes a bare OrderedDict. */
  wrap?: boolean;
  /** Root folder inside the archive (default: the file name without its extension). */
  archiveName?: string;
}

const STORAGE_CLASS: Record<TensorDType, string> = {
  float32: 'FloatStorage',
  float64: 'DoubleStorage',
  float16: 'HalfStorage',
  int64: 'LongStorage',
  int32: 'IntStorage',
  int16: 'ShortStorage',
  int8: 'CharStorage',
  uint8: 'ByteStorage',
  bool: 'BoolStorage',
};

function contiguousStrides(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** The data.pkl bytes for `sd` whose tensors are stored as records '0', '1', … in order. */
function encodeStateDictPickle(sd: StateDict, opts: WritePthOptions = {}): Uint8Array {
  const prefix = opts.prefix ?? 'module.';
  const w = new PickleWriter().proto(2);
  const wrap = opts.wrap !== false;
  if (wrap) w.emptyDict().put().str('state_dict');
  w.global('collections', 'OrderedDict').emptyTuple().reduce().put();
  let i = 0;
  const names = [...sd.keys()];
  // SETITEMS batches of 1000, as CPython's pickler does, to bound the unpickler's stack.
  for (let start = 0; start < names.length; start += 1000) {
    w.mark();
    for (const name of names.slice(start, start + 1000)) {
      const t = sd.get(name)!;
      const numel = t.shape.reduce((a, b) => a * b, 1);
      if (t.data.length !== numel) throw new Error(`tensor '${name}' has ${t.data.length} elements but shape [${t.shape.join(',')}]`);
      w.str(prefix + name);
      w.global('torch._utils', '_rebuild_tensor_v2');
      w.mark();
      w.mark().str('storage').global('torch', STORAGE_CLASS[t.dtype]).str(String(i)).str('cpu').int(numel).tuple().binpersid();
      w.int(0).intTuple(t.shape).intTuple(contiguousStrides(t.shape)).bool(false);
      w.global('collections', 'OrderedDict').emptyTuple().reduce();
      w.tuple().reduce();
      i++;
    }
    w.setitems();
  }
  if (wrap) w.setitem();
  return w.stop().finish();
}

function encodePth(sd: StateDict, archiveName: string, opts: WritePthOptions = {}): Uint8Array[] {
  const root = archiveName.replace(/[^A-Za-z0-9_.-]/g, '_') || 'archive';
  const records: ZipRecord[] = [{ name: `${root}/data.pkl`, data: encodeStateDictPickle(sd, opts) }];
  let i = 0;
  for (const t of sd.values()) records.push({ name: `${root}/data/${i++}`, data: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) });
  records.push({ name: `${root}/version`, data: new TextEncoder().encode('3\n') });
  return buildStoredZip(records, 64);
}

/** Write `sd` to `file` atomically as a zip-format .pth. */
export async function writePth(file: string, sd: StateDict, opts: WritePthOptions = {}): Promise<void> {
  let chunks: Uint8Array[];
  try {
    const archiveName = opts.archiveName ?? path.basename(file).replace(/\.[^.]*$/, '');
    chunks = encodePth(sd, archiveName, opts);
  } catch (err) {
    throw asWeightsError(file, err);
  }
  await atomicWriteFile(file, chunks);
}
