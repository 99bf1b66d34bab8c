import type { HeadSpec, ModelSpec } from '../models/ModelSpec';
import { RESNET_BLOCKS } from './resnetLayout';

/** Check untrusted JSON (a checkpoint's metadata) really is a ModelSpec; throws naming the bad field. */
export function validateModelSpec(v: unknown): ModelSpec {
  const o = v as { backbone?: Record<string, unknown>; head?: Record<string, unknown> } | null;
  if (typeof o !== 'object' || o === null || typeof o.backbone !== 'object' || o.backbone === null || typeof o.head !== 'object' || o.head === null) {
    throw new Error('model spec must have a backbone and a head');
  }
  const b = o.backbone;
  const posInt = (x: unknown): x is number => Number.isInteger(x) && (x as number) > 0;
  if (!Object.hasOwn(RESNET_BLOCKS, String(b.depth)) || typeof b.depth !== 'number') throw new Error(`model spec: unknown depth ${String(b.depth)}`);
  if (b.shortcut !== 'A' && b.shortcut !== 'B') throw new Error(`model spec: shortcut must be 'A' or 'B', got ${String(b.shortcut)}`);
  if (!posInt(b.baseWidth)) throw new Error('model spec: baseWidth must be a positive integer');
  if (!posInt(b.inChannels)) throw new Error('model spec: inChannels must be a positive integer');
  if (typeof b.preActivation !== 'boolean') throw new Error('model spec: preActivation must be a boolean');
  const h = o.head;
  const ints = (x: unknown): x is number[] => Array.isArray(x) && x.every(posInt);
  const bad = (field: string): never => {
    throw new Error(`model spec: ${String(h.kind)} head needs ${field}`);
  };
  switch (h.kind) {
    case 'none':
      break;
    case 'medicalnet-seg':
      if (!posInt(h.classes) || !posInt(h.hidden)) bad('positive integer classes and hidden');
      break;
    case 'lung-decoder':
      if (!posInt(h.classes) || !ints(h.channels) || h.channels.length !== 3) bad('classes and three channels');
      break;
    case 'classifier':
    case 'liver-coarse':
      if (!posInt(h.classes)) bad('positive integer classes');
      break;
    case 'dense-aspp':
    case 'liver-two-stage':
      if (!posInt(h.classes) || !posInt(h.growth) || !ints(h.rates)) bad('classes, growth and rates');
      break;
    case 'multi-domain':
      if (!ints(h.classesPerDomain) || h.classesPerDomain.length === 0) bad('classesPerDomain');
      break;
    default:
      throw new Error(`model spec: unknown head kind ${String(h.kind)}`);
  }
  return v as ModelSpec & { head: HeadSpec };
}
