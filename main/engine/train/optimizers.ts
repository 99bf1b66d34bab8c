import * as tf from '@tensorflow/tfjs-core';
import { getKernels } from '../nn/kernels/registry';
import { tfjsToTorch, torchToTfjs, type Param } from '../nn/layers/Param';
import type { Med3dModel } from '../models/Med3dModel';
import type { JsonValue } from '../weights/checkpoint';
import type { StateDict } from '../nn/StateDict';

/**
 * Adam and SGD with PyTorch's update rules and parameter groups (each group its own learning
 * rate, e.g. MedicalNet's new head at 100× the encoder's). Parameters without a gradient in a
 * step are skipped, as PyTorch skips `.grad is None`.
 */
export interface AdamConfig {
  kind: 'adam';
  lr: number;
  /** Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient (torch Adam `weight_decay`), default 0. */
  weightDecay?: number;
}

export interface SgdConfig {
  kind: 'sgd';
  lr: number;
  /** Default 0. */
  momentum?: number;
  /** Default 0. */
  dampening?: number;
  /** Default 0. */
  weightDecay?: number;
  nesterov?: boolean;
}

export type OptimizerConfig = AdamConfig | SgdConfig;

export interface ParamGroup {
  name: string;
  /** Learning-rate multiplier relative to the optimizer's lr. */
  lrScale: number;
  params: [string, Param][];
}

/**
 * MedicalNet's fine-tuning groups: encoder at the base LR, everything else (the new head) at
 * `headLrScale` × (default 100). Frozen parameters are left out.
 */
export function medicalNetParamGroups(model: Med3dModel, headLrScale = 100): ParamGroup[] {
  const live = (ps: [string, Param][]): [string, Param][] => ps.filter(([, p]) => !p.frozen);
  return [
    { name: 'encoder', lrScale: 1, params: live(model.encoderParameters()) },
    { name: 'head', lrScale: headLrScale, params: live(model.headParameters()) },
  ].filter((g) => g.params.length > 0);
}

export class Optimizer {
  private readonly state = new Map<string, { step: number; bufs: Record<string, tf.Tensor> }>();
  /** Optimizer steps taken (global step). */
  stepCount = 0;

  constructor(
    readonly config: OptimizerConfig,
    readonly groups: ParamGroup[],
  ) {
    if (!(config.lr > 0)) throw new Error(`learning rate must be > 0, got ${config.lr}`);
  }

  /** Apply one update with `lrFactor` × each group's learning rate (from a schedule). */
  step(grads: Map<string, tf.Tensor>, lrFactor = 1): void {
    this.stepCount += 1;
    for (const g of this.groups) {
      const lr = this.config.lr * g.lrScale * lrFactor;
      for (const [name, p] of g.params) {
        const grad = grads.get(name);
        if (!grad || p.frozen) continue;
        this.update(name, p, grad, lr);
      }
    }
  }

  private update(name: string, p: Param, grad: tf.Tensor, lr: number): void {
    let st = this.state.get(name);
    const c = this.config;
    if (c.kind === 'adam') {
      if (!st) {
        st = { step: 0, bufs: { exp_avg: tf.keep(tf.zerosLike(p.value)), exp_avg_sq: tf.keep(tf.zerosLike(p.value)) } };
        this.state.set(name, st);
      }
      st.step += 1;
      const [beta1, beta2] = c.betas ?? [0.9, 0.999];
      const r = getKernels().adamUpdate(p.value, grad, st.bufs.exp_avg, st.bufs.exp_avg_sq, {
        lr,
        beta1,
        beta2,
        eps: c.eps ?? 1e-8,
        step: st.step,
        weightDecay: c.weightDecay ?? 0,
      });
      st.bufs.exp_avg.dispose();
      st.bufs.exp_avg_sq.dispose();
      st.bufs.exp_avg = tf.keep(r.m);
      st.bufs.exp_avg_sq = tf.keep(r.v);
      p.assign(r.param);
      return;
    }
    // torch.optim.SGD
    if (!st) {
      st = { step: 0, bufs: {} };
      this.state.set(name, st);
    }
    st.step += 1;
    const wd = c.weightDecay ?? 0;
    const mom = c.momentum ?? 0;
    const damp = c.dampening ?? 0;
    const newParam = tf.tidy(() => {
      let d: tf.Tensor = wd ? tf.add(grad, tf.mul(p.value, wd)) : grad;
      if (mom) {
        const old = st!.bufs.momentum_buffer;
        const buf = old ? tf.add(tf.mul(old, mom), tf.mul(d, 1 - damp)) : tf.clone(d);
        if (old) old.dispose();
        st!.bufs.momentum_buffer = tf.keep(buf);
        d = c.nesterov ? tf.add(d, tf.mul(buf, mom)) : buf;
      }
      return tf.sub(p.value, tf.mul(d, lr));
    });
    p.assign(newParam);
  }

  /** Optimizer buffers in PyTorch layout, keyed '<param>.<buffer>' (+ '<param>.step'). */
  stateDict(): StateDict {
    const sd: StateDict = new Map();
    const params = new Map(this.groups.flatMap((g) => g.params));
    for (const [name, st] of this.state) {
      const p = params.get(name);
      if (!p) continue;
      for (const [b, t] of Object.entries(st.bufs)) {
        const torch = tf.tidy(() => tfjsToTorch(t, p.layout));
        sd.set(`${name}.${b}`, { dtype: 'float32', shape: [...p.torchShape], data: new Float32Array(torch.dataSync()) });
        if (torch !== t) torch.dispose();
      }
      sd.set(`${name}.step`, { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(st.step)) });
    }
    return sd;
  }

  loadStateDict(sd: StateDict, stepCount: number): void {
    this.dispose();
    this.stepCount = stepCount;
    for (const g of this.groups) {
      for (const [name, p] of g.params) {
        const step = sd.get(`${name}.step`);
        if (!step) continue;
        const bufs: Record<string, tf.Tensor> = {};
        for (const [k, t] of sd) {
          if (!k.startsWith(`${name}.`) || k === `${name}.step`) continue;
          const b = k.slice(name.length + 1);
          if (b.includes('.')) continue;
          if (t.shape.join(',') !== p.torchShape.join(',')) throw new Error(`optimizer state '${k}' has shape [${t.shape.join(',')}], parameter is [${p.torchShape.join(',')}]`);
          bufs[b] = tf.keep(tf.tidy(() => torchToTfjs(tf.tensor(t.data as Float32Array, t.shape), p.layout)));
        }
        this.state.set(name, { step: Number(step.data[0]), bufs });
      }
    }
  }

  /** Hyper-parameters and group LR scales, as stored in checkpoints. */
  hyper(): Record<string, JsonValue> {
    const cfg: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(this.config)) if (v !== undefined) cfg[k] = v as JsonValue;
    return { ...cfg, groups: Object.fromEntries(this.groups.map((g) => [g.name, g.lrScale])) };
  }

  dispose(): void {
    for (const st of this.state.values()) Object.values(st.bufs).forEach((t) => t.dispose());
    this.state.clear();
  }
}
