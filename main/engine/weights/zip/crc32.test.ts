import { describe, expect, it } from 'vitest';
import { crc32, crc32js } from './crc32';

describe('crc32', () => {
  it('matches the standard check value and chains across chunks (native and JS)', () => {
    const check = new TextEncoder().encode('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32js(check)).toBe(0xcbf43926);
    const data = Uint8Array.from({ length: 1001 }, (_, i) => (i * 31) & 0xff);
    expect(crc32js(data.subarray(500), crc32js(data.subarray(0, 500)))).toBe(crc32(data));
    expect(crc32(data.subarray(7), crc32(data.subarray(0, 7)))).toBe(crc32js(data));
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});
