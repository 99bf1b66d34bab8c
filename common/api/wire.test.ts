import { describe, it, expect } from 'vitest';
import { WireDecoder, encodeMessage, type WireMessage } from './wire';

function roundTrip(msg: WireMessage): WireMessage {
  const { text, binaries } = encodeMessage(msg);
  const d = new WireDecoder();
  let out = d.push(text);
  for (const b of binaries) {
    expect(out).toBeNull();
    out = d.push(b);
  }
  expect(out).not.toBeNull();
  return out as WireMessage;
}

describe('WebSocket wire framing', () => {
  it('plain JSON messages are one text frame', () => {
    const msg: WireMessage = { t: 'req', id: 1, method: 'listCases', payload: null };
    expect(encodeMessage(msg).binaries).toHaveLength(0);
    expect(roundTrip(msg)).toEqual(msg);
  });
  it('nested ArrayBuffers travel as binary frames, byte-exact and in place', () => {
    const a = new Uint8Array([1, 2, 3, 250]).buffer;
    const b = new Float32Array([1.5, -2]).buffer;
    const msg: WireMessage = { t: 'res', id: 7, env: { ok: true, result: { labels: a, more: [{ x: b }], n: 3 } } };
    const enc = encodeMessage(msg);
    expect(enc.binaries).toHaveLength(2);
    const out = roundTrip(msg) as Extract<WireMessage, { t: 'res' }>;
    const r = (out.env as { ok: true; result: { labels: ArrayBuffer; more: Array<{ x: ArrayBuffer }>; n: number } }).result;
    expect([...new Uint8Array(r.labels)]).toEqual([1, 2, 3, 250]);
    expect([...new Float32Array(r.more[0].x)]).toEqual([1.5, -2]);
    expect(r.n).toBe(3);
  });
  it('refuses typed arrays (ambiguous byte range)', () => {
    expect(() => encodeMessage({ t: 'evt', event: 'x', payload: new Uint8Array(2) })).toThrow('ArrayBuffer');
  });
  it.each([
    ['binary frame first', [new ArrayBuffer(1)]],
    ['bad binary reference', ['{"t":"req","id":1,"method":"m","payload":{"$m3dbin":5},"nbin":1}', new ArrayBuffer(1)]],
    ['not an object', ['[1,2]']],
    ['unknown type', ['{"t":"zzz"}']],
    ['text while binary expected', ['{"t":"req","id":1,"method":"m","payload":{"$m3dbin":0},"nbin":1}', '{}']],
  ])('protocol violation: %s', (_name, frames) => {
    const d = new WireDecoder();
    expect(() => {
      for (const f of frames as Array<string | ArrayBuffer>) d.push(f);
    }).toThrow('protocol error');
  });
});
