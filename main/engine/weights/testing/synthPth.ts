import { zipSync } from 'fflate';
import { PickleWriter } from '../pickle/PickleWriter';

/**
 * Builders for small synthetic torch.save files (zip and legacy) whose tensors, storages, offsets and
 * strides a test chooses freely, so readers can be fed both normal and hostile checkpoints.
 */
export const f32 = (xs: number[]): Uint8Array => new Uint8Array(new Float32Array(xs).buffer);

export interface SynthTensor {
  name: string;
  key: string;
  cls: string;
  numel: number;
  offset: number;
  size: number[];
  stride: number[];
  location?: string;
}

/** The object pickle torch.save writes: {'state_dict': OrderedDict(name → _rebuild_tensor_v2(...))}. */
export function objectPickle(tensors: SynthTensor[], opts: { legacy: boolean; wrap?: boolean; extra?: (w: PickleWriter) => void }): Uint8Array {
  const w = new PickleWriter().proto(2);
  if (opts.wrap !== false) w.emptyDict().put().str('state_dict');
  w.global('collections', 'OrderedDict').emptyTuple().reduce().put().mark();
  for (const t of tensors) {
    w.str(t.name).global('torch._utils', '_rebuild_tensor_v2').mark().mark().str('storage').global('torch', t.cls).str(t.key).str(t.location ?? 'cpu').int(t.numel);
    if (opts.legacy) w.none();
    w.tuple().binpersid().int(t.offset).intTuple(t.size).intTuple(t.stride).bool(false).global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce();
  }
  w.setitems();
  opts.extra?.(w);
  if (opts.wrap !== false) w.setitem();
  return w.stop().finish();
}

export function zipPth(pkl: Uint8Array, storages: Record<string, Uint8Array>): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = { 'arch/data.pkl': [pkl, { level: 0 }] };
  for (const [k, v] of Object.entries(storages)) files[`arch/data/${k}`] = [v, { level: 0 }];
  files['arch/version'] = [new TextEncoder().encode('3\n'), { level: 0 }];
  return zipSync(files);
}

export function legacyPth(pkl: Uint8Array, storages: [string, Uint8Array, number][]): Uint8Array {
  const magic = new PickleWriter().proto(2).int(0x1950a86a20f9469cfc6cn).stop().finish();
  const proto = new PickleWriter().proto(2).int(1001).stop().finish();
  const sys = new PickleWriter().proto(2).emptyDict().str('little_endian').bool(true).setitem().stop().finish();
  const keys = new PickleWriter().proto(2).emptyList().mark();
  for (const [k] of storages) keys.str(k);
  const parts: Uint8Array[] = [magic, proto, sys, pkl, keys.appends().stop().finish()];
  for (const [, data, elementBytes] of storages) {
    const count = new Uint8Array(8);
    new DataView(count.buffer).setBigInt64(0, BigInt(data.length / elementBytes), true);
    parts.push(count, data);
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

