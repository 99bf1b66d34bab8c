import type { ModelSpec } from '../models/ModelSpec';
import type { StateDict } from '../nn/StateDict';
import { RESNET_BLOCKS } from '../models/resnet/resnetBlocks';
import { modelLayout } from './resnetLayout';

/**
 * Compare a state dict with the layout a ModelSpec implies. Throws one line naming the missing,
 * unexpected and wrong-shape keys (first few of each, plus counts) so a user sees at once
 * whether they picked the wrong depth, width, shortcut or head.
 */
export interface SpecMismatch {
  missing: string[];
  unexpected: string[];
  wrongShape: { key: string; shape: number[]; expected: number[] }[];
  wrongDType: { key: string; dtype: string; expected: string }[];
}

export function describeSpec(spec: ModelSpec): string {
  const b = spec.backbone;
  const block = RESNET_BLOCKS[b.depth].block;
  const head =
    spec.head.kind === 'none'
      ? 'encoder only'
      : spec.head.kind === 'medicalnet-seg'
        ? `medicalnet-seg head (${spec.head.classes} classes, ${spec.head.hidden} hidden)`
        : `${spec.head.kind} head`;
  return `${b.preActivation ? 'pre-activation ' : ''}ResNet-${b.depth} (${block}, shortcut ${b.shortcut}, width ${b.baseWidth}, ${b.inChannels} input channel${b.inChannels === 1 ? '' : 's'}) + ${head}`;
}

export function compareWithSpec(sd: StateDict, spec: ModelSpec): SpecMismatch {
  const { layout, headKnown } = modelLayout(spec);
  const out: SpecMismatch = { missing: [], unexpected: [], wrongShape: [], wrongDType: [] };
  for (const [key, exp] of layout) {
    const t = sd.get(key);
    if (!t) {
      out.missing.push(key);
      continue;
    }
    if (t.shape.length !== exp.shape.length || t.shape.some((d, i) => d !== exp.shape[i])) out.wrongShape.push({ key, shape: t.shape, expected: exp.shape });
    else if (t.dtype !== exp.dtype) out.wrongDType.push({ key, dtype: t.dtype, expected: exp.dtype });
  }
  // A head this module does not lay out itself is checked by the model builder; its keys are
  // everything outside the backbone, so only backbone-looking strays count as unexpected then.
  const backboneKey = /^(conv1|bn1|layer[1-4])\./;
  for (const key of sd.keys()) {
    if (layout.has(key)) continue;
    if (headKnown || backboneKey.test(key)) out.unexpected.push(key);
  }
  return out;
}

const list = (xs: string[], n = 4): string => (xs.length <= n ? xs.join(', ') : `${xs.slice(0, n).join(', ')} … (+${xs.length - n} more)`);
const shp = (s: number[]): string => `[${s.join(',')}]`;

export function formatMismatch(m: SpecMismatch): string {
  const parts: string[] = [];
  if (m.missing.length) parts.push(`${m.missing.length} missing key${m.missing.length > 1 ? 's' : ''} (${list(m.missing)})`);
  if (m.unexpected.length) parts.push(`${m.unexpected.length} unexpected key${m.unexpected.length > 1 ? 's' : ''} (${list(m.unexpected)})`);
  if (m.wrongShape.length) {
    parts.push(`${m.wrongShape.length} wrong shape${m.wrongShape.length > 1 ? 's' : ''} (${list(m.wrongShape.map((w) => `${w.key} ${shp(w.shape)} expected ${shp(w.expected)}`), 3)})`);
  }
  if (m.wrongDType.length) parts.push(`${m.wrongDType.length} wrong dtype${m.wrongDType.length > 1 ? 's' : ''} (${list(m.wrongDType.map((w) => `${w.key} ${w.dtype} expected ${w.expected}`), 3)})`);
  return parts.join('; ');
}

/** Throws `weights do not match <spec>: <mismatches>` unless every key and shape fits. */
export function checkAgainstSpec(sd: StateDict, spec: ModelSpec): void {
  const m = compareWithSpec(sd, spec);
  if (m.missing.length || m.unexpected.length || m.wrongShape.length || m.wrongDType.length) {
    throw new Error(`weights do not match ${describeSpec(spec)}: ${formatMismatch(m)}`);
  }
}
