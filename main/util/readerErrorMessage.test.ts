import { describe, expect, it } from 'vitest';
import { VolumeReadError } from '../volume/io/errors';
import { asWeightsError } from '../engine/weights/WeightsError';
import { readerErrorMessage } from './readerErrorMessage';

/** Raw JavaScript engine errors, exactly as V8 words them, produced for real. */
function engineError(make: () => unknown): Error {
  try {
    make();
  } catch (e) {
    return e as Error;
  }
  throw new Error('did not throw');
}
const deep = (n: number): number => (n <= 0 ? 0 : 1 + deep(n - 1));

describe('readerErrorMessage: raw engine errors never reach the user', () => {
  it.each([
    ['Invalid typed array length', () => new Float32Array(-1), /declares sizes that are too large or inconsistent/],
    ['Maximum call stack size exceeded', () => deep(1e7), /nested too deeply/],
    ['Invalid code point', () => String.fromCodePoint(0x7fffffff), /corrupt text fields/],
    ['offset is out of bounds', () => new DataView(new ArrayBuffer(4)).getUint32(8), /point outside the file/],
    ['Cannot read properties of undefined', () => (undefined as unknown as { x: number }).x, /structure is inconsistent/],
  ])('%s', (_raw, make, want) => {
    const err = engineError(make);
    const msg = readerErrorMessage(err);
    expect(msg).toMatch(/^corrupt or unsupported file: /);
    expect(msg).toMatch(want);
    expect(msg).not.toContain(err.message);
    // Both reader boundaries use it; the original stays as the cause for MED3D_DEBUG.
    expect(VolumeReadError.wrap('scan.dcm', err).message).toBe(`cannot read scan.dcm: ${msg}`);
    const w = asWeightsError('w.pth', err);
    expect(w.message).toBe(`w.pth: ${msg}`);
    expect(w.cause).toBe(err);
  });

  it("a reader's own message passes through as one line", () => {
    expect(readerErrorMessage(new Error('truncated gzip stream\n(unexpected end)'))).toBe('truncated gzip stream (unexpected end)');
  });
});
