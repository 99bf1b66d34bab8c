import type { BackboneSpec, HeadSpec, ModelSpec } from '../models/ModelSpec';
import type { TensorDType } from '../nn/StateDict';
import { RESNET_BLOCKS, encoderChannels, expansionOf } from '../models/resnet/resnetBlocks';

/**
 * The PyTorch state-dict layout of MedicalNet's 3D ResNets (models/resnet.py in
 * github.com/Tencent/MedicalNet), derived from a ModelSpec: every key, in registration order,
 * with its shape. Used to check a checkpoint against an architecture without building a model.
 */
export interface ExpectedTensor {
  shape: number[];
  dtype: TensorDType;
}
export type ExpectedLayout = Map<string, ExpectedTensor>;

function conv(out: ExpectedLayout, name: string, o: number, i: number, k: number, bias = false): void {
  out.set(`${name}.weight`, { shape: [o, i, k, k, k], dtype: 'float32' });
  if (bias) out.set(`${name}.bias`, { shape: [o], dtype: 'float32' });
}
function bn(out: ExpectedLayout, name: string, c: number): void {
  for (const p of ['weight', 'bias', 'running_mean', 'running_var']) out.set(`${name}.${p}`, { shape: [c], dtype: 'float32' });
  out.set(`${name}.num_batches_tracked`, { shape: [], dtype: 'int64' });
}

export function backboneLayout(b: BackboneSpec, out: ExpectedLayout = new Map()): ExpectedLayout {
  const { block, counts } = RESNET_BLOCKS[b.depth];
  const exp = expansionOf(block);
  const w = b.baseWidth;
  conv(out, 'conv1', w, b.inChannels, 7);
  bn(out, 'bn1', w);
  let inplanes = w;
  for (let li = 0; li < 4; li++) {
    const planes = w * 2 ** li;
    const stride = li === 1 ? 2 : 1;
    for (let bi = 0; bi < counts[li]!; bi++) {
      const p = `layer${li + 1}.${bi}`;
      // Pre-activation blocks normalise their input, so bn1 sees inplanes channels (He et al. 2016).
      if (block === 'basic') {
        conv(out, `${p}.conv1`, planes, inplanes, 3);
        bn(out, `${p}.bn1`, b.preActivation ? inplanes : planes);
        conv(out, `${p}.conv2`, planes, planes, 3);
        bn(out, `${p}.bn2`, planes);
      } else {
        conv(out, `${p}.conv1`, planes, inplanes, 1);
        bn(out, `${p}.bn1`, b.preActivation ? inplanes : planes);
        conv(out, `${p}.conv2`, planes, planes, 3);
        bn(out, `${p}.bn2`, planes);
        conv(out, `${p}.conv3`, planes * exp, planes, 1);
        bn(out, `${p}.bn3`, b.preActivation ? planes : planes * exp);
      }
      if (bi === 0 && b.shortcut === 'B' && (stride !== 1 || inplanes !== planes * exp)) {
        conv(out, `${p}.downsample.0`, planes * exp, inplanes, 1);
        bn(out, `${p}.downsample.1`, planes * exp);
      }
      inplanes = planes * exp;
    }
  }
  return out;
}

/** MedicalNet's conv_seg head: ConvTranspose3d(k2,s2,bias) → BN → ReLU → Conv 3³ → BN → ReLU → Conv 1³. */
function medicalnetSegLayout(inChannels: number, hidden: number, classes: number, out: ExpectedLayout = new Map()): ExpectedLayout {
  // ConvTranspose3d weights are (in, out, k, k, k).
  out.set('conv_seg.0.weight', { shape: [inChannels, hidden, 2, 2, 2], dtype: 'float32' });
  out.set('conv_seg.0.bias', { shape: [hidden], dtype: 'float32' });
  bn(out, 'conv_seg.1', hidden);
  conv(out, 'conv_seg.3', hidden, hidden, 3);
  bn(out, 'conv_seg.4', hidden);
  conv(out, 'conv_seg.6', classes, hidden, 1);
  return out;
}

/**
 * Head layouts, mirroring the heads in models/heads (names and bias choices are theirs; the test
 * resnetLayout.test.ts checks them against buildModel so the two cannot drift apart).
 */
function headLayout(head: HeadSpec, inChannels: number, out: ExpectedLayout = new Map()): ExpectedLayout {
  switch (head.kind) {
    case 'none':
      break;
    case 'medicalnet-seg':
      medicalnetSegLayout(inChannels, head.hidden, head.classes, out);
      break;
    case 'lung-decoder': {
      // decoder.<g>.0 ConvTranspose3d 3³ (no bias), .1 BN, .3 Conv3d 3³, .4 BN; decoder_out 1³ + bias.
      let c = inChannels;
      head.channels.forEach((w, g) => {
        out.set(`decoder.${g}.0.weight`, { shape: [c, w, 3, 3, 3], dtype: 'float32' });
        bn(out, `decoder.${g}.1`, w);
        conv(out, `decoder.${g}.3`, w, w, 3);
        bn(out, `decoder.${g}.4`, w);
        c = w;
      });
      conv(out, 'decoder_out', head.classes, c, 1, true);
      break;
    }
    case 'classifier':
      out.set('fc.weight', { shape: [head.classes, inChannels], dtype: 'float32' });
      out.set('fc.bias', { shape: [head.classes], dtype: 'float32' });
      break;
    case 'liver-coarse':
      conv(out, 'coarse_seg', head.classes, inChannels, 1, true);
      break;
    case 'dense-aspp': {
      let c = inChannels;
      head.rates.forEach((_r, i) => {
        conv(out, `aspp.${i}.conv1`, 2 * head.growth, c, 1);
        bn(out, `aspp.${i}.bn1`, 2 * head.growth);
        conv(out, `aspp.${i}.conv2`, head.growth, 2 * head.growth, 3);
        bn(out, `aspp.${i}.bn2`, head.growth);
        c += head.growth;
      });
      conv(out, 'aspp_seg', head.classes, c, 1, true);
      break;
    }
    case 'liver-two-stage':
      // Same keys as a liver-coarse head followed by a dense-aspp head (LiverTwoStageHead).
      headLayout({ kind: 'liver-coarse', classes: head.classes }, inChannels, out);
      headLayout({ kind: 'dense-aspp', classes: head.classes, growth: head.growth, rates: head.rates }, inChannels, out);
      break;
    case 'multi-domain':
      head.classesPerDomain.forEach((k, i) => conv(out, `branches.${i}`, k, inChannels, 1, true));
      break;
  }
  return out;
}

/** Expected layout of a whole model (backbone then head, PyTorch registration order). */
export function modelLayout(spec: ModelSpec): { layout: ExpectedLayout; headKnown: boolean } {
  const layout = backboneLayout(spec.backbone);
  headLayout(spec.head, encoderChannels(spec.backbone), layout);
  return { layout, headKnown: true };
}
