import { describe, expect, it } from 'vitest';
import type { StateDict } from '../nn/StateDict';
import { decodeSafetensors, encodeSafetensors, isSafetensors } from './safetensors';

const file = (header: object, data: number[]): Uint8Array => {
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, Buffer.from(data)]);
};

describe('safetensors container', () => {
  it('round-trips order, dtypes and metadata; header padded to 8 bytes', () => {
    const sd: StateDict = new Map([
      ['b.odd', { dtype: 'uint8', shape: [3], data: new Uint8Array([1, 2, 3]) }],
      ['a.f32', { dtype: 'float32', shape: [2], data: new Float32Array([1.5, -2]) }],
      ['c.i64', { dtype: 'int64', shape: [], data: new BigInt64Array([9n]) }],
    ]);
    const bytes = Buffer.concat(encodeSafetensors(sd, { k: 'v' }));
    expect((8 + Number(bytes.readBigUInt64LE(0))) % 8).toBe(0);
    expect(isSafetensors(bytes)).toBe(true);
    const back = decodeSafetensors(bytes);
    expect([...back.tensors.keys()]).toEqual(['b.odd', 'a.f32', 'c.i64']);
    expect([...back.tensors]).toEqual([...sd]);
    expect(back.metadata).toEqual({ k: 'v' });
  });

  it('reads BF16 written elsewhere, widened to float32 exactly', () => {
    // 1.0 = 0x3f80, -2.5 = 0xc020 in bfloat16.
    const t = decodeSafetensors(file({ x: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] } }, [0x80, 0x3f, 0x20, 0xc0])).tensors.get('x');
    expect(t).toEqual({ dtype: 'float32', shape: [2], data: new Float32Array([1, -2.5]) });
  });

  it.each([
    ['a hole between tensors', file({ a: { dtype: 'U8', shape: [1], data_offsets: [1, 2] } }, [0, 0]), /corrupt: tensor 'a' has data offsets \[1, 2\]/],
    ['size not matching the shape', file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, [0, 0, 0, 0]), /inconsistent with its shape/],
    ['trailing bytes', file({ a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }, [0, 0]), /corrupt: 1 unexplained bytes/],
    ['unknown dtype', file({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, [0, 0, 0, 0, 0, 0, 0, 0]), /unsupported dtype C64/],
    ['bad JSON', Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{x}')]), /corrupt: header is not valid JSON/],
  ])('rejects %s', (_t, bytes, msg) => {
    expect(() => decodeSafetensors(bytes)).toThrow(msg);
  });
});
