import * as tf from '@tensorflow/tfjs-core';

/**
 * A minimal reverse-mode autograd on top of tfjs tensors. tfjs-core's Node bundle registers no
 * gradients and several of the ones it has refuse Med3D's geometry (5-D batch norm, dilated
 * conv, conv transpose), so every differentiable op here states its own backward, calling the
 * active KernelProvider for the hot ones.
 *
 * Memory: a Var only references tensors; run forward + backward inside tf.tidy (see
 * train/computeGradients) so intermediates and saved tensors are freed together.
 */
export type BackwardFn = (grad: tf.Tensor) => (tf.Tensor | null)[];

let gradEnabled = false;

export class Var {
  constructor(
    readonly value: tf.Tensor,
    readonly requiresGrad = false,
    readonly parents: readonly Var[] = [],
    readonly backwardFn: BackwardFn | null = null,
  ) {}

  get shape(): number[] {
    return this.value.shape;
  }
}

/** Whether ops currently record the graph. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run `fn` with graph recording on (training) or off (inference), restoring the previous mode. */
export function withGrad<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** A constant (no gradient). */
export function constant(t: tf.Tensor): Var {
  return new Var(t);
}

/**
 * Build an op's output Var. `backward` receives d(loss)/d(output) and returns one gradient per
 * parent (null where none is needed); it is only kept when recording and a parent needs it.
 */
export function op(value: tf.Tensor, parents: readonly Var[], backward: BackwardFn): Var {
  if (!gradEnabled || !parents.some((p) => p.requiresGrad)) return new Var(value);
  return new Var(value, true, parents, backward);
}

/**
 * Back-propagate from `root` (a scalar unless `seed` is given) and return d(root)/d(leaf) for
 * every leaf that requires grad. Intermediate gradients are disposed as soon as consumed.
 */
export function backward(root: Var, seed?: tf.Tensor): Map<Var, tf.Tensor> {
  const order: Var[] = [];
  const seen = new Set<Var>();
  // Iterative post-order DFS: ResNet-200 graphs are deeper than a safe recursion depth.
  const stack: [Var, number][] = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [v, i] = top;
    if (i === 0) {
      if (seen.has(v)) {
        stack.pop();
        continue;
      }
      seen.add(v);
    }
    if (i < v.parents.length) {
      top[1] = i + 1;
      const p = v.parents[i];
      if (p.requiresGrad && !seen.has(p)) stack.push([p, 0]);
    } else {
      stack.pop();
      order.push(v);
    }
  }
  const grads = new Map<Var, tf.Tensor>();
  grads.set(root, seed ?? tf.onesLike(root.value));
  const leaves = new Map<Var, tf.Tensor>();
  for (let k = order.length - 1; k >= 0; k--) {
    const v = order[k];
    const g = grads.get(v);
    if (!g) continue;
    if (!v.backwardFn) {
      leaves.set(v, g);
      continue;
    }
    // Ops may hand back `g` itself or one tensor for several parents; clone so each stored
    // gradient owns its handle and can be disposed independently.
    const pg = v.backwardFn(g).map((t, j, arr) => (t && (t === g || arr.indexOf(t) < j) ? tf.clone(t) : t));
    grads.delete(v);
    if (g !== seed) g.dispose();
    v.parents.forEach((p, j) => {
      const gj = pg[j];
      if (!gj) return;
      if (!p.requiresGrad) {
        gj.dispose();
        return;
      }
      const prev = grads.get(p);
      if (prev) {
        grads.set(p, tf.add(prev, gj));
        prev.dispose();
        gj.dispose();
      } else grads.set(p, gj);
    });
  }
  return leaves;
}
