import type { HeadShapes } from '../models/heads/headShapes';
import type { HeadSpec, ModelSpec, ResNetDepth, ShortcutType } from '../models/ModelSpec';
import { RESNET_BLOCKS, type BlockType } from '../models/resnet/resnetBlocks';
import { shapeOf } from '../models/heads/stateDictKeys';
import type { StateDict, StateTensor } from '../nn/StateDict';
import { compareWithSpec, formatMismatch } from './checkAgainstSpec';

export { checkAgainstSpec } from './checkAgainstSpec';

/**
 * Infer a Med3D model's architecture from its state dict alone: depth from the number of blocks
 * per stage, block type from conv3's presence, shortcut from downsample keys, base width and
 * input channels from conv1, pre-activation from bn1's width, head from the remaining keys.
 * Nothing about the file name or metadata is trusted.
 */
export interface InferredArchitecture {
  spec: ModelSpec;
  tensorCount: number;
  /** Things the user should know: unrecognised keys, parameter count, odd shapes. */
  notes: string[];
}

function countBlocks(sd: StateDict, layer: number): number {
  const seen = new Set<number>();
  const re = new RegExp(`^layer${layer}\\.(\\d+)\\.`);
  for (const k of sd.keys()) {
    const m = re.exec(k);
    if (m) seen.add(Number(m[1]));
  }
  // Indices must be 0..n-1; a gap means a damaged or hand-edited file.
  for (let i = 0; i < seen.size; i++) if (!seen.has(i)) throw new Error(`layer${layer} block indices are not contiguous (block ${i} missing)`);
  return seen.size;
}

export function parameterCount(sd: StateDict): number {
  let n = 0;
  for (const [k, t] of sd) if (!/running_(mean|var)$|num_batches_tracked$/.test(k)) n += t.data.length;
  return n;
}

function requireShape(sd: StateDict, key: string, rank: number): number[] {
  const t: StateTensor | undefined = sd.get(key);
  if (!t) throw new Error(`not a Med3D/MedicalNet 3D ResNet: no '${key}' tensor`);
  if (t.shape.length !== rank) throw new Error(`'${key}' has shape [${t.shape.join(',')}], expected ${rank} dimensions`);
  return t.shape;
}

/** `heads` (createHeadShapes(), or a whole createHeadRegistry()) recognises the head from the keys outside the backbone, first match in its order. */
export function inferArchitecture(heads: HeadShapes, sd: StateDict): InferredArchitecture {
  const conv1 = requireShape(sd, 'conv1.weight', 5);
  const [baseWidth, inChannels] = conv1 as [number, number];
  if (conv1[2] !== 7 || conv1[3] !== 7 || conv1[4] !== 7) throw new Error(`'conv1.weight' has a ${conv1.slice(2).join('x')} kernel, MedicalNet uses 7x7x7`);
  const block: BlockType = sd.has('layer1.0.conv3.weight') ? 'bottleneck' : 'basic';
  const counts = [1, 2, 3, 4].map((l) => countBlocks(sd, l));
  const entry = (Object.entries(RESNET_BLOCKS) as [string, (typeof RESNET_BLOCKS)[ResNetDepth]][]).find(
    ([, v]) => v.block === block && v.counts.every((c, i) => c === counts[i]),
  );
  if (!entry) throw new Error(`no 3D ResNet depth has ${block} blocks per stage [${counts.join(',')}] (known: ${Object.entries(RESNET_BLOCKS).map(([d, v]) => `${d}:${v.block}[${v.counts.join(',')}]`).join(' ')})`);
  const depth = Number(entry[0]) as ResNetDepth;
  const shortcut: ShortcutType = [...sd.keys()].some((k) => /^layer[1-4]\.\d+\.downsample\./.test(k)) ? 'B' : 'A';
  // Post-activation bn1 normalises conv1's output (planes); pre-activation bn1 normalises the
  // block input (inplanes). layer2.0 is the first block where the two differ for both block types.
  const planes2 = baseWidth * 2;
  const bn1 = shapeOf(sd, 'layer2.0.bn1.weight');
  const preActivation = bn1 !== undefined && bn1[0] !== planes2;
  const backbone = { depth, shortcut, baseWidth, preActivation, inChannels };
  const notes: string[] = [];
  let head: HeadSpec = { kind: 'none' };
  let headKeys: string[] = [];
  for (const k of heads.kinds) {
    const got = k.recognize(sd);
    if (got) {
      head = got.head;
      headKeys = got.keys;
      break;
    }
  }
  const spec: ModelSpec = { backbone, head };
  // Check everything against the layout this spec implies: inference must explain every key.
  const m = compareWithSpec(sd, spec);
  // Files saved before PyTorch 0.4.1 have no num_batches_tracked; PyTorch fills them with 0 on
  // load (BatchNorm _version < 2), and so does loadWeights.
  const missingCounters = m.missing.filter((k) => k.endsWith('.num_batches_tracked'));
  if (missingCounters.length) {
    m.missing = m.missing.filter((k) => !k.endsWith('.num_batches_tracked'));
    notes.push(`${missingCounters.length} BatchNorm num_batches_tracked buffers missing (pre-0.4.1 file); they load as 0`);
  }
  const claimed = new Set(headKeys);
  // Stray backbone or head keys mean the inference is wrong; keys of no known module are only reported.
  const unexplained = m.unexpected.filter((k) => claimed.has(k) || /^(conv1|bn1|layer[1-4])\./.test(k));
  const extra = [...sd.keys()].filter((k) => !/^(conv1|bn1|layer[1-4])\./.test(k) && !claimed.has(k));
  if (m.missing.length || m.wrongShape.length || m.wrongDType.length || unexplained.length) {
    throw new Error(`looks like ${depth}-layer ${block} ResNet but ${formatMismatch({ ...m, unexpected: unexplained })}`);
  }
  if (extra.length) {
    const prefixes = [...new Set(extra.map((k) => k.split('.')[0]!))];
    notes.push(`unrecognised extra keys (not used by any known head): ${prefixes.map((p) => `${p}.* (${extra.filter((k) => k.split('.')[0] === p).length})`).join(', ')}`);
  }
  if (head.kind === 'dense-aspp' || head.kind === 'liver-two-stage') notes.push(`DenseASPP dilation rates are not stored in weights; assuming [${head.rates.join(', ')}]`);
  if (head.kind === 'none') notes.push('encoder only: no head weights (a new head is initialised for fine-tuning)');
  return { spec, tensorCount: sd.size, notes };
}
