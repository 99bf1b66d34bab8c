import { readFile, stat } from 'node:fs/promises';
import { LimitConfigError, LimitExceededError, checkLimit } from '../../util/readLimits';
import { WeightsError } from './WeightsError';

/**
 * A weights file's bytes, after checking its size against MED3D_MAX_CHECKPOINT_BYTES (so a huge
 * file is refused before it is read into memory). Errors are WeightsErrors naming the file.
 */
export async function readWeightsFile(file: string): Promise<Uint8Array> {
  try {
    const size = (await stat(file)).size;
    checkLimit('maxCheckpointBytes', size, 'file size');
    return await readFile(file);
  } catch (err) {
    if (err instanceof LimitExceededError || err instanceof LimitConfigError) throw new WeightsError(file, err.message);
    throw new WeightsError(file, `cannot read file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
