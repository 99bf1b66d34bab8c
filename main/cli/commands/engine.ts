import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Command } from 'commander';
import { CliError } from '../CliError';
import { addDeviceOption, initDeviceFromOptions } from '../deviceOption';
import { loadModel } from '../../engine/weights/loadModel';
import { ncdhwToNdhwc, toChannelsFirst } from '../../engine/nn/layout';
import { BatchNorm3d } from '../../engine/nn/layers/BatchNorm3d';
import { tfjsToTorch } from '../../engine/nn/layers/Param';
import { computeGradients } from '../../engine/train/computeGradients';
import { crossEntropy } from '../../engine/train/losses';
import { WeightsError } from '../../engine/weights/WeightsError';
import { atomicWriteFile } from '../../util/atomicWrite';

/**
 * Raw engine commands (a stable contract: our parity checks and scripts use them).
 *   run-raw         eval-mode forward on a raw float32 NCDHW volume → logits / layer4 features
 *   train-step-raw  one train-mode forward + backward of mean cross-entropy → loss, every
 *                   parameter's gradient (PyTorch layout) and every BN's running stats
 * Raw files: headerless little-endian C-order arrays (float32; labels int32), NCDHW / NDHW.
 */
function parseShape(s: string, what: string): number[] {
  const dims = s.split(',').map((v) => Number(v.trim()));
  if (dims.length !== 5 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new CliError(`--shape '${s}': expected five positive integers ${what}`, 2);
  }
  return dims;
}

async function readRaw(file: string, count: number, kind: 'float32' | 'int32', role: string): Promise<Float32Array | Int32Array> {
  let b: Buffer;
  try {
    b = await readFile(file);
  } catch (err) {
    throw new CliError(`${file}: cannot read ${role} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (b.byteLength !== count * 4) {
    throw new CliError(`${file}: ${role} has ${b.byteLength} bytes, expected ${count * 4} (${count} ${kind} values)`);
  }
  const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  return kind === 'float32' ? new Float32Array(ab) : new Int32Array(ab);
}

function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

async function load(file: string): Promise<Awaited<ReturnType<typeof loadModel>>> {
  try {
    return await loadModel(file);
  } catch (err) {
    if (err instanceof WeightsError) throw new CliError(err.message);
    throw new CliError((err as Error).message);
  }
}

/** Peak resident memory of this process so far, e.g. '1.23 GiB'. */
function peakRss(): string {
  return `${(process.resourceUsage().maxRSS / 1024 / 1024).toFixed(2)} GiB`;
}

export function register(program: Command): void {
  addDeviceOption(program.command('run-raw'))
    .description('Eval-mode forward of a Med3D/MedicalNet model on a raw float32 NCDHW volume; writes raw float32 NCDHW outputs')
    .requiredOption('--weights <file>', 'PyTorch .pth (zip or legacy) or Med3D checkpoint')
    .requiredOption('--input <file>', 'input volume: float32 little-endian, NCDHW, C order')
    .requiredOption('--shape <N,C,D,H,W>', 'input shape, e.g. 1,1,56,112,112')
    .option('--out <file>', 'write the head output (logits, NCDHW; [N, classes] for a classifier)')
    .option('--features <file>', 'write the encoder output (layer4, NCDHW)')
    .option('--domain <n>', 'multi-domain models: which branch to run', (v) => Number(v))
    .action(async (o: { weights: string; input: string; shape: string; out?: string; features?: string; domain?: number; device?: string }) => {
      if (!o.out && !o.features) throw new CliError('run-raw: give --out and/or --features', 2);
      const shape = parseShape(o.shape, 'N,C,D,H,W');
      const data = await readRaw(o.input, shape.reduce((a, b) => a * b, 1), 'float32', 'input volume');
      const { kernels } = await initDeviceFromOptions(o);
      const { model, weights } = await load(o.weights);
      if (shape[1] !== weights.spec.backbone.inChannels) {
        throw new CliError(`${o.input}: shape has ${shape[1]} channels, ${o.weights} expects ${weights.spec.backbone.inChannels}`, 2);
      }
      if (o.out && !model.head) throw new CliError(`${o.weights}: encoder-only weights have no head to produce logits; use --features`, 2);
      const t0 = performance.now();
      const x = ncdhwToNdhwc(data as Float32Array, shape);
      let out;
      try {
        out = model.predict(x, { domain: o.domain });
      } catch (err) {
        throw new CliError(`${o.input}: ${(err as Error).message}`);
      }
      x.dispose();
      const msg: string[] = [];
      if (o.out && out.logits) {
        const l = toChannelsFirst(out.logits);
        await atomicWriteFile(o.out, bytesOf(l.data));
        msg.push(`logits [${l.shape.join(',')}] → ${o.out}`);
      }
      if (o.features) {
        const f = toChannelsFirst(out.features);
        await atomicWriteFile(o.features, bytesOf(f.data));
        msg.push(`features [${f.shape.join(',')}] → ${o.features}`);
      }
      out.logits?.dispose();
      out.features.dispose();
      model.dispose();
      process.stdout.write(`${msg.join('; ')} (${kernels}, ${((performance.now() - t0) / 1000).toFixed(2)} s, peak RSS ${peakRss()})\n`);
    });

  addDeviceOption(program.command('train-step-raw'))
    .description('One train-mode forward + backward (mean cross-entropy) without an optimizer step; writes the loss, every parameter gradient and BN running stats')
    .requiredOption('--weights <file>', 'PyTorch .pth (zip or legacy) or Med3D checkpoint')
    .requiredOption('--input <file>', 'input batch: float32 little-endian, NCDHW')
    .requiredOption('--shape <N,C,D,H,W>', 'input shape')
    .requiredOption('--labels <file>', 'int32 little-endian class indices, NDHW at the output resolution')
    .requiredOption('--out-dir <dir>', 'output folder (created): loss.bin, grad.<param>.bin, <bn>.running_mean.bin / .running_var.bin')
    .option('--domain <n>', 'multi-domain models: which branch to train', (v) => Number(v))
    .action(async (o: { weights: string; input: string; shape: string; labels: string; outDir: string; domain?: number; device?: string }) => {
      const shape = parseShape(o.shape, 'N,C,D,H,W');
      const data = await readRaw(o.input, shape.reduce((a, b) => a * b, 1), 'float32', 'input batch');
      const { kernels } = await initDeviceFromOptions(o);
      const { model } = await load(o.weights);
      if (!model.head) throw new CliError(`${o.weights}: encoder-only weights have no head to train`, 2);
      const labelBytes = await readFile(o.labels).catch((err: NodeJS.ErrnoException) => {
        throw new CliError(`${o.labels}: cannot read labels (${err.code ?? err.message})`);
      });
      const t0 = performance.now();
      const x = ncdhwToNdhwc(data as Float32Array, shape);
      let labels: tf.Tensor | null = null;
      const r = (() => {
        try {
          return computeGradients(
            model,
            x,
            (out) => {
              const lShape = out.logits!.shape.slice(0, -1);
              const n = lShape.reduce((a, b) => a * b, 1);
              if (labelBytes.byteLength !== n * 4) {
                throw new CliError(`${o.labels}: labels have ${labelBytes.byteLength} bytes, expected ${n * 4} (int32 [${lShape.join(',')}], the output's N,D,H,W)`);
              }
              const ab = labelBytes.buffer.slice(labelBytes.byteOffset, labelBytes.byteOffset + labelBytes.byteLength);
              labels = tf.keep(tf.tensor(new Int32Array(ab), lShape, 'int32'));
              return crossEntropy(out.logits!, labels);
            },
            { domain: o.domain },
          );
        } catch (err) {
          if (err instanceof CliError) throw err;
          throw new CliError(`${o.labels}: ${(err as Error).message}`);
        }
      })();
      x.dispose();
      (labels as tf.Tensor | null)?.dispose();
      await mkdir(o.outDir, { recursive: true });
      await atomicWriteFile(path.join(o.outDir, 'loss.bin'), bytesOf(Float32Array.of(r.loss)));
      const params = model.parameters();
      for (const [name, p] of params) {
        const g = r.grads.get(name);
        const torch = g ? tf.tidy(() => tfjsToTorch(g, p.layout)) : tf.zeros([...p.torchShape]);
        await atomicWriteFile(path.join(o.outDir, `grad.${name}.bin`), bytesOf(new Float32Array(await torch.data())));
        if (torch !== g) torch.dispose();
      }
      r.grads.forEach((t) => t.dispose());
      let bns = 0;
      for (const [name, m] of model.namedModules()) {
        if (!(m instanceof BatchNorm3d)) continue;
        bns++;
        await atomicWriteFile(path.join(o.outDir, `${name}.running_mean.bin`), bytesOf(new Float32Array(await m.runningMean.data())));
        await atomicWriteFile(path.join(o.outDir, `${name}.running_var.bin`), bytesOf(new Float32Array(await m.runningVar.data())));
      }
      model.dispose();
      process.stdout.write(
        `loss ${r.loss.toPrecision(7)}; ${params.length} gradients, ${bns} BN running stats → ${o.outDir} (${kernels}, ${((performance.now() - t0) / 1000).toFixed(2)} s, peak RSS ${peakRss()})\n`,
      );
    });
}
