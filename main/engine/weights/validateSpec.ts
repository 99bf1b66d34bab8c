import type { HeadShapes } from '../models/heads/headShapes';
import type { ModelSpec } from '../models/ModelSpec';
import { RESNET_BLOCKS } from '../models/resnet/resnetBlocks';

/** Check untrusted JSON (a checkpoint's metadata) really is a ModelSpec whose head `heads` knows; throws naming the bad field. */
export function validateModelSpec(v: unknown, heads: HeadShapes): ModelSpec {
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
  if (h.kind === 'none') return v as ModelSpec;
  const kind = heads.kinds.find((k) => k.kind === h.kind);
  if (!kind) throw new Error(`model spec: unknown head kind ${String(h.kind)}`);
  try {
    kind.validate(h);
  } catch (err) {
    throw new Error(`model spec: ${(err as Error).message}`);
  }
  return v as ModelSpec;
}
