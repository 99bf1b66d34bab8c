import * as tf from '@tensorflow/tfjs-core';
import { backward, withGrad, type Var } from '../nn/autograd/Var';
import type { Med3dModel, ModelOutput } from '../models/Med3dModel';

export interface GradientResult {
  /** Scalar loss value. */
  loss: number;
  /** d(loss)/d(param) in tfjs layout, by PyTorch parameter name. Parameters the loss does not
   * reach (frozen, or another domain's branch) are absent, as PyTorch leaves their .grad None. */
  grads: Map<string, tf.Tensor>;
  /** The head output of this forward (only when `keepLogits`). */
  logits?: tf.Tensor;
}

export interface GradientOptions {
  /** Train-mode BN (batch stats + running-stat update); default true. */
  training?: boolean;
  domain?: number;
  keepLogits?: boolean;
}

/**
 * One forward + backward: `lossFn` maps the model output to a scalar loss Var. Everything
 * intermediate is freed before returning; the caller owns (and must dispose) the gradients.
 */
export function computeGradients(
  model: Med3dModel,
  x: tf.Tensor5D,
  lossFn: (out: ModelOutput) => Var,
  opts: GradientOptions = {},
): GradientResult {
  const params = model.parameters().filter(([, p]) => !p.frozen);
  const kept = tf.tidy(() =>
    withGrad(true, () => {
      const out = model.forward(x, { training: opts.training ?? true, domain: opts.domain });
      const loss = lossFn(out);
      if (loss.value.size !== 1) throw new Error(`loss must be a scalar, got shape [${loss.shape.join(',')}]`);
      const leafGrads = backward(loss);
      const res: Record<string, tf.Tensor> = { '@loss': loss.value };
      if (opts.keepLogits && out.logits) res['@logits'] = out.logits.value;
      for (const [name, p] of params) {
        const g = leafGrads.get(p.var);
        if (g) res[name] = g;
      }
      return res;
    }),
  );
  const loss = kept['@loss'].dataSync()[0];
  kept['@loss'].dispose();
  const logits = kept['@logits'];
  const grads = new Map<string, tf.Tensor>();
  for (const [name] of params) if (kept[name]) grads.set(name, kept[name]);
  return { loss, grads, logits };
}
