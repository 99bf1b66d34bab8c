/**
 * The per-kernel workloads of `npm run bench` (one table, read by our kernel run and handed to the
 * PyTorch peer as JSON so both time exactly the same shapes). Shapes are NDHWC; `flops` is the
 * nominal count the GFLOP/s figure divides by: 2·MACs for convolutions, and stated per-element
 * costs for the memory-bound kernels (batch norm 8, max-pool 1 per window element, Adam 12).
 */
export type KernelCaseName = 'conv fwd' | 'conv bwd-data' | 'conv bwd-filter' | 'bn train fwd' | 'bn bwd' | 'maxpool fwd' | 'adam';

export interface KernelCase {
  name: KernelCaseName;
  /** Input activation NDHWC (conv, bn, pool) or [parameter count] (adam). */
  x: number[];
  /** Conv output channels / pool window (3 = 3x3x3, stride 2, pad 1). */
  co?: number;
  /** Nominal floating-point operations of one call. */
  flops: number;
  /** Human shape label, e.g. '3x3x3 64→64 on 1x32x32x32'. */
  label: string;
}

const prod = (a: number[]): number => a.reduce((p, v) => p * v, 1);

/** Cases for an activation of spatial size d×h×w with c channels (conv c→c, 3x3x3, stride 1, pad 1). */
export function kernelCases(spatial: [number, number, number], c: number): KernelCase[] {
  const x = [1, ...spatial, c];
  const n = prod(x);
  const macs = n * c * 27;
  const conv = `3x3x3 ${c}→${c} on 1x${spatial.join('x')}`;
  const pooled = spatial.map((s) => Math.floor((s + 2 - 3) / 2) + 1);
  const params = 27 * c * c * 8; // about one ResNet layer's weights
  return [
    { name: 'conv fwd', x, co: c, flops: 2 * macs, label: conv },
    { name: 'conv bwd-data', x, co: c, flops: 2 * macs, label: conv },
    { name: 'conv bwd-filter', x, co: c, flops: 2 * macs, label: conv },
    { name: 'bn train fwd', x, flops: 8 * n, label: `1x${spatial.join('x')}x${c}` },
    { name: 'bn bwd', x, flops: 8 * n, label: `1x${spatial.join('x')}x${c}` },
    { name: 'maxpool fwd', x, co: 3, flops: 27 * prod([1, ...pooled, c]), label: `3x3x3/2 on 1x${spatial.join('x')}x${c}` },
    { name: 'adam', x: [params], flops: 12 * params, label: `${(params / 1e6).toFixed(2)} M params` },
  ];
}

/** Full size (a real ResNet layer1 activation) and a small one for software adapters (SwiftShader). */
export const KERNEL_SIZES: Record<'full' | 'small', () => KernelCase[]> = {
  full: () => kernelCases([32, 32, 32], 64),
  small: () => kernelCases([8, 16, 16], 16),
};
