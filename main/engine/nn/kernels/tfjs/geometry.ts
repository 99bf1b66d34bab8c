import type { Conv3dGeometry, Shape5D, Triple } from '../KernelProvider';

/** PyTorch's output size of a conv / pool along one axis (floor rounding). */
export function convOutSize(n: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/** Output shape [N, D, H, W, Cout] of a conv with DHWIO filter `fShape`. */
export function convOutShape(xShape: readonly number[], fShape: readonly number[], g: Conv3dGeometry): Shape5D {
  const out: number[] = [xShape[0]];
  for (let a = 0; a < 3; a++) {
    const o = convOutSize(xShape[a + 1], fShape[a], g.strides[a], g.pads[a], g.dilations[a]);
    if (o < 1) {
      throw new Error(
        `conv3d: input spatial size ${xShape.slice(1, 4).join('x')} is too small for kernel ${fShape.slice(0, 3).join('x')} ` +
          `(stride ${g.strides.join(',')}, pad ${g.pads.join(',')}, dilation ${g.dilations.join(',')})`,
      );
    }
    out.push(o);
  }
  out.push(fShape[4]);
  return out as Shape5D;
}

export function allOnes(t: Triple): boolean {
  return t[0] === 1 && t[1] === 1 && t[2] === 1;
}

export function anyPositive(t: Triple): boolean {
  return t[0] > 0 || t[1] > 0 || t[2] > 0;
}
