import { describe, it, expect } from 'vitest';
import type { VolumeHeader } from '../../common/api';
import { streamVolume, type SlabSink } from './streamVolume';
import type { Slab } from './slabPlan';

const header = { volumeId: 'v', dims: [2, 2, 10], dtype: 'int16' } as unknown as VolumeHeader;
const window = { width: 400, center: 40 };

/** A sink that records what arrives; the source voxel value is its flat index. */
function recorder(): SlabSink & { data: Int16Array; log: string[] } {
  const data = new Int16Array(40).fill(-1);
  const log: string[] = [];
  const write = (kStart: number, buf: ArrayBuffer): void => data.set(new Int16Array(buf), kStart * 4);
  return {
    data,
    log,
    generation: 1,
    async createVolume(_h, _l, first, window) {
      log.push(`create ${first.kStart} in W ${window.width} L ${window.center}`);
      write(first.kStart, first.data);
    },
    writeSlab(kStart, buf) {
      log.push(`slab ${kStart}`);
      write(kStart, buf);
    },
    async finishSlabs() {
      log.push('finish');
    },
  };
}

function source(fetched: Slab[]): (s: Slab) => Promise<ArrayBuffer> {
  return async (s) => {
    fetched.push(s);
    return Int16Array.from({ length: s.kCount * 4 }, (_, n) => s.kStart * 4 + n).buffer;
  };
}

describe('streamVolume', () => {
  it('shows the centre first, then fills every slice, reporting progress', async () => {
    const sink = recorder();
    const fetched: Slab[] = [];
    const progress: number[] = [];
    let fetchedAtCreate = -1;
    let shownAfter = -1;
    const create = sink.createVolume.bind(sink);
    sink.createVolume = async (h, l, first, w) => {
      fetchedAtCreate = fetched.length;
      await create(h, l, first, w);
    };
    const done = await streamVolume(sink, header, [], source(fetched), { window, slabBytes: 16, onProgress: (f) => progress.push(f), onShown: () => (shownAfter = fetched.length) });
    expect(done).toBe(true);
    expect(sink.log[0]).toBe('create 3 in W 400 L 40');
    expect(sink.log.at(-1)).toBe('finish'); // the last slabs drawn before the volume counts as open
    expect(fetchedAtCreate).toBe(1); // the centre slab alone while the views are created
    expect(shownAfter).toBe(3); // then the next two are on their way as the views come up
    expect(Array.from(sink.data)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('stops when another volume replaces the one streaming', async () => {
    const sink = recorder();
    const fetched: Slab[] = [];
    const done = await streamVolume(sink, header, [], async (s) => {
      if (fetched.length === 1) (sink as { generation: number }).generation = 2; // after the views came up
      return source(fetched)(s);
    }, { window, slabBytes: 16 });
    expect(done).toBe(false);
    expect(sink.log).toEqual(['create 3 in W 400 L 40']);
  });

  it('a failed slab rejects (the caller reports it)', async () => {
    const sink = recorder();
    await expect(streamVolume(sink, header, [], async (s) => {
      if (s.kStart !== 3) throw new Error('volume vol-1 is not open');
      return new Int16Array(s.kCount * 4).buffer;
    }, { window, slabBytes: 16 })).rejects.toThrow('is not open');
  });
});
