import type { HeadSpec, ModelSpec, ResNetDepth, ShortcutType } from '../models/ModelSpec';
import type { StateDict, StateTensor } from '../nn/StateDict';
import { compareWithSpec, formatMismatch } from './checkAgainstSpec';
import { RESNET_BLOCKS, encoderChannels, type BlockType } from './resnetLayout';

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

/** Recognises one head kind from the keys outside the backbone; returns the keys it claims. */
export interface HeadRecognizer {
  kind: HeadSpec['kind'];
  recognize(sd: StateDict, encoderChannels: number): { head: HeadSpec; keys: string[] } | undefined;
}

const shapeOf = (sd: StateDict, key: string): number[] | undefined => sd.get(key)?.shape;

/** MedicalNet conv_seg: conv_seg.0 ConvTranspose3d (in, hidden, 2,2,2) … conv_seg.6 Conv3d (classes, hidden, 1,1,1). */
const medicalnetSeg: HeadRecognizer = {
  kind: 'medicalnet-seg',
  recognize(sd) {
    const t = shapeOf(sd, 'conv_seg.0.weight');
    const last = shapeOf(sd, 'conv_seg.6.weight');
    if (!t || !last || t.length !== 5 || last.length !== 5) return undefined;
    return { head: { kind: 'medicalnet-seg', classes: last[0]!, hidden: t[1]! }, keys: [...sd.keys()].filter((k) => k.startsWith('conv_seg.')) };
  },
};

const keysWithPrefix = (sd: StateDict, prefix: string): string[] => [...sd.keys()].filter((k) => k.startsWith(prefix));

/** Indices i for which `<prefix><i>.` keys exist, checked to be 0..n-1. */
function indexedGroups(sd: StateDict, prefix: string): number {
  const seen = new Set<number>();
  const esc = prefix.replace(/\./g, '\\.');
  const re = new RegExp(`^${esc}(\\d+)\\.`);
  for (const k of sd.keys()) {
    const m = re.exec(k);
    if (m) seen.add(Number(m[1]));
  }
  for (let i = 0; i < seen.size; i++) if (!seen.has(i)) return 0;
  return seen.size;
}

/** Paper's lung decoder (models/heads/LungDecoderHead): decoder.<g>.0 ConvT … decoder_out. */
const lungDecoder: HeadRecognizer = {
  kind: 'lung-decoder',
  recognize(sd) {
    const out = shapeOf(sd, 'decoder_out.weight');
    if (!out || indexedGroups(sd, 'decoder.') !== 3) return undefined;
    const channels = [0, 1, 2].map((g) => shapeOf(sd, `decoder.${g}.0.weight`)?.[1]);
    if (channels.some((c) => c === undefined)) return undefined;
    return { head: { kind: 'lung-decoder', classes: out[0]!, channels: channels as [number, number, number] }, keys: [...keysWithPrefix(sd, 'decoder.'), ...keysWithPrefix(sd, 'decoder_out.')] };
  },
};

/** Nodule classifier (models/heads/ClassifierHead): global average pool + fc. */
const classifier: HeadRecognizer = {
  kind: 'classifier',
  recognize(sd) {
    const w = shapeOf(sd, 'fc.weight');
    if (!w || w.length !== 2) return undefined;
    return { head: { kind: 'classifier', classes: w[0]! }, keys: keysWithPrefix(sd, 'fc.') };
  },
};

/** Liver coarse stage (models/heads/UpsampledConvHead): coarse_seg 1³ conv. */
const liverCoarse: HeadRecognizer = {
  kind: 'liver-coarse',
  recognize(sd) {
    const w = shapeOf(sd, 'coarse_seg.weight');
    if (!w || w.length !== 5) return undefined;
    return { head: { kind: 'liver-coarse', classes: w[0]! }, keys: keysWithPrefix(sd, 'coarse_seg.') };
  },
};

/** DenseASPP's usual dilation rates (Yang et al. 2018); rates are not stored in weights. */
export const DEFAULT_ASPP_RATES = [3, 6, 12, 18, 24];

/** Liver fine stage (models/heads/DenseAsppHead): aspp.<i>.conv1/bn1/conv2/bn2 + aspp_seg. */
const denseAspp: HeadRecognizer = {
  kind: 'dense-aspp',
  recognize(sd) {
    const out = shapeOf(sd, 'aspp_seg.weight');
    const n = indexedGroups(sd, 'aspp.');
    const c2 = shapeOf(sd, 'aspp.0.conv2.weight');
    if (!out || !n || !c2) return undefined;
    const rates = Array.from({ length: n }, (_, i) => DEFAULT_ASPP_RATES[i] ?? DEFAULT_ASPP_RATES.at(-1)! + 6 * (i - DEFAULT_ASPP_RATES.length + 1));
    return { head: { kind: 'dense-aspp', classes: out[0]!, growth: c2[0]!, rates }, keys: [...keysWithPrefix(sd, 'aspp.'), ...keysWithPrefix(sd, 'aspp_seg.')] };
  },
};

/** Multi-domain pretraining (models/heads/MultiDomainHead): branches.<i> 1³ convs. */
const multiDomain: HeadRecognizer = {
  kind: 'multi-domain',
  recognize(sd) {
    const n = indexedGroups(sd, 'branches.');
    if (!n) return undefined;
    const classes = Array.from({ length: n }, (_, i) => shapeOf(sd, `branches.${i}.weight`)?.[0]);
    if (classes.some((c) => c === undefined)) return undefined;
    return { head: { kind: 'multi-domain', classesPerDomain: classes as number[] }, keys: keysWithPrefix(sd, 'branches.') };
  },
};

const headRecognizers: HeadRecognizer[] = [medicalnetSeg, lungDecoder, classifier, liverCoarse, denseAspp, multiDomain];

/** Let model code teach inference about more heads (lung decoder, classifier, …) without editing this file. */
export function registerHeadRecognizer(r: HeadRecognizer): void {
  const i = headRecognizers.findIndex((x) => x.kind === r.kind);
  if (i >= 0) headRecognizers[i] = r;
  else headRecognizers.push(r);
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

export function inferArchitecture(sd: StateDict): InferredArchitecture {
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
  const encC = encoderChannels(backbone);
  let head: HeadSpec = { kind: 'none' };
  let headKeys: string[] = [];
  for (const r of headRecognizers) {
    const got = r.recognize(sd, encC);
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
  if (head.kind === 'dense-aspp') notes.push(`DenseASPP dilation rates are not stored in weights; assuming [${head.rates.join(', ')}]`);
  if (head.kind === 'none') notes.push('encoder only: no head weights (a new head is initialised for fine-tuning)');
  return { spec, tensorCount: sd.size, notes };
}
