import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { curvesPng, curvesSvg, encodePng } from './learningCurves';

describe('learning curves', () => {
  const c = { loss: [1, 0.8, 0.5, 0.4].map((value, i) => ({ step: i + 1, value })), metric: [{ step: 2, value: 0.5 }, { step: 4, value: 0.8 }], metricName: 'dice', title: 'segment' };

  it('SVG has both curves and the metric name', () => {
    const svg = curvesSvg(c);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path d="M/g)?.length).toBe(3);
    expect(svg).toContain('validation dice');
  });

  it('PNG is a valid 640x360 RGB image whose pixels hold the red metric curve', () => {
    const png = curvesPng(c);
    expect([...png.subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(640);
    expect(png.readUInt32BE(20)).toBe(360);
    const idatLen = png.readUInt32BE(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    expect(raw.length).toBe((640 * 3 + 1) * 360);
    let red = 0;
    for (let i = 0; i + 2 < raw.length; i++) if (raw[i] === 214 && raw[i + 1] === 39 && raw[i + 2] === 40) red++;
    expect(red).toBeGreaterThan(50);
  });

  it('encodes a 1x1 pixel exactly', () => {
    const png = encodePng(Uint8Array.of(1, 2, 3), 1, 1);
    expect([...inflateSync(png.subarray(41, 41 + png.readUInt32BE(33)))]).toEqual([0, 1, 2, 3]);
  });
});
