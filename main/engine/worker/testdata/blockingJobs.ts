import type { EngineJobTable } from '../EngineJobContext';

/** Test-only job module: a job that never yields (to exercise hard cancellation) and one that throws. */
export const jobs = {
  'test:spin': ({ ms }: { ms: number }) => {
    const end = Date.now() + ms;
    let x = 0;
    while (Date.now() < end) x += Math.sqrt(x + 1);
    return x;
  },
  'test:throw': (_payload: null): never => {
    throw new RangeError('volume 512x512x900 does not fit the 2 GiB budget');
  },
} satisfies EngineJobTable;
