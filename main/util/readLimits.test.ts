import { describe, expect, it } from 'vitest';
import { DEFAULT_READ_LIMITS, LimitConfigError, LimitExceededError, checkLimit, parseLimitValue, readLimits } from './readLimits';

describe('readLimits', () => {
  it.each([
    ['2147483648', 2 ** 31],
    ['2G', 2 ** 31],
    ['512M', 512 * 2 ** 20],
    ['1.5g', 1.5 * 2 ** 30],
    ['64KiB', 65536],
    ['12 mb', 12 * 2 ** 20],
    ['lots', NaN],
    ['-5', NaN],
  ])('parses %s', (raw, want) => expect(parseLimitValue(raw)).toBe(want));

  it('defaults, overridden per limit by MED3D_MAX_* variables', () => {
    expect(readLimits({})).toEqual(DEFAULT_READ_LIMITS);
    expect(readLimits({ MED3D_MAX_VOXELS: '1000', MED3D_MAX_CHECKPOINT_BYTES: '1G' })).toEqual({ ...DEFAULT_READ_LIMITS, maxVoxels: 1000, maxCheckpointBytes: 2 ** 30 });
  });

  it('a malformed setting is an error naming the variable, not a silent default', () => {
    expect(() => readLimits({ MED3D_MAX_DECOMPRESSED_BYTES: 'huge' })).toThrow(LimitConfigError);
    expect(() => readLimits({ MED3D_MAX_VOXELS: '0' })).toThrow(/MED3D_MAX_VOXELS='0' is not a positive size/);
  });

  it('checkLimit refuses values over the limit, NaN and Infinity included', () => {
    const limits = { ...DEFAULT_READ_LIMITS, maxVolumeBytes: 1000 };
    expect(() => checkLimit('maxVolumeBytes', 1000, 'x', limits)).not.toThrow();
    expect(() => checkLimit('maxVolumeBytes', 1001, 'voxel data', limits)).toThrow(/voxel data \(1001 bytes\) exceeds the limit on voxel data per volume, 1000 bytes \(raise it with MED3D_MAX_VOLUME_BYTES\)/);
    expect(() => checkLimit('maxVolumeBytes', NaN, 'x', limits)).toThrow(LimitExceededError);
    expect(() => checkLimit('maxVolumeBytes', Infinity, 'x', limits)).toThrow(LimitExceededError);
  });
});
