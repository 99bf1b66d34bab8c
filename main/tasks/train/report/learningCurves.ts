import { deflateSync } from 'node:zlib';
import { crc32 } from '../../../engine/weights/zip/crc32';

/**
 * Learning curves of a training run: training loss (left axis) and the validation metric (right
 * axis, 0–1) against the step, as an SVG (with labels) and a PNG (same plot, no text), both
 * written with no dependency beyond node:zlib.
 */
export interface CurvePoint {
  step: number;
  value: number;
}

export interface Curves {
  loss: CurvePoint[];
  metric: CurvePoint[];
  metricName: string;
  title: string;
}

const W = 640;
const H = 360;
const PAD = { l: 56, r: 56, t: 32, b: 40 };

function scales(c: Curves): { x: (s: number) => number; yl: (v: number) => number; yr: (v: number) => number; maxStep: number; maxLoss: number } {
  const maxStep = Math.max(1, ...c.loss.map((p) => p.step), ...c.metric.map((p) => p.step));
  const maxLoss = Math.max(1e-6, ...c.loss.map((p) => p.value).filter(Number.isFinite));
  return {
    maxStep,
    maxLoss,
    x: (s) => PAD.l + (s / maxStep) * (W - PAD.l - PAD.r),
    yl: (v) => H - PAD.b - (Math.min(v, maxLoss) / maxLoss) * (H - PAD.t - PAD.b),
    yr: (v) => H - PAD.b - Math.max(0, Math.min(1, v)) * (H - PAD.t - PAD.b),
  };
}

/** Loss smoothed by a running mean, so the trend is readable at a glance. */
function smooth(pts: CurvePoint[], k = 10): CurvePoint[] {
  return pts.map((p, i) => {
    const win = pts.slice(Math.max(0, i - k + 1), i + 1);
    return { step: p.step, value: win.reduce((a, b) => a + b.value, 0) / win.length };
  });
}

export function curvesSvg(c: Curves): string {
  const s = scales(c);
  const path = (pts: CurvePoint[], y: (v: number) => number): string => pts.map((p, i) => `${i ? 'L' : 'M'}${s.x(p.step).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const esc = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${esc(c.title)}</text>`,
    `<path d="M${PAD.l},${PAD.t} V${H - PAD.b} H${W - PAD.r} V${PAD.t}" fill="none" stroke="#888"/>`,
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle">step (0–${s.maxStep})</text>`,
    `<text x="12" y="${H / 2}" transform="rotate(-90 12 ${H / 2})" text-anchor="middle" fill="#1f77b4">training loss (0–${s.maxLoss.toPrecision(3)})</text>`,
    `<text x="${W - 12}" y="${H / 2}" transform="rotate(90 ${W - 12} ${H / 2})" text-anchor="middle" fill="#d62728">validation ${esc(c.metricName)} (0–1)</text>`,
    c.loss.length ? `<path d="${path(smooth(c.loss), s.yl)}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>` : '',
    c.metric.length ? `<path d="${path(c.metric, s.yr)}" fill="none" stroke="#d62728" stroke-width="2"/>` : '',
    ...c.metric.map((p) => `<circle cx="${s.x(p.step).toFixed(1)}" cy="${s.yr(p.value).toFixed(1)}" r="2.5" fill="#d62728"/>`),
    '</svg>',
    '',
  ].join('\n');
}

function chunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/** RGB image → PNG bytes (8-bit truecolour, no filtering). */
export function encodePng(rgb: Uint8Array, width: number, height: number): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) rgb.subarray(y * width * 3, (y + 1) * width * 3).forEach((v, i) => (raw[y * (width * 3 + 1) + 1 + i] = v));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

export function curvesPng(c: Curves): Buffer {
  const s = scales(c);
  const img = new Uint8Array(W * H * 3).fill(255);
  const dot = (x: number, y: number, col: [number, number, number], r = 0): void => {
    for (let dy = -r; dy <= r; dy++)
      for (let dx = -r; dx <= r; dx++) {
        const xx = Math.round(x) + dx;
        const yy = Math.round(y) + dy;
        if (xx >= 0 && xx < W && yy >= 0 && yy < H) img.set(col, (yy * W + xx) * 3);
      }
  };
  const line = (x0: number, y0: number, x1: number, y1: number, col: [number, number, number], r = 0): void => {
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
    for (let t = 0; t <= n; t++) dot(x0 + ((x1 - x0) * t) / n, y0 + ((y1 - y0) * t) / n, col, r);
  };
  const grey: [number, number, number] = [136, 136, 136];
  line(PAD.l, PAD.t, PAD.l, H - PAD.b, grey);
  line(PAD.l, H - PAD.b, W - PAD.r, H - PAD.b, grey);
  line(W - PAD.r, PAD.t, W - PAD.r, H - PAD.b, grey);
  const poly = (pts: CurvePoint[], y: (v: number) => number, col: [number, number, number], r: number): void => {
    for (let i = 1; i < pts.length; i++) line(s.x(pts[i - 1].step), y(pts[i - 1].value), s.x(pts[i].step), y(pts[i].value), col, r);
    for (const p of pts.length === 1 ? pts : []) dot(s.x(p.step), y(p.value), col, 2);
  };
  poly(smooth(c.loss), s.yl, [31, 119, 180], 0);
  poly(c.metric, s.yr, [214, 39, 40], 1);
  return encodePng(img, W, H);
}
