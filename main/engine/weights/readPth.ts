import os from 'node:os';
import type { StateDict, StateTensor } from '../nn/StateDict';
import { WeightsError, asWeightsError } from './WeightsError';
import { readWeightsFile } from './readWeightsFile';
import { unpickle, PickleError } from './pickle/unpickle';
import { PyDict, pyTypeName, type PyValue } from './pickle/pyTypes';
import { isTensor, materializeTensor, torchHooks, type GatherBudget, type StorageRef } from './torchPickle';
import { isZip, readZipDirectory, readZipEntry } from './zip/readZip';

/**
 * Read a PyTorch checkpoint (torch.save) without Python: the zip format (PyTorch ≥ 1.6 default)
 * and the legacy stream format (`_use_new_zipfile_serialization=False`, all MedicalNet releases).
 * Byte layouts: ../shared/fixtures/medicalnet/README.md and torch/serialization.py.
 *
 * The pickle is run by an allowlist interpreter (./pickle/unpickle): only OrderedDict, tensor
 * rebuilding and torch storage classes may appear; anything else is refused, nothing is executed.
 */
export interface PthContents {
  /** Tensors in file order, 'module.' (DataParallel) prefixes stripped. */
  stateDict: StateDict;
  format: 'zip' | 'legacy';
  /** Keys of the top-level dict when the state dict was wrapped (e.g. ['state_dict']); [] for a bare state dict. */
  topLevelKeys: string[];
  /** Top-level key the state dict was found under; null for a bare state dict. (Additive field.) */
  stateDictKey?: string | null;
  /** Facts worth showing the user (devices mapped to CPU, stripped prefixes, skipped entries). */
  notes?: string[];
}

export interface ReadPthOptions {
  /** Check every zip record's CRC-32 (default true; detects silent corruption of weights). */
  verifyCrc?: boolean;
}

/** Keys under which training scripts commonly wrap a state dict, in the order we look for them. */
const WRAPPER_KEYS = ['state_dict', 'model_state_dict', 'model', 'net', 'network', 'weights'];

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

export async function readPth(file: string, opts: ReadPthOptions = {}): Promise<PthContents> {
  return parsePth(await readWeightsFile(file), file, opts);
}

/** Same as readPth on bytes already in memory; `file` is only used in messages. */
export function parsePth(bytes: Uint8Array, file: string, opts: ReadPthOptions = {}): PthContents {
  if (os.endianness() !== 'LE') throw new WeightsError(file, 'reading checkpoints needs a little-endian machine');
  try {
    if (bytes.length === 0) throw new WeightsError(file, 'empty file');
    if (isZip(bytes)) return readZipPth(bytes, file, opts);
    // Legacy streams open with the magic-number pickle (PROTO 2..5, then LONG1 or a FRAME).
    if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1]! >= 2 && bytes[1]! <= 5) return readLegacyPth(bytes, file);
    throw new WeightsError(file, 'not a PyTorch checkpoint (neither a zip archive nor a legacy pickle stream)');
  } catch (err) {
    throw asWeightsError(file, err);
  }
}

function readZipPth(bytes: Uint8Array, file: string, opts: ReadPthOptions): PthContents {
  const entries = readZipDirectory(bytes);
  const pkls = [...entries.keys()].filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (pkls.length === 0) throw new WeightsError(file, 'zip archive without a data.pkl record (not a torch.save file)');
  if (pkls.length > 1) throw new WeightsError(file, `zip archive with several data.pkl records (${pkls.join(', ')})`);
  const root = pkls[0]!.slice(0, -'data.pkl'.length);
  const verifyCrc = opts.verifyCrc !== false;
  const byteorder = entries.get(`${root}byteorder`);
  if (byteorder) {
    const order = new TextDecoder().decode(readZipEntry(bytes, byteorder)).trim();
    if (order !== 'little') throw new WeightsError(file, `storages are ${order}-endian; only little-endian checkpoints are supported`);
  }
  const pkl = readZipEntry(bytes, entries.get(pkls[0]!)!);
  const storages = new Map<string, StorageRef>();
  const locations = new Set<string>();
  const { value, end } = unpickle(pkl, 0, torchHooks(storages, locations));
  if (end !== pkl.length) throw new WeightsError(file, `corrupt data.pkl: ${pkl.length - end} bytes after STOP`);
  for (const s of storages.values()) {
    const entry = entries.get(`${root}data/${s.key}`);
    if (!entry) throw new WeightsError(file, `zip archive lacks storage record '${root}data/${s.key}'`);
    // Sizes from the directory are checked before the record is read (and, if deflated, inflated).
    if (entry.size < s.numel * s.elementBytes) {
      throw new WeightsError(file, `storage record '${root}data/${s.key}' has ${entry.size} bytes, needs ${s.numel * s.elementBytes}`);
    }
    // torch.save writes each storage at exactly its size; a compressed record holding more would be inflated for nothing.
    if (entry.method !== 0 && entry.size > s.numel * s.elementBytes) {
      throw new WeightsError(file, `storage record '${root}data/${s.key}' inflates to ${entry.size} bytes but its storage needs ${s.numel * s.elementBytes}; refusing to inflate the rest`);
    }
    s.data = readZipEntry(bytes, entry, { verifyCrc });
  }
  return finish(value, 'zip', locations, file);
}

function readLegacyPth(bytes: Uint8Array, file: string): PthContents {
  const noGlobals = {
    isAllowed: (): boolean => false,
    call: (): PyValue => {
      throw new PickleError('unexpected call');
    },
  };
  const magic = unpickle(bytes, 0, noGlobals);
  if (magic.value !== LEGACY_MAGIC) throw new WeightsError(file, 'not a PyTorch legacy checkpoint (wrong magic number)');
  const proto = unpickle(bytes, magic.end, noGlobals);
  if (proto.value !== LEGACY_PROTOCOL) throw new WeightsError(file, `unsupported legacy protocol version ${String(proto.value)}`);
  const sys = unpickle(bytes, proto.end, noGlobals);
  if (sys.value instanceof PyDict && sys.value.get('little_endian') === false) {
    throw new WeightsError(file, 'storages are big-endian; only little-endian checkpoints are supported');
  }
  const storages = new Map<string, StorageRef>();
  const locations = new Set<string>();
  const obj = unpickle(bytes, sys.end, torchHooks(storages, locations));
  const keysP = unpickle(bytes, obj.end, noGlobals);
  const keys = keysP.value;
  if (!Array.isArray(keys) || !keys.every((k): k is string => typeof k === 'string')) {
    throw new WeightsError(file, `corrupt legacy checkpoint: storage key list is a ${pyTypeName(keys)}`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keysP.end;
  for (const key of keys) {
    const s = storages.get(key);
    // Without a tensor using it we cannot know its element size, hence where the next one starts.
    if (!s) throw new WeightsError(file, `corrupt legacy checkpoint: storage '${key}' is listed but used by no tensor`);
    if (pos + 8 > bytes.length) throw new WeightsError(file, `truncated: storage '${key}' header at byte ${pos} is past the end (${bytes.length} bytes)`);
    const count = dv.getBigInt64(pos, true);
    if (count < 0n || count > BigInt(Number.MAX_SAFE_INTEGER)) throw new WeightsError(file, `corrupt legacy checkpoint: storage '${key}' has element count ${count}`);
    const nbytes = Number(count) * s.elementBytes;
    pos += 8;
    if (pos + nbytes > bytes.length) {
      throw new WeightsError(file, `truncated: storage '${key}' needs ${nbytes} bytes at byte ${pos}, file has ${bytes.length}`);
    }
    s.data = bytes.subarray(pos, pos + nbytes);
    pos += nbytes;
  }
  for (const s of storages.values()) if (!s.data) throw new WeightsError(file, `corrupt legacy checkpoint: storage '${s.key}' is missing from the key list`);
  return finish(obj.value, 'legacy', locations, file);
}

function finish(value: PyValue, format: 'zip' | 'legacy', locations: Set<string>, file: string): PthContents {
  const notes: string[] = [];
  let sdValue: PyDict;
  let topLevelKeys: string[] = [];
  let stateDictKey: string | null = null;
  if (!(value instanceof PyDict)) throw new WeightsError(file, `checkpoint holds a ${pyTypeName(value)}, not a dict of tensors`);
  const isTensorDict = (d: PyDict): boolean => d.map.size > 0 && [...d.map.values()].some(isTensor);
  const wrapper = WRAPPER_KEYS.find((k) => {
    const v = value.get(k);
    return v instanceof PyDict && isTensorDict(v);
  });
  if (wrapper !== undefined) {
    sdValue = value.get(wrapper) as PyDict;
    stateDictKey = wrapper;
    topLevelKeys = [...value.map.keys()].map(String);
  } else if ([...value.map.values()].every(isTensor) && value.map.size > 0) {
    sdValue = value;
  } else {
    const keys = [...value.map.keys()].map(String).slice(0, 10).join(', ');
    throw new WeightsError(file, `no state dict found (top-level keys: ${keys || 'none'})`);
  }
  const stateDict: StateDict = new Map();
  const budget: GatherBudget = { bytes: 0 };
  let stripped = 0;
  for (const [rawKey, v] of sdValue.map) {
    const key = String(rawKey);
    if (!isTensor(v)) {
      notes.push(`skipped non-tensor state-dict entry '${key}' (${pyTypeName(v)})`);
      continue;
    }
    const name = key.startsWith('module.') ? key.slice('module.'.length) : key;
    if (name !== key) stripped++;
    if (stateDict.has(name)) throw new WeightsError(file, `duplicate state-dict key '${name}' after stripping 'module.'`);
    const t: StateTensor = materializeTensor(v.value, key, budget);
    stateDict.set(name, t);
  }
  if (stripped) notes.push(`stripped the 'module.' (DataParallel) prefix from ${stripped} keys`);
  const devices = [...locations].filter((l) => l !== 'cpu');
  if (devices.length) notes.push(`storages saved on ${devices.join(', ')} were loaded to CPU`);
  if (sdValue.map.size > 0 && stateDict.size === 0) throw new WeightsError(file, 'state dict holds no tensors');
  return { stateDict, format, topLevelKeys, stateDictKey, notes };
}
